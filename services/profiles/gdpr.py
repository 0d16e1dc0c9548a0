"""Erasure in profiles: one transaction anonymises the customer, deletes its identifiers,
puts their hashes on the suppression list and stages customer.erased for the others."""

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from services.profiles.gdpr_domain import (
    ANONYMISED_CUSTOMER,
    Identifier,
    identifier_hash,
    identifiers_of,
    pseudonymous_order_id,
    reference,
)
from services.profiles.gdpr_repository import (
    COMPLETIONS,
    ERASURES,
    SUPPRESSIONS,
    GdprRepository,
    Row,
    table,
)
from services.profiles.settings import ProfilesSettings
from shared.db.buffer import buffer_of
from shared.erasure import dead_letters_holding, outbox_rows_keyed, publish_then_delete
from shared.events.envelope import new_event
from shared.events.gdpr import CustomerErased
from shared.ids import new_id
from shared.messaging.outbox import Outbox
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

SOURCE = "/profiles"
Ref = tuple[str, str]

# Every table holding rows about a customer, with the columns naming the customer, by what
# erasure does to it. A table added to profiles must be listed here; a test insists.
DELETED: dict[str, tuple[str, ...]] = {
    "customer_references": ("customer_id",),
    "anonymous_links": ("customer_id",),
    "customer_identifiers": ("customer_id",),
    "identity_conflicts": ("customer_id", "existing_customer_id"),
    "customer_merges": ("survivor_id",),
    "customer_segments": ("customer_id",),
    "customer_experiences": ("customer_id",),
    "customer_actions": ("customer_id",),
}
ANONYMISED: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "merged_into"),
    "orders": ("customer_id",),
    "order_returns": ("customer_id",),
}
KEPT: dict[str, tuple[str, ...]] = {"erasures": ("customer_id",)}
"""The erasure record names the customer by its canonical id only, which identifies no one
once everything else is gone."""


class SuppressionList:
    """Salted hashes of erased customers' identifiers; lookups are cached per unit of work."""

    def __init__(self, salt: bytes, phone_region: str = "DE") -> None:
        self.salt = salt
        self.phone_region = phone_region

    def hash(self, identifier: Identifier) -> str:
        return identifier_hash(self.salt, identifier)

    def suppressed(self, session: Session, identifiers: Iterable[Identifier]) -> set[Identifier]:
        """The identifiers among `identifiers` that belong to an erased customer."""
        # Kept by identifier, not by hash: a batch's preparation looks its identifiers up,
        # then each event's check asks again without hashing anything twice.
        known: dict[Identifier, bool] = buffer_of(session).state("profiles.suppressions", dict)
        wanted = list(identifiers)
        missing = {self.hash(i): i for i in wanted if i not in known}
        if missing:
            found = GdprRepository(session).suppressed_hashes(list(missing))
            known.update({i: digest in found for digest, i in missing.items()})
        return {identifier for identifier in wanted if known[identifier]}

    def is_suppressed(self, session: Session, refs: Iterable[Ref]) -> set[Ref]:
        """The source-system references among `refs` that belong to an erased customer."""
        by_identifier = {
            reference(system, external_id): (system, external_id) for system, external_id in refs
        }
        return {by_identifier[i] for i in self.suppressed(session, by_identifier)}

    def add(
        self, session: Session, identifiers: Iterable[Identifier], erasure_id: str, now: datetime
    ) -> int:
        """Put `identifiers` on the list (those already on it stay with their first erasure)."""
        wanted = {self.hash(identifier): identifier for identifier in identifiers}
        repo = GdprRepository(session)
        fresh = sorted(set(wanted) - repo.suppressed_hashes(wanted))
        repo.add(
            SUPPRESSIONS,
            [
                {
                    "identifier_hash": digest,
                    "kind": wanted[digest].kind,
                    "erasure_id": erasure_id,
                    "suppressed_at": now,
                }
                for digest in fresh
            ],
        )
        return len(fresh)


def suppression_list(settings: ServiceSettings) -> SuppressionList:
    """The suppression list with the installation's salt from profiles' settings."""
    if not isinstance(settings, ProfilesSettings):
        raise TypeError(f"profiles settings expected, got {type(settings).__name__}")
    return SuppressionList(settings.suppression_salt, settings.default_phone_region)


class MergedCustomerError(Exception):
    """The customer was absorbed by a merge; its data lives on in the survivor."""

    def __init__(self, customer_id: str, survivor_id: str) -> None:
        super().__init__(
            f"customer {customer_id} was merged into {survivor_id}; erase {survivor_id}, or "
            "undo the merge first if they are different people"
        )


