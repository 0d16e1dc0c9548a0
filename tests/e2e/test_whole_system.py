"""The whole system on PostgreSQL and a broker of its own: a hand-made company with known
answers, read back through the 360-degree view and the cockpit; then a merge, an erasure and
a late event, after which every service must agree on every customer."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.experience.bootstrap import DEFINITION as EXPERIENCE
from services.profiles.bootstrap import DEFINITION as PROFILES
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from services.steering.bootstrap import DEFINITION as STEERING
from shared.broker import EmbeddedBroker
from shared.consistency.__main__ import main as consistency_check
from tests.fixtures.databases import PostgresDatabases
from tests.fixtures.events import customer_upserted, order_line, order_placed, touchpoint_recorded
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker, wait_for
from tests.integration.steering.strategies import strategy

pytestmark = pytest.mark.e2e
NOW = datetime.now(UTC).replace(microsecond=0)
DEFINITIONS = (PROFILES, SEGMENTATION, EXPERIENCE, STEERING)
DEPARTMENTS = ("sales", "marketing", "service", "finance")


@dataclass
class System:
    clients: dict[str, httpx.Client]
    keys: dict[str, str]
    state_file: Path

    def get(self, service: str, path: str, key: str = "admin", **params: Any) -> Any:
        response = self.clients[service].get(path, params=params, headers=self.as_(key))
        return response.json() if response.status_code == 200 else None

    def as_(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[key]}"}


@pytest.fixture(scope="module")
def system(
    own_broker: EmbeddedBroker,
    postgres: PostgresDatabases,
    api_keys: tuple[Path, dict[str, str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[System]:
    keys_file, keys = api_keys
    runtimes = {
        d.name: build_runtime(
            d,
            database_url=postgres.create(f"whole_{d.name}"),
            bootstrap_servers=own_broker.bootstrap_servers,
            api_keys_file=keys_file,
            **({"run_interval_seconds": 0} if d is SEGMENTATION else {}),
        )
        for d in DEFINITIONS
    }
    with (
        running_worker(runtimes["profiles"], PROFILES),
        running_worker(runtimes["segmentation"], SEGMENTATION),
        running_worker(runtimes["experience"], EXPERIENCE),
        running_worker(runtimes["steering"], STEERING),
        serving(PROFILES.build_app(runtimes["profiles"])) as profiles,
        serving(SEGMENTATION.build_app(runtimes["segmentation"])) as segmentation,
        serving(EXPERIENCE.build_app(runtimes["experience"])) as experience,
        serving(STEERING.build_app(runtimes["steering"])) as steering,
    ):
        urls = {
            "profiles": profiles,
            "segmentation": segmentation,
            "experience": experience,
            "steering": steering,
        }
        state_file = tmp_path_factory.mktemp("whole") / "devstack.json"
        state = {"services": {n: {"url": u} for n, u in urls.items()}, "api_keys": keys}
        state_file.write_text(json.dumps(state))
        clients = {name: httpx.Client(base_url=url, timeout=30) for name, url in urls.items()}
        yield System(clients, keys, state_file)
        for client in clients.values():
            client.close()
    for runtime in runtimes.values():
        runtime.engine.dispose()


def _orders(ref: str, first_days_ago: int, every: int, count: int, revenue: str, cost: str):  # type: ignore[no-untyped-def]
    return [
        order_placed(
            external_id=ref,
            order_id=f"{ref}-{n}",
            time=NOW - timedelta(days=first_days_ago - n * every),
            channel="field_sales",
            lines=[order_line(net_revenue=revenue, cost_of_goods=cost, category="tools")],
        )
        for n in range(count)
    ]


def company() -> list[dict[str, Any]]:
    """Four customers whose segment, stage and actions follow from the rules by hand."""
    phone = {"phone": {"status": "granted", "date": (NOW - timedelta(days=800)).isoformat()}}
    return [
        # Holz AG: 24 monthly orders over two years, 1,000.00 margin each: high value, loyal.
        customer_upserted(external_id="K-1", kind="organization", name="Holz AG",
                          industry="crafts", size_class="L", owner_rep="R-01",
                          region="Süd", time=NOW - timedelta(days=800)),
        *_orders("K-1", 700, 30, 24, "2000.00", "1000.00"),
        touchpoint_recorded(external_id="K-1", channel="partner", touchpoint_type="delivery",
                            nps=9, time=NOW - timedelta(days=8)),
        # Bau KG: every 20 days for 18 months, silent for the last 60: high value, at risk.
        customer_upserted(external_id="K-2", kind="organization", name="Bau KG",
                          industry="construction", size_class="M", owner_rep="R-02",
                          region="Nord", consents=phone, time=NOW - timedelta(days=700)),
        *_orders("K-2", 600, 20, 28, "1500.00", "900.00"),
        # Erika Muster: one order 500 days ago: lapsed.
        customer_upserted(external_id="S-3", system="shop", kind="person",
                          name="Erika Muster", time=NOW - timedelta(days=520)),
        *_orders("S-3", 500, 1, 1, "80.00", "50.00"),
        # Neu GmbH: its first order 10 days ago: new.
        customer_upserted(external_id="K-4", kind="organization", name="Neu GmbH",
                          industry="crafts", size_class="S", owner_rep="R-01",
                          region="Süd", time=NOW - timedelta(days=15)),
        *_orders("K-4", 10, 1, 1, "700.00", "400.00"),
    ]  # fmt: skip


def _post(system: System, events: list[dict[str, Any]]) -> dict[str, str]:
    posted = system.clients["profiles"].post(
        "/v1/events", json=events, headers=system.as_("integration")
    )
    assert posted.status_code == 200, posted.text
    ids: dict[str, str] = {}
    for event, result in zip(events, posted.json()["results"], strict=True):
        assert result["status"] == "accepted", result
        ids[event["data"]["customer"]["id"]] = result["customer_id"]
    return ids


def _approve_strategy(system: System) -> None:
    body = strategy()
    body["segments"][0]["treatment"]["retention_measures"] = ["account review"]
    edited = system.clients["steering"].put("/v1/strategy", json=body, headers=system.as_("sales"))
    assert edited.status_code == 200, edited.text
    version = edited.json()["draft"]["version"]
    for department in DEPARTMENTS:
        approved = system.clients["steering"].post(
            f"/v1/strategy/versions/{version}/approvals", json={}, headers=system.as_(department)
        )
        assert approved.status_code == 200, approved.text


def _run_segmentation(system: System) -> None:
    """A run over everything posted; one the strategy queued is let finish first."""
    accepted: list[str] = []

    def start() -> bool:
        started = system.clients["segmentation"].post(
            "/v1/runs", json={}, headers=system.as_("sales")
        )
        assert started.status_code in (202, 409), started.text
        if started.status_code == 202:
            accepted.append(started.json()["run_id"])
        return bool(accepted)

    assert wait_for(start, 120)
    assert wait_for(
        lambda: system.get("segmentation", f"/v1/runs/{accepted[0]}")["status"] == "completed",
        120,
    )


def test_the_company_reads_back_as_computed_by_hand_and_stays_consistent(
    system: System,
) -> None:
    config = system.get("segmentation", "/v1/config")["config"]
    config["value_tiers"] = {
        **config["value_tiers"],
        "method": "thresholds",
        "low_medium_threshold": "500",
        "medium_high_threshold": "5000",
    }
    saved = system.clients["segmentation"].put(
        "/v1/config", json={"config": config}, headers=system.as_("sales")
    )
    assert saved.status_code == 200, saved.text
    _approve_strategy(system)
    assert wait_for(
        lambda: system.get("segmentation", "/v1/segments")["portfolio"].startswith("strategy")
    )
    events = company()
    ids = _post(system, events)
    orders = [e for e in events if e["type"] == "order.placed"]
    assert wait_for(lambda: consistency_check(["--devstack", str(system.state_file)]) == 0, 60)
    _run_segmentation(system)

    def view(ref: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = system.get("profiles", f"/v1/customers/{ids[ref]}")
        return found

    def ready(ref: str, *parts: str) -> bool:
        found = view(ref)
        return found is not None and all(found[p]["status"] != "pending" for p in parts)

    assert wait_for(lambda: ready("K-1", "segment", "strategy", "experience"), 60)
    holz = view("K-1")
    assert holz is not None
    assert holz["owner_rep"] == "R-01"
    assert holz["segment"]["strategic_segment"] == "key_accounts"
    assert holz["segment"]["lifecycle_stage"] == "loyal"
    assert Decimal("1000") < Decimal(holz["segment"]["clv"]) < Decimal("200000")
    assert holz["strategy"]["thrust"] == "grow"
    assert holz["strategy"]["service_level"]["key"] == "premium"
    assert holz["experience"]["journey_stage"] == "onboarding"
    assert holz["experience"]["nps"] == 9

    assert wait_for(lambda: ready("K-2", "segment", "next_best_actions"), 60)
    bau = view("K-2")
    assert bau is not None
    assert bau["segment"]["lifecycle_stage"] == "at_risk"
    assert bau["segment"]["value_tier"] == "high"
    [action] = bau["next_best_actions"]["items"]
    assert (action["action_type"], action["channel"]) == ("retention_call", "phone")
    assert action["owner_rep"] == "R-02"

    assert wait_for(lambda: ready("S-3", "segment") and ready("K-4", "segment"), 60)
    assert view("S-3")["segment"]["lifecycle_stage"] == "lapsed"  # type: ignore[index]
    assert view("K-4")["segment"]["lifecycle_stage"] == "new"  # type: ignore[index]

    year = str(NOW.year)
    this_year = [o for o in orders if o["time"][:4] == year]
    revenue = sum(Decimal(o["data"]["lines"][0]["net_revenue"]) for o in this_year)
    buyers = {o["data"]["customer"]["id"] for o in this_year}
    board = system.get("steering", "/v1/cockpit", granularity="year", period=year)
    kpis = {k["kpi"]: k for k in next(m for m in board["members"] if m["member"] == "all")["kpis"]}
    assert Decimal(kpis["revenue"]["value"]) == revenue
    assert int(kpis["active_customers"]["value"]) == len(buyers)

    # A merge, an erasure and a late event; then every service agrees on every customer.
    merged = system.clients["profiles"].post(
        f"/v1/customers/{ids['K-1']}/merge",
        json={"absorb": [ids["K-4"]], "reason": "Neu GmbH is Holz AG's branch", "force": True},
        headers=system.as_("admin"),
    )
    assert merged.status_code == 200, merged.text
    erased = system.clients["profiles"].delete(
        f"/v1/customers/{ids['S-3']}", headers=system.as_("admin")
    )
    assert erased.status_code == 202, erased.text
    late = order_placed(
        external_id="K-1",
        order_id="K-1-late",
        time=NOW - timedelta(days=720),
        lines=[order_line(net_revenue="50.00", cost_of_goods="20.00")],
    )
    _post(system, [late])

    assert wait_for(lambda: consistency_check(["--devstack", str(system.state_file)]) == 0, 60)
    totals = system.get("segmentation", "/v1/consistency/customers")["customers"]
    holz_totals = next(t for t in totals if t["customer_id"] == ids["K-1"])
    assert holz_totals["orders"] == 24 + 1 + 1
    assert all(t["customer_id"] not in (ids["S-3"], ids["K-4"]) for t in totals)
    for service in ("segmentation", "experience", "steering"):
        assert system.get(service, f"/v1/customers/{ids['S-3']}") is None, service
