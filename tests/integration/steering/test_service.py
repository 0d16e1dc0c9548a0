"""Steering as users reach it: over HTTP, with profiles and segmentation on the real broker."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.profiles.bootstrap import DEFINITION as PROFILES
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from services.steering.bootstrap import DEFINITION as STEERING
from shared.broker import EmbeddedBroker
from tests.fixtures.events import customer_upserted, order_line, order_placed
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker, wait_for
from tests.integration.steering.strategies import strategy

pytestmark = pytest.mark.integration
DEPARTMENTS = ("sales", "marketing", "service", "finance")


@dataclass
class Services:
    profiles: httpx.Client
    segmentation: httpx.Client
    steering: httpx.Client
    keys: dict[str, str]

    def as_(self, department: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[department]}"}


@pytest.fixture(scope="module")
def services(
    own_broker: EmbeddedBroker, api_keys: tuple[Path, dict[str, str]], tmp_path_factory: Any
) -> Iterator[Services]:
    # The cockpit counts every order the services hold: a broker of its own keeps other
    # tests' orders out of its totals.
    keys_file, keys = api_keys
    folder = tmp_path_factory.mktemp("steering-service")
    definitions = (PROFILES, SEGMENTATION, STEERING)
    runtimes = {
        definition.name: build_runtime(
            definition,
            database_url=f"sqlite:///{folder / f'{definition.name}.db'}",
            bootstrap_servers=own_broker.bootstrap_servers,
            api_keys_file=keys_file,
            **({"run_interval_seconds": 0} if definition is SEGMENTATION else {}),
        )
        for definition in definitions
    }
    with (
        running_worker(runtimes["profiles"], PROFILES),
        running_worker(runtimes["segmentation"], SEGMENTATION),
        running_worker(runtimes["steering"], STEERING),
        serving(PROFILES.build_app(runtimes["profiles"])) as profiles_url,
        serving(SEGMENTATION.build_app(runtimes["segmentation"])) as segmentation_url,
        serving(STEERING.build_app(runtimes["steering"])) as steering_url,
        httpx.Client(base_url=profiles_url, timeout=30) as profiles,
        httpx.Client(base_url=segmentation_url, timeout=30) as segmentation,
        httpx.Client(base_url=steering_url, timeout=30) as steering,
    ):
        yield Services(profiles, segmentation, steering, keys)
    for runtime in runtimes.values():
        runtime.engine.dispose()


def test_a_newly_approved_strategy_changes_the_segment_mapping_downstream(
    services: Services,
) -> None:
    edited = services.steering.put("/v1/strategy", json=strategy(), headers=services.as_("sales"))
    assert edited.status_code == 200, edited.text
    version = edited.json()["draft"]["version"]
    for department in DEPARTMENTS:
        approved = services.steering.post(
            f"/v1/strategy/versions/{version}/approvals",
            json={"comment": f"{department} agrees"},
            headers=services.as_(department),
        )
        assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"

    def mapped() -> dict[str, Any] | None:
        body: dict[str, Any] = services.segmentation.get(
            "/v1/segments", headers=services.as_("sales")
        ).json()
        return body if body["portfolio"] == f"strategy sales-strategy v{version}" else None

    assert wait_for(mapped)
    segments = mapped()
    assert segments is not None
    by_key = {segment["key"]: segment for segment in segments["segments"]}
    assert set(by_key) == {"key_accounts", "mass_market"}
    assert by_key["key_accounts"]["thrust"] == "grow"
    assert len(by_key["key_accounts"]["cells"]) == 3


def test_only_keys_with_the_scopes_edit_and_approve_and_bad_documents_are_problems(
    services: Services,
) -> None:
    forbidden = services.steering.put(
        "/v1/strategy", json=strategy(), headers=services.as_("marketing")
    )
    broken = strategy(portfolio=strategy()["portfolio"][1:])
    invalid = services.steering.put("/v1/strategy", json=broken, headers=services.as_("sales"))
    draft = services.steering.put(
        "/v1/strategy", json=strategy(description="next"), headers=services.as_("sales")
    )
    version = draft.json()["draft"]["version"]
    stranger = services.steering.post(
        f"/v1/strategy/versions/{version}/approvals",
        json={"department": "finance"},
        headers=services.as_("marketing"),
    )
    audit = services.steering.get("/v1/strategy/audit", headers=services.as_("finance"))

    assert forbidden.status_code == 403
    assert invalid.status_code == 422
    assert "portfolio cells without a segment: negative x low" in invalid.text
    assert stranger.status_code == 403 and "approve:finance" in stranger.text
    assert audit.status_code == 200
    assert audit.json()["items"][-1]["action"] in ("created", "drafted")


def test_the_cockpit_shows_every_kpi_with_its_definition_and_hides_amounts_without_financials(
    services: Services,
) -> None:
    sales = services.steering.get("/v1/cockpit", headers=services.as_("sales"))
    marketing = services.steering.get(
        "/v1/cockpit?granularity=quarter&dimension=segment", headers=services.as_("marketing")
    )
    definitions = services.steering.get("/v1/kpis", headers=services.as_("marketing"))
    series = services.steering.get(
        "/v1/kpis/revenue?count=3&until=2025-12", headers=services.as_("sales")
    )
    unknown = services.steering.get("/v1/kpis/luck", headers=services.as_("sales"))
    span = services.steering.get(
        "/v1/cockpit?period=2025-11..2026-01&dimension=channel", headers=services.as_("sales")
    )
    backwards = services.steering.get(
        "/v1/cockpit?period=2026-01..2025-11", headers=services.as_("sales")
    )
    close = services.steering.post(
        "/v1/periods/2025-10/close", json={}, headers=services.as_("sales")
    )

    assert sales.status_code == 200 and marketing.status_code == 200
    assert sales.json()["strategy"] is not None
    assert "-Q" in marketing.json()["period"]
    keys = {item["kpi"] for item in definitions.json()["items"]}
    assert {"revenue", "contribution_margin_3", "nps", "treatment_coverage"} <= keys
    assert [p["period"] for p in series.json()["points"]] == ["2025-10", "2025-11", "2025-12"]
    assert series.json()["points"][0]["target"] == "2000.00"
    assert unknown.status_code == 404
    assert span.status_code == 200
    assert (span.json()["period"], span.json()["previous_period"]) == (
        "2025-11..2026-01",
        "2025-08..2025-10",
    )
    assert backwards.status_code == 422 and "ends before it starts" in backwards.text
    assert close.status_code == 403


def test_orders_posted_to_profiles_move_the_cockpit(services: Services) -> None:
    events = [
        customer_upserted(external_id="S-1", kind="organization", name="Holz AG", region="alps"),
        order_placed(
            external_id="S-1",
            lines=[order_line(net_revenue="300.00", cost_of_goods="100.00")],
            discount="30.00",
        ),
    ]
    posted = services.profiles.post("/v1/events", json=events, headers=services.as_("integration"))
    assert posted.status_code == 200, posted.text

    def board() -> dict[str, Any] | None:
        cockpit = services.steering.get("/v1/cockpit", headers=services.as_("sales")).json()
        member = next((m for m in cockpit["members"] if m["member"] == "all"), None)
        kpis = {k["kpi"]: k for k in member["kpis"]} if member else {}
        return kpis if kpis.get("revenue", {}).get("value") == "300.00" else None

    assert wait_for(board)
    kpis = board()
    assert kpis is not None
    assert kpis["revenue"]["value"] == "300.00"
    assert kpis["contribution_margin_2"]["value"] == "170.00"  # 300 - 100 - 30 discount
    assert kpis["active_customers"]["value"] == "1"
    assert kpis["discount_rate"]["value"] == "0.0909"  # 30 / 330


def test_reps_incentive_plans_and_payouts_over_http(services: Services) -> None:
    rep = services.steering.post(
        "/v1/reps",
        json={"rep_id": "petra", "name": "Petra", "team": "inside", "region": "west"},
        headers=services.as_("sales"),
    )
    plan = {
        "name": "Inside sales",
        "teams": ["inside"],
        "on_target_bonus": "500.00",
        "components": [
            {"key": "cm2", "name": "cm2", "metric": "cm2", "weight": "1", "target": "1000"}
        ],
    }
    bad = services.steering.put(
        "/v1/incentive-plans/inside",
        json={**plan, "components": [{**plan["components"][0], "weight": "0.5"}]},
        headers=services.as_("sales"),
    )
    draft = services.steering.put(
        "/v1/incentive-plans/inside", json=plan, headers=services.as_("sales")
    )
    version = draft.json()["draft"]["version"]
    for department in ("sales", "finance"):
        approved = services.steering.post(
            f"/v1/incentive-plans/inside/versions/{version}/approvals",
            json={},
            headers=services.as_(department),
        )
        assert approved.status_code == 200, approved.text
    listed = services.steering.get("/v1/reps", headers=services.as_("marketing"))
    paid = services.steering.get(
        "/v1/payouts?period=2025-10&rep=petra", headers=services.as_("finance")
    )
    hidden = services.steering.get("/v1/payouts", headers=services.as_("marketing"))

    assert rep.status_code == 200 and rep.json()["source"] == "api"
    assert bad.status_code == 422 and "weights add up to 0.5" in bad.text
    assert approved.json()["status"] == "active"
    assert "petra" in {r["rep_id"] for r in listed.json()["items"]}
    assert paid.status_code == 200, paid.text
    (payout,) = paid.json()["items"]
    assert payout["plan_id"] == "inside" and payout["status"] == "provisional"
    assert payout["total"] == "0.00" and "no positive" not in payout["lines"][0]["explanation"]
    assert hidden.status_code == 403


def test_actions_alerts_and_board_gauges_over_http(services: Services) -> None:
    listed = services.steering.get("/v1/actions?status=open", headers=services.as_("service"))
    unknown = services.steering.post(
        "/v1/actions/nope/outcome", json={"outcome": "done"}, headers=services.as_("integration")
    )
    not_allowed = services.steering.post(
        "/v1/actions/nope/outcome", json={"outcome": "done"}, headers=services.as_("marketing")
    )
    bad = services.steering.post(
        "/v1/actions/nope/outcome", json={"outcome": "maybe"}, headers=services.as_("sales")
    )
    raised = services.steering.get("/v1/alerts?kind=kpi_red", headers=services.as_("finance"))
    metrics = services.steering.get("/metrics")

    assert listed.status_code == 200 and isinstance(listed.json()["items"], list)
    assert unknown.status_code == 404
    assert not_allowed.status_code == 403
    assert bad.status_code == 422
    assert raised.status_code == 200
    assert "steering_kpi_value" in metrics.text
    assert 'customer_id="' not in metrics.text
