"""Segment figures from the stored views, recorded at approval, and the review flag."""

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.fixtures.events import customer_upserted, order_line, order_placed
from tests.integration.profiles.parts_support import (
    NOW,
    assigned,
    parts_of,
    run_completed,
    summary,
)
from tests.integration.profiles.support import Profiles
from tests.integration.profiles.test_segment_profiles import approve_by_all, edit

pytestmark = pytest.mark.integration

# label: (segment, lifecycle stage, cm3, clv, churn risk, channel, category, csat, nps)
POPULATION: dict[str, tuple[Any, ...]] = {
    "a": ("own", "loyal", "10", "100", 0.1, "field_sales", "tools", 5.0, 10),
    "b": ("own", "loyal", "20", "200", 0.2, "field_sales", "paint", 4.0, 9),
    "c": ("own", "at_risk", "30", "300", 0.9, "web", "tools", 2.0, 3),
    "d": ("other", "new", "500", "1000", 0.3, "web", "garden", None, None),
    "e": ("other", "new", "700", "1200", 0.4, "web", "garden", None, None),
}


@pytest.fixture
def segment() -> str:
    return f"grow-{uuid.uuid4().hex[:8]}"


def _customer(profiles: Profiles, label: str) -> tuple[str, str]:
    """A new customer's canonical id and CRM id."""
    external_id = f"F-{label}-{uuid.uuid4().hex[:6]}"
    [result] = profiles.accept(customer_upserted(external_id=external_id, kind="organization"))
    return str(result["customer_id"]), external_id


def _populate(profiles: Profiles, segment: str, labels: str = "abcde") -> dict[str, str]:
    """The population in `segment` (labels a-c) and `other-...` (d, e), with orders."""
    parts = parts_of(profiles.runtime)
    ids: dict[str, str] = {}
    for label in labels:
        key, stage, cm3, clv, churn, channel, category, csat, nps = POPULATION[label]
        customer_id, external_id = _customer(profiles, label)
        ids[label] = customer_id
        profiles.accept(
            order_placed(
                external_id=external_id,
                channel=channel,
                time=NOW - timedelta(days=20),
                lines=[order_line(category=category, net_revenue="100.00")],
            ),
            order_placed(  # older than 12 months: not counted
                external_id=external_id,
                channel="phone",
                time=NOW - timedelta(days=400),
            ),
        )
        events = [
            assigned(
                customer_id,
                strategic_segment=segment if key == "own" else f"other-{segment}",
                lifecycle_stage=stage,
                contribution_margin_3_12m=Decimal(cm3),
                revenue_12m=Decimal(cm3) * 10,
                clv=Decimal(clv),
                churn_risk=churn,
                needs_cluster=0 if key == "own" else 1,
            )
        ]
        if csat is not None:
            events.append(summary(customer_id, csat_mean=csat, csat_answers=1, last_nps=nps))
        parts.feed(*events)
    return ids


