"""Customers from events: upserts store and publish snapshots; a reference no upsert has
named yet becomes a provisional customer, so an order or touchpoint for it is not lost."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from services.profiles import domain
from services.profiles.identity import IdentitySet, identity_set
from services.profiles.identity_rules import (
    Candidate,
    Identifier,
    IdentityRules,
    Match,
    choose_match,
)
from services.profiles.publishing import publish_snapshot, stage
from services.profiles.repository import Ref
from shared.events.inbound import CustomerUpserted, InboundEvent
from shared.ids import new_id
from shared.messaging.outbox import Outbox


def _references(data: CustomerUpserted) -> list[tuple[str, str]]:
    return [(data.customer.system, data.customer.id)] + [
        (ref.system, ref.id) for ref in data.external_ids
    ]


def caused_by(cause: InboundEvent) -> str:
    """The correlation id of events an inbound event causes."""
    return f"{cause.source}/{cause.id}"


def publish(
    outbox: Outbox,
    session: Session,
    cause: InboundEvent,
    *,
    event_type: str,
    subject: str,
    payload: BaseModel,
) -> None:
    """Stage profiles' event `event_type` about `subject`, caused by the inbound `cause`."""
    stage(
        outbox,
        session,
        event_type=event_type,
        subject=subject,
        payload=payload,
        correlation_id=caused_by(cause),
    )


def match_by_identifiers(
    session: Session,
    identities: IdentitySet,
    references: list[Ref],
    identifiers: list[Identifier],
) -> Match:
    """The customer a record none of whose references is known joins, by shared identifiers."""
    holders = {cid for identifier in identifiers for cid in identities.holders(identifier)}
    identities.load_customers(session, holders)
    candidates = [
        Candidate(
            customer_id=cid,
            created_at=row["created_at"],
            references=identities.references.get(cid, []),
            shared=[i for i in identifiers if cid in identities.holders(i)],
        )
        for cid in sorted(holders)
        if (row := identities.customers.get(cid)) is not None and row["merged_into"] is None
    ]
    return choose_match(references, candidates)


class CustomerUpserts:
    def __init__(self, outbox: Outbox, rules: IdentityRules | None = None) -> None:
        self._outbox = outbox
        self._rules = rules or IdentityRules()

    def prepare(self, session: Session, batch: list[tuple[InboundEvent, Any]]) -> None:
        """Load every customer the batch refers to, by reference or by a shared identifier,
        with a few queries."""
        identities = identity_set(session)
        records = [(_references(data), self._identifiers(data)) for _, data in batch]
        identities.load(session, [ref for refs, _ in records for ref in refs])
        identities.load_identifiers(session, [i for _, found in records for i in found])
        new_records = [
            found for refs, found in records if not any(ref in identities.refs for ref in refs)
        ]
        identities.load_customers(
            session,
            {
                cid
                for found in new_records
                for identifier in self._rules.matching(found)
                for cid in identities.holders(identifier)
            },
        )

    def _identifiers(self, data: CustomerUpserted) -> list[Identifier]:
        return self._rules.identifiers(data.email, data.phone)

    def apply(self, session: Session, event: InboundEvent, data: CustomerUpserted) -> str:
        """Store the upsert and stage the resulting customer event; return the customer id."""
        identities = identity_set(session)
        references = _references(data)
        identifiers = self._identifiers(data)
        identities.load(session, references)
        identities.load_identifiers(session, identifiers)
        resolution = domain.resolve(references, identities.refs)
        now = datetime.now(UTC)
        match = Match(resolution.customer_id, ())
        if match.customer_id is None:
            match = match_by_identifiers(
                session, identities, references, self._rules.matching(identifiers)
            )
        customer_id = self._store(
            session,
            event,
            data=data,
            known_customer_id=match.customer_id,
            resolution=resolution,
            now=now,
        )
        identities.add_identifiers(session, customer_id, identifiers, now)
        identities.add_conflicts(session, customer_id, match.conflicts, now)
        return customer_id

    def _store(
        self,
        session: Session,
        event: InboundEvent,
        *,
        data: CustomerUpserted,
        known_customer_id: str | None,
        resolution: domain.Resolution,
        now: datetime,
    ) -> str:
        identities = identity_set(session)
        incoming = data.model_dump(include=set(domain.SNAPSHOT_FIELDS), mode="json")
        incoming["provisional"] = False
        if known_customer_id is None:
            row = {
                "customer_id": new_id(),
                "merged_into": None,
                "revision": 1,
                "created_at": now,
                "updated_at": now,
                "source_time": event.time,
                "as_of_event_id": event.id,
                **incoming,
            }
            identities.add_customer(session, row)
            identities.add_references(
                session, row["customer_id"], resolution.unknown_references, now
            )
            publish_snapshot(
                self._outbox,
                session,
                row,
                references=identities.references[row["customer_id"]],
                correlation_id=caused_by(event),
                changed=None,
            )
            return str(row["customer_id"])
        customer_id = known_customer_id
        row = identities.customers[customer_id]
        identities.add_references(session, customer_id, resolution.unknown_references, now)
        changed: dict[str, Any] = {}
        applied = domain.attributes_time(row["source_time"], row["provisional"])
        if not domain.is_stale(event.time, applied):
            # Only what this source sent: fields it leaves out keep what others set.
            sent = data.model_dump(
                include=set(domain.SNAPSHOT_FIELDS), mode="json", exclude_unset=True
            )
            changed = domain.changes(row, domain.merge_maps(row, {**sent, "provisional": False}))
            row["source_time"] = event.time
            identities.touch(session, customer_id)
        if changed or resolution.unknown_references:
            row.update(changed)
            row.update(revision=row["revision"] + 1, updated_at=now, as_of_event_id=event.id)
            identities.touch(session, customer_id)
            names = sorted(changed) + (["references"] if resolution.unknown_references else [])
            publish_snapshot(
                self._outbox,
                session,
                row,
                references=identities.references[customer_id],
                correlation_id=caused_by(event),
                changed=names,
            )
        return customer_id


class CustomerResolver:
    """Finds the canonical customer of a `customer {system, id}` in an order, return,
    touchpoint or identification, making a provisional customer of an unknown one."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def prepare(self, session: Session, references: Iterable[Ref]) -> None:
        """Load the customers of a whole batch's references with a few queries."""
        identity_set(session).load(session, references)

    def known(self, session: Session, reference: Ref) -> str | None:
        """The customer `reference` belongs to, if any; creates nothing."""
        identities = identity_set(session)
        identities.load(session, [reference])
        return identities.refs.get(reference)

    def resolve(self, session: Session, event: InboundEvent, reference: Ref) -> str:
        """The customer `reference` belongs to; a provisional one if it is unknown."""
        customer_id = self.known(session, reference)
        if customer_id is not None:
            return customer_id
        identities = identity_set(session)
        now = datetime.now(UTC)
        row: dict[str, Any] = {
            **dict.fromkeys(domain.SNAPSHOT_FIELDS),
            "customer_id": new_id(),
            "revision": 1,
            "kind": "person",
            "name": domain.provisional_name(*reference),
            "consents": {},
            "attributes": {},
            "provisional": True,
            "merged_into": None,
            "created_at": now,
            "updated_at": now,
            "source_time": event.time,
            "as_of_event_id": event.id,
        }
        identities.add_customer(session, row)
        identities.add_references(session, row["customer_id"], [reference], now)
        publish_snapshot(
            self._outbox,
            session,
            row,
            references=[reference],
            correlation_id=caused_by(event),
            changed=None,
        )
        return str(row["customer_id"])
