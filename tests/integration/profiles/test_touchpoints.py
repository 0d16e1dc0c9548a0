"""touchpoint.recorded and customer.identified over HTTP: resolved, stitched, published on."""

from datetime import UTC, datetime

import httpx
import pytest

from services.profiles.bootstrap import inbound_routes
from services.profiles.domain import RejectedEvent
from services.profiles.repository import LINKS
from shared.db.uow import UnitOfWork
from shared.events import topics
from shared.events.inbound import IdentifiedVisitor, InboundEvent
from tests.fixtures.events import customer_identified, customer_upserted, touchpoint_recorded
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration

OCCURRED_AT = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def test_touchpoint_of_a_known_customer_is_published_with_every_field(
    profiles: Profiles,
) -> None:
    [known] = profiles.accept(customer_upserted(external_id="K-1"))
    customer_id = known["customer_id"]
    event = touchpoint_recorded(
        source="callcenter",
        external_id="K-1",
        time=OCCURRED_AT,
        channel="phone",
        touchpoint_type="complaint",
        journey_stage="service",
        direction="inbound",
        csat=2,
        nps=4,
        effort=6,
        outcome="escalated",
        duration_seconds=540,
        rep="agent-3",
        cost="4.80",
    )

    [result] = profiles.accept(event)

    assert result["customer_id"] == customer_id
    [published] = profiles.published("touchpoint.recorded")
    assert (published.topic, published.key) == (topics.TOUCHPOINTS.name, customer_id)
    assert published.data == {
        "customer_id": customer_id,
        "anonymous_id": None,
        "source_system": "callcenter",
        "channel": "phone",
        "touchpoint_type": "complaint",
        "journey_stage": "service",
        "direction": "inbound",
        "csat": 2,
        "nps": 4,
        "effort": 6,
        "outcome": "escalated",
        "duration_seconds": 540,
        "rep": "agent-3",
        "cost": "4.80",
        "occurred_at": published.data["occurred_at"],
    }
    assert datetime.fromisoformat(published.data["occurred_at"]) == OCCURRED_AT
    # The experience service owns touchpoints; profiles keeps none.
    assert profiles.stored() == {
        "customers": 1,
        "orders": 0,
        "order_returns": 0,
        "anonymous_links": 0,
    }


def test_anonymous_touchpoint_is_published_under_the_visitor_id(profiles: Profiles) -> None:
    [result] = profiles.accept(touchpoint_recorded(anonymous_id="visitor-1"))

    assert result["customer_id"] is None
    [published] = profiles.published("touchpoint.recorded")
    assert (published.topic, published.key) == (topics.TOUCHPOINTS.name, "visitor-1")
    assert (published.data["customer_id"], published.data["anonymous_id"]) == (None, "visitor-1")
    assert profiles.stored()["customers"] == 0


def test_visitor_identified_later_has_the_customer_on_its_next_touchpoint(
    profiles: Profiles,
) -> None:
    [customer] = profiles.accept(customer_upserted(external_id="K-1"))
    customer_id = customer["customer_id"]

    [before] = profiles.accept(touchpoint_recorded(anonymous_id="visitor-1"))
    [identified] = profiles.accept(customer_identified(anonymous_id="visitor-1", external_id="K-1"))
    [after] = profiles.accept(touchpoint_recorded(anonymous_id="visitor-1"))

    assert (before["customer_id"], identified["customer_id"]) == (None, customer_id)
    assert after["customer_id"] == customer_id
    first, third = profiles.published("touchpoint.recorded")
    assert (first.key, first.data["customer_id"]) == ("visitor-1", None)
    assert (third.key, third.data["customer_id"]) == (customer_id, customer_id)
    assert third.data["anonymous_id"] == "visitor-1"
    [link] = profiles.published("customer.identified")
    assert (link.topic, link.key) == (topics.CUSTOMERS.name, customer_id)
    assert link.data == {"anonymous_id": "visitor-1", "customer_id": customer_id}
    [row] = profiles.rows(LINKS)
    assert (row["anonymous_id"], row["customer_id"]) == ("visitor-1", customer_id)