def _figures(profiles: Profiles, segment: str, key: str = "sales") -> dict[str, Any]:
    response = profiles.http.get(
        f"/v1/segment-profiles/{segment}/figures", headers=profiles.auth(key)
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_figures_of_a_segment_computed_from_the_views(profiles: Profiles, segment: str) -> None:
    _populate(profiles, segment)
    parts_of(profiles.runtime).feed(run_completed("run-7"))

    body = _figures(profiles, segment)
    figures = body["current"]

    assert (figures["size"], figures["share_of_customers"]) == (3, 0.6)
    assert Decimal(figures["revenue_12m"]) == Decimal("600")
    assert Decimal(figures["contribution_margin_3_12m"]) == Decimal("60")
    value = {k: Decimal(v) for k, v in figures["value"].items()}
    assert value == {
        "mean": 20,
        "p10": 10,
        "p25": 10,
        "median": 20,
        "p75": 30,
        "p90": 30,
    }
    assert Decimal(figures["clv"]["mean"]) == Decimal("200")
    assert figures["churn_risk"]["median"] == pytest.approx(0.2)
    assert figures["churn_risk"]["mean"] == pytest.approx(0.4)
    assert [(m["key"], m["customers"]) for m in figures["lifecycle_mix"]] == [
        ("loyal", 2),
        ("at_risk", 1),
    ]
    assert [(n["cluster"], n["customers"]) for n in figures["needs_clusters"]] == [(0, 3)]
    channels = {c["channel"]: c for c in figures["preferred_channels"]}
    assert set(channels) == {"field_sales", "web"}
    assert channels["field_sales"]["orders"] == 2
    assert channels["field_sales"]["share_of_orders"] == pytest.approx(2 / 3)
    categories = [(c["category"], Decimal(c["net_revenue"])) for c in figures["top_categories"]]
    assert categories == [("tools", Decimal("200")), ("paint", Decimal("100"))]
    experience = figures["experience"]
    assert experience["csat_mean"] == pytest.approx(11 / 3)
    assert experience["net_promoter_score"] == pytest.approx(100 * (2 - 1) / 3)
    # CLV and margins far below the rest, then categories the rest has none of.
    distinguishing = [(d["feature"], d["direction"]) for d in figures["distinguishing_features"]]
    assert distinguishing == [
        ("clv", "lower"),
        ("contribution_margin_3_12m", "lower"),
        ("revenue_12m", "lower"),
        ("lifecycle_stage=new", "lower"),
        ("needs_cluster=0", "higher"),
    ]
    assert figures["distinguishing_features"][0]["segment_value"] == pytest.approx(200)
    assert figures["distinguishing_features"][0]["rest_value"] == pytest.approx(1100)
    assert figures["masked"] == []
    assert (body["approved"], body["review"], body["drifts"]) == (None, None, [])
    assert body["latest_run"]["run_id"] == "run-7"


def test_amounts_are_masked_without_financials_read(profiles: Profiles, segment: str) -> None:
    _populate(profiles, segment, labels="abd")

    figures = _figures(profiles, segment, key="marketing")["current"]

    assert (figures["revenue_12m"], figures["contribution_margin_3_12m"]) == (None, None)
    assert set(figures["value"].values()) == {None}
    assert set(figures["clv"].values()) == {None}
    assert {c["net_revenue"] for c in figures["preferred_channels"]} == {None}
    assert {c["net_revenue"] for c in figures["top_categories"]} == {None}
    assert figures["size"] == 2
    assert figures["churn_risk"]["mean"] is not None
    assert "clv" in figures["masked"]


def test_approval_records_the_figures_and_drift_flags_the_profile(
    profiles: Profiles, segment: str
) -> None:
    _populate(profiles, segment)
    edit(profiles, segment)

    state = approve_by_all(profiles, segment, 1)

    assert state["review"]["flagged"] is False
    assert state["review"]["approved_version"] == 1
    approved = _figures(profiles, segment)["approved"]
    assert (approved["version"], approved["figures"]["size"]) == (1, 3)

    newcomer, _ = _customer(profiles, "f")
    parts_of(profiles.runtime).feed(
        assigned(newcomer, strategic_segment=segment, contribution_margin_3_12m=Decimal(10))
    )

    review = profiles.http.get(
        f"/v1/segment-profiles/{segment}", headers=profiles.auth("marketing")
    ).json()["review"]
    assert (review["flagged"], review["drifted"]) == (True, ["size"])
    drifts = {d["figure"]: d for d in _figures(profiles, segment, key="marketing")["drifts"]}
    assert (drifts["size"]["approved"], drifts["size"]["current"]) == (3, 4)
    assert drifts["size"]["change"] == pytest.approx(1 / 3)
    # cm3 grew by 10 (+17 %), within the threshold; its amounts need financials:read.
    cm3 = drifts["contribution_margin_3_12m"]
    assert (cm3["approved"], cm3["current"], cm3["beyond_threshold"]) == (None, None, False)
    assert cm3["change"] == pytest.approx(1 / 6)
    listed = profiles.http.get("/v1/segment-profiles", headers=profiles.auth("service")).json()
    assert next(i for i in listed["items"] if i["segment"] == segment)["review"]["flagged"]


def test_a_segment_with_neither_profile_nor_customers_is_not_found(
    profiles: Profiles, segment: str
) -> None:
    response = profiles.http.get(
        f"/v1/segment-profiles/{segment}/figures", headers=profiles.auth("sales")
    )

    assert response.status_code == 404


def test_a_profile_without_customers_has_empty_figures(profiles: Profiles, segment: str) -> None:
    edit(profiles, segment)

    figures = _figures(profiles, segment)["current"]

    assert (figures["size"], figures["share_of_customers"]) == (0, 0.0)
    assert figures["value"]["median"] is None
    assert figures["lifecycle_mix"] == []
    assert figures["distinguishing_features"] == []
