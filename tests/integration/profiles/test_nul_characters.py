"""A NUL character can only reach the API as the JSON escape \\u0000: the body is searched
for it once, and only a batch that has one is checked field by field."""

import json

import pytest

from tests.fixtures.events import customer_upserted, order_line, order_placed
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration


def test_a_nul_is_named_by_its_field_in_a_json_array_and_in_ndjson(profiles: Profiles) -> None:
    clean = order_placed(order_id="N-1")
    broken = order_placed(order_id="N-2", lines=[order_line(sku="S\x001")])
    ndjson = "\n".join(json.dumps(event) for event in (clean, broken)).encode()

    as_array = profiles.post([clean, broken])
    as_lines = profiles.http.post(
        "/v1/events",
        content=ndjson,
        headers={**profiles.auth("integration"), "Content-Type": "application/x-ndjson"},
    )

    assert [r["status"] for r in as_array.json()["results"]] == ["accepted", "rejected"]
    assert (
        "data.lines.0.sku: Value error, must not contain" in as_array.json()["results"][1]["reason"]
    )
    assert [r["status"] for r in as_lines.json()["results"]] == ["duplicate", "rejected"]
    assert "data.lines.0.sku" in as_lines.json()["results"][1]["reason"]


def test_the_text_backslash_u0000_is_no_nul_and_is_kept(profiles: Profiles) -> None:
    # The body holds the six characters \u0000 (an escaped backslash, then u0000): the
    # search finds them, the check field by field finds no NUL.
    event = customer_upserted(name="Backslash \\u0000 GmbH")

    [result] = profiles.accept(event)

    customer = profiles.http.get(
        f"/v1/customers/{result['customer_id']}", headers=profiles.auth("sales")
    )
    assert customer.status_code == 200, customer.text
    assert customer.json()["name"] == "Backslash \\u0000 GmbH"
