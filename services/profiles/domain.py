"""Pure rules of profiles: which customer an event is about, what it changes, what wins."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

SNAPSHOT_FIELDS = (
    "kind",
    "name",
    "email",
    "phone",
    "customer_number",
    "street",
    "postal_code",
    "city",
    "region",
    "country",
    "industry",
    "size_class",
    "owner_rep",
    "consents",
    "attributes",
    "provisional",
)


@dataclass(frozen=True)
class Resolution:
    customer_id: str | None
    """The known customer the references point to; None for a new customer."""
    unknown_references: tuple[tuple[str, str], ...]


def resolve(
    references: Iterable[tuple[str, str]], known: Mapping[tuple[str, str], str]
) -> Resolution:
    """The primary reference decides; otherwise the first other reference that is known."""
    ordered = list(dict.fromkeys(references))
    matches = [known[ref] for ref in ordered if ref in known]
    unknown = tuple(ref for ref in ordered if ref not in known)
    return Resolution(customer_id=matches[0] if matches else None, unknown_references=unknown)


MERGED_MAPS = ("attributes", "consents")


def merge_maps(current: Mapping[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    """Free attributes and consents are merged key by key; one source adds to another's."""
    merged = dict(incoming)
    for field in MERGED_MAPS:
        if field in incoming:
            merged[field] = {**(current.get(field) or {}), **(incoming[field] or {})}
    return merged


def changes(current: Mapping[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot fields whose incoming value differs from the current one."""
    return {
        field: incoming[field]
        for field in SNAPSHOT_FIELDS
        if field in incoming and current.get(field) != incoming[field]
    }


def is_stale(event_time: datetime, applied_time: datetime | None) -> bool:
    """An upsert older than the newest one applied must not overwrite attributes."""
    return applied_time is not None and event_time < applied_time


class RejectedEvent(Exception):  # noqa: N818 - an outcome, not a fault
    """An event that is valid on its own but contradicts what profiles already holds.

    Raised by a handler before it has written anything, so the item can be rejected
    without undoing the rest of its batch.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def provisional_name(system: str, external_id: str) -> str:
    """What a customer known only by a reference is called until its upsert arrives."""
    return f"{system}:{external_id}"


def attributes_time(applied_time: datetime, provisional: bool) -> datetime | None:
    """The time of the attributes a customer holds; a provisional one holds none yet."""
    return None if provisional else applied_time


def supersedes(event_time: datetime, stored_time: datetime | None) -> bool:
    """A version of an order replaces the stored one unless it is older."""
    return stored_time is None or event_time >= stored_time


def totals(lines: Iterable[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
    """Net revenue and cost of goods summed over (net_revenue, cost_of_goods) lines."""
    net_revenue, cost_of_goods = Decimal(0), Decimal(0)
    for line_revenue, line_cost in lines:
        net_revenue += line_revenue
        cost_of_goods += line_cost
    return net_revenue, cost_of_goods


def link_is_new(anonymous_id: str, linked_to: str | None, customer_id: str | None) -> bool:
    """Whether linking the visitor to `customer_id` (None: a new customer) adds a link.

    A visitor stays with the first customer it was linked to; linking it to another one is
    rejected, because it would move that customer's web history to a different person.
    """
    if linked_to is None:
        return True
    if linked_to == customer_id:
        return False
    raise RejectedEvent(
        f"anonymous_id {anonymous_id!r} is already linked to customer {linked_to}; "
        "a visitor is linked to one customer only"
    )
