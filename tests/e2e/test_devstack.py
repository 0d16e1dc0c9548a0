"""The launcher starts the whole stack; a customer posted to profiles shows up everywhere."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.broker import free_port
from tests.fixtures.events import customer_upserted
from tests.fixtures.services import wait_for

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("profiles", "segmentation", "experience", "steering")


@pytest.fixture(scope="module")
def devstack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    env.update({"COCKPIT_VAR_DIR": str(var), "COCKPIT_DEMO": "0", "COCKPIT_ENV": "development"})
    for name in SERVICES:
        env[f"{name.upper()}_PORT"] = str(free_port())
    output = (var / "launcher.out").open("wb")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "shared.devstack"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    state_file = var / "devstack.json"
    try:
        deadline = time.monotonic() + 180
        while not state_file.exists():
            assert launcher.poll() is None, (var / "launcher.out").read_text()
            assert time.monotonic() < deadline, "launcher not ready in 180 s"
            time.sleep(0.25)
        state = json.loads(state_file.read_text())
        state["launcher"] = launcher
        state["var"] = var
        yield state
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGTERM)
            launcher.wait(60)
        output.close()


def test_launcher_writes_urls_broker_and_dev_keys(devstack: dict[str, Any]) -> None:
    assert set(devstack["services"]) == set(SERVICES)
    assert set(devstack["api_keys"]) == {
        "admin",
        "sales",
        "marketing",
        "service",
        "finance",
        "integration",
    }
    hashed = (devstack["var"] / "api-keys.json").read_text()
    assert devstack["api_keys"]["admin"] not in hashed
    output = (devstack["var"] / "launcher.out").read_text()
    assert devstack["api_keys"]["admin"] in output
    for service in devstack["services"].values():
        assert httpx.get(f"{service['url']}/readyz").status_code == 200
        assert httpx.get(service["docs"]).status_code == 200


def test_customer_posted_to_profiles_reaches_every_service(devstack: dict[str, Any]) -> None:
    keys, services = devstack["api_keys"], devstack["services"]
    event = customer_upserted(name="Schreinerei Vogt", kind="organization", region="north")
    posted = httpx.post(
        f"{services['profiles']['url']}/v1/events",
        json=[event, event],
        headers={"X-API-Key": keys["integration"]},
    )
    assert posted.status_code == 200, posted.text
    body = posted.json()
    assert [r["status"] for r in body["results"]] == ["accepted", "duplicate"]
    customer_id = body["results"][0]["customer_id"]
    headers = {"Authorization": f"Bearer {keys['finance']}"}
    for name in ("segmentation", "experience", "steering"):
        url = f"{services[name]['url']}/v1/customers/{customer_id}"
        assert wait_for(lambda url=url: httpx.get(url, headers=headers).status_code == 200, 60)
        assert httpx.get(url, headers=headers).json()["name"] == "Schreinerei Vogt"
    metrics = httpx.get(services["segmentation"]["metrics"]).text
    assert (
        'segmentation_events_consumed_total{outcome="processed",topic="cockpit.customers.v1"}'
        in metrics
    )


def test_launcher_stops_every_process_on_sigterm(devstack: dict[str, Any]) -> None:
    launcher: subprocess.Popen[bytes] = devstack["launcher"]
    launcher.send_signal(signal.SIGTERM)
    assert launcher.wait(60) == 0
    for service in devstack["services"].values():
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{service['url']}/healthz", timeout=2)
