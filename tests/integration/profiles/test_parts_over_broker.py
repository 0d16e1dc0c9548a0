"""Profiles and segmentation running against the real broker: a segmentation run's
assignments reach profiles' 360° view and its customer list."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.profiles.bootstrap import DEFINITION as PROFILES
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from shared.broker import EmbeddedBroker
from tests.fixtures.events import customer_upserted, order_line, order_placed
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack(
    broker: EmbeddedBroker, api_keys: tuple[Path, dict[str, str]], tmp_path_factory: Any
) -> Iterator[tuple[httpx.Client, httpx.Client, dict[str, str]]]:
    keys_file, keys = api_keys
    folder = tmp_path_factory.mktemp("profiles-parts")
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
        yield profiles, segmentation, keys
    for runtime in runtimes.values():
        runtime.engine.dispose()


def test_a_segmentation_run_reaches_the_view_and_the_list(
    stack: tuple[httpx.Client, httpx.Client, dict[str, str]],
) -> None:
    profiles, segmentation, keys = stack
    sales = {"Authorization": f"Bearer {keys['sales']}"}
    now = datetime.now(UTC)
    events = [
        customer_upserted(external_id="K-91", kind="organization", name="Holz AG"),
        customer_upserted(external_id="K-92", kind="organization", name="Stein KG"),
        order_placed(
            external_id="K-91",
            time=now - timedelta(days=40),
            lines=[order_line(net_revenue="1000.00", cost_of_goods="600.00")],
        ),
    ]
    posted = profiles.post(
        "/v1/events", json=events, headers={"Authorization": f"Bearer {keys['integration']}"}
    )
    assert posted.status_code == 200, posted.text
    buyer, prospect = (posted.json()["results"][i]["customer_id"] for i in (0, 1))

    def known_to_segmentation() -> bool:
        view = segmentation.get(f"/v1/customers/{buyer}", headers=sales)
        return view.status_code == 200 and view.json()["purchase_history"]["purchase_days"] == 1

    assert wait_for(known_to_segmentation)
    run = segmentation.post("/v1/runs", json={}, headers=sales)
    assert run.status_code == 202, run.text

    def segment_part() -> dict[str, Any] | None:
        view = profiles.get(f"/v1/customers/{buyer}", headers=sales).json()
        part: dict[str, Any] = view["segment"]
        return part if part["status"] == "current" else None

    assert wait_for(segment_part, timeout=90)
    part = segment_part()
    assert part is not None
    assert part["lifecycle_stage"] == "new"
    assert part["lifecycle_reason"] == "first order 40 days ago"
    assert part["as_of"]["event_id"]
    assert part["model_version"]
    assert wait_for(
        lambda: (
            profiles.get(f"/v1/customers/{prospect}", headers=sales).json()["segment"]["status"]
            == "current"
        )
    )

    # The broker outlives this module: customers of earlier tests may be listed as well.
    for stage, member, other in (("new", buyer, prospect), ("prospect", prospect, buyer)):
        listed = profiles.get(
            "/v1/customers", params={"lifecycle_stage": stage, "limit": 500}, headers=sales
        )
        assert listed.status_code == 200, listed.text
        items = listed.json()["items"]
        assert member in {item["customer_id"] for item in items}
        assert other not in {item["customer_id"] for item in items}
        assert {item["lifecycle_stage"] for item in items} == {stage}
