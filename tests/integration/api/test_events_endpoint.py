"""POST /v1/events of profiles over real HTTP: bad input, limits, accepted batches."""

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fixtures.events import customer_upserted
from tests.integration.api.support import (
    MAX_BATCH_EVENTS,
    MAX_BODY_BYTES,
    NOTHING_STORED,
    Profiles,
    assert_problem,
    assert_single_rejection,
)

pytestmark = pytest.mark.integration


# --- malformed requests ---------------------------------------------------------------


def test_malformed_json_is_400(profiles: Profiles) -> None:
    response = profiles.post_raw(b'[{"id": "evt-1", "type": ')

    assert_problem(response, 400, "Bad request", "body is not valid JSON")
    assert profiles.stored() == NOTHING_STORED


def test_malformed_ndjson_line_is_400(profiles: Profiles) -> None:
    body = json.dumps(customer_upserted()) + "\n{not json\n"

    response = profiles.post_raw(body.encode(), "application/x-ndjson")

    assert_problem(response, 400, "Bad request", "body is not valid JSON")
    assert profiles.stored() == NOTHING_STORED


def test_object_instead_of_array_is_422(profiles: Profiles) -> None:
    response = profiles.post(customer_upserted())

    assert_problem(response, 422, "Validation failed", "expected a JSON array of events")
    assert profiles.stored() == NOTHING_STORED


def test_empty_array_is_422(profiles: Profiles) -> None:
    response = profiles.post([])

    assert_problem(response, 422, "Validation failed", "the request holds no events")
    assert profiles.stored() == NOTHING_STORED


def test_deeply_nested_json_is_400(profiles: Profiles) -> None:
    # Its own connection: uvicorn drops the connection after a 500 without saying so, and
    # the shared client would otherwise reuse the dead one in the next test.
    response = httpx.post(
        profiles.http.base_url.join("/v1/events"),
        content=b"[" * 1500,
        headers={**profiles.auth("integration"), "Content-Type": "application/json"},
    )

    assert_problem(response, 400, "Bad request", "not valid JSON")


# --- invalid events: every item rejected gives 422 with per-item reasons ----------------


def _without(event: dict[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != field}


def _with_data(event: dict[str, Any], **data: Any) -> dict[str, Any]:
    return {**event, "data": {**event["data"], **data}}


INVALID_EVENTS = {
    "wrong-types": (
        lambda e: {**e, "time": 5, "data": "x"},
        "data: Input should be a valid dictionary",
    ),
    "missing-id": (lambda e: _without(e, "id"), "id: Field required"),
    "missing-time": (lambda e: _without(e, "time"), "time: Field required"),
    "time-without-offset": (
        lambda e: {**e, "time": "2024-05-01T12:00:00"},
        "time: Input should have timezone info",
    ),
    "unknown-type": (
        lambda e: {**e, "type": "customer.teleported"},
        "unsupported event type 'customer.teleported' (supported: ",
    ),
    "unknown-envelope-field": (
        lambda e: {**e, "subject": "cust-1"},
        "subject: Extra inputs are not permitted",
    ),
    "unknown-data-field": (
        lambda e: _with_data(e, favourite_colour="blue"),
        "data.favourite_colour: Extra inputs are not permitted",
    ),
    "missing-customer-ref": (
        lambda e: _with_data(e, customer={"system": "crm"}),
        "data.customer.id: Field required",
    ),
    "invalid-email": (lambda e: _with_data(e, email="not-an-address"), "data.email:"),
    "invalid-kind": (lambda e: _with_data(e, kind="robot"), "data.kind:"),
    "item-not-an-object": (lambda e: "evt-1", "Input should be a valid dictionary"),
}


@pytest.mark.parametrize("case", INVALID_EVENTS)
def test_invalid_event_is_rejected_with_its_reason_and_not_stored(
    profiles: Profiles, case: str
) -> None:
    spoil, reason = INVALID_EVENTS[case]

    response = profiles.post([spoil(customer_upserted())])

    assert_single_rejection(response, reason)
    assert profiles.stored() == NOTHING_STORED


def test_rejected_event_reports_its_id_source_and_type(profiles: Profiles) -> None:
    event = {**customer_upserted(event_id="evt-bad-time"), "time": "yesterday"}

    result = assert_single_rejection(profiles.post([event]), "time:")

    assert (result["id"], result["source"], result["type"]) == (
        "evt-bad-time",
        "crm",
        "customer.upserted",
    )


def test_numeric_time_is_rejected(profiles: Profiles) -> None:
    response = profiles.post([{**customer_upserted(), "time": 5}])

    assert_single_rejection(response, "time:")
    assert profiles.stored() == NOTHING_STORED


# --- limits ------------------------------------------------------------------------------


def _oversized_body() -> bytes:
    event = customer_upserted(attributes={"note": "x" * 250})
    body = json.dumps([event] * 10).encode()
    assert len(body) > MAX_BODY_BYTES
    return body


def test_body_over_the_limit_is_413(profiles: Profiles) -> None:
    response = profiles.post_raw(_oversized_body())

    assert_problem(response, 413, "Content too large", f"exceeds {MAX_BODY_BYTES} bytes")
    assert profiles.stored() == NOTHING_STORED


def test_chunked_body_over_the_limit_is_413(profiles: Profiles) -> None:
    body = _oversized_body()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 512):
            yield body[start : start + 512]

    response = profiles.post_raw(chunks())

    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "Content too large", f"exceeds {MAX_BODY_BYTES} bytes")
    assert profiles.stored() == NOTHING_STORED


