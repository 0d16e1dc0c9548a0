"""Identity resolution over HTTP: records of different systems sharing an e-mail or phone
become one customer; two accounts of one system never do, and the conflict is kept."""

import pytest

from services.profiles.repository import IDENTIFIERS
from tests.fixtures.events import customer_upserted
from tests.integration.api.support import assert_problem
from tests.integration.profiles.identity_support import conflicts, references, register
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration


def test_a_shop_record_with_the_crm_customers_email_joins_that_customer(
    profiles: Profiles,
) -> None:
    crm_id = register(profiles, system="crm", external_id="K-1", email="Anna.Berger@Example.de")

    shop_id = register(
        profiles, source="shop", system="shop", external_id="S-1", email=" anna.berger@example.DE"
    )

    assert shop_id == crm_id
    view = profiles.view(crm_id)
    assert references(view) == {("crm", "K-1"), ("shop", "S-1")}
    assert view["revision"] == 2
    [updated] = profiles.published("customer.updated")
    assert "references" in updated.data["changed_fields"]
    assert {(r["system"], r["id"]) for r in updated.data["references"]} == references(view)
    assert profiles.stored()["customers"] == 1
    assert conflicts(profiles)["items"] == []


def test_phone_numbers_written_differently_link_records_of_two_systems(
    profiles: Profiles,
) -> None:
    crm_id = register(profiles, system="crm", external_id="K-1", phone="0171 / 123 45-67")

    pos_id = register(
        profiles, source="pos", system="pos", external_id="P-1", phone="+49 171 1234567"
    )

    assert pos_id == crm_id


def test_records_sharing_an_email_in_one_batch_become_one_customer(profiles: Profiles) -> None:
    results = profiles.accept(
        customer_upserted(system="crm", external_id="K-1", email="office@huber.at"),
        customer_upserted(source="shop", system="shop", external_id="S-1", email="OFFICE@huber.at"),
    )

    assert results[0]["customer_id"] == results[1]["customer_id"]
    assert profiles.stored()["customers"] == 1


def test_two_crm_accounts_with_a_family_email_stay_two_customers_with_an_open_conflict(
    profiles: Profiles,
) -> None:
    first = register(profiles, system="crm", external_id="K-1", email="familie@huber.de")

    second = register(profiles, system="crm", external_id="K-2", email="Familie@Huber.de")

    assert first != second
    assert references(profiles.view(second)) == {("crm", "K-2")}
    page = conflicts(profiles)
    [conflict] = page["items"]
    assert (conflict["customer_id"], conflict["existing_customer_id"]) == (second, first)
    assert (conflict["kind"], conflict["value"], conflict["system"]) == (
        "email",
        "familie@huber.de",
        "crm",
    )
    assert (conflict["status"], page["next_cursor"]) == ("open", None)
    # Both customers keep the identifier, so later records can still find them.
    holders = {r["customer_id"] for r in profiles.rows(IDENTIFIERS) if r["kind"] == "email"}
    assert holders == {first, second}


def test_a_record_of_another_system_joins_the_oldest_of_the_customers_sharing_its_email(
    profiles: Profiles,
) -> None:
    oldest = register(profiles, system="crm", external_id="K-1", email="familie@huber.de")
    register(profiles, system="crm", external_id="K-2", email="familie@huber.de")

    shop_id = register(
        profiles, source="shop", system="shop", external_id="S-1", email="familie@huber.de"
    )

    assert shop_id == oldest
    assert len(conflicts(profiles)["items"]) == 1


def test_conflict_values_are_masked_without_pii_read(profiles: Profiles) -> None:
    register(profiles, system="crm", external_id="K-1", phone="0171 1234567")
    register(profiles, system="crm", external_id="K-2", phone="01711234567")

    [conflict] = conflicts(profiles, key="marketing")["items"]

    assert conflict["kind"] == "phone"
    assert conflict["value"] is None


def test_conflicts_are_listed_page_by_page_in_the_order_they_were_found(
    profiles: Profiles,
) -> None:
    for number in range(4):
        register(profiles, system="crm", external_id=f"K-{number}", email="team@huber.de")

    first = conflicts(profiles, limit=4)
    second = conflicts(profiles, limit=4, cursor=first["next_cursor"])

    # K-1 clashes with K-0, K-2 with both of them, K-3 with all three: six conflicts.
    ids = [c["id"] for c in first["items"] + second["items"]]
    assert (len(first["items"]), len(second["items"])) == (4, 2)
    assert first["next_cursor"] == first["items"][-1]["id"]
    assert second["next_cursor"] is None
    assert ids == sorted(set(ids))


def test_a_reviewer_closes_a_conflict_and_it_leaves_the_open_list(profiles: Profiles) -> None:
    register(profiles, system="crm", external_id="K-1", email="familie@huber.de")
    register(profiles, system="crm", external_id="K-2", email="familie@huber.de")
    [conflict] = conflicts(profiles)["items"]
    url = f"/v1/identity-conflicts/{conflict['id']}/resolve"
    body = {"reason": "father and daughter, two customers"}

    forbidden = profiles.http.post(url, json=body, headers=profiles.auth("sales"))
    closed = profiles.http.post(url, json=body, headers=profiles.auth("admin"))
    again = profiles.http.post(url, json=body, headers=profiles.auth("admin"))

    assert_problem(forbidden, 403, "Forbidden", "customers:merge")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "resolved"
    assert "father and daughter" in closed.json()["resolution"]
    assert_problem(again, 409, "Conflict", "resolved already")
    assert conflicts(profiles)["items"] == []
    assert [c["id"] for c in conflicts(profiles, status="resolved")["items"]] == [conflict["id"]]


def test_an_implausible_phone_number_links_nothing(profiles: Profiles) -> None:
    crm_id = register(profiles, system="crm", external_id="K-1", phone="12345")

    shop_id = register(profiles, source="shop", system="shop", external_id="S-1", phone="12345")

    assert crm_id != shop_id
    assert profiles.rows(IDENTIFIERS) == []
