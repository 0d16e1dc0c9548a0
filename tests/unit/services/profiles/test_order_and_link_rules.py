"""Pure rules for orders, provisional customers and anonymous visitors."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.profiles.domain import (
    RejectedEvent,
    attributes_time,
    changes,
    is_stale,
    link_is_new,
    provisional_name,
    supersedes,
    totals,
)

NOON = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_first_version_of_an_order_is_stored() -> None:
    assert supersedes(NOON, None)


def test_newer_version_of_an_order_replaces_the_stored_one() -> None:
    assert supersedes(NOON + timedelta(seconds=1), NOON)


def test_version_with_the_same_time_replaces_the_stored_one() -> None:
    assert supersedes(NOON, NOON)


def test_older_version_of_an_order_does_not_replace_the_stored_one() -> None:
    assert not supersedes(NOON - timedelta(seconds=1), NOON)


def test_versions_compare_by_instant_not_by_offset() -> None:
    same_instant_in_vienna = NOON.astimezone(timezone(timedelta(hours=2)))

    assert supersedes(same_instant_in_vienna, NOON)
    assert not supersedes(same_instant_in_vienna - timedelta(seconds=1), NOON)


def test_totals_add_up_revenue_and_cost_of_goods_exactly() -> None:
    lines = [(Decimal("0.10"), Decimal("0.05"))] * 3 + [(Decimal("100"), Decimal("60.0001"))]

    assert totals(lines) == (Decimal("100.30"), Decimal("60.1501"))


def test_totals_of_no_lines_are_zero() -> None:
    assert totals([]) == (Decimal(0), Decimal(0))


def test_provisional_customer_is_named_after_its_reference() -> None:
    assert provisional_name("shop", "S-17") == "shop:S-17"


def test_upsert_older_than_the_event_that_made_a_provisional_customer_still_applies() -> None:
    assert not is_stale(NOON - timedelta(days=30), attributes_time(NOON, provisional=True))


def test_upsert_older_than_the_applied_one_of_a_full_customer_is_stale() -> None:
    assert is_stale(NOON - timedelta(days=30), attributes_time(NOON, provisional=False))


def test_completing_a_provisional_customer_lists_provisional_among_the_changes() -> None:
    current = {"kind": "person", "name": "crm:K-1", "provisional": True}
    incoming = {"kind": "organization", "name": "Huber KG", "provisional": False}

    assert changes(current, incoming) == {
        "kind": "organization",
        "name": "Huber KG",
        "provisional": False,
    }


def test_visitor_without_a_link_gets_one() -> None:
    assert link_is_new("visitor-1", linked_to=None, customer_id="cust-a")


def test_visitor_without_a_link_gets_one_to_a_customer_not_yet_known() -> None:
    assert link_is_new("visitor-1", linked_to=None, customer_id=None)


def test_linking_a_visitor_to_its_customer_again_adds_nothing() -> None:
    assert not link_is_new("visitor-1", linked_to="cust-a", customer_id="cust-a")


@pytest.mark.parametrize("other", ["cust-b", None])
def test_linking_a_linked_visitor_to_another_customer_is_rejected(other: str | None) -> None:
    with pytest.raises(RejectedEvent) as rejected:
        link_is_new("visitor-1", linked_to="cust-a", customer_id=other)

    assert rejected.value.reason == (
        "anonymous_id 'visitor-1' is already linked to customer cust-a; "
        "a visitor is linked to one customer only"
    )
    assert str(rejected.value) == rejected.value.reason
