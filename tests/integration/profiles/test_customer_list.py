"""GET /v1/customers: filters, masking and cursor paging in customer_id order."""

from typing import Any

import pytest

from tests.fixtures.events import customer_upserted, order_placed
from tests.integration.profiles.parts_support import assigned, parts_of
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


def _assign(profiles: Profiles, ids: dict[str, str]) -> None:
    """Segment assignments of anna, huber and mayr; berta and the shopper have none."""
    parts_of(profiles.runtime).feed(
        assigned(ids["anna"], lifecycle_stage="at_risk", churn_risk=0.8, value_tier="low"),
        assigned(
            ids["huber"],
            strategic_segment="grow",
            thrust="grow",
            potential_tier="high",
            churn_risk=0.3,
        ),
        assigned(ids["mayr"], churn_risk=None, lifecycle_stage="new"),
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"segment": "retain"}, {"anna", "mayr"}),
        ({"lifecycle_stage": "at_risk"}, {"anna"}),
        ({"thrust": "grow"}, {"huber"}),
        ({"value_tier": "high"}, {"huber", "mayr"}),
        ({"potential_tier": "high"}, {"huber"}),
        ({"churn_risk_above": "0.25"}, {"anna", "huber"}),
        ({"churn_risk_above": "0.8"}, set()),
        ({"segment": "retain", "region": "north"}, {"anna"}),
        ({"thrust": "retain", "consent": "email"}, {"anna"}),
    ],
)
def test_filters_by_segment_assignment(
    profiles: Profiles, params: dict[str, str], expected: set[str]
) -> None:
    ids = _seed(profiles)
    _assign(profiles, ids)

    page = _list(profiles, **params)

    assert {item["customer_id"] for item in page["items"]} == {ids[x] for x in expected}


def test_list_items_carry_their_segment_or_null(profiles: Profiles) -> None:
    ids = _seed(profiles)
    _assign(profiles, ids)

    items = {i["customer_id"]: i for i in _list(profiles, "marketing")["items"]}

    huber = items[ids["huber"]]
    assert (huber["strategic_segment"], huber["thrust"], huber["churn_risk"]) == (
        "grow",
        "grow",
        0.3,
    )
    assert (huber["lifecycle_stage"], huber["value_tier"], huber["potential_tier"]) == (
        "loyal",
        "high",
        "high",
    )
    assert items[ids["berta"]]["strategic_segment"] is None


def test_cursor_pages_over_a_segment_filter_have_no_duplicates_and_no_gaps(
    profiles: Profiles,
) -> None:
    results = profiles.accept(*(customer_upserted(external_id=f"S-{n}") for n in range(9)))
    customer_ids = [str(r["customer_id"]) for r in results]
    parts_of(profiles.runtime).feed(
        *(
            assigned(cid, lifecycle_stage="loyal" if n % 3 else "lapsed")
            for n, cid in enumerate(customer_ids)
        )
    )
    loyal = sorted(cid for n, cid in enumerate(customer_ids) if n % 3)

    seen: list[str] = []
    params: dict[str, Any] = {"limit": 4, "lifecycle_stage": "loyal"}
    while True:
        page = _list(profiles, **params)
        seen += [item["customer_id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]

    assert seen == loyal


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 501},
        {"limit": 0},
        {"kind": "robot"},
        {"colour": "red"},
        {"lifecycle_stage": "asleep"},
        {"thrust": "conquer"},
        {"value_tier": "huge"},
        {"churn_risk_above": "1.5"},
        {"segment": "grow high"},
    ],
)
def test_invalid_or_unsupported_parameters_are_422(
    profiles: Profiles, params: dict[str, Any]
) -> None:
    response = profiles.http.get("/v1/customers", params=params, headers=profiles.auth("sales"))

    assert response.status_code == 422, response.text


def test_integration_key_cannot_list(profiles: Profiles) -> None:
    response = profiles.http.get("/v1/customers", headers=profiles.auth("integration"))

    assert response.status_code == 403
