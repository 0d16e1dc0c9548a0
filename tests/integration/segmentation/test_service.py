"""Segmentation as users reach it: events through profiles and the broker, runs over HTTP."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.profiles.bootstrap import DEFINITION as PROFILES
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from shared.broker import EmbeddedBroker
from tests.fixtures.events import customer_upserted, order_line, order_placed, touchpoint_recorded
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker, wait_for

pytestmark = pytest.mark.integration


@dataclass
class Services:
    profiles: httpx.Client
    segmentation: httpx.Client
    keys: dict[str, str]

    def as_(self, department: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[department]}"}


@pytest.fixture(scope="module")
def services(
    broker: EmbeddedBroker, api_keys: tuple[Path, dict[str, str]], tmp_path_factory: Any
) -> Iterator[Services]:
    keys_file, keys = api_keys
    folder = tmp_path_factory.mktemp("segmentation-service")
    runtimes = {
        definition.name: build_runtime(
            definition,
            database_url=f"sqlite:///{folder / f'{definition.name}.db'}",
            bootstrap_servers=broker.bootstrap_servers,
            api_keys_file=keys_file,
            **({"run_interval_seconds": 0} if definition is SEGMENTATION else {}),
        )
        for definition in (PROFILES, SEGMENTATION)
    }
    with (
        running_worker(runtimes["profiles"], PROFILES),
        running_worker(runtimes["segmentation"], SEGMENTATION),
        serving(PROFILES.build_app(runtimes["profiles"])) as profiles_url,
        serving(SEGMENTATION.build_app(runtimes["segmentation"])) as segmentation_url,
        httpx.Client(base_url=profiles_url, timeout=30) as profiles,
        httpx.Client(base_url=segmentation_url, timeout=30) as segmentation,
    ):
        yield Services(profiles, segmentation, keys)
    for runtime in runtimes.values():
        runtime.engine.dispose()


def _finished(services: Services, run_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        run = services.segmentation.get(f"/v1/runs/{run_id}", headers=services.as_("sales"))
        body: dict[str, Any] = run.json()
        return body if body["status"] in ("completed", "failed") else None

    assert wait_for(done, timeout=60)
    result = done()
    assert result is not None
    return result


def test_a_customers_margins_and_assignment_come_from_its_events(services: Services) -> None:
    now = datetime.now(UTC)
    events = [
        customer_upserted(system="crm", external_id="K-77", kind="organization", name="Holz AG"),
        order_placed(
            external_id="K-77",
            time=now - timedelta(days=40),
            channel="field_sales",
            lines=[order_line(net_revenue="1000.00", cost_of_goods="600.00")],
            discount="50.00",
            shipping_cost="20.00",
        ),
        order_placed(
            external_id="K-77",
            time=now - timedelta(days=10),
            lines=[order_line(net_revenue="500.00", cost_of_goods="300.00")],
        ),
        touchpoint_recorded(external_id="K-77", channel="phone", touchpoint_type="complaint"),
    ]
    posted = services.profiles.post("/v1/events", json=events, headers=services.as_("integration"))
    assert posted.status_code == 200, posted.text
    customer_id = posted.json()["results"][0]["customer_id"]

    def seen() -> dict[str, Any] | None:
        view = services.segmentation.get(
            f"/v1/customers/{customer_id}", headers=services.as_("sales")
        )
        body: dict[str, Any] = view.json()
        return body if view.status_code == 200 and body["margins_12m"]["cost_to_serve"] else None

    assert wait_for(seen)
    run = services.segmentation.post("/v1/runs", json={}, headers=services.as_("sales"))
    assert run.status_code == 202, run.text
    assert _finished(services, run.json()["run_id"])["status"] == "completed"

    view = seen()
    assert view is not None and view["name"] == "Holz AG"
    # cm1 = 1500 - 900; cm2 = cm1 - 50 - 20; cost to serve: one phone complaint at 25.00
    assert view["margins_12m"] == {
        "revenue": "1500.00",
        "contribution_margin_1": "600.00",
        "contribution_margin_2": "530.00",
        "cost_to_serve": "25.00",
        "contribution_margin_3": "505.00",
    }
    history = view["purchase_history"]
    assert history["purchase_days"] == 2 and history["repeat_purchases"] == 1
    assignment = view["assignment"]
    assert assignment["lifecycle_stage"] == "new"
    assert assignment["lifecycle_reason"] == "first order 40 days ago"
    assert assignment["scores"]["contribution_margin_3_12m"] == "505.00"
    assert len(assignment["reasons"]) == 4

    marketing = services.segmentation.get(
        f"/v1/customers/{customer_id}", headers=services.as_("marketing")
    ).json()
    assert marketing["margins_12m"]["revenue"] is None
    assert marketing["assignment"]["scores"]["clv"] is None
    assert marketing["assignment"]["reasons"] == assignment["reasons"][2:]


def test_runs_never_overlap_and_bad_requests_are_problems(services: Services) -> None:
    sales = services.as_("sales")
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()

    too_late = services.segmentation.post("/v1/runs", json={"as_of": future}, headers=sales)
    unknown = services.segmentation.post("/v1/runs", json={"at": "now"}, headers=sales)
    forbidden = services.segmentation.post("/v1/runs", json={}, headers=services.as_("service"))
    missing = services.segmentation.get("/v1/runs/nope", headers=sales)

    assert too_late.status_code == 422 and unknown.status_code == 422
    assert forbidden.status_code == 403
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    first = services.segmentation.post("/v1/runs", json={}, headers=sales)
    second = services.segmentation.post("/v1/runs", json={}, headers=sales)
    assert first.status_code == 202
    if second.status_code == 202:  # the first finished before the second was asked for
        assert _finished(services, first.json()["run_id"])["status"] == "completed"
    else:
        assert second.status_code == 409
        assert first.json()["run_id"] in second.json()["detail"]
    _finished(services, (second if second.status_code == 202 else first).json()["run_id"])


def test_configuration_is_versioned_with_who_changed_it(services: Services) -> None:
    sales = services.as_("sales")
    current = services.segmentation.get("/v1/config", headers=sales).json()
    config = current["config"]
    config["horizon_months"] = 24

    saved = services.segmentation.put(
        "/v1/config", json={"config": config, "comment": "two-year plan"}, headers=sales
    )
    config["value_tiers"]["low_medium_quantile"] = 0.9
    refused = services.segmentation.put("/v1/config", json={"config": config}, headers=sales)

    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == current["version"] + 1
    assert saved.json()["changed_by"] == "sales"
    assert refused.status_code == 422
    history = services.segmentation.get("/v1/config/history", headers=sales).json()
    assert history["versions"][0]["comment"] == "two-year plan"
    assert (
        services.segmentation.get("/v1/config", headers=sales).json()["config"]["horizon_months"]
        == 24
    )


def test_segments_list_the_portfolio_with_sizes(services: Services) -> None:
    segments = services.segmentation.get("/v1/segments", headers=services.as_("marketing"))

    assert segments.status_code == 200
    body = segments.json()
    assert body["portfolio"] == "built-in"
    assert {s["key"] for s in body["segments"]} == {
        "grow",
        "develop",
        "retain",
        "serve_efficiently",
        "restructure",
    }
    assert "high value x high potential" in next(
        s["cells"] for s in body["segments"] if s["key"] == "grow"
    )


def test_profiles_and_segmentation_report_the_same_totals_per_customer(
    services: Services,
) -> None:
    posted = services.profiles.post(
        "/v1/events",
        json=[
            order_placed(external_id="K-88", lines=[order_line(net_revenue="70.50")]),
            order_placed(external_id="K-88", lines=[order_line(net_revenue="29.50")]),
        ],
        headers=services.as_("integration"),
    )
    customer_id = posted.json()["results"][0]["customer_id"]
    admin = services.as_("admin")

    def totals(client: httpx.Client) -> dict[str, Any]:
        pages = client.get("/v1/consistency/customers", headers=admin).json()
        return {row["customer_id"]: row for row in pages["customers"]}

    assert wait_for(lambda: customer_id in totals(services.segmentation))
    mine = totals(services.profiles)[customer_id]
    theirs = totals(services.segmentation)[customer_id]
    assert mine["orders"] == theirs["orders"] == 2
    assert Decimal(mine["revenue"]) == Decimal(theirs["revenue"]) == Decimal("100.00")
    forbidden = services.segmentation.get(
        "/v1/consistency/customers", headers=services.as_("marketing")
    )
    assert forbidden.status_code == 403