def test_visitor_identified_earlier_in_the_same_batch_has_the_customer(
    profiles: Profiles,
) -> None:
    results = profiles.accept(
        touchpoint_recorded(anonymous_id="visitor-2"),
        customer_identified(anonymous_id="visitor-2", external_id="K-2"),
        touchpoint_recorded(anonymous_id="visitor-2"),
    )

    customer_id = results[1]["customer_id"]
    assert [r["customer_id"] for r in results] == [None, customer_id, customer_id]
    assert [p.key for p in profiles.published("touchpoint.recorded")] == ["visitor-2", customer_id]


def test_identifying_a_visitor_again_as_the_same_customer_changes_nothing(
    profiles: Profiles,
) -> None:
    [first] = profiles.accept(customer_identified(anonymous_id="visitor-3", external_id="K-3"))

    [again] = profiles.accept(customer_identified(anonymous_id="visitor-3", external_id="K-3"))

    assert again["customer_id"] == first["customer_id"]
    assert len(profiles.rows(LINKS)) == 1
    assert len(profiles.published("customer.identified")) == 1


def test_identifying_a_linked_visitor_as_another_customer_is_refused_and_writes_nothing(
    profiles: Profiles,
) -> None:
    [first] = profiles.accept(
        customer_upserted(external_id="K-other"),
        customer_identified(anonymous_id="visitor-4", external_id="K-4"),
    )[1:]
    published = profiles.published()
    event = InboundEvent.model_validate(
        customer_identified(anonymous_id="visitor-4", external_id="K-other")
    )
    payload = IdentifiedVisitor.model_validate(event.data)
    route = inbound_routes(profiles.runtime)["customer.identified"]

    with UnitOfWork(profiles.runtime.session_factory) as uow:
        assert route.prepare is not None
        route.prepare(uow.session, [(event, payload)])
        with pytest.raises(RejectedEvent) as rejected:
            route.handle(uow.session, event, payload)
        # Ingestion keeps the rest of the batch: the refusal must have staged nothing.
        uow.commit()

    assert "anonymous_id 'visitor-4' is already linked to customer" in rejected.value.reason
    [row] = profiles.rows(LINKS)
    assert (row["anonymous_id"], row["customer_id"]) == ("visitor-4", first["customer_id"])
    assert profiles.published() == published
    assert profiles.stored()["customers"] == 2


def test_identifying_a_linked_visitor_as_another_customer_is_rejected_over_http(
    profiles: Profiles,
) -> None:
    profiles.accept(customer_identified(anonymous_id="visitor-5", external_id="K-5"))
    conflicting = customer_identified(anonymous_id="visitor-5", external_id="K-6")

    # Its own connection: uvicorn closes the connection after a 500.
    response = httpx.post(
        profiles.http.base_url.join("/v1/events"),
        json=[conflicting],
        headers=profiles.auth("integration"),
    )

    assert response.status_code == 422, response.text
    [result] = response.json()["results"]
    assert result["status"] == "rejected"
    assert "already linked" in result["reason"]
    assert len(profiles.rows(LINKS)) == 1
    assert profiles.stored()["customers"] == 1


def test_refused_identification_leaves_the_rest_of_its_batch_stored(profiles: Profiles) -> None:
    profiles.accept(customer_identified(anonymous_id="visitor-7", external_id="K-7"))
    batch = [
        touchpoint_recorded(anonymous_id="visitor-7"),
        customer_identified(anonymous_id="visitor-7", external_id="K-8"),
        customer_identified(anonymous_id="visitor-8", external_id="K-8"),
    ]

    response = httpx.post(
        profiles.http.base_url.join("/v1/events"), json=batch, headers=profiles.auth("integration")
    )

    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == [
        "accepted",
        "rejected",
        "accepted",
    ]
    assert {row["anonymous_id"] for row in profiles.rows(LINKS)} == {"visitor-7", "visitor-8"}
    assert len(profiles.published("customer.identified")) == 2
    assert profiles.inbox_count() == 3


def test_reposted_touchpoints_and_identifications_are_duplicates_with_one_effect(
    profiles: Profiles,
) -> None:
    events = [
        touchpoint_recorded(anonymous_id="visitor-6"),
        customer_identified(anonymous_id="visitor-6", external_id="K-6"),
        touchpoint_recorded(external_id="K-6"),
    ]
    profiles.accept(*events)
    before = profiles.published()

    again = profiles.post(events)

    assert again.status_code == 200, again.text
    assert again.json()["duplicates"] == 3
    assert profiles.published() == before
    assert (profiles.stored()["customers"], len(profiles.rows(LINKS))) == (1, 1)
