"""Idempotent ingestion of source-system events, per item: accepted, duplicate or rejected."""

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

from services.profiles.domain import RejectedEvent
from services.profiles.identity import identity_set, named_references
from shared import json_codec
from shared.db.buffer import buffer_of
from shared.db.uow import run_in_transaction
from shared.events.common import NUL_CHECKED, contains_nul
from shared.events.inbound import InboundEvent
from shared.messaging.inbox import already_seen
from shared.metrics import ServiceMetrics

log = logging.getLogger(__name__)

INGEST_CONSUMER = "profiles.ingest"
ATTEMPTS = 3

InboundHandler = Callable[[Session, InboundEvent, Any], str | None]
InboundPreparer = Callable[[Session, list[tuple[InboundEvent, Any]]], None]


@dataclass(frozen=True)
class InboundRoute:
    payload: type[BaseModel]
    handle: InboundHandler
    prepare: InboundPreparer | None = None


@dataclass(frozen=True)
class ItemResult:
    index: int
    status: Literal["accepted", "duplicate", "rejected"]
    id: str | None = None
    source: str | None = None
    type: str | None = None
    customer_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ValidItem:
    index: int
    event: InboundEvent
    payload: BaseModel

    @property
    def key(self) -> tuple[str, str]:
        return self.event.source, self.event.id


def describe(error: ValidationError, prefix: str = "") -> str:
    parts = []
    for e in error.errors()[:5]:
        where = ".".join(str(p) for p in e["loc"])
        parts.append(f"{prefix}{where}: {e['msg']}" if where else f"{prefix}{e['msg']}")
    return "; ".join(parts)


class Ingestion:
    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        inbox: Table,
        routes: Mapping[str, InboundRoute],
        metrics: ServiceMetrics,
        max_event_bytes: int = 512 * 1024,
    ) -> None:
        self._session_factory = session_factory
        self._max_event_bytes = max_event_bytes
        self._inbox = inbox
        self._routes = dict(routes)
        self._metrics = metrics

    def validate(self, index: int, raw: Any, nul_free: bool = False) -> ValidItem | ItemResult:
        """Check the envelope and the payload of one posted item (`nul_free`: the caller
        knows that no text in it holds a NUL character)."""
        head = raw if isinstance(raw, dict) else {}
        ident = {"id": _text(head.get("id")), "source": _text(head.get("source"))}
        # One pass over the raw item spares every field its own NUL check; an item with a
        # NUL is validated field by field, so the rejection names the field.
        context = {NUL_CHECKED: True} if nul_free or not contains_nul(raw) else None
        try:
            event = InboundEvent.model_validate(raw, context=context)
        except ValidationError as error:
            return ItemResult(
                index, "rejected", type=_text(head.get("type")), reason=describe(error), **ident
            )
        route = self._routes.get(event.type)
        if route is None:
            supported = ", ".join(sorted(self._routes))
            reason = f"unsupported event type {event.type!r} (supported: {supported})"
            return ItemResult(index, "rejected", type=event.type, reason=reason, **ident)
        try:
            payload = route.payload.model_validate(event.data, context=context)
        except ValidationError as error:
            return ItemResult(
                index, "rejected", type=event.type, reason=describe(error, "data."), **ident
            )
        return ValidItem(index, event, payload)

    def ingest(
        self, raw_items: Sequence[Any], body_bytes: int | None = None, nul_free: bool = False
    ) -> list[ItemResult]:
        """Validate, deduplicate and apply a batch in one transaction owned here.

        `body_bytes` is the size of the request the items came in; when it is below the
        event size limit no single item can exceed it and sizes are not measured. `nul_free`:
        the caller knows that no text in the items holds a NUL character (it looked at the
        request body), so they are not searched for one.
        """
        measure = body_bytes is None or body_bytes > self._max_event_bytes
        checked = [
            self._too_large(i, raw)
            if measure and self._oversized(raw)
            else self.validate(i, raw, nul_free)
            for i, raw in enumerate(raw_items)
        ]
        valid = [item for item in checked if isinstance(item, ValidItem)]
        # A concurrent request may store the same event or customer first, or the two may
        # deadlock: the next attempt sees the winner's rows and reports a duplicate or
        # updates that customer instead.
        applied = {
            r.index: r
            for r in run_in_transaction(
                self._session_factory, lambda session: self.apply(session, valid), attempts=ATTEMPTS
            )
        }
        results = [
            applied.get(item.index, item) if isinstance(item, ValidItem) else item
            for item in checked
        ]
        final = [r for r in results if isinstance(r, ItemResult)]
        for result in final:
            label = result.type if result.type in self._routes else "unsupported"
            self._metrics.ingested_events.labels(label, result.status).inc()
        return final

    def _oversized(self, raw: Any) -> bool:
        return len(json_codec.dumps(raw)) > self._max_event_bytes

    def _too_large(self, index: int, raw: Any) -> ItemResult:
        head = raw if isinstance(raw, dict) else {}
        return ItemResult(
            index,
            "rejected",
            id=_text(head.get("id")),
            source=_text(head.get("source")),
            type=_text(head.get("type")),
            reason=f"event larger than {self._max_event_bytes} bytes",
        )

    def apply(self, session: Session, items: Sequence[ValidItem]) -> list[ItemResult]:
        """Apply valid items in the caller's transaction, skipping events seen before."""
        seen = already_seen(session, self._inbox, INGEST_CONSUMER, [i.key for i in items])
        self.prepare(session, [item for item in items if item.key not in seen])
        results = []
        for item in items:
            event = item.event
            common = {"id": event.id, "source": event.source, "type": event.type}
            if item.key in seen:
                results.append(ItemResult(item.index, "duplicate", **common))
                continue
            seen.add(item.key)
            try:
                customer_id = self._routes[event.type].handle(session, event, item.payload)
            except RejectedEvent as rejection:
                # Raised before the handler wrote anything: reject this item, keep the rest.
                # No inbox row, so the same event posted again is judged again.
                seen.discard(item.key)
                results.append(
                    ItemResult(item.index, "rejected", reason=rejection.reason, **common)
                )
                continue
            buffer_of(session).insert(
                self._inbox,
                {
                    "consumer": INGEST_CONSUMER,
                    "source": event.source,
                    "event_id": event.id,
                    "outcome": "accepted",
                    "received_at": datetime.now(UTC),
                },
            )
            results.append(ItemResult(item.index, "accepted", customer_id=customer_id, **common))
        return results

    def prepare(self, session: Session, items: Sequence[ValidItem]) -> None:
        """Lock the customers the batch names in one ordered pass, then let each event type
        load what its handler will need, once per batch.

        Locked type by type, two batches naming the same customers under event types in a
        different order would each hold what the other waits for.
        """
        identity_set(session).load(
            session, [ref for item in items for ref in named_references(item.payload)]
        )
        groups: dict[InboundPreparer, list[tuple[InboundEvent, Any]]] = {}
        for item in items:
            prepare = self._routes[item.event.type].prepare
            if prepare is not None:
                groups.setdefault(prepare, []).append((item.event, item.payload))
        for prepare, batch in groups.items():
            prepare(session, batch)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
