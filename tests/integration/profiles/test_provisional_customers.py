"""Events for a customer no upsert has named yet make a provisional customer, never a loss."""

from datetime import UTC, datetime, timedelta

import pytest

from services.profiles.repository import ORDERS
from shared.events import topics
from tests.fixtures.events import (
    customer_identified,
    customer_upserted,
    order_placed,
    order_returned,
    touchpoint_recorded,
)
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration

ORDERED_AT = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def test_order_for_an_unknown_customer_makes_a_provisional_one_an_upsert_completes(
    profiles: Profiles,
) -> None:
    [ordered] = profiles.accept(order_placed(system="crm", external_id="K-9", time=ORDERED_AT))
    customer_id = ordered["customer_id"]

    provisional = profiles.view(customer_id)
    [registered] = profiles.published("customer.registered")
    # The CRM export is older than the order: it still fills in the provisional customer.
    upsert = customer_upserted(
        external_id="K-9",
        kind="organization",
        name="Bäckerei Huber KG",
        city="Linz",
        time=ORDERED_AT - timedelta(days=30),
    )
    [upserted] = profiles.accept(upsert)

    assert (provisional["provisional"], provisional["revision"]) == (True, 1)
    assert (provisional["kind"], provisional["name"]) == ("person", "crm:K-9")
    assert provisional["references"] == [{"system": "crm", "id": "K-9"}]
    assert (registered.topic, registered.key) == (topics.CUSTOMERS.name, customer_id)
    assert registered.data["provisional"] is True
    assert registered.data["name"] == "crm:K-9"
    assert upserted["customer_id"] == customer_id
    completed = profiles.view(customer_id)
    assert (completed["provisional"], completed["revision"]) == (False, 2)
    assert (completed["name"], completed["city"]) == ("Bäckerei Huber KG", "Linz")
    [updated] = profiles.published("customer.updated")
    assert updated.data["provisional"] is False
    assert updated.data["revision"] == 2
    assert {"provisional", "name", "kind", "city"} <= set(updated.data["changed_fields"])
    assert [row["customer_id"] for row in profiles.rows(ORDERS)] == [customer_id]
    assert profiles.stored()["customers"] == 1


def test_events_for_one_unknown_customer_in_one_batch_make_one_customer(
    profiles: Profiles,
) -> None:
    results = profiles.accept(
        order_placed(external_id="K-5"),
        order_returned(external_id="K-5"),
        touchpoint_recorded(external_id="K-5"),
        customer_identified(anonymous_id="visitor-5", external_id="K-5"),
    )

    assert len({r["customer_id"] for r in results}) == 1
    assert profiles.stored()["customers"] == 1
    assert len(profiles.published("customer.registered")) == 1


def test_known_customer_is_not_made_provisional(profiles: Profiles) -> None:
    [known] = profiles.accept(customer_upserted(external_id="K-1"))

    [ordered] = profiles.accept(order_placed(external_id="K-1"))

    assert ordered["customer_id"] == known["customer_id"]
    assert profiles.view(known["customer_id"])["provisional"] is False
    assert len(profiles.published("customer.registered")) == 1


def test_other_reference_of_an_upsert_completes_the_provisional_customer(
    profiles: Profiles,
) -> None:
    [ordered] = profiles.accept(order_placed(system="shop", external_id="S-7"))

    [upserted] = profiles.accept(
        customer_upserted(
            external_id="K-7", name="Anna Berger", external_ids=[{"system": "shop", "id": "S-7"}]
        )
    )

    assert upserted["customer_id"] == ordered["customer_id"]
    view = profiles.view(ordered["customer_id"])
    assert (view["provisional"], view["name"], view["revision"]) == (False, "Anna Berger", 2)
    assert {(r["system"], r["id"]) for r in view["references"]} == {("crm", "K-7"), ("shop", "S-7")}
