"""Experience as users reach it: events posted to profiles, through the broker, read over HTTP."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.experience.bootstrap import DEFINITION as EXPERIENCE
from services.profiles.bootstrap import DEFINITION as PROFILES
from shared.broker import EmbeddedBroker
from tests.fixtures.events import (
    customer_identified,
    customer_upserted,
    order_placed,
    touchpoint_recorded,
)
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker, wait_for

pytestmark = pytest.mark.integration


@dataclass
class Services:
    profiles: httpx.Client
    experience: httpx.Client
    keys: dict[str, str]

    def as_(self, department: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[department]}"}

    def post(self, *events: dict[str, Any]) -> list[str]:
        posted = self.profiles.post(
            "/v1/events", json=list(events), headers=self.as_("integration")
        )
        assert posted.status_code == 200, posted.text
        return [result["customer_id"] for result in posted.json()["results"]]

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        view = self.experience.get(f"/v1/customers/{customer_id}", headers=self.as_("sales"))
        return view.json() if view.status_code == 200 else None

    def types_of(self, customer_id: str) -> list[str] | None:
        view = self.customer(customer_id)
        if view is None:
            return None
        return sorted(t["touchpoint_type"] for t in view["touchpoints"])


@pytest.fixture(scope="module")
def services(
    own_broker: EmbeddedBroker, api_keys: tuple[Path, dict[str, str]], tmp_path_factory: Any
) -> Iterator[Services]:
    keys_file, keys = api_keys
    folder = tmp_path_factory.mktemp("experience-service")
    runtimes = {
        definition.name: build_runtime(
            definition,
            database_url=f"sqlite:///{folder / f'{definition.name}.db'}",
            # The funnel counts every journey experience holds: a broker of its own keeps
            # other tests' touchpoints out of it.
            bootstrap_servers=own_broker.bootstrap_servers,
            api_keys_file=keys_file,
        )
        for definition in (PROFILES, EXPERIENCE)
    }
    with (
        running_worker(runtimes["profiles"], PROFILES),
        running_worker(runtimes["experience"], EXPERIENCE),
        serving(PROFILES.build_app(runtimes["profiles"])) as profiles_url,
        serving(EXPERIENCE.build_app(runtimes["experience"])) as experience_url,
        httpx.Client(base_url=profiles_url, timeout=30) as profiles,
        httpx.Client(base_url=experience_url, timeout=30) as experience,
    ):
        yield Services(profiles, experience, keys)
    for runtime in runtimes.values():
        runtime.engine.dispose()


def test_touchpoints_arrive_are_stitched_re_keyed_and_erased(services: Services) -> None:
    now = datetime.now(UTC)
    first, second = services.post(
        customer_upserted(external_id="X-1", kind="organization", name="Holz AG"),
        customer_upserted(external_id="X-2", kind="organization", name="Holz AG Süd"),
    )
    services.post(
        touchpoint_recorded(anonymous_id="visitor-1", time=now - timedelta(days=3)),
        touchpoint_recorded(
            external_id="X-1", time=now - timedelta(days=2), touchpoint_type="quote_requested"
        ),
        touchpoint_recorded(
            external_id="X-2",
            time=now - timedelta(days=1),
            channel="phone",
            touchpoint_type="complaint",
        ),
    )
    assert wait_for(lambda: services.types_of(first) == ["quote_requested"])

    services.post(customer_identified(anonymous_id="visitor-1", external_id="X-1"))
    assert wait_for(lambda: services.types_of(first) == ["quote_requested", "website_visit"])
    view = services.customer(first)
    assert view is not None and view["name"] == "Holz AG"
    (journey,) = view["journeys"]
    assert [s["stage"] for s in journey["stages"]] == ["awareness", "consideration"]

    merge = services.profiles.post(
        f"/v1/customers/{first}/merge",
        json={"absorb": [second], "reason": "one company", "force": True},
        headers=services.as_("admin"),
    )
    assert merge.status_code == 200, merge.text
    assert wait_for(
        lambda: services.types_of(first) == ["complaint", "quote_requested", "website_visit"]
    )
    assert wait_for(lambda: services.customer(second) is None)

    erasure = services.profiles.delete(f"/v1/customers/{first}", headers=services.as_("admin"))
    assert erasure.status_code == 202, erasure.text
    assert wait_for(lambda: services.customer(first) is None)


def test_a_funnel_over_a_hand_built_data_set_equals_the_hand_computed_funnel(
    services: Services,
) -> None:
    start = datetime.now(UTC) - timedelta(days=30)
    period = {"from": (start - timedelta(hours=1)).isoformat(), "to": datetime.now(UTC).isoformat()}
    plans = {
        "F-1": ["website_visit", "quote_requested", "purchase"],
        "F-2": ["website_visit", "quote_requested"],
        "F-3": ["website_visit"],
        "F-4": ["quote_requested", "purchase"],
    }
    events = [customer_upserted(external_id=ref, kind="organization") for ref in plans]
    for ref, steps in plans.items():
        for number, step in enumerate(steps):
            at = start + timedelta(days=number * 2)
            if step == "purchase":
                events.append(order_placed(external_id=ref, time=at))
            else:
                events.append(touchpoint_recorded(external_id=ref, time=at, touchpoint_type=step))
    customer_ids = services.post(*events)[: len(plans)]

    def funnel() -> dict[str, Any] | None:
        response = services.experience.get(
            "/v1/funnel", params=period, headers=services.as_("marketing")
        )
        assert response.status_code == 200, response.text
        groups = response.json()["groups"]
        return groups[0] if groups and groups[0]["journeys"] == 4 else None

    assert wait_for(lambda: all(services.customer(c) for c in customer_ids))
    assert wait_for(funnel)
    steps = {step["stage"]: step for step in (funnel() or {})["steps"]}
    # every journey passed awareness; F-1, F-2, F-4 considered; F-1 and F-4 bought
    assert [steps[s]["reached"] for s in ("awareness", "consideration", "purchase")] == [4, 3, 2]
    assert steps["consideration"]["conversion_from_previous"]["value"] == pytest.approx(0.75)
    assert steps["purchase"]["conversion_from_previous"]["value"] == pytest.approx(2 / 3)
    assert steps["purchase"]["median_seconds_from_previous"] == 2 * 86_400
    assert steps["onboarding"]["reached"] == 0


def test_saved_definitions_rebuild_the_journeys_with_progress_to_follow(
    services: Services,
) -> None:
    current = services.experience.get("/v1/journey-definitions", headers=services.as_("sales"))
    assert current.status_code == 200, current.text
    body = {"definitions": current.json()["definitions"], "comment": "same stages, re-checked"}

    saved = services.experience.put(
        "/v1/journey-definitions", json=body, headers=services.as_("sales")
    )

    assert saved.status_code == 200, saved.text

    def finished() -> dict[str, Any] | None:
        response = services.experience.get(
            "/v1/journey-definitions/rebuilds", headers=services.as_("sales")
        )
        assert response.status_code == 200, response.text
        latest = response.json()["rebuilds"][0]
        assert latest["version"] == saved.json()["version"]
        return latest if latest["finished_at"] else None

    assert wait_for(finished)
    done = finished() or {}
    assert done["customers_done"] == done["customers_total"] > 0
    assert not done["superseded"]
