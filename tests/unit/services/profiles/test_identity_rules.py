"""Pure identity rules: normalisation, the never-merge rule, which customer a record joins."""

from datetime import UTC, datetime, timedelta

import pytest

from services.profiles.identity_rules import (
    Candidate,
    IdentityRules,
    choose_match,
    clashing_systems,
    merge_clashes,
    merge_refusal,
    normalise_email,
    normalise_phone,
)

EARLY = datetime(2024, 1, 1, tzinfo=UTC)
FAMILY_EMAIL = ("email", "familie.huber@example.de")


def test_email_is_trimmed_and_lower_cased() -> None:
    assert normalise_email("  Anna.Berger@Example.AT ") == "anna.berger@example.at"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_missing_email_gives_nothing_to_match_on(raw: str | None) -> None:
    assert normalise_email(raw) is None


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("0171 1234567", "DE", "+491711234567"),
        ("(030) 123 456-78", "DE", "+493012345678"),
        ("030/12345678", "DE", "+493012345678"),
        ("+49 (0)89 1234 5678", "DE", "+498912345678"),
        ("+49 0171 1234567", "DE", "+491711234567"),
        ("0049 171 1234567", "DE", "+491711234567"),
        ("+49-171-1234567", "AT", "+491711234567"),
        ("0664 123 45 67", "AT", "+436641234567"),
        ("+43 (0) 1 234 56 78", "DE", "+4312345678"),
        ("044 123 45 67", "CH", "+41441234567"),
        ("0041 44 123 45 67", "DE", "+41441234567"),
        ("089.1234.5678", "DE", "+498912345678"),
    ],
)
def test_phone_numbers_are_written_in_e164(raw: str, region: str, expected: str) -> None:
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "12345",  # no country and no trunk prefix: cannot be read
        "0171",  # too short
        "+49 171 1234567 8901234",  # longer than E.164 allows
        "0171 CALL-ME",
        "+49 ++171",
        "00 0171 1234567",
        "+٤٩١٧١١٢٣٤٥٦٧",  # non-ASCII digits
    ],
)
def test_implausible_phone_numbers_match_nothing(raw: str | None) -> None:
    assert normalise_phone(raw) is None


def test_rules_give_the_identifiers_of_a_record_and_match_only_on_enabled_kinds() -> None:
    rules = IdentityRules(match_on_email=False, match_on_phone=True)

    found = rules.identifiers(" A@B.DE ", "0171 1234567")

    assert found == [("email", "a@b.de"), ("phone", "+491711234567")]
    assert rules.matching(found) == [("phone", "+491711234567")]


def test_national_numbers_are_read_in_the_configured_region() -> None:
    assert IdentityRules(default_phone_region="CH").identifiers(None, "044 123 45 67") == [
        ("phone", "+41441234567")
    ]


def _candidate(cid: str, *refs: tuple[str, str], age_days: int = 0) -> Candidate:
    return Candidate(
        customer_id=cid,
        created_at=EARLY - timedelta(days=age_days),
        references=list(refs),
        shared=[FAMILY_EMAIL],
    )


def test_record_of_another_system_joins_the_customer_it_shares_an_email_with() -> None:
    match = choose_match([("shop", "S-1")], [_candidate("cust-a", ("crm", "K-1"))])

    assert match.customer_id == "cust-a"
    assert match.conflicts == ()


def test_two_ids_of_one_system_are_never_merged_and_the_conflict_is_recorded() -> None:
    match = choose_match([("crm", "K-2")], [_candidate("cust-a", ("crm", "K-1"))])

    assert match.customer_id is None
    [conflict] = match.conflicts
    assert (conflict.customer_id, conflict.identifier, conflict.system) == (
        "cust-a",
        FAMILY_EMAIL,
        "crm",
    )


def test_the_same_id_of_the_same_system_is_no_clash() -> None:
    assert clashing_systems([("crm", "K-1"), ("shop", "S-1")], [("crm", "K-1")]) == []
    assert clashing_systems([("crm", "K-2")], [("shop", "S-1"), ("crm", "K-1")]) == ["crm"]


def test_the_oldest_of_several_matching_customers_wins() -> None:
    newer = _candidate("cust-new", ("shop", "S-1"), age_days=1)
    older = _candidate("cust-old", ("pos", "P-1"), age_days=30)

    assert choose_match([("crm", "K-1")], [newer, older]).customer_id == "cust-old"


def test_equally_old_customers_are_decided_by_id() -> None:
    first = _candidate("cust-a", ("shop", "S-1"))
    second = _candidate("cust-b", ("pos", "P-1"))

    assert choose_match([("crm", "K-1")], [second, first]).customer_id == "cust-a"


def test_an_eligible_customer_is_joined_while_a_clashing_one_is_reported() -> None:
    clashing = _candidate("cust-crm", ("crm", "K-1"), age_days=30)
    eligible = _candidate("cust-shop", ("shop", "S-1"), age_days=1)

    match = choose_match([("crm", "K-2")], [clashing, eligible])

    assert match.customer_id == "cust-shop"
    assert [c.customer_id for c in match.conflicts] == ["cust-crm"]


def test_merging_two_ids_of_one_system_is_a_clash() -> None:
    clashes = merge_clashes(
        {
            "survivor": [("crm", "K-1"), ("shop", "S-1")],
            "absorbed": [("crm", "K-2"), ("pos", "P-1")],
            "other": [("shop", "S-1")],
        }
    )

    assert [(c.system, c.customer_ids) for c in clashes] == [("crm", ("absorbed", "survivor"))]


def test_merging_customers_of_different_systems_is_no_clash() -> None:
    assert merge_clashes({"a": [("crm", "K-1")], "b": [("shop", "S-1")]}) == []


@pytest.mark.parametrize(
    ("absorbed", "merged_into", "expected_status"),
    [
        (["b"], {"b": None}, 404),
        (["b", "b"], {"a": None, "b": None}, 422),
        (["a"], {"a": None}, 422),
        (["x"], {"a": None}, 422),
        (["b"], {"a": "z", "b": None}, 409),
        (["b"], {"a": None, "b": "z"}, 409),
    ],
)
def test_merges_that_cannot_happen_are_refused(
    absorbed: list[str], merged_into: dict[str, str | None], expected_status: int
) -> None:
    refusal = merge_refusal("a", absorbed, merged_into)

    assert refusal is not None
    assert refusal[0] == expected_status


def test_a_merge_of_known_unmerged_customers_is_allowed() -> None:
    assert merge_refusal("a", ["b", "c"], {"a": None, "b": None, "c": None}) is None
