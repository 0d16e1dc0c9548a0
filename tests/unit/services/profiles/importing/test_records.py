"""Export rows become inbound events, or a reason per row; ids follow the content."""

import json
from pathlib import Path

from services.profiles.importing.files import cdnow_events, read_rows
from services.profiles.importing.mapping import ImportMapping, load_mapping
from services.profiles.importing.records import Row, RowReader, convert


def _convert(mapping: ImportMapping, *rows: dict[str, str]) -> list:  # type: ignore[type-arg]
    return list(convert(RowReader(mapping), [Row(i + 2, r) for i, r in enumerate(rows)]))


def test_a_german_export_is_read_through_its_mapping(tmp_path: Path) -> None:
    mapping_file = tmp_path / "crm.yaml"
    mapping_file.write_text(
        "source: crm\n"
        "delimiter: ';'\n"
        "decimal_comma: true\n"
        "date_format: '%d.%m.%Y %H:%M'\n"
        "timezone: Europe/Berlin\n"
        "columns: {order_id: Belegnr, customer_id: Kundennr, net_revenue: Umsatz,"
        " cost_of_goods: Wareneinsatz, category: Warengruppe, sku: Artikel, time: Datum,"
        " quantity: Menge}\n"
        "constants: {customer_system: crm, currency: EUR, channel: field_sales}\n"
    )
    export = tmp_path / "orders.csv"
    export.write_text(
        "Belegnr;Kundennr;Datum;Artikel;Warengruppe;Menge;Umsatz;Wareneinsatz\n"
        "A-1;K-7;03.02.2025 14:30;S1;Holz;2;1.234,50;800,00\n"
        "A-1;K-7;03.02.2025 14:30;S2;Farbe;1;100,00;40,00\n",
        encoding="utf-8",
    )
    mapping = load_mapping(mapping_file, "orders")

    [order] = list(convert(RowReader(mapping), read_rows(export, mapping)))

    assert order.lines == (2, 3) and order.reason is None
    assert order.event is not None
    assert order.event["time"] == "2025-02-03T14:30:00+01:00"
    data = order.event["data"]
    assert data["customer"] == {"system": "crm", "id": "K-7"}
    assert data["channel"] == "field_sales" and data["currency"] == "EUR"
    assert [line["net_revenue"] for line in data["lines"]] == ["1234.50", "100.00"]


def test_a_row_that_cannot_be_an_event_is_rejected_with_its_line_and_reason() -> None:
    mapping = ImportMapping(kind="orders", source="shop")
    good = {"time": "2025-01-01T10:00:00+00:00", "order_id": "1", "customer_id": "C1",
            "channel": "web", "currency": "EUR", "sku": "a", "category": "x",
            "quantity": "1", "net_revenue": "10", "cost_of_goods": "5"}  # fmt: skip

    results = _convert(
        mapping,
        good,
        {**good, "order_id": "2", "net_revenue": "zehn"},
        {**good, "order_id": "3", "channel": "pigeon"},
        {**good, "order_id": "4", "time": ""},
    )

    assert [r.reason is None for r in results] == [True, False, False, False]
    assert results[1].lines == (3,) and "net_revenue" in (results[1].reason or "")
    assert "channel" in (results[2].reason or "")
    assert results[3].reason == "time is missing"


def test_the_same_row_gets_the_same_id_and_a_corrected_row_a_new_one() -> None:
    mapping = ImportMapping(kind="customers", source="crm")
    row = {"time": "2025-01-01T10:00:00Z", "customer_id": "K-1", "kind": "person", "name": "A"}

    first, again, corrected = _convert(mapping, row, row, {**row, "name": "B"})

    assert first.event and again.event and corrected.event
    assert first.event["id"] == again.event["id"] != corrected.event["id"]


def test_consents_and_attributes_come_from_their_columns() -> None:
    mapping = ImportMapping(kind="customers", source="crm")
    row = {"time": "2025-01-01T10:00:00Z", "customer_id": "K-1", "kind": "organization",
           "name": "Holz AG", "consent_email": "granted", "attr_branch": "Nord"}  # fmt: skip

    [result] = _convert(mapping, row)

    assert result.event is not None
    data = result.event["data"]
    assert data["consents"]["email"]["status"] == "granted"
    assert data["attributes"] == {"branch": "Nord"}


def test_a_json_lines_order_may_carry_its_lines(tmp_path: Path) -> None:
    export = tmp_path / "orders.jsonl"
    order = {"time": "2025-01-01T10:00:00Z", "order_id": "9", "customer_id": "C1",
             "channel": "app", "currency": "EUR",
             "lines": [{"sku": "a", "category": "x", "quantity": "1", "net_revenue": "10",
                        "cost_of_goods": "5"},
                       {"sku": "b", "category": "y", "quantity": "2", "net_revenue": "4",
                        "cost_of_goods": "1"}]}  # fmt: skip
    export.write_text(json.dumps(order) + "\nnot json\n")
    mapping = ImportMapping(kind="orders", format="jsonl")

    results = list(convert(RowReader(mapping), read_rows(export, mapping)))

    assert results[0].event is not None and len(results[0].event["data"]["lines"]) == 2
    assert results[1].lines == (2,) and "not JSON" in (results[1].reason or "")


def test_cdnow_transactions_register_each_customer_once_before_its_orders(tmp_path: Path) -> None:
    sample = tmp_path / "cdnow.txt"
    sample.write_text(
        "00001 1 19970101 1 11.77\n00001 1 19970118 2 17.76\n00002 2 19970112 1 12.00\n"
    )

    events = [c.event for c in cdnow_events(sample)]

    assert [e["type"] for e in events if e] == [
        "customer.upserted", "order.placed", "order.placed", "customer.upserted", "order.placed"
    ]  # fmt: skip
    second = events[2]
    assert second is not None and second["time"] == "1997-01-18T12:00:00+00:00"
    assert second["data"]["lines"][0]["net_revenue"] == "17.76"
