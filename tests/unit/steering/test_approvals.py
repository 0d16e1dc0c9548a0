"""The shared approval rules: drafts, versions, who approves, activation."""

import pytest

from shared.approvals import (
    ApprovalRefusedError,
    approving_department,
    document_state,
    plan_approval,
    plan_edit,
)

FIELDS = ("name", "text")
REQUIRED = ("sales", "finance")


def _version(number: int, status: str, text: str = "a") -> dict[str, object]:
    return {"version": number, "status": status, "name": "n", "text": text}


def test_the_first_edit_creates_version_one() -> None:
    plan = plan_edit(FIELDS, [], 0, {"name": "n", "text": "a"})
    assert (plan.action, plan.version, plan.changed) == ("created", 1, ["name", "text"])


def test_an_unapproved_draft_is_edited_in_place_and_an_approved_one_is_superseded() -> None:
    versions = [_version(1, "active"), _version(2, "draft")]
    in_place = plan_edit(FIELDS, versions, 0, {"name": "n", "text": "b"})
    superseding = plan_edit(FIELDS, versions, 1, {"name": "n", "text": "b"})
    unchanged = plan_edit(FIELDS, versions, 1, {"name": "n", "text": "a"})
    assert (in_place.action, in_place.version, in_place.changed) == ("edited", 2, ["text"])
    assert (superseding.action, superseding.version, superseding.supersedes) == ("drafted", 3, 2)
    assert unchanged.action == "unchanged"


def test_the_last_missing_approval_activates_and_retires_the_active_version() -> None:
    versions = [_version(1, "active"), _version(2, "draft")]
    first = plan_approval("doc", versions, 2, approved=[], department="sales", required=REQUIRED)
    last = plan_approval(
        "doc", versions, 2, approved=["sales"], department="finance", required=REQUIRED
    )
    again = plan_approval(
        "doc", versions, 2, approved=["sales"], department="sales", required=REQUIRED
    )
    assert (first.record, first.activates) == (True, False)
    assert (last.record, last.activates, last.retires) == (True, True, 1)
    assert (again.record, again.activates) == (False, False)


@pytest.mark.parametrize(
    ("version", "department", "status"),
    [(2, "marketing", 422), (9, "sales", 404), (1, "sales", 409)],
)
def test_approvals_outside_the_rules_are_refused(
    version: int, department: str, status: int
) -> None:
    versions = [_version(1, "active"), _version(2, "draft")]
    with pytest.raises(ApprovalRefusedError) as refused:
        plan_approval(
            "doc", versions, version, approved=[], department=department, required=REQUIRED
        )
    assert refused.value.status == status


def test_an_admin_key_approves_only_for_the_department_it_names() -> None:
    assert approving_department("admin", None) == ("admin", "approve:admin")
    assert approving_department("admin", "finance") == ("finance", "approve:finance")
    assert approving_department("sales", None) == ("sales", "approve:sales")


def test_the_state_shows_the_active_version_the_draft_and_who_is_missing() -> None:
    versions = [_version(1, "active"), _version(2, "draft")]
    approvals = [{"version": 2, "department": "finance"}]
    state = document_state(versions, approvals, REQUIRED)
    assert state["status"] == "revising"
    assert state["missing_departments"] == ["sales"]
    assert state["draft"]["approvals"] == approvals
