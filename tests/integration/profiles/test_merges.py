"""Merging and unmerging customers over HTTP: what moves, what is published, who may."""

import pytest

from services.profiles.repository import IDENTIFIERS, LINKS, ORDERS, RETURNS
from shared.events import topics
from tests.fixtures.events import customer_identified, order_placed, order_returned
from tests.integration.api.support import assert_problem
from tests.integration.profiles.identity_support import (
    conflicts,
    get_customer,
    lookup,
    merge,
    merged,
    references,
    register,
    unmerge,
)
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration


def _two_records_of_one_company(profiles: Profiles) -> tuple[str, str]:
    """A CRM customer with an order and a shop customer with an order, return and visitor."""
    survivor = register(profiles, system="crm", external_id="K-1", kind="organization")
    absorbed = register(
        profiles,
        source="shop",
        system="shop",
        external_id="S-1",
        kind="organization",
        email="einkauf@huber.at",
    )
    profiles.accept(
        order_placed(system="crm", external_id="K-1", order_id="A-1"),
        order_placed(system="shop", external_id="S-1", order_id="B-1"),
        order_returned(system="shop", external_id="S-1", order_id="B-1"),
        customer_identified(anonymous_id="visitor-1", system="shop", external_id="S-1"),
    )
    return survivor, absorbed


def _owners(profiles: Profiles) -> dict[str, set[str]]:
    return {
        "orders": {r["customer_id"] for r in profiles.rows(ORDERS)},
        "returns": {r["customer_id"] for r in profiles.rows(RETURNS)},
        "visitors": {r["customer_id"] for r in profiles.rows(LINKS)},
        "identifiers": {r["customer_id"] for r in profiles.rows(IDENTIFIERS)},
    }


def test_merge_moves_references_orders_and_identifiers_and_publishes_it(
    profiles: Profiles,
) -> None:
    survivor, absorbed = _two_records_of_one_company(profiles)

    response = merge(profiles, survivor, [absorbed], reason="one company, two records")

    assert response.status_code == 200, response.text
    record = response.json()
    assert (record["survivor_id"], record["absorbed_ids"]) == (survivor, [absorbed])
    assert (record["merged_by"], record["undone_at"]) == ("admin", None)
    assert record["moved"] == {
        "references": 1,
        "orders": 1,
        "returns": 1,
        "anonymous_ids": 1,
        "identifiers": 1,
    }
    view = profiles.view(survivor)
    assert references(view) == {("crm", "K-1"), ("shop", "S-1")}
    assert _owners(profiles) == {
        what: {survivor} for what in ("orders", "returns", "visitors", "identifiers")
    }
    [event] = profiles.published("customer.merged")
    assert (event.topic, event.key) == (topics.CUSTOMERS.name, survivor)
    assert event.data["survivor_id"] == survivor
    assert event.data["absorbed_ids"] == [absorbed]
    assert event.data["merge_id"] == record["merge_id"]
    assert event.data["reason"] == "one company, two records"
    assert event.data["absorbed_revisions"] == {absorbed: 2}
    updates = {p.key: p.data for p in profiles.published("customer.updated")}
    assert updates[absorbed]["merged_into"] == survivor
    assert updates[absorbed]["references"] == []
    assert updates[survivor]["revision"] == view["revision"]
    assert {(r["system"], r["id"]) for r in updates[survivor]["references"]} == references(view)


def test_an_absorbed_customer_is_gone_and_its_references_find_the_survivor(
    profiles: Profiles,
) -> None:
    survivor, absorbed = _two_records_of_one_company(profiles)
    merged(profiles, survivor, [absorbed])

    gone = get_customer(profiles, absorbed)
    found = lookup(profiles, "shop", "S-1")
    [ordered] = profiles.accept(order_placed(system="shop", external_id="S-1", order_id="B-2"))

    assert_problem(gone, 410, "Gone", f"merged into {survivor}")
    assert gone.json()["merged_into"] == survivor
    assert found.status_code == 200, found.text
    assert found.json()["customer_id"] == survivor
    assert ordered["customer_id"] == survivor


def test_merging_two_accounts_of_one_system_needs_force(profiles: Profiles) -> None:
    first = register(profiles, system="crm", external_id="K-1", email="familie@huber.de")
    second = register(profiles, system="crm", external_id="K-2", email="familie@huber.de")

    refused = merge(profiles, first, [second])
    forced = merge(profiles, first, [second], force=True)

    assert_problem(refused, 409, "Conflict", "force=true")
    assert "crm" in refused.json()["detail"]
    assert forced.status_code == 200, forced.text
    assert references(profiles.view(first)) == {("crm", "K-1"), ("crm", "K-2")}
    # The merge answers the review: the family e-mail conflict is closed.
    assert conflicts(profiles)["items"] == []
    [closed] = conflicts(profiles, status="resolved")["items"]
    assert forced.json()["merge_id"] in closed["resolution"]


