"""The identity working set of one unit of work: references, customers, anonymous visitors
linked to customers, pending writes.

A batch of events is resolved against this in memory, loaded with a few queries up front and
written back with one statement per table, so ingestion cost does not grow with round trips.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from services.profiles.repository import LINKS, REFERENCES, CustomerRepository, Ref
from shared.db.buffer import buffer_of


@dataclass
class IdentitySet:
    refs: dict[Ref, str] = field(default_factory=dict)
    looked_up: set[Ref] = field(default_factory=set)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    references: dict[str, list[Ref]] = field(default_factory=dict)
    new: set[str] = field(default_factory=set)
    dirty: set[str] = field(default_factory=set)
    links: dict[str, str] = field(default_factory=dict)
    """Anonymous visitor id -> customer id, for the visitors looked up or linked so far."""
    links_looked_up: set[str] = field(default_factory=set)

    def load(self, session: Session, refs: Iterable[Ref]) -> None:
        """Make sure every ref in `refs` and the customers they point to are in memory."""
        wanted = [ref for ref in dict.fromkeys(refs) if ref not in self.looked_up]
        if not wanted:
            return
        repo = CustomerRepository(session)
        found = repo.customer_ids_by_reference(wanted)
        self.looked_up.update(wanted)
        self.refs.update(found)
        unknown = {cid for cid in found.values() if cid not in self.customers}
        if unknown:
            self.customers.update(repo.customer_rows(unknown))
            for cid, customer_refs in repo.references_by_customer(unknown).items():
                self.references[cid] = customer_refs
                self.refs.update(dict.fromkeys(customer_refs, cid))
                self.looked_up.update(customer_refs)

    def load_links(self, session: Session, anonymous_ids: Iterable[str]) -> None:
        """Make sure the customer links of every visitor in `anonymous_ids` are in memory."""
        wanted = [a for a in dict.fromkeys(anonymous_ids) if a not in self.links_looked_up]
        if not wanted:
            return
        self.links.update(CustomerRepository(session).customer_ids_by_anonymous_id(wanted))
        self.links_looked_up.update(wanted)

    def add_link(
        self,
        session: Session,
        anonymous_id: str,
        customer_id: str,
        linked_at: datetime,
        event_id: str,
    ) -> None:
        self.links[anonymous_id] = customer_id
        self.links_looked_up.add(anonymous_id)
        buffer_of(session).insert(
            LINKS,
            {
                "anonymous_id": anonymous_id,
                "customer_id": customer_id,
                "linked_at": linked_at,
                "as_of_event_id": event_id,
            },
        )

    def add_customer(self, session: Session, row: dict[str, Any]) -> None:
        self.customers[row["customer_id"]] = row
        self.references[row["customer_id"]] = []
        self.new.add(row["customer_id"])
        self.schedule(session)

    def touch(self, session: Session, customer_id: str) -> None:
        if customer_id not in self.new:
            self.dirty.add(customer_id)
        self.schedule(session)

    def add_references(
        self, session: Session, customer_id: str, refs: Iterable[Ref], now: datetime
    ) -> None:
        buffer = buffer_of(session)
        for system, external_id in refs:
            self.refs[(system, external_id)] = customer_id
            self.references.setdefault(customer_id, []).append((system, external_id))
            buffer.insert(
                REFERENCES,
                {
                    "system": system,
                    "external_id": external_id,
                    "customer_id": customer_id,
                    "created_at": now,
                },
            )

    def schedule(self, session: Session) -> None:
        """Write customers on flush before any hook scheduled after this call.

        Hooks run in the order they were first scheduled, so a hook writing rows that refer
        to customers (orders) calls this first.
        """
        buffer_of(session).before_inserts("profiles.identity", self._write)

    def _write(self, session: Session) -> None:
        repo = CustomerRepository(session)
        repo.insert_customers([self.customers[cid] for cid in sorted(self.new)])
        repo.update_customers([self.customers[cid] for cid in sorted(self.dirty)])


def identity_set(session: Session) -> IdentitySet:
    return buffer_of(session).state("profiles.identity", IdentitySet)
