"""Helpers of the identity tests: registering customers, merging and unmerging them."""

from typing import Any

import httpx

from tests.fixtures.events import customer_upserted
from tests.integration.profiles.support import Profiles


def register(profiles: Profiles, **data: Any) -> str:
    """Post one customer.upserted and return the customer it was resolved to."""
    [result] = profiles.accept(customer_upserted(**data))
    return str(result["customer_id"])


def merge(
    profiles: Profiles,
    survivor_id: str,
    absorb: list[str],
    *,
    key: str = "admin",
    reason: str = "same company, two records",
    **body: Any,
) -> httpx.Response:
    return profiles.http.post(
        f"/v1/customers/{survivor_id}/merge",
        json={"absorb": absorb, "reason": reason, **body},
        headers=profiles.auth(key),
    )


def merged(profiles: Profiles, survivor_id: str, absorb: list[str], **body: Any) -> str:
    """Merge, insist it succeeded and return the merge id."""
    response = merge(profiles, survivor_id, absorb, **body)
    assert response.status_code == 200, response.text
    return str(response.json()["merge_id"])


def unmerge(
    profiles: Profiles, survivor_id: str, merge_id: str, *, key: str = "admin"
) -> httpx.Response:
    return profiles.http.post(
        f"/v1/customers/{survivor_id}/unmerge",
        json={"merge_id": merge_id, "reason": "two different companies after all"},
        headers=profiles.auth(key),
    )


def get_customer(profiles: Profiles, customer_id: str, key: str = "sales") -> httpx.Response:
    return profiles.http.get(f"/v1/customers/{customer_id}", headers=profiles.auth(key))


def lookup(profiles: Profiles, system: str, external_id: str, key: str = "sales") -> httpx.Response:
    return profiles.http.get(
        "/v1/customers/lookup",
        params={"system": system, "id": external_id},
        headers=profiles.auth(key),
    )


def conflicts(profiles: Profiles, key: str = "sales", **params: Any) -> dict[str, Any]:
    response = profiles.http.get(
        "/v1/identity-conflicts", params=params, headers=profiles.auth(key)
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def references(view: dict[str, Any]) -> set[tuple[str, str]]:
    return {(r["system"], r["id"]) for r in view["references"]}
