"""Erasure over real HTTP and the real broker: all four services erase, nothing personal stays."""

import pytest

from shared.events import topics
from tests.fixtures.cloudevents import customer_event
from tests.fixtures.services import wait_for
from tests.fixtures.topics import produce, read_topic
from tests.integration.gdpr.support import Person, Stack

pytestmark = pytest.mark.integration

SERVICES = ["profiles", "segmentation", "experience", "steering"]


def _known_everywhere(stack: Stack, person: Person) -> str:
    customer_id = stack.accept(*person.history())
    assert wait_for(lambda: stack.known_downstream(customer_id)), "customer never arrived"
    stack.wait_until_drained()
    return customer_id


def test_erased_customer_leaves_no_personal_data_in_any_service(stack: Stack) -> None:
    person = Person()
    customer_id = _known_everywhere(stack, person)
    assert stack.leftovers(person.needles()), "the search must find the data before erasure"

    response = stack.erase(customer_id)

    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["customer_id"] == customer_id
    assert response.headers["location"] == f"/v1/erasures/{accepted['erasure_id']}"
    assert accepted["status_url"] == response.headers["location"]
    assert wait_for(lambda: stack.completed_erasure(accepted["erasure_id"]))
    status = stack.completed_erasure(accepted["erasure_id"])
    assert status is not None
    assert [s["service"] for s in status["services"]] == SERVICES
    assert all(s["status"] == "completed" and s["completed_at"] for s in status["services"])
    by_service = {s["service"]: s for s in status["services"]}
    assert by_service["profiles"]["anonymised"] == {
        "customers": 1,
        "orders": 1,
        "order_returns": 1,
    }
    assert by_service["profiles"]["deleted"]["customer_references"] == 2
    assert by_service["profiles"]["deleted"]["anonymous_links"] == 1
    for service in stack.downstream:
        assert by_service[service]["deleted"]["customers"] == 1
        assert customer_id not in stack.directory(service)
    stack.wait_until_drained()
    assert stack.leftovers(person.needles()) == []


def test_erased_customer_keeps_anonymous_amounts_under_its_id(stack: Stack) -> None:
    person = Person()
    customer_id = _known_everywhere(stack, person)

    stack.erase_everywhere(customer_id)

    export = stack.get(f"/v1/customers/{customer_id}/export").json()
    customer = export["customer"]
    assert customer["name"] == "erased"
    assert customer["kind"] == "person"
    assert customer["region"] == "south"
    for personal in ("email", "phone", "street", "postal_code", "city", "customer_number"):
        assert customer[personal] is None, personal
    assert (customer["attributes"], customer["consents"]) == ({}, {})
    [order] = export["records"]["orders"]
    assert order["net_revenue"] == "100.0000"
    assert order["order_id"].startswith("erased-")
    [returned] = export["records"]["order_returns"]
    assert returned["order_id"] == order["order_id"]
    assert export["records"]["customer_references"] == []
    assert export["records"]["anonymous_links"] == []
    assert export["erasure"]["status"] == "completed"


def test_export_before_erasure_holds_everything_profiles_knows(stack: Stack) -> None:
    person = Person()
    customer_id = stack.accept(*person.history())

    response = stack.get(f"/v1/customers/{customer_id}/export")

    assert response.status_code == 200, response.text
    export = response.json()
    assert export["customer_id"] == customer_id
    assert export["customer"]["name"] == person.name
    assert export["customer"]["email"] == person.email
    assert export["customer"]["street"] == f"Lindenweg {person.run}"
    assert export["customer"]["attributes"] == {"loyalty_card": f"LC-{person.run}"}
    records = export["records"]
    assert {(r["system"], r["external_id"]) for r in records["customer_references"]} == {
        ("crm", person.crm_id),
        ("shop", f"S-{person.run}"),
    }
    assert [r["anonymous_id"] for r in records["anonymous_links"]] == [person.visitor]
    assert [r["order_id"] for r in records["orders"]] == [person.order_id]
    assert [r["amount"] for r in records["order_returns"]] == ["25.0000"]
    assert export["erasure"] is None


def test_erasing_again_answers_with_the_first_erasure(stack: Stack) -> None:
    customer_id = stack.accept(Person().upserted())
    first = stack.erase(customer_id)

    again = stack.erase(customer_id)

    assert again.status_code == 202, again.text
    assert again.json()["erasure_id"] == first.json()["erasure_id"]


def test_redelivered_erasure_has_no_second_effect(stack: Stack) -> None:
    person = Person()
    customer_id = _known_everywhere(stack, person)
    erasure_id = stack.erase_everywhere(customer_id)["erasure_id"]
    servers = stack.runtimes["profiles"].settings.kafka_bootstrap_servers
    [erased] = [
        r
        for r in read_topic(servers, topics.CUSTOMERS.name)
        if r.key == customer_id.encode() and b'"customer.erased"' in r.value
    ]
    marker = customer_event()

    # The same message again, then another customer's snapshot on the same key (so the same
    # partition) behind it: once the marker has arrived everywhere, the redelivered erasure
    # has been consumed.
    produce(servers, topics.CUSTOMERS.name, [(customer_id, erased.value)])
    produce(servers, topics.CUSTOMERS.name, [(customer_id, marker.to_json_bytes())])
    assert wait_for(lambda: stack.known_downstream(str(marker.subject)))

    stack.wait_until_drained()
    for service in stack.downstream:
        confirmations = [
            r
            for r in read_topic(servers, topics.CUSTOMERS.name)
            if r.key == customer_id.encode()
            and b'"erasure.completed"' in r.value
            and f'"service":"{service}"'.encode() in r.value
        ]
        assert len(confirmations) == 1, service
    assert stack.completed_erasure(erasure_id)


def test_erasure_needs_the_gdpr_scope(stack: Stack) -> None:
    customer_id = stack.accept(Person().upserted())

    assert stack.erase(customer_id, key="sales").status_code == 403
    assert stack.get(f"/v1/customers/{customer_id}/export", key="sales").status_code == 403
    erasure_id = stack.erase(customer_id).json()["erasure_id"]
    assert stack.get(f"/v1/erasures/{erasure_id}", key="service").status_code == 403


def test_unknown_customer_or_erasure_is_not_found(stack: Stack) -> None:
    assert stack.erase("no-such-customer").status_code == 404
    assert stack.get("/v1/customers/no-such-customer/export").status_code == 404
    assert stack.get("/v1/erasures/no-such-erasure").status_code == 404
