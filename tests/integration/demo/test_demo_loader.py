"""The demo loader against running services: posted, consumed, segmented, loaded once."""

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.profiles.bootstrap import DEFINITION as PROFILES
from services.profiles.models import Customer
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from services.steering.bootstrap import DEFINITION as STEERING
from shared.broker import EmbeddedBroker
from shared.demo.__main__ import main
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker

pytestmark = pytest.mark.integration


def test_a_small_demo_company_is_loaded_segmented_and_not_loaded_twice(
    broker: EmbeddedBroker,
    api_keys: tuple[Path, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys_file, keys = api_keys
    runtimes = {
        definition.name: build_runtime(
            definition,
            database_url=f"sqlite:///{tmp_path / f'{definition.name}.db'}",
            bootstrap_servers=broker.bootstrap_servers,
            api_keys_file=keys_file,
            **({"run_interval_seconds": 0} if definition is SEGMENTATION else {}),
        )
        for definition in (PROFILES, SEGMENTATION, STEERING)
    }
    with (
        running_worker(runtimes["profiles"], PROFILES),
        running_worker(runtimes["segmentation"], SEGMENTATION),
        running_worker(runtimes["steering"], STEERING),
        serving(PROFILES.build_app(runtimes["profiles"])) as profiles_url,
        serving(SEGMENTATION.build_app(runtimes["segmentation"])) as segmentation_url,
        serving(STEERING.build_app(runtimes["steering"])) as steering_url,
    ):
        state: dict[str, Any] = {
            "services": {
                "profiles": {"url": profiles_url},
                "segmentation": {"url": segmentation_url},
                "steering": {"url": steering_url},
            },
            "api_keys": keys,
        }
        state_file = tmp_path / "devstack.json"
        state_file.write_text(json.dumps(state))
        arguments = ["--devstack", str(state_file), "--customers", "150", "--seed", "5"]

        assert main(arguments) == 0
        first = capsys.readouterr().out
        assert main(arguments) == 0
        second = capsys.readouterr().out
        sales = {"Authorization": f"Bearer {keys['sales']}"}
        strategy = httpx.get(f"{steering_url}/v1/strategy", headers=sales).json()
        plan = httpx.get(f"{steering_url}/v1/incentive-plans/demo-bonus", headers=sales).json()
        reps = httpx.get(f"{steering_url}/v1/reps", headers=sales).json()["items"]
        segments = httpx.get(f"{segmentation_url}/v1/segments", headers=sales).json()

    assert "demo data: 150 customers" in first
    # The first 30 customers are segmented on their history, then with their last two
    # quarters, before the others are posted; then all of them.
    runs = [int(n) for n in re.findall(r"segmentation: (\d+) customers assigned", first)]
    assert len(runs) == 3, first
    assert 0 < runs[0] <= runs[1] <= 30 < runs[2]
    assert "the cockpit shows them now" in first
    with runtimes["profiles"].session_factory() as session:
        customers = session.scalar(
            select(func.count()).select_from(Customer).where(Customer.merged_into.is_(None))
        )
    # People known to shop and CRM are one customer each.
    assert runs[2] == customers <= 150
    loaded = json.loads((tmp_path / "demo.json").read_text())
    assert loaded["counters"]["rejected"] == 0 and loaded["counters"]["accepted"] > 150
    assert "already loaded" in second
    # The strategy and the plan are in force, approved by every department that must.
    approvals = {a["department"] for a in strategy["active"]["approvals"]}
    assert approvals == {"sales", "marketing", "service", "finance"}
    assert plan["active"] is not None and plan["missing_departments"] == []
    assert len(reps) == 25 and {r["source"] for r in reps} == {"api"}
    # Segmentation maps the customers with the strategy's portfolio.
    assert segments["portfolio"] != "built-in"
    assert {s["key"] for s in segments["segments"]} == {
        "key_accounts",
        "core_accounts",
        "growth_accounts",
        "regular_customers",
        "online_customers",
        "restructure",
    }
    for runtime in runtimes.values():
        runtime.engine.dispose()
