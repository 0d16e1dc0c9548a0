"""Touchpoints summed into day cells: adding, subtracting and grouping."""

from datetime import UTC, date, datetime
from decimal import Decimal

from services.experience.domain.contact_cells import CellContact, add, grouped, merged

AT = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)


def contact(**fields: object) -> CellContact:
    values: dict[str, object] = {
        "occurred_at": AT,
        "journey_type": "service",
        "stage": "contact",
        "channel": "phone",
        "touchpoint_type": "complaint",
        "segment": "grow",
    }
    values.update(fields)
    return CellContact(**values)  # type: ignore[arg-type]


def test_a_cell_sums_answers_squares_classes_cost_and_margin() -> None:
    cells = add(
        {},
        [
            contact(csat=2, nps=3, effort=6, cost=Decimal("25.00"), margin=Decimal("100")),
            contact(csat=5, nps=9, margin=Decimal("-20")),
            contact(nps=7),
        ],
    )

    ((key, cell),) = cells.items()
    assert key == (date(2026, 3, 1), "service", "contact", "phone", "complaint", "grow")
    assert (cell["contacts"], cell["csat_n"], cell["csat_sum"], cell["csat_sq"]) == (3, 2, 7, 29)
    assert (cell["satisfied"], cell["nps_n"], cell["promoters"], cell["detractors"]) == (1, 3, 1, 1)
    assert (cell["effort_n"], cell["effort_sum"], cell["effort_sq"]) == (1, 6, 36)
    assert (cell["cost_n"], cell["cost_sum"]) == (1, Decimal("25.00"))
    assert (cell["margin_n"], cell["margin_sum"]) == (2, Decimal("80"))


def test_subtracting_what_was_added_leaves_nothing() -> None:
    moved = contact(csat=4, cost=Decimal("8.00"), margin=Decimal("10"))
    cells = add({}, [moved, contact(segment="retain")])

    add(cells, [moved], sign=-1)

    assert list(merged(cells)) == [
        (date(2026, 3, 1), "service", "contact", "phone", "complaint", "retain")
    ]


def test_the_day_is_the_utc_day_and_missing_parts_are_empty() -> None:
    cells = add({}, [contact(journey_type=None, stage=None, segment=None)])

    assert list(cells) == [(date(2026, 3, 1), "", "", "phone", "complaint", "")]


def test_grouping_sums_cells_over_the_other_key_parts() -> None:
    cells = add(
        {},
        [
            contact(csat=1),
            contact(channel="email", csat=3),
            contact(occurred_at=datetime(2026, 3, 2, tzinfo=UTC), csat=5),
        ],
    )

    by_channel = grouped(cells, "channel")

    assert by_channel[("phone",)]["contacts"] == 2
    assert by_channel[("phone",)]["csat_sum"] == 6
    assert by_channel[("email",)]["contacts"] == 1
