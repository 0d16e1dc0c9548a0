"""The CloudEvents envelope every service publishes (belongs in tests/unit/shared/events/)."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.events.customers import CustomerUpdated
from shared.events.envelope import CloudEvent, new_event


def _updated(**options: object) -> CloudEvent:
    payload = CustomerUpdated(
        customer_id="cust-1",
        revision=2,
        kind="organization",
        name="Huber KG",
        changed_fields=["name"],
    )
    return new_event(
        source="/profiles", type="customer.updated", subject="cust-1", data=payload, **options
    )


def test_new_event_is_stamped_with_the_current_utc_time() -> None:
    before = datetime.now(UTC)

    event = _updated()

    assert event.time.utcoffset() == timedelta(0)
    assert before <= event.time <= datetime.now(UTC)


def test_new_event_names_its_payload_schema_as_a_versioned_urn() -> None:
    assert _updated().dataschema == "urn:kundencockpit:schema:customer.updated:v1"
    assert _updated(version=2).dataschema == "urn:kundencockpit:schema:customer.updated:v2"
    assert _updated(version=2).dataversion == 2


def test_new_events_get_distinct_ids() -> None:
    assert _updated().id != _updated().id


def test_new_event_carries_subject_correlation_and_payload() -> None:
    event = _updated(correlation_id="crm/evt-9")

    assert event.subject == "cust-1"
    assert event.correlationid == "crm/evt-9"
    assert event.data["changed_fields"] == ["name"]
    assert event.specversion == "1.0"


def test_event_round_trips_through_json() -> None:
    event = _updated(correlation_id="crm/evt-9")

    assert CloudEvent.model_validate_json(event.to_json_bytes()) == event


def test_json_leaves_out_unset_optional_attributes() -> None:
    assert b"correlationid" not in _updated().to_json_bytes()


def test_event_time_without_offset_is_refused() -> None:
    document = _updated().model_dump(mode="json")
    document["time"] = "2024-05-01T12:00:00"

    with pytest.raises(ValidationError, match="timezone"):
        CloudEvent.model_validate(document)
