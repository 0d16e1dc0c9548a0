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
