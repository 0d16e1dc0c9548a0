"""The identity working set of one unit of work: references, identifiers, customers,
anonymous visitors linked to customers, pending writes.

A batch of events is resolved against this in memory, loaded with a few queries up front and
written back with one statement per table, so ingestion cost does not grow with round trips.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from services.profiles.identity_rules import Conflict, Identifier
from services.profiles.repository import (
    CONFLICTS,
    IDENTIFIERS,
    LINKS,
    REFERENCES,
    CustomerRepository,
    Ref,
)
from shared.db.buffer import buffer_of
from shared.events.common import CustomerRef, field_value
from shared.events.inbound import CustomerUpserted
from shared.ids import new_id

# A merge that commits while a batch waits for a customer's lock moves its references; the
# batch then looks them up again, a bounded number of times.
REREADS = 3


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

    identifiers: dict[Identifier, set[str]] = field(default_factory=dict)
    """Normalised identifier -> every customer holding it, for those looked up or added."""
    identifiers_looked_up: set[Identifier] = field(default_factory=set)

    def load(self, session: Session, refs: Iterable[Ref]) -> None:
        """Make sure every ref in `refs` and the customers they point to are in memory; refs
        nobody holds are claimed until commit, and looked up again once claimed (a
        concurrent transaction may have created them meanwhile)."""
        wanted = [ref for ref in dict.fromkeys(refs) if ref not in self.looked_up]
        self._look_up(session, wanted)
        unknown = [ref for ref in wanted if ref not in self.refs]
        if unknown and CustomerRepository(session).claim_references(unknown):
            self.looked_up.difference_update(unknown)
            self._look_up(session, unknown)

    def _look_up(self, session: Session, wanted: list[Ref]) -> None:
        for _ in range(REREADS):
            if not wanted:
                return
            found = CustomerRepository(session).customer_ids_by_reference(wanted)
            self.looked_up.update(wanted)
            self.refs.update(found)
            self.load_customers(session, found.values())
            # Read before the customer was locked: a merge or unmerge committed meanwhile.
            wanted = [ref for ref, cid in found.items() if ref not in self.references[cid]]
            for ref in wanted:
                del self.refs[ref]

    def load_customers(self, session: Session, customer_ids: Iterable[str]) -> None:
        """Make sure the customers and their references are in memory, locked until commit."""
        unknown = {cid for cid in customer_ids if cid not in self.customers}
        if not unknown:
            return
        repo = CustomerRepository(session)
        self.customers.update(repo.customer_rows(unknown))
        found = repo.references_by_customer(unknown)
        for cid in unknown:
            self.references[cid] = found.get(cid, [])
            self.refs.update(dict.fromkeys(self.references[cid], cid))
            self.looked_up.update(self.references[cid])

    def load_identifiers(self, session: Session, identifiers: Iterable[Identifier]) -> None:
        """Make sure the holders of every identifier in `identifiers` are in memory."""
        wanted = [i for i in dict.fromkeys(identifiers) if i not in self.identifiers_looked_up]
        if not wanted:
            return
        found = CustomerRepository(session).customer_ids_by_identifier(wanted)
        self.identifiers_looked_up.update(wanted)
        for identifier in wanted:
            self.identifiers.setdefault(identifier, set()).update(found.get(identifier, ()))

    def holders(self, identifier: Identifier) -> set[str]:
        return self.identifiers.get(identifier, set())

    def add_identifiers(
        self, session: Session, customer_id: str, identifiers: Iterable[Identifier], now: datetime
    ) -> None:
        """Index `identifiers` for the customer; ones it holds already are left alone."""
        identifiers = list(identifiers)
        self.load_identifiers(session, identifiers)
        buffer = buffer_of(session)
        for kind, value in identifiers:
            holders = self.identifiers.setdefault((kind, value), set())
            if customer_id in holders:
                continue
            holders.add(customer_id)
            buffer.insert(
                IDENTIFIERS,
                {"kind": kind, "value": value, "customer_id": customer_id, "created_at": now},
            )

    def add_conflicts(
        self, session: Session, customer_id: str, conflicts: Iterable[Conflict], now: datetime
    ) -> None:
        """Record for review that `customer_id` was kept apart from each conflict's customer."""
        buffer = buffer_of(session)
        for conflict in conflicts:
            kind, value = conflict.identifier
            buffer.insert(
                CONFLICTS,
                {
                    "id": new_id(),
                    "kind": kind,
                    "value": value,
                    "system": conflict.system,
                    "customer_id": customer_id,
                    "existing_customer_id": conflict.customer_id,
                    "detected_at": now,
                    "status": "open",
                    "resolved_at": None,
                    "resolution": None,
                },
            )

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


def named_references(payload: BaseModel) -> list[Ref]:
    """The customer references an inbound payload names: its customer, and the further
    systems' ids of an upsert."""
    customer = field_value(payload, "customer")
    named = [(customer.system, customer.id)] if isinstance(customer, CustomerRef) else []
    if isinstance(payload, CustomerUpserted):
        named += [(ref.system, ref.id) for ref in payload.external_ids]
    return named


def identity_set(session: Session) -> IdentitySet:
    return buffer_of(session).state("profiles.identity", IdentitySet)
