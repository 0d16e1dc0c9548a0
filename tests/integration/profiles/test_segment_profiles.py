"""Segment profile documents over HTTP: drafts, department approvals, activation, audit."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from services.profiles.segment_profile_repository import APPROVALS
from tests.integration.api.support import assert_problem
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration

DEPARTMENTS = ["sales", "marketing", "service", "finance"]


def document(**changes: Any) -> dict[str, Any]:
    """A complete profile document; `changes` replace single fields."""
    return {
        "name": "Wachsende Großkunden",
        "description": "Firmenkunden mit deutlich steigendem Umsatz.",
        "typical_needs": ["Rahmenvertrag", "Feste Ansprechperson"],
        "persona": "Einkaufsleiterin eines Maschinenbauers mit 200 Beschäftigten.",
        "recommended_approach": "Key-Account-Betreuung mit Quartalsgespräch.",
        **changes,
    }


@pytest.fixture
def segment() -> str:
    """A segment key of its own per test, since the served database outlives one test."""
    return f"grow-high-value-{uuid.uuid4().hex[:8]}"


def edit(profiles: Profiles, segment: str, key: str = "sales", **changes: Any) -> httpx.Response:
    url = f"/v1/segment-profiles/{segment}"
    return profiles.http.put(url, json=document(**changes), headers=profiles.auth(key))


def approve(
    profiles: Profiles, segment: str, version: int, key: str, **body: Any
) -> httpx.Response:
    url = f"/v1/segment-profiles/{segment}/versions/{version}/approvals"
    return profiles.http.post(url, json=body, headers=profiles.auth(key))


def read(profiles: Profiles, path: str, key: str = "marketing") -> Any:
    response = profiles.http.get(f"/v1/segment-profiles{path}", headers=profiles.auth(key))
    assert response.status_code == 200, response.text
    return response.json()


def approve_by_all(profiles: Profiles, segment: str, version: int) -> dict[str, Any]:
    for department in DEPARTMENTS:
        response = approve(profiles, segment, version, department)
        assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_draft_becomes_active_once_every_department_approved_it(
    profiles: Profiles, segment: str
) -> None:
    created = edit(profiles, segment)
    assert created.status_code == 200, created.text
    assert created.json()["status"] == "draft"
    assert created.json()["draft"]["version"] == 1
    assert created.json()["missing_departments"] == DEPARTMENTS

    for done, department in enumerate(DEPARTMENTS[:-1], start=1):
        state = approve(profiles, segment, 1, department, comment="passt").json()
        assert (state["active"], state["missing_departments"]) == (None, DEPARTMENTS[done:])
    state = approve(profiles, segment, 1, "finance").json()

    assert state["status"] == "active"
    assert state["draft"] is None
    assert state["active"]["version"] == 1
    assert state["active"]["activated_at"] is not None
    assert [a["department"] for a in state["active"]["approvals"]] == DEPARTMENTS
    assert read(profiles, f"/{segment}") == state
    listed = {item["segment"]: item for item in read(profiles, "")["items"]}
    assert listed[segment]["status"] == "active"


def test_approving_twice_for_one_department_changes_nothing(
    profiles: Profiles, segment: str
) -> None:
    edit(profiles, segment)
    first = approve(profiles, segment, 1, "service", comment="ok").json()

    again = approve(profiles, segment, 1, "service", comment="nochmal")

    assert again.status_code == 200, again.text
    assert again.json() == first
    assert [e["action"] for e in read(profiles, f"/{segment}/audit")["items"]] == [
        "created",
        "approved",
    ]


def test_an_approval_for_another_department_is_refused_and_not_recorded(
    profiles: Profiles, segment: str
) -> None:
    edit(profiles, segment)

    response = approve(profiles, segment, 1, "marketing", department="finance")

    assert_problem(response, 403, "Forbidden", "approve:finance")
    assert [r for r in profiles.rows(APPROVALS) if r["segment"] == segment] == []
    assert read(profiles, f"/{segment}")["missing_departments"] == DEPARTMENTS


def test_admin_counts_only_for_the_department_it_names(profiles: Profiles, segment: str) -> None:
    edit(profiles, segment)

    unnamed = approve(profiles, segment, 1, "admin")
    named = approve(profiles, segment, 1, "admin", department="finance")

    assert_problem(unnamed, 422, "Validation failed", "admin is not among")
    assert named.status_code == 200, named.text
    [approval] = named.json()["draft"]["approvals"]
    assert (approval["department"], approval["approved_by"]) == ("finance", "admin")


def test_an_edit_after_activation_starts_a_draft_while_the_old_version_stays_active(
    profiles: Profiles, segment: str
) -> None:
    edit(profiles, segment)
    approve_by_all(profiles, segment, 1)

    state = edit(profiles, segment, persona="Geschäftsführer eines Handwerksbetriebs.").json()

    assert state["status"] == "revising"
    assert state["active"]["version"] == 1
    assert state["active"]["persona"] == document()["persona"]
    assert state["draft"]["version"] == 2
    assert state["missing_departments"] == DEPARTMENTS
    state = approve_by_all(profiles, segment, 2)
    assert (state["active"]["version"], state["draft"]) == (2, None)
    versions = read(profiles, f"/{segment}/versions")["items"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "retired"), (2, "active")]


def test_an_edit_of_a_partly_approved_draft_starts_a_new_one(
    profiles: Profiles, segment: str
) -> None:
    edit(profiles, segment)
    approve(profiles, segment, 1, "sales")

    state = edit(profiles, segment, typical_needs=["Rahmenvertrag"]).json()

    assert (state["draft"]["version"], state["draft"]["approvals"]) == (2, [])
    late = approve(profiles, segment, 1, "marketing")
    assert_problem(late, 409, "Conflict", "superseded")


def test_the_audit_trail_lists_every_change_and_approval_with_who_and_when(
    profiles: Profiles, segment: str
) -> None:
    started = datetime.now(UTC)
    edit(profiles, segment)
    edit(profiles, segment, name="Wachstumskunden")
    approve_by_all(profiles, segment, 1)
    edit(profiles, segment, name="Wachstumskunden", description="Firmenkunden im Wachstum.")

    entries = read(profiles, f"/{segment}/audit", key="finance")["items"]

    assert [(e["action"], e["version"], e["actor"], e["department"]) for e in entries] == [
        ("created", 1, "sales", "sales"),
        ("edited", 1, "sales", "sales"),
        *[("approved", 1, d, d) for d in DEPARTMENTS],
        ("activated", 1, "finance", "finance"),
        ("drafted", 2, "sales", "sales"),
    ]
    assert entries[0]["changed_fields"] == list(document())
    assert entries[1]["changed_fields"] == ["name"]
    assert entries[-1]["changed_fields"] == ["description"]
    assert all(datetime.fromisoformat(e["at"]) >= started.replace(microsecond=0) for e in entries)


@pytest.mark.parametrize("path", ["", "/{segment}", "/{segment}/versions", "/{segment}/audit"])
def test_readers_without_customers_read_are_refused(
    profiles: Profiles, segment: str, path: str
) -> None:
    edit(profiles, segment)

    response = profiles.http.get(
        f"/v1/segment-profiles{path.format(segment=segment)}",
        headers=profiles.auth("integration"),
    )

    assert_problem(response, 403, "Forbidden", "customers:read")


def test_only_keys_with_strategy_write_edit_profiles(profiles: Profiles, segment: str) -> None:
    assert_problem(edit(profiles, segment, key="marketing"), 403, "Forbidden", "strategy:write")


@pytest.mark.parametrize("path", ["/{segment}", "/{segment}/versions", "/{segment}/audit"])
def test_an_unknown_segment_is_not_found(profiles: Profiles, segment: str, path: str) -> None:
    response = profiles.http.get(
        f"/v1/segment-profiles{path.format(segment=segment)}", headers=profiles.auth("sales")
    )

    assert_problem(response, 404, "Not found", segment)


def test_approving_a_version_that_does_not_exist_is_not_found(
    profiles: Profiles, segment: str
) -> None:
    assert_problem(approve(profiles, segment, 1, "sales"), 404, "Not found", segment)
