"""Merging customers into a survivor and undoing it, in the caller's transaction.

A merge moves the absorbed customers' references, identifiers, orders, returns and visitors
to the survivor and records exactly what moved, so an unmerge can give it back. The parts
other services delivered for an absorbed customer are dropped; they deliver them anew.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.profiles.commands import RefusedError
from services.profiles.identity_rules import merge_clashes, merge_refusal
from services.profiles.merge_repository import MOVED_TABLES, MergeRepository
from services.profiles.parts_repository import PartsRepository
from services.profiles.publishing import publish_snapshot, stage
from services.profiles.repository import CustomerRepository, Ref
from shared.events.customers import CustomerMerged, CustomerUnmerged
from shared.ids import new_id
from shared.messaging.outbox import Outbox


class MergeRefusedError(RefusedError):
    """The merge or unmerge cannot be done as asked; `status` is the HTTP answer."""


@dataclass(frozen=True)
class Requester:
    name: str
    reason: str


class Merges:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def merge(
        self,
        session: Session,
        survivor_id: str,
        absorbed_ids: Sequence[str],
        *,
        requester: Requester,
        force: bool = False,
    ) -> dict[str, Any]:
        """Merge `absorbed_ids` into `survivor_id`; return the merge record."""
        customers = CustomerRepository(session)
        merges = MergeRepository(session)
        absorbed = list(absorbed_ids)
        rows = customers.customer_rows([survivor_id, *absorbed], identity_changes=True)
        refusal = merge_refusal(
            survivor_id, absorbed, {cid: row["merged_into"] for cid, row in rows.items()}
        )
        if refusal is not None:
            raise MergeRefusedError(*refusal)
        everyone = [survivor_id, *absorbed]
        references = customers.references_by_customer(everyone)
        clashes = merge_clashes({cid: references.get(cid, []) for cid in everyone})
        if clashes and not force:
            named = "; ".join(f"{c.system}: {', '.join(c.customer_ids)}" for c in clashes)
            raise MergeRefusedError(
                409,
                f"the customers hold different ids of the same system ({named}); two "
                "accounts of one system are merged only with force=true",
            )
        merge_id, now = new_id(), datetime.now(UTC)
        moved = self._moved(merges, survivor_id, absorbed)
        for what in MOVED_TABLES:
            merges.move_all(what, absorbed, survivor_id)
        # The absorbed customers' segment, experience and actions no longer describe anyone:
        # segmentation, experience and steering re-key and deliver the survivor's anew.
        PartsRepository(session).forget(absorbed)
        for cid in absorbed:
            merges.remove_identifiers(cid)
            merges.add_identifiers(survivor_id, moved[cid]["identifiers_added"], now)
            _bump(rows[cid], now, merge_id, merged_into=survivor_id)
        _bump(rows[survivor_id], now, merge_id)
        customers.update_customers([rows[cid] for cid in sorted(rows)])
        record = {
            "id": merge_id,
            "survivor_id": survivor_id,
            "absorbed_ids": absorbed,
            "reason": requester.reason,
            "merged_by": requester.name,
            "merged_at": now,
            "moved": moved,
            "undone_at": None,
            "undone_by": None,
            "undo_reason": None,
        }
        merges.insert_merge(record)
        merges.resolve_conflicts_among(everyone, at=now, resolution=f"merged by {merge_id}")
        correlation = f"merge/{merge_id}"
        for cid in absorbed:
            self._snapshot(session, rows[cid], [], correlation, ["merged_into", "references"])
        stage(
            self._outbox,
            session,
            event_type="customer.merged",
            subject=survivor_id,
            payload=CustomerMerged(
                survivor_id=survivor_id,
                absorbed_ids=absorbed,
                merge_id=merge_id,
                reason=requester.reason,
                absorbed_revisions={cid: rows[cid]["revision"] for cid in absorbed},
            ),
            correlation_id=correlation,
        )
        survivor_refs = [ref for cid in everyone for ref in references.get(cid, [])]
        self._snapshot(session, rows[survivor_id], survivor_refs, correlation, ["references"])
        return record

    def unmerge(
        self, session: Session, survivor_id: str, merge_id: str, *, requester: Requester
    ) -> dict[str, Any]:
        """Undo the merge `merge_id` into `survivor_id`; return the updated merge record."""
        merges = MergeRepository(session)
        customers = CustomerRepository(session)
        record = merges.merge(merge_id, lock=True)
        if record is None or record["survivor_id"] != survivor_id:
            raise MergeRefusedError(404, f"customer {survivor_id} has no merge {merge_id}")
        if record["undone_at"] is not None:
            raise MergeRefusedError(409, f"merge {merge_id} was undone already")
        restored: list[str] = record["absorbed_ids"]
        rows = customers.customer_rows([survivor_id, *restored], identity_changes=True)
        if rows[survivor_id]["merged_into"] is not None:
            raise MergeRefusedError(
                409,
                f"customer {survivor_id} was merged into {rows[survivor_id]['merged_into']} "
                "since; undo that merge first",
            )
        now = datetime.now(UTC)
        for cid in restored:
            moved = record["moved"][cid]
            for what in MOVED_TABLES:
                merges.move_back(what, moved[what], survivor_id, cid)
            merges.remove_identifiers(survivor_id, moved["identifiers_added"])
            merges.remove_identifiers(cid)
            merges.add_identifiers(cid, moved["identifiers"], now)
            _bump(rows[cid], now, merge_id, merged_into=None)
        _bump(rows[survivor_id], now, merge_id)
        customers.update_customers([rows[cid] for cid in sorted(rows)])
        merges.mark_undone(merge_id, at=now, by=requester.name, reason=requester.reason)
        references = customers.references_by_customer([survivor_id, *restored])
        correlation = f"unmerge/{merge_id}"
        for cid in restored:
            stage(
                self._outbox,
                session,
                event_type="customer.unmerged",
                subject=survivor_id,
                payload=CustomerUnmerged(
                    survivor_id=survivor_id,
                    restored_id=cid,
                    merge_id=merge_id,
                    reason=requester.reason,
                ),
                correlation_id=correlation,
            )
            changed = ["merged_into", "references"]
            self._snapshot(session, rows[cid], references.get(cid, []), correlation, changed)
        survivor_refs = references.get(survivor_id, [])
        self._snapshot(session, rows[survivor_id], survivor_refs, correlation, ["references"])
        return {
            **record,
            "undone_at": now,
            "undone_by": requester.name,
            "undo_reason": requester.reason,
        }

    def _moved(
        self, merges: MergeRepository, survivor_id: str, absorbed: list[str]
    ) -> dict[str, dict[str, list[Any]]]:
        """What each absorbed customer holds now, and which of its identifiers are new to the
        survivor (only those leave the survivor again on an unmerge)."""
        keys = {what: merges.keys_by_customer(what, absorbed) for what in MOVED_TABLES}
        identifiers = merges.identifiers_by_customer([survivor_id, *absorbed])
        held = {tuple(i) for i in identifiers[survivor_id]}
        moved: dict[str, dict[str, list[Any]]] = {}
        for cid in absorbed:
            added = [i for i in identifiers[cid] if tuple(i) not in held]
            held.update(tuple(i) for i in added)
            moved[cid] = {what: keys[what][cid] for what in MOVED_TABLES}
            moved[cid].update(identifiers=identifiers[cid], identifiers_added=added)
        return moved

    def _snapshot(
        self,
        session: Session,
        row: dict[str, Any],
        references: list[Ref],
        correlation_id: str,
        changed: list[str],
    ) -> None:
        publish_snapshot(
            self._outbox,
            session,
            row,
            references=references,
            correlation_id=correlation_id,
            changed=changed,
        )


def _bump(row: dict[str, Any], now: datetime, merge_id: str, **changes: Any) -> None:
    row.update(changes)
    row.update(revision=row["revision"] + 1, updated_at=now, as_of_event_id=merge_id)


def close_conflict(session: Session, conflict_id: str, requester: Requester) -> dict[str, Any]:
    """Mark an open identity conflict reviewed; return it as it is now."""
    merges = MergeRepository(session)
    conflict = merges.conflict(conflict_id)
    if conflict is None:
        raise MergeRefusedError(404, f"identity conflict {conflict_id} is not known")
    if conflict["status"] != "open":
        raise MergeRefusedError(409, f"identity conflict {conflict_id} is resolved already")
    now = datetime.now(UTC)
    resolution = f"{requester.reason} ({requester.name})"
    merges.resolve_conflict(conflict_id, at=now, resolution=resolution)
    return {**conflict, "status": "resolved", "resolved_at": now, "resolution": resolution}