class CustomerErasures:
    def __init__(self, suppressions: SuppressionList, outbox: Outbox, outbox_table: Table) -> None:
        self._suppressions = suppressions
        self._outbox = outbox
        self._outbox_table = outbox_table

    def erase(self, session: Session, customer_id: str, requested_by: str) -> Row | None:
        """Erase the customer in the caller's transaction; the erasure record, or None for an
        unknown customer. Erasing an erased customer again returns the first erasure."""
        repo = GdprRepository(session)
        locked = repo.lock_customers([customer_id])
        if not locked:
            return None
        existing = repo.erasure_of_customer(customer_id)
        if existing is not None:
            return existing
        if locked[0].get("merged_into"):
            raise MergedCustomerError(customer_id, locked[0]["merged_into"])
        cluster = repo.cluster(customer_id)
        now = datetime.now(UTC)
        erasure: Row = {
            "erasure_id": new_id(),
            "customer_id": customer_id,
            "requested_at": now,
            "requested_by": requested_by,
            "erased_at": now,
        }
        repo.add(ERASURES, [erasure])
        doomed, deleted, anonymised = self._erase_data(repo, cluster, erasure["erasure_id"], now)
        repo.add(
            COMPLETIONS,
            [
                {
                    "erasure_id": erasure["erasure_id"],
                    "service": "profiles",
                    "completed_at": now,
                    "deleted": deleted,
                    "anonymised": anonymised,
                    "event_id": None,
                    "recorded_at": now,
                }
            ],
        )
        payload = CustomerErased(
            customer_id=customer_id,
            erasure_id=erasure["erasure_id"],
            requested_at=now,
            merged_customer_ids=cluster[1:],
        )
        event = new_event(source=SOURCE, type="customer.erased", subject=customer_id, data=payload)
        publish_then_delete(session, self._outbox, self._outbox_table, event, doomed)
        log.info(
            "erasure %s of customer %s: deleted %s, anonymised %s",
            erasure["erasure_id"],
            customer_id,
            deleted,
            anonymised,
        )
        return erasure

    def _erase_data(
        self, repo: GdprRepository, cluster: list[str], erasure_id: str, now: datetime
    ) -> tuple[set[int], dict[str, int], dict[str, int]]:
        """Suppress the identifiers, delete and anonymise the rows of the customers in
        `cluster`; the outbox rows to delete, and row counts deleted and anonymised."""
        customers = repo.lock_customers(cluster)
        references = repo.rows("customer_references", ("customer_id",), cluster)
        links = repo.rows("anonymous_links", ("customer_id",), cluster)
        visitors = [link["anonymous_id"] for link in links]
        identifiers = self._identifiers(repo, cluster, customers, references, visitors)
        self._suppressions.add(repo.session, identifiers, erasure_id, now)
        deleted = {
            name: repo.delete_rows(name, columns, cluster)
            for name, columns in DELETED.items()
            if table(name) is not None
        }
        if "customer_merges" in deleted:
            deleted["customer_merges"] += repo.delete_mentioning(
                "customer_merges", "absorbed_ids", cluster
            )
        anonymised = self._anonymise(repo, cluster, erasure_id, now)
        outbox = self._outbox_table
        doomed = outbox_rows_keyed(repo.session, outbox, {*cluster, *visitors})
        doomed |= dead_letters_holding(
            repo.session, outbox, _raw_values(customers, references, visitors)
        )
        deleted["outbox"] = len(doomed)
        return doomed, deleted, anonymised

    def _identifiers(
        self,
        repo: GdprRepository,
        cluster: list[str],
        customers: list[Row],
        references: list[Row],
        visitors: list[str],
    ) -> list[Identifier]:
        found = identifiers_of(
            references=[(r["system"], r["external_id"]) for r in references],
            anonymous_ids=visitors,
        )
        region = self._suppressions.phone_region
        for customer in customers:
            found += identifiers_of(
                email=customer["email"], phone=customer["phone"], phone_region=region
            )
        for row in repo.rows("customer_identifiers", ("customer_id",), cluster):
            if row["kind"] in ("email", "phone"):
                found.append(Identifier(row["kind"], row["value"]))
        return list(dict.fromkeys(found))

    def _anonymise(
        self, repo: GdprRepository, cluster: list[str], erasure_id: str, now: datetime
    ) -> dict[str, int]:
        values = {**ANONYMISED_CUSTOMER, "updated_at": now, "as_of_event_id": erasure_id}
        counts = {"customers": repo.update_customers(cluster, values)}
        for name in ("orders", "order_returns"):
            rows = repo.rows(name, ("customer_id",), cluster)
            keys = {(row["source_system"], row["order_id"]) for row in rows}
            salt = self._suppressions.salt
            repo.rekey_orders(name, {key: pseudonymous_order_id(salt, *key) for key in keys})
            counts[name] = len(rows)
        return counts


def _raw_values(customers: list[Row], references: list[Row], visitors: list[str]) -> set[str]:
    """The customer's identifiers as source systems wrote them, to find in dead letters."""
    values: set[Any] = {r["external_id"] for r in references} | set(visitors)
    values |= {c[field] for c in customers for field in ("email", "phone") if c[field]}
    return {str(value) for value in values}
