"""Pure rules of profiles: which customer an upsert is about and what it changes."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
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
