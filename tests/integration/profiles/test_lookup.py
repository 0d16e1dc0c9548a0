"""GET /v1/customers/lookup: a customer found by a source system's id, masked like the view."""

import pytest

from tests.integration.api.support import assert_problem
from tests.integration.profiles.identity_support import get_customer, lookup, register
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration


def test_a_customer_is_found_by_its_crm_id(profiles: Profiles) -> None:
    customer_id = register(
        profiles,
        system="crm",
        external_id="K-1001",
        name="Anna Berger",
        email="anna@berger.at",
        external_ids=[{"system": "shop", "id": "anna@berger.at"}],
    )

    by_crm = lookup(profiles, "crm", "K-1001")
    by_shop = lookup(profiles, "shop", "anna@berger.at")

    assert by_crm.status_code == 200, by_crm.text
    assert by_crm.json() == get_customer(profiles, customer_id).json()
    assert by_shop.json()["customer_id"] == customer_id
    assert by_crm.json()["email"] == "anna@berger.at"


def test_lookup_masks_personal_data_like_the_view(profiles: Profiles) -> None:
    register(profiles, system="crm", external_id="K-1001", name="Anna Berger", email="a@b.at")

    found = lookup(profiles, "crm", "K-1001", key="marketing")

    assert found.status_code == 200, found.text
    view = found.json()
    assert (view["name"], view["email"], view["references"]) == (None, None, [])


def test_an_unknown_reference_is_404(profiles: Profiles) -> None:
    register(profiles, system="crm", external_id="K-1001")

    assert_problem(lookup(profiles, "shop", "K-1001"), 404, "Not found", "no customer has")
    assert_problem(lookup(profiles, "crm", "K-9"), 404, "Not found", "crm id K-9")


def test_lookup_needs_customers_read(profiles: Profiles) -> None:
    assert_problem(
        lookup(profiles, "crm", "K-1001", key="integration"), 403, "Forbidden", "customers:read"
    )


def test_lookup_without_a_reference_is_a_validation_error_not_a_customer_called_lookup(
    profiles: Profiles,
) -> None:
    response = profiles.http.get(
        "/v1/customers/lookup", params={"system": "crm"}, headers=profiles.auth("sales")
    )

    assert_problem(response, 422, "Validation failed", "id")
