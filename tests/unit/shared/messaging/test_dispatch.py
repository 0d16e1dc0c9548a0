"""Decoding Kafka records into CloudEvents and routing them to a service's handlers."""

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.orm import Session

from shared.events.catalog import REGISTRY
from shared.events.customers import CustomerRegistered
from shared.events.envelope import CloudEvent, new_event
from shared.messaging.dispatch import CloudEventDispatcher
from shared.messaging.handling import PoisonMessageError


@dataclass(frozen=True)
class Record:
    """The parts of a kafka ConsumerRecord the dispatcher may look at."""

    value: bytes | None
    key: bytes | None = b"cust-1"
    topic: str = "cockpit.customers.v1"
    partition: int = 0
    offset: int = 0
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def _registered(**overrides: Any) -> CloudEvent:
    payload = CustomerRegistered(customer_id="cust-1", revision=1, kind="person", name="Anna")
    event = new_event(
        source="/profiles", type="customer.registered", subject="cust-1", data=payload
    )
    return event.model_copy(update=overrides)


def _record(document: dict[str, Any]) -> Record:
    return Record(value=json.dumps(document).encode())


def _ignore(session: Session, event: CloudEvent, payload: Any) -> None:
    pass


@pytest.fixture
def dispatcher() -> CloudEventDispatcher:
    return CloudEventDispatcher(REGISTRY, {"customer.registered": _ignore})


def test_valid_event_is_decoded_with_its_payload(dispatcher: CloudEventDispatcher) -> None:
    event = _registered()

    decoded = dispatcher.decode(Record(value=event.to_json_bytes()))

    assert decoded is not None
    assert (decoded.source, decoded.event_id, decoded.event_type) == (
        "/profiles",
        event.id,
        "customer.registered",
    )
    envelope, payload = decoded.body
    assert envelope == event
    assert isinstance(payload, CustomerRegistered)
    assert payload.name == "Anna"


def test_registered_type_without_a_handler_is_ignored(dispatcher: CloudEventDispatcher) -> None:
    updated = _registered(type="customer.updated")

    assert dispatcher.decode(Record(value=updated.to_json_bytes())) is None


def test_invalid_json_is_poison(dispatcher: CloudEventDispatcher) -> None:
    with pytest.raises(PoisonMessageError, match="not a CloudEvent"):
        dispatcher.decode(Record(value=b'{"id": "1", "type": '))


def test_empty_message_is_poison(dispatcher: CloudEventDispatcher) -> None:
    with pytest.raises(PoisonMessageError, match="empty message"):
        dispatcher.decode(Record(value=None))


def test_envelope_without_required_attributes_is_poison(
    dispatcher: CloudEventDispatcher,
) -> None:
    document = json.loads(_registered().to_json_bytes())
    del document["source"]

    with pytest.raises(PoisonMessageError, match="source"):
        dispatcher.decode(_record(document))


def test_unknown_event_type_is_poison(dispatcher: CloudEventDispatcher) -> None:
    unknown = _registered(type="customer.teleported")

    with pytest.raises(PoisonMessageError, match=r"unknown event type customer\.teleported v1"):
        dispatcher.decode(Record(value=unknown.to_json_bytes()))


def test_unknown_version_of_a_known_type_is_poison(dispatcher: CloudEventDispatcher) -> None:
    future = _registered(dataversion=99)

    with pytest.raises(PoisonMessageError, match=r"customer\.registered v99"):
        dispatcher.decode(Record(value=future.to_json_bytes()))


def test_invalid_payload_is_poison_naming_the_field(dispatcher: CloudEventDispatcher) -> None:
    document = json.loads(_registered().to_json_bytes())
    document["data"]["revision"] = 0

    with pytest.raises(
        PoisonMessageError, match=r"invalid customer\.registered v1 payload: revision"
    ):
        dispatcher.decode(_record(document))


def test_payload_missing_a_field_is_poison_naming_the_field(
    dispatcher: CloudEventDispatcher,
) -> None:
    document = json.loads(_registered().to_json_bytes())
    del document["data"]["customer_id"]

    with pytest.raises(PoisonMessageError, match="customer_id: Field required"):
        dispatcher.decode(_record(document))


def test_handle_gives_the_decoded_event_and_payload_to_the_handler() -> None:
    received: list[tuple[str, str]] = []

    def remember(session: Session, event: CloudEvent, payload: Any) -> None:
        received.append((event.id, payload.customer_id))

    dispatcher = CloudEventDispatcher(REGISTRY, {"customer.registered": remember})
    event = _registered()
    decoded = dispatcher.decode(Record(value=event.to_json_bytes()))
    assert decoded is not None

    dispatcher.handle(Session(), decoded)

    assert received == [(event.id, "cust-1")]
