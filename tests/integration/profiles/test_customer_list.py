"""GET /v1/customers: filters, masking and cursor paging in customer_id order."""

from typing import Any

import pytest

from tests.fixtures.events import customer_upserted, order_placed
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration

GRANTED = {"email": {"status": "granted", "date": "2025-01-10"}}
DENIED = {"email": {"status": "denied", "date": "2025-01-10"}}


def _list(profiles: Profiles, key: str = "sales", **params: Any) -> dict[str, Any]:
    response = profiles.http.get("/v1/customers", params=params, headers=profiles.auth(key))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _seed(profiles: Profiles) -> dict[str, str]:
    """Customers by label, plus a provisional one known only from an order."""
    events = {
        "anna": customer_upserted(
            external_id="P-1", name="Anna", region="north", owner_rep="r-1", consents=GRANTED
        ),
        "berta": customer_upserted(
            external_id="P-2", name="Berta", region="south", owner_rep="r-1", consents=DENIED
        ),
        "huber": customer_upserted(
            external_id="O-1",
            kind="organization",
            name="Huber KG",
            region="north",
            owner_rep="r-2",
            consents=GRANTED,
        ),
        "mayr": customer_upserted(
            external_id="O-2", kind="organization", name="Mayr GmbH", region="south"
        ),
        "shopper": order_placed(external_id="U-1"),
    }
    results = profiles.accept(*events.values())
    return {label: str(r["customer_id"]) for label, r in zip(events, results, strict=True)}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"anna", "berta", "huber", "mayr", "shopper"}),
        ({"rep": "r-1"}, {"anna", "berta"}),
        ({"region": "north"}, {"anna", "huber"}),
        ({"kind": "organization"}, {"huber", "mayr"}),
        ({"consent": "email"}, {"anna", "huber"}),
        ({"provisional": "true"}, {"shopper"}),
        ({"provisional": "false", "region": "south", "kind": "person"}, {"berta"}),
    ],
)
def test_filters(profiles: Profiles, params: dict[str, str], expected: set[str]) -> None:
    ids = _seed(profiles)

    page = _list(profiles, **params)

    assert {item["customer_id"] for item in page["items"]} == {ids[x] for x in expected}
    assert page["next_cursor"] is None


def test_persons_names_are_masked_without_pii_read(profiles: Profiles) -> None:
    ids = _seed(profiles)

    items = {i["customer_id"]: i for i in _list(profiles, "marketing")["items"]}

    assert items[ids["anna"]]["name"] is None
    assert items[ids["huber"]]["name"] == "Huber KG"
    assert items[ids["huber"]]["region"] == "north"
    assert _list(profiles, "sales", rep="r-1")["items"][0]["name"] in {"Anna", "Berta"}


def test_cursor_pages_have_no_duplicates_and_no_gaps(profiles: Profiles) -> None:
    profiles.accept(*(customer_upserted(external_id=f"K-{n}") for n in range(11)))
    everything = [i["customer_id"] for i in _list(profiles, limit=500)["items"]]
    assert len(everything) == 11

    seen: list[str] = []
    pages = 0
    params: dict[str, Any] = {"limit": 4}
    while True:
        page = _list(profiles, **params)
        pages += 1
        seen += [item["customer_id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]

    assert pages == 3
    assert seen == sorted(everything) == everything


@pytest.mark.parametrize(
    "params", [{"limit": 501}, {"limit": 0}, {"kind": "robot"}, {"segment": "A"}]
)
def test_invalid_or_unsupported_parameters_are_422(
    profiles: Profiles, params: dict[str, Any]
) -> None:
    response = profiles.http.get("/v1/customers", params=params, headers=profiles.auth("sales"))

    assert response.status_code == 422, response.text


def test_integration_key_cannot_list(profiles: Profiles) -> None:
    response = profiles.http.get("/v1/customers", headers=profiles.auth("integration"))

    assert response.status_code == 403