def test_chunked_body_under_the_limit_is_accepted(profiles: Profiles) -> None:
    body = json.dumps([customer_upserted()]).encode()

    response = profiles.post_raw(iter([body[:50], body[50:]]))

    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1


def test_more_events_than_the_batch_limit_is_413(profiles: Profiles) -> None:
    events = [customer_upserted() for _ in range(MAX_BATCH_EVENTS + 1)]
    assert len(json.dumps(events)) < MAX_BODY_BYTES

    response = profiles.post(events)

    assert_problem(response, 413, "Content too large", "6 events in one request; at most 5")
    assert profiles.stored() == NOTHING_STORED


def test_batch_at_the_limit_is_accepted(profiles: Profiles) -> None:
    response = profiles.post([customer_upserted() for _ in range(MAX_BATCH_EVENTS)])

    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == MAX_BATCH_EVENTS
    assert profiles.stored()["customers"] == MAX_BATCH_EVENTS


# --- accepted events -----------------------------------------------------------------------


def test_mixed_batch_stores_the_valid_event_and_reports_the_invalid_one(
    profiles: Profiles,
) -> None:
    valid = customer_upserted()
    invalid = {**customer_upserted(), "time": "2024-05-01T12:00:00"}

    response = profiles.post([valid, invalid])

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 0, 1)
    first, second = body["results"]
    assert (first["index"], first["status"], first["id"]) == (0, "accepted", valid["id"])
    assert first["customer_id"]
    assert (second["index"], second["status"]) == (1, "rejected")
    assert "time" in second["reason"]
    assert profiles.stored() == {"customers": 1, "outbox": 1, "inbox": 1}


def test_ndjson_body_is_accepted(profiles: Profiles) -> None:
    events = [customer_upserted(), customer_upserted()]
    body = "\n".join(json.dumps(event) for event in events) + "\n"

    response = profiles.post_raw(body.encode(), "application/x-ndjson")

    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["accepted", "accepted"]
    assert profiles.stored()["customers"] == 2


def test_event_repeated_in_one_request_is_a_duplicate(profiles: Profiles) -> None:
    event = customer_upserted()

    response = profiles.post([event, event])

    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["accepted", "duplicate"]
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert profiles.stored() == {"customers": 1, "outbox": 1, "inbox": 1}


def test_event_posted_again_is_a_duplicate(profiles: Profiles) -> None:
    event = customer_upserted()
    first = profiles.post([event])

    again = profiles.post([event])

    assert first.json()["results"][0]["status"] == "accepted"
    assert again.status_code == 200, again.text
    assert again.json()["results"][0]["status"] == "duplicate"
    assert again.json()["duplicates"] == 1
    assert profiles.stored() == {"customers": 1, "outbox": 1, "inbox": 1}


def test_new_event_for_a_known_customer_updates_it(profiles: Profiles) -> None:
    registered = profiles.post([customer_upserted(external_id="C-42", email="a@example.at")])
    updated = profiles.post([customer_upserted(external_id="C-42", email="b@example.at")])

    customer_id = registered.json()["results"][0]["customer_id"]
    assert updated.json()["results"][0]["customer_id"] == customer_id
    view = profiles.http.get(f"/v1/customers/{customer_id}", headers=profiles.auth("sales"))
    assert (view.json()["email"], view.json()["revision"]) == ("b@example.at", 2)
    assert profiles.stored() == {"customers": 1, "outbox": 2, "inbox": 2}
