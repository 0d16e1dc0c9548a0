"""After an erasure, replayed or late events cannot bring the customer's data back."""

import json
import uuid

import pytest
from sqlalchemy import select

from shared.events import topics
from tests.fixtures.events import customer_upserted, order_placed, touchpoint_recorded
from tests.fixtures.services import wait_for
from tests.fixtures.topics import produce
from tests.integration.gdpr.support import Person, Stack

pytestmark = pytest.mark.integration

ERASED = "customer erased"


def _erased(stack: Stack, person: Person, history: list[dict[str, object]] | None = None) -> str:
    customer_id = stack.accept(*(history or person.history()))
    stack.erase_everywhere(customer_id)
    return customer_id


def _reasons(stack: Stack, *events: dict[str, object]) -> list[str | None]:
    return [result.get("reason") for result in stack.post(*events)]


def test_replayed_events_of_an_erased_customer_are_rejected(stack: Stack) -> None:
    person = Person()
    history = person.history()
    _erased(stack, person, history)
    replayed_with_new_ids = [{**event, "id": f"replay-{uuid.uuid4().hex}"} for event in history]

    # Posted again as they were, they are the duplicates they are; under new ids (a replay
    # from another pipeline), the suppression list refuses them.
    again = stack.post(*history)
    assert [r["status"] for r in again] == ["duplicate"] * len(history)
    assert _reasons(stack, *replayed_with_new_ids) == [ERASED] * len(history)
    stack.wait_until_drained()
    assert stack.leftovers(person.needles()) == []


def test_late_events_naming_any_erased_identifier_are_rejected(stack: Stack) -> None:
    person = Person()
    _erased(stack, person)

    late = [
        order_placed(external_id=f"S-{person.run}", system="shop"),
        touchpoint_recorded(anonymous_id=person.visitor),
        customer_upserted(external_id=f"new-{person.run}", name="Someone", email=person.email),
        customer_upserted(
            external_id=f"new2-{person.run}",
            name="Someone",
            phone=person.phone.replace(" ", "").replace("+49", "0"),
        ),
    ]

    assert _reasons(stack, *late) == [ERASED] * len(late)


def test_another_known_customer_sharing_the_erased_email_keeps_its_updates(stack: Stack) -> None:
    person = Person()
    sibling = f"K2-{person.run}"
    sibling_id = stack.accept(
        customer_upserted(external_id=sibling, name="Sibling", email=person.email)
    )
    _erased(stack, person)

    update = customer_upserted(external_id=sibling, name="Sibling Renamed", email=person.email)

    [result] = stack.post(update)
    assert result["status"] == "accepted", result
    assert result["customer_id"] == sibling_id


def test_erased_customer_on_the_inbound_topic_is_dropped_not_dead_lettered(stack: Stack) -> None:
    person = Person()
    _erased(stack, person)
    profiles = stack.runtimes["profiles"]
    replay = person.upserted()
    replay["id"] = f"kafka-{uuid.uuid4().hex}"

    produce(
        profiles.settings.kafka_bootstrap_servers,
        topics.INBOUND.name,
        [(person.crm_id, json.dumps(replay).encode())],
    )

    inbox = profiles.tables.inbox

    def consumed() -> bool:
        with profiles.session_factory() as session:
            return bool(
                session.scalar(
                    select(inbox.c.outcome).where(
                        inbox.c.consumer == "profiles.inbound",
                        inbox.c.source == replay["source"],
                        inbox.c.event_id == replay["id"],
                    )
                )
            )

    assert wait_for(consumed), "the replayed event was never consumed"
    stack.wait_until_drained()
    assert stack.leftovers(person.needles()) == []
