"""The consistency check names exactly the customers the services disagree on."""

from decimal import Decimal

from shared.consistency.compare import differences


def test_services_that_agree_have_no_differences() -> None:
    same = {"c1": (2, Decimal("10.00")), "c2": (1, Decimal("5.50"))}

    assert differences({"profiles": same, "segmentation": dict(same)}) == []


def test_a_missing_order_is_reported_with_each_services_count() -> None:
    found = differences(
        {
            "profiles": {"c1": (2, Decimal("10"))},
            "segmentation": {"c1": (1, Decimal("4"))},
            "experience": {},
        }
    )

    [difference] = found
    assert (difference.customer_id, difference.figure) == ("c1", "orders")
    assert difference.by_service == {"profiles": "2", "segmentation": "1", "experience": "0"}


def test_revenue_is_compared_only_among_services_that_keep_it() -> None:
    found = differences(
        {
            "profiles": {"c1": (1, Decimal("10.00")), "c2": (1, Decimal("3"))},
            "segmentation": {"c1": (1, Decimal("10.0000")), "c2": (1, Decimal("4"))},
            "experience": {"c1": (1, None), "c2": (1, None)},
        }
    )

    assert [(d.customer_id, d.figure) for d in found] == [("c2", "revenue")]
    assert "profiles 3" in str(found[0])
