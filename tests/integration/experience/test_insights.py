"""Pain points and moments of truth over a hand-built data set, read over HTTP."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.experience.bootstrap import DEFINITION
from tests.fixtures.http import serving
from tests.integration.experience.support import (
    Experience,
    experience_on,
    order,
    segment,
    touchpoint,
)

pytestmark = pytest.mark.integration
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=200)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


@pytest.fixture
def api(
    database_factory: Callable[[str], str], api_keys: tuple[Path, dict[str, str]]
) -> Iterator[Callable[..., Any]]:
    service: Experience = experience_on(database_factory("experience"), api_keys[0])
    service.feed(
        segment("k-1", "grow", "1000.00"),
        segment("k-2", "grow", "200.00"),
        segment("k-3", "retain", "-50.00"),
        touchpoint("k-1", day(0), "complaint", "phone", csat=2, nps=3),
        touchpoint("k-1", day(1), "complaint", "phone", csat=1),
        order("k-1", "o-1", day(10)),
        touchpoint("k-2", day(0), "complaint", "phone", csat=3),
        touchpoint("k-3", day(0), "complaint", "email", csat=2),
        touchpoint("k-3", day(0), "website_visit", csat=5, nps=10),
        touchpoint("k-4", day(0), "support_chat", "chat", csat=2),
    )
    keys = api_keys[1]
    with (
        serving(DEFINITION.build_app(service.runtime)) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):

        def get(path: str, key: str = "sales", **params: Any) -> Any:
            response = client.get(path, params=params, headers={"X-API-Key": keys[key]})
            assert response.status_code == 200, response.text
            return response.json()

        yield get
    service.runtime.engine.dispose()


def test_pain_points_rank_types_and_channels_by_the_margin_at_stake(
    api: Callable[..., Any],
) -> None:
    found = api("/v1/pain-points")

    assert found["targets"] == {"csat": 4.0, "nps": 30.0}
    ranked = [(p["touchpoint_type"], p["channel"]) for p in found["pain_points"]]
    # the web visit meets both targets; the purchase has no answers
    assert ranked == [("complaint", "phone"), ("complaint", "email"), ("support_chat", "chat")]
    phone = found["pain_points"][0]
    # CSAT 2 of target 4 is 2/3 of the way down, NPS -100 of target 30 all the way: gap 1;
    # margin per contact (1000 + 1000 + 200) / 3, impact 3 x 1 x 733.33
    assert (phone["contacts"], phone["gap"]) == (3, 1.0)
    assert phone["csat_mean"]["value"] == pytest.approx(2.0)
    assert (phone["nps"]["value"], phone["nps"]["sample_size"]) == (-100.0, 1)
    assert phone["margin_per_contact"] == "733.33"
    assert phone["impact"] == "2200.00"
    assert (phone["customers_affected"], phone["customers_margin"]) == (2, "1200.00")
    email = found["pain_points"][1]
    assert email["gap"] == pytest.approx(2 / 3) and email["impact"] == "0.00"
    assert found["pain_points"][2]["impact"] is None


def test_pain_points_take_targets_filters_and_hide_margins_without_the_scope(
    api: Callable[..., Any],
) -> None:
    strict = api("/v1/pain-points", csat_target=5.0, nps_target=100, segment="retain")
    hidden = api("/v1/pain-points", key="marketing")

    # the web visit (CSAT 5, NPS 100) meets even these targets
    (email,) = strict["pain_points"]
    assert (email["touchpoint_type"], email["gap"]) == ("complaint", pytest.approx(3 / 4))
    assert [p["impact"] for p in hidden["pain_points"]] == [None, None, None]
    assert hidden["pain_points"][0]["customers_affected"] == 2


def test_moments_of_truth_compare_buying_again_after_each_type_with_the_base_rate(
    api: Callable[..., Any],
) -> None:
    found = api("/v1/moments-of-truth", min_contacts=1)

    assert found["window_days"] == 90
    # k-1's two complaints were followed by its order, nothing else by a purchase: 2 of 7
    assert (found["base_rate"]["value"], found["base_rate"]["sample_size"]) == (
        pytest.approx(2 / 7),
        7,
    )
    by_type = {m["touchpoint_type"]: m for m in found["moments"]}
    assert by_type["complaint"]["contacts"] == 4
    assert by_type["complaint"]["bought_again"]["value"] == pytest.approx(0.5)
    assert by_type["complaint"]["buy_lift"]["value"] == pytest.approx(0.5 / (2 / 7))
    assert by_type["purchase"]["lapsed"]["value"] == 1.0
    assert by_type["website_visit"]["buy_lift"]["value"] == 0.0
    assert {m["verdict"] for m in found["moments"]} == {"no_marked_difference"}


def test_moments_of_truth_only_observe_contacts_whose_window_has_passed(
    api: Callable[..., Any],
) -> None:
    short = api("/v1/moments-of-truth", window_days=5)
    none_yet = api("/v1/moments-of-truth", window_days=365)

    # within 5 days of k-1's complaints there was no order
    assert short["base_rate"]["value"] == 0.0
    assert none_yet["base_rate"]["sample_size"] == 0 and none_yet["moments"] == []
