"""Reading export files row by row: CSV, JSON Lines, and the CDNOW transaction format."""

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.profiles.importing.mapping import ImportMapping
from services.profiles.importing.records import Converted, Row, RowError, RowReader, converted


def count_rows(path: Path) -> int:
    """Lines of the file, as the total the progress is measured against."""
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def read_rows(path: Path, mapping: ImportMapping) -> Iterator[Row]:
    """Rows with the file line they start on; a JSON Lines order may carry its `lines`."""
    with path.open(encoding=mapping.encoding, newline="") as handle:
        if mapping.format == "csv":
            reader = csv.DictReader(handle, delimiter=mapping.delimiter)
            for values in reader:
                # The line the record ends on: a quoted field may span lines.
                yield Row(reader.line_num, dict(values))
            return
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                values = json.loads(text)
            except json.JSONDecodeError as error:
                yield Row(number, {"__error__": f"not JSON: {error.msg}"})
                continue
            if not isinstance(values, dict):
                yield Row(number, {"__error__": "a line must hold one JSON object"})
                continue
            lines = values.pop("lines", None)
            if isinstance(lines, list) and lines:
                for line_values in lines:
                    yield Row(
                        number, {**values, **(line_values if isinstance(line_values, dict) else {})}
                    )
            else:
                yield Row(number, values)


def cdnow_events(path: Path, source: str = "cdnow") -> Iterator[Converted]:
    """CDNOW transactions (customer id, date YYYYMMDD, CDs, dollars) as customers and orders.

    A customer is registered at its first purchase; each transaction is an order of music CDs
    in USD without known costs, so its margin is its amount.
    """
    seen: set[str] = set()
    customers = RowReader(ImportMapping(kind="customers", source=source))
    orders = RowReader(ImportMapping(kind="orders", source=source))
    with path.open(encoding="ascii") as handle:
        for number, text in enumerate(handle, start=1):
            parts = text.split()
            if not parts:
                continue
            try:
                customer, day, cds, dollars = _cdnow_fields(parts)
            except RowError as error:
                yield Converted((number,), None, str(error))
                continue
            values: dict[str, Any] = {
                "time": day.isoformat(),
                "customer_system": source,
                "customer_id": customer,
            }
            if customer not in seen:
                seen.add(customer)
                row = Row(
                    number, {**values, "kind": "person", "name": f"CDNOW customer {customer}"}
                )
                yield converted(customers, [row])
            order = {
                **values,
                "order_id": f"{customer}-{number}",
                "channel": "web",
                "currency": "USD",
                "sku": "cd",
                "category": "music",
                "quantity": cds,
                "net_revenue": dollars,
                "cost_of_goods": "0",
            }
            yield converted(orders, [Row(number, order)])


def _cdnow_fields(parts: list[str]) -> tuple[str, datetime, str, str]:
    if len(parts) == 5:
        parts = parts[1:]  # the sample's master id comes first
    if len(parts) != 4:
        raise RowError("expected customer id, date YYYYMMDD, number of CDs and dollar value")
    customer, day, cds, dollars = parts
    try:
        moment = datetime.strptime(day, "%Y%m%d").replace(hour=12, tzinfo=UTC)
    except ValueError:
        raise RowError(f"date {day!r} is not YYYYMMDD") from None
    return customer, moment, cds, dollars
