"""Rows of an export turned into inbound events, or into the reason they cannot be.

An event's id is derived from its content, so importing the same row again is a duplicate
that profiles accepts once, while a changed row (a corrected order) is a new event that
replaces the old one.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from services.profiles.importing.mapping import EVENT_TYPES, FIELDS, ImportMapping
from shared.events.inbound import INBOUND_PAYLOADS, InboundEvent

AMOUNTS = frozenset(
    {"quantity", "net_revenue", "cost_of_goods", "discount", "shipping_cost",
     "other_direct_costs", "amount", "handling_cost", "cost"}
)  # fmt: skip
INTEGERS = frozenset({"csat", "nps", "effort", "duration_seconds"})
ORDER_FIELDS = (
    "channel",
    "currency",
    "discount",
    "shipping_cost",
    "other_direct_costs",
    "sales_rep",
)
LINE_FIELDS = ("sku", "category", "quantity", "net_revenue", "cost_of_goods")
RETURN_LINE_FIELDS = ("sku", "quantity", "net_revenue", "cost_of_goods")


class RowError(ValueError):
    """A row that cannot become an event; the message says why."""


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Converted:
    """An event built from the rows on `lines`, or the reason it could not be."""

    lines: tuple[int, ...]
    event: dict[str, Any] | None
    reason: str | None = None


class RowReader:
    """Reads fields from a row through the mapping: renamed columns, constants, formats."""

    def __init__(self, mapping: ImportMapping) -> None:
        self.mapping = mapping
        self._zone = ZoneInfo(mapping.timezone)

    def raw(self, row: Row, field: str) -> Any:
        if field in self.mapping.constants:
            return self.mapping.constants[field]
        value = row.values.get(self.mapping.column(field))
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def value(self, row: Row, field: str) -> Any:
        raw = self.raw(row, field)
        if raw is None or not isinstance(raw, str):
            return raw
        if field == "time":
            return self.time(raw)
        if field in AMOUNTS:
            return str(self.amount(raw, field))
        if field in INTEGERS:
            try:
                return int(raw)
            except ValueError:
                raise RowError(f"{field}: {raw!r} is not a whole number") from None
        return raw

    def time(self, text: str) -> str:
        try:
            if self.mapping.date_format:
                # The format may carry %z; without it the mapping's zone applies below.
                moment = datetime.strptime(text, self.mapping.date_format)  # noqa: DTZ007
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            expected = self.mapping.date_format or "ISO 8601"
            raise RowError(f"time: {text!r} does not match {expected}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self._zone)
        return moment.isoformat()

    def amount(self, text: str, field: str) -> Decimal:
        cleaned = text.replace(" ", "")
        if self.mapping.decimal_comma:
            cleaned = cleaned.replace(".", "").replace(",", ".")
        try:
            return Decimal(cleaned)
        except InvalidOperation:
            raise RowError(f"{field}: {text!r} is not an amount") from None

    def attributes(self, row: Row) -> dict[str, Any]:
        prefix = self.mapping.attribute_prefix
        return {
            column[len(prefix) :]: value
            for column, value in row.values.items()
            if column.startswith(prefix) and value not in (None, "")
        }


def _customer(reader: RowReader, row: Row) -> dict[str, Any] | None:
    customer_id = reader.value(row, "customer_id")
    if customer_id is None:
        return None
    return {
        "system": reader.value(row, "customer_system") or reader.mapping.source,
        "id": str(customer_id),
    }


def _present(reader: RowReader, row: Row, fields: Iterable[str]) -> dict[str, Any]:
    values = {field: reader.value(row, field) for field in fields}
    return {field: value for field, value in values.items() if value is not None}


def _customer_data(reader: RowReader, row: Row) -> dict[str, Any]:
    skip = {"time", "customer_system", "customer_id"} | {
        f for f in FIELDS["customers"] if f.startswith("consent_")
    }
    data = _present(reader, row, [f for f in FIELDS["customers"] if f not in skip])
    data["customer"] = _customer(reader, row)
    consents = {}
    for channel in ("email", "phone", "post", "messaging"):
        status = reader.value(row, f"consent_{channel}")
        if status is not None:
            consents[channel] = {"status": status, "date": reader.value(row, "time")}
    if consents:
        data["consents"] = consents
    attributes = reader.attributes(row)
    if attributes:
        data["attributes"] = attributes
    return data


def _order_data(reader: RowReader, rows: list[Row]) -> dict[str, Any]:
    first = rows[0]
    data = _present(reader, first, ORDER_FIELDS)
    data["order_id"] = reader.value(first, "order_id")
    data["customer"] = _customer(reader, first)
    data["lines"] = [_present(reader, row, LINE_FIELDS) for row in rows]
    return data


def _return_data(reader: RowReader, rows: list[Row]) -> dict[str, Any]:
    first = rows[0]
    data = _present(reader, first, ("amount", "handling_cost"))
    data["order_id"] = reader.value(first, "order_id")
    data["customer"] = _customer(reader, first)
    lines = [_present(reader, row, RETURN_LINE_FIELDS) for row in rows]
    if any(lines):
        data["lines"] = [line for line in lines if line]
    return data


def _touchpoint_data(reader: RowReader, row: Row) -> dict[str, Any]:
    fields = [
        f for f in FIELDS["touchpoints"] if f not in ("time", "customer_system", "customer_id")
    ]
    data = _present(reader, row, fields)
    customer = _customer(reader, row)
    if customer is not None:
        data["customer"] = customer
    return data


def _identification_data(reader: RowReader, row: Row) -> dict[str, Any]:
    return {"anonymous_id": reader.value(row, "anonymous_id"), "customer": _customer(reader, row)}


def event_of(reader: RowReader, rows: list[Row]) -> dict[str, Any]:
    """The inbound event of a group of rows (an order's lines) or of one row; RowError if not."""
    kind = reader.mapping.kind
    if kind == "orders":
        data = _order_data(reader, rows)
    elif kind == "returns":
        data = _return_data(reader, rows)
    elif kind == "customers":
        data = _customer_data(reader, rows[0])
    elif kind == "touchpoints":
        data = _touchpoint_data(reader, rows[0])
    else:
        data = _identification_data(reader, rows[0])
    time = reader.value(rows[0], "time")
    if time is None:
        raise RowError("time is missing")
    event_type = EVENT_TYPES[kind]
    try:
        INBOUND_PAYLOADS[event_type].model_validate(data)
        envelope = {
            "id": "",
            "type": event_type,
            "source": reader.mapping.source,
            "time": time,
            "data": data,
        }
        InboundEvent.model_validate({**envelope, "id": "pending"})
    except ValidationError as error:
        raise RowError(_summary(error)) from None
    digest = hashlib.sha256(json.dumps(envelope, sort_keys=True).encode()).hexdigest()[:40]
    envelope["id"] = f"import-{digest}"
    return envelope


def _summary(error: ValidationError) -> str:
    parts = [
        f"{'.'.join(str(p) for p in e['loc']) or '(row)'}: {e['msg']}" for e in error.errors()[:5]
    ]
    return "; ".join(parts)


def _group_key(reader: RowReader, row: Row) -> tuple[Any, ...] | None:
    kind = reader.mapping.kind
    if kind == "orders":
        return (reader.raw(row, "customer_system"), reader.raw(row, "order_id"))
    if kind == "returns":
        return (reader.raw(row, "order_id"), reader.raw(row, "time"))
    return None


def convert(reader: RowReader, rows: Iterable[Row]) -> Iterator[Converted]:
    """Events of `rows` in file order; an order's lines are the consecutive rows of its id."""
    group: list[Row] = []
    key: tuple[Any, ...] | None = None
    for row in rows:
        row_key = _group_key(reader, row)
        if group and (row_key is None or row_key != key):
            yield converted(reader, group)
            group = []
        group.append(row)
        key = row_key
    if group:
        yield converted(reader, group)


def converted(reader: RowReader, rows: list[Row]) -> Converted:
    """The event of `rows`, or why there is none."""
    lines = tuple(sorted({row.line for row in rows}))
    broken = next((row.values["__error__"] for row in rows if "__error__" in row.values), None)
    if broken is not None:
        return Converted(lines, None, str(broken))
    try:
        return Converted(lines, event_of(reader, rows))
    except RowError as error:
        return Converted(lines, None, str(error))
