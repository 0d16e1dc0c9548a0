"""Who may post events: API keys as Bearer or X-API-Key, and the events:write scope."""

import pytest

from tests.fixtures.events import customer_upserted
from tests.integration.api.support import NOTHING_STORED, Profiles, assert_problem

pytestmark = pytest.mark.integration


def test_request_without_key_is_401_with_a_challenge(profiles: Profiles) -> None:
    response = profiles.http.post("/v1/events", json=[customer_upserted()])

    assert_problem(response, 401, "Unauthorized", "an API key is required")
    assert response.headers["www-authenticate"] == 'Bearer realm="kundencockpit"'
    assert profiles.stored() == NOTHING_STORED


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer kc_integration_guessed"}, {"X-API-Key": "kc_integration_guessed"}],
    ids=["bearer", "x-api-key"],
)
def test_wrong_key_is_401(profiles: Profiles, headers: dict[str, str]) -> None:
    response = profiles.http.post("/v1/events", json=[customer_upserted()], headers=headers)

    assert_problem(response, 401, "Unauthorized", "the API key is not valid")
    assert response.headers["www-authenticate"] == 'Bearer realm="kundencockpit"'
    assert profiles.stored() == NOTHING_STORED


@pytest.mark.parametrize("key", ["marketing", "sales", "finance"])
def test_key_without_events_write_is_403(profiles: Profiles, key: str) -> None:
    response = profiles.post([customer_upserted()], key=key)

    assert_problem(response, 403, "Forbidden", "lacks the scope events:write")
    assert profiles.stored() == NOTHING_STORED


def test_x_api_key_header_works_like_bearer(profiles: Profiles) -> None:
    response = profiles.http.post(
        "/v1/events",
        json=[customer_upserted()],
        headers={"X-API-Key": profiles.keys["integration"]},
    )

    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1


def test_admin_key_may_post_events(profiles: Profiles) -> None:
    response = profiles.post([customer_upserted()], key="admin")

    assert response.status_code == 200, response.text
