"""Queries of profiles; services call these, never SQL of their own."""

from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from services.profiles.models import Customer, CustomerReference


class CustomerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, customer_id: str) -> Customer | None:
        return self.session.get(Customer, customer_id)

    def known_references(self, references: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        refs = list(references)
        if not refs:
            return {}
        rows = self.session.execute(
            select(
                CustomerReference.system,
                CustomerReference.external_id,
                CustomerReference.customer_id,
            ).where(tuple_(CustomerReference.system, CustomerReference.external_id).in_(refs))
        )
        return {(row.system, row.external_id): row.customer_id for row in rows}

    def references_of(self, customer_id: str) -> list[CustomerReference]:
        return list(
            self.session.scalars(
                select(CustomerReference)
                .where(CustomerReference.customer_id == customer_id)
                .order_by(CustomerReference.system, CustomerReference.external_id)
            )
        )

    def add(self, item: Customer | CustomerReference) -> None:
        self.session.add(item)
