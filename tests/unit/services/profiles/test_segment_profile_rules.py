"""The pure rules of segment profile documents: versions, changes, missing approvals."""

from services.profiles.segment_profiles import (
    approving_department,
    changed_fields,
    edits_in_place,
    missing_approvals,
    next_version,
    profile_state,
)

DOCUMENT = {
    "name": "Wachsende Großkunden",
    "description": "Firmenkunden mit steigendem Umsatz",
    "typical_needs": ["Rahmenvertrag"],
    "persona": "Einkaufsleiterin eines Mittelständlers",
    "recommended_approach": "Key-Account-Betreuung",
}
DEPARTMENTS = ["sales", "marketing", "service", "finance"]


def test_first_version_is_one_and_later_ones_count_up_from_the_highest() -> None:
    assert next_version([]) == 1
    assert next_version([1, 3, 2]) == 4


def test_a_new_document_changes_every_field() -> None:
    assert changed_fields(None, DOCUMENT) == list(DOCUMENT)


def test_only_fields_with_a_different_value_count_as_changed() -> None:
    edited = {**DOCUMENT, "typical_needs": ["Rahmenvertrag", "Schnelle Lieferung"]}

    assert changed_fields(DOCUMENT, edited) == ["typical_needs"]
    assert changed_fields(DOCUMENT, dict(DOCUMENT)) == []


def test_missing_approvals_keep_the_configured_order_and_ignore_others() -> None:
    assert missing_approvals(DEPARTMENTS, ["finance", "sales", "legal"]) == [
        "marketing",
        "service",
    ]
    assert missing_approvals(DEPARTMENTS, DEPARTMENTS) == []


def test_only_an_unapproved_draft_is_edited_in_place() -> None:
    draft = {"version": 2, "status": "draft"}

    assert edits_in_place(draft, 0)
    assert not edits_in_place(draft, 1)
    assert not edits_in_place(None, 0)


def test_a_key_approves_for_its_own_department_unless_it_names_another() -> None:
    assert approving_department("marketing", None) == ("marketing", "approve:marketing")
    assert approving_department("marketing", "finance") == ("finance", "approve:finance")
    assert approving_department("admin", None) == ("admin", "approve:admin")


def test_state_of_an_active_profile_with_a_partly_approved_draft_is_revising() -> None:
    versions = [
        {**DOCUMENT, "version": 1, "status": "active"},
        {**DOCUMENT, "version": 2, "status": "draft"},
    ]
    approvals = [{"version": 1, "department": d} for d in DEPARTMENTS] + [
        {"version": 2, "department": "sales"}
    ]

    state = profile_state("grow-high-value", versions, approvals, DEPARTMENTS)

    assert state["status"] == "revising"
    assert (state["active"]["version"], state["draft"]["version"]) == (1, 2)
    assert [a["department"] for a in state["draft"]["approvals"]] == ["sales"]
    assert state["missing_departments"] == ["marketing", "service", "finance"]


def test_state_of_a_profile_without_a_draft_misses_no_approvals() -> None:
    versions = [{**DOCUMENT, "version": 1, "status": "active"}]

    state = profile_state("grow-high-value", versions, [], DEPARTMENTS)

    assert (state["status"], state["draft"], state["missing_departments"]) == ("active", None, [])
