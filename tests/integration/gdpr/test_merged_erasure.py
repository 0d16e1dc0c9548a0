"""Erasing a customer that absorbed another by a merge erases both; the absorbed one alone
cannot be erased, its data lives on in the survivor."""

import pytest

from tests.fixtures.events import customer_upserted
from tests.fixtures.services import wait_for
from tests.integration.gdpr.support import Person, Stack

pytestmark = pytest.mark.integration


def test_erasing_a_survivor_erases_the_customers_it_absorbed(stack: Stack) -> None:
    person = Person()
    survivor = stack.accept(*person.history())
    pos_account = customer_upserted(
        source="pos",
        system="pos",
        external_id=f"P-{person.run}",
        name=f"H. Quellmalz{person.run}",
        email=f"hq.{person.run}@example.net",
    )
    absorbed = stack.accept(pos_account)
    assert wait_for(lambda: stack.known_downstream(survivor) and stack.known_downstream(absorbed))
    merge = stack.http.post(
        f"/v1/customers/{survivor}/merge",
        json={"absorb": [absorbed], "reason": "the POS account of the CRM customer"},
        headers=stack.auth("admin"),
    )
    assert merge.status_code == 200, merge.text

    refused = stack.erase(absorbed)
    erased = stack.erase_everywhere(survivor)

    assert refused.status_code == 409, refused.text
    assert survivor in refused.json()["detail"]
    export = stack.get(f"/v1/customers/{survivor}/export").json()
    assert [c["name"] for c in export["merged_customers"]] == ["erased"]
    assert export["erasure"]["erasure_id"] == erased["erasure_id"]
    for service in stack.downstream:
        assert not {survivor, absorbed} & stack.directory(service)
    needles = [*person.needles(), f"P-{person.run}", f"hq.{person.run}@example.net"]
    assert stack.leftovers(needles) == []
