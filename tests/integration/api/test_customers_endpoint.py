"""GET /v1/customers/{customer_id} of profiles: the view, masked without pii:read."""

from typing import Any

import pytest

from tests.fixtures.events import customer_upserted
from tests.integration.api.support import Profiles, assert_problem

pytestmark = pytest.mark.integration


def _register(profiles: Profiles, **data: Any) -> str:
    response = profiles.post([customer_upserted(**data)])
    assert response.status_code == 200, response.text
    return str(response.json()["results"][0]["customer_id"])


PERSON = {
    "kind": "person",
    "name": "Anna Berger",
    "email": "anna.berger@example.at",
    "phone": "+43 1 2345678",
    "street": "Hauptstraße 1",
    "city": "Linz",
    "region": "north",
}


def test_unknown_customer_is_404(profiles: Profiles) -> None:
    response = profiles.http.get("/v1/customers/nobody", headers=profiles.auth("sales"))

    assert_problem(response, 404, "Not found", "customer nobody is not known")


def test_sales_sees_personal_data_of_a_person(profiles: Profiles) -> None:
    customer_id = _register(profiles, external_id="C-anna", **PERSON)

    response = profiles.http.get(f"/v1/customers/{customer_id}", headers=profiles.auth("sales"))

    assert response.status_code == 200, response.text
    view = response.json()
    assert {field: view[field] for field in PERSON} == PERSON
    assert view["references"] == [{"system": "crm", "id": "C-anna"}]


def test_marketing_sees_a_person_without_personal_data(profiles: Profiles) -> None:
    customer_id = _register(
        profiles, **PERSON, postal_code="4020", attributes={"birthday": "1980-02-01"}
    )

    response = profiles.http.get(f"/v1/customers/{customer_id}", headers=profiles.auth("marketing"))

    assert response.status_code == 200, response.text
    view = response.json()
    assert {f: view[f] for f in ("name", "email", "phone", "street")} == dict.fromkeys(
        ("name", "email", "phone", "street")
    )
    assert (view["city"], view["region"]) == ("Linz", "north")
    assert view["postal_code"] is None
    assert view["references"] == []
    assert view["attributes"] == {}


def test_marketing_sees_an_organisations_name_but_not_its_contact_data(
    profiles: Profiles,
) -> None:
    customer_id = _register(
        profiles, kind="organization", name="Bäckerei Huber KG", email="office@huber.at"
    )

    response = profiles.http.get(f"/v1/customers/{customer_id}", headers=profiles.auth("marketing"))

    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Bäckerei Huber KG"
    assert response.json()["email"] is None


def test_integration_key_cannot_read_customers(profiles: Profiles) -> None:
    customer_id = _register(profiles)

    response = profiles.http.get(
        f"/v1/customers/{customer_id}", headers=profiles.auth("integration")
    )

    assert_problem(response, 403, "Forbidden", "customers:read")


def test_a_second_source_adds_to_the_customer_without_wiping_what_the_first_set(
    profiles: Profiles,
) -> None:
    crm = customer_upserted(
        system="crm",
        external_id="K-77",
        kind="organization",
        name="Holzbau Mayr GmbH",
        industry="construction",
        owner_rep="rep-12",
        attributes={"credit_limit": 50000},
    )
    shop = customer_upserted(
        source="shop",
        system="shop",
        external_id="S-9",
        kind="organization",
        name="Holzbau Mayr GmbH",
        external_ids=[{"system": "crm", "id": "K-77"}],
        attributes={"newsletter": True},
    )
    first = profiles.post([crm])
    second = profiles.post([shop])
    assert first.status_code == second.status_code == 200
    customer_id = first.json()["results"][0]["customer_id"]
    assert second.json()["results"][0]["customer_id"] == customer_id

    view = profiles.http.get(f"/v1/customers/{customer_id}", headers=profiles.auth("sales")).json()

    assert (view["industry"], view["owner_rep"]) == ("construction", "rep-12")
    assert view["attributes"] == {"credit_limit": 50000, "newsletter": True}
    assert {(r["system"], r["id"]) for r in view["references"]} == {
        ("crm", "K-77"),
        ("shop", "S-9"),
    }