def test_unmerge_gives_the_absorbed_customer_back_what_it_had(profiles: Profiles) -> None:
    survivor, absorbed = _two_records_of_one_company(profiles)
    before = _owners(profiles)
    merge_id = merged(profiles, survivor, [absorbed])

    response = unmerge(profiles, survivor, merge_id)

    assert response.status_code == 200, response.text
    assert response.json()["undone_by"] == "admin"
    assert _owners(profiles) == before
    restored = profiles.view(absorbed)
    assert references(restored) == {("shop", "S-1")}
    assert restored["revision"] == 3
    assert references(profiles.view(survivor)) == {("crm", "K-1")}
    assert lookup(profiles, "shop", "S-1").json()["customer_id"] == absorbed
    [event] = profiles.published("customer.unmerged")
    assert (event.key, event.data["restored_id"], event.data["merge_id"]) == (
        survivor,
        absorbed,
        merge_id,
    )
    snapshot = [p for p in profiles.published("customer.updated") if p.key == absorbed][-1]
    assert (snapshot.data["revision"], snapshot.data["merged_into"]) == (3, None)
    assert snapshot.data["references"] == [{"system": "shop", "id": "S-1"}]


def test_an_unmerged_customer_is_found_by_its_email_again(profiles: Profiles) -> None:
    survivor, absorbed = _two_records_of_one_company(profiles)
    unmerge(profiles, survivor, merged(profiles, survivor, [absorbed]))

    joined = register(
        profiles, source="pos", system="pos", external_id="P-1", email="einkauf@huber.at"
    )

    assert joined == absorbed


def test_a_merge_is_undone_once(profiles: Profiles) -> None:
    survivor, absorbed = _two_records_of_one_company(profiles)
    merge_id = merged(profiles, survivor, [absorbed])
    unmerge(profiles, survivor, merge_id)

    again = unmerge(profiles, survivor, merge_id)
    elsewhere = unmerge(profiles, absorbed, merge_id)

    assert_problem(again, 409, "Conflict", "undone already")
    assert_problem(elsewhere, 404, "Not found", f"has no merge {merge_id}")


def test_merges_that_make_no_sense_are_refused(profiles: Profiles) -> None:
    survivor, absorbed = _two_records_of_one_company(profiles)

    unknown_survivor = merge(profiles, "nobody", [absorbed])
    unknown_absorbed = merge(profiles, survivor, ["nobody"])
    itself = merge(profiles, survivor, [survivor])
    empty = merge(profiles, survivor, [])
    merged(profiles, survivor, [absorbed])
    into_absorbed = merge(profiles, absorbed, [survivor])

    assert_problem(unknown_survivor, 404, "Not found", "customer nobody is not known")
    assert_problem(unknown_absorbed, 422, "Validation failed", "unknown customers: nobody")
    assert_problem(itself, 422, "Validation failed", "cannot absorb itself")
    assert_problem(empty, 422, "Validation failed", "absorb")
    assert_problem(into_absorbed, 409, "Conflict", f"was merged into {survivor}")


def test_only_keys_with_customers_merge_may_merge_or_unmerge(profiles: Profiles) -> None:
    survivor, absorbed = _two_records_of_one_company(profiles)

    by_sales = merge(profiles, survivor, [absorbed], key="sales")
    merge_id = merged(profiles, survivor, [absorbed])
    unmerge_by_sales = unmerge(profiles, survivor, merge_id, key="sales")

    assert_problem(by_sales, 403, "Forbidden", "customers:merge")
    assert_problem(unmerge_by_sales, 403, "Forbidden", "customers:merge")
    assert get_customer(profiles, absorbed).status_code == 410


def test_the_merges_into_a_customer_are_listed_newest_first(profiles: Profiles) -> None:
    survivor, absorbed = _two_records_of_one_company(profiles)
    first = merged(profiles, survivor, [absorbed])
    unmerge(profiles, survivor, first)
    second = merged(profiles, survivor, [absorbed], reason="really one company")

    response = profiles.http.get(
        f"/v1/customers/{survivor}/merges", headers=profiles.auth("marketing")
    )

    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [m["merge_id"] for m in items] == [second, first]
    assert items[0]["undone_at"] is None
    assert items[1]["undone_at"] is not None
