"""Request and response bodies of merges, unmerges and identity conflicts."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

CustomerId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class MergeRequest(BaseModel):
    """Customers to merge into the customer named in the path (the survivor)."""

    model_config = ConfigDict(extra="forbid")

    absorb: list[CustomerId] = Field(
        min_length=1, max_length=50, description="Canonical ids of the customers to absorb."
    )
    reason: Reason = Field(description="Why they are one customer; kept with the merge.")
    force: bool = Field(
        default=False,
        description="Merge even when the customers hold different ids of the same source "
        "system (two accounts there), which identity resolution never does on its own.",
    )


class UnmergeRequest(BaseModel):
    """The merge to undo."""

    model_config = ConfigDict(extra="forbid")

    merge_id: str = Field(min_length=1, max_length=36, description="Id of the merge to undo.")
    reason: Reason = Field(description="Why the merge is undone; kept with the merge.")


class MergeRead(BaseModel):
    """A merge of customers into a survivor, and its undoing if it was undone."""

    merge_id: str = Field(description="Id of the merge.")
    survivor_id: str = Field(description="The customer that remained.")
    absorbed_ids: list[str] = Field(description="The customers merged into the survivor.")
    reason: str = Field(description="Why they were merged.")
    merged_by: str = Field(description="Name of the API key that merged them.")
    merged_at: datetime = Field(description="When (UTC).")
    moved: dict[str, int] = Field(
        description="How many references, identifiers, orders, returns and anonymous "
        "visitors moved to the survivor."
    )
    undone_at: datetime | None = Field(description="When the merge was undone (UTC), if it was.")
    undone_by: str | None = Field(description="Name of the API key that undid it.")
    undo_reason: str | None = Field(description="Why it was undone.")

    @classmethod
    def of(cls, record: dict[str, Any]) -> "MergeRead":
        counts: dict[str, int] = {}
        for moved in record["moved"].values():
            for what, items in moved.items():
                if what != "identifiers_added":
                    counts[what] = counts.get(what, 0) + len(items)
        return cls(merge_id=record["id"], moved=counts, **_without(record, "id", "moved"))


class MergeList(BaseModel):
    """The merges into one customer, newest first."""

    items: list[MergeRead] = Field(description="The merges.")


class IdentityConflictRead(BaseModel):
    """Two customers that share an e-mail or phone but were kept apart, because they hold
    different ids of the same source system."""

    id: str = Field(description="Id of the conflict.")
    kind: Literal["email", "phone"] = Field(description="What they share.")
    value: str | None = Field(description="The normalised value (null without pii:read).")
    system: str = Field(description="The source system in which they hold different ids.")
    customer_id: str = Field(description="The customer kept apart when its record arrived.")
    existing_customer_id: str = Field(description="The customer it shares the value with.")
    detected_at: datetime = Field(description="When (UTC).")
    status: Literal["open", "resolved"] = Field(description="open until reviewed.")
    resolved_at: datetime | None = Field(description="When it was resolved (UTC).")
    resolution: str | None = Field(description="How: a merge, or the reviewer's reason.")


class IdentityConflictPage(BaseModel):
    """One page of identity conflicts, oldest first."""

    items: list[IdentityConflictRead] = Field(description="The conflicts of this page.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class ConflictResolution(BaseModel):
    """Closing a conflict after review, e.g. because the two customers are different people."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="The reviewer's conclusion.")


def _without(record: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in names}
