"""Journeys from touchpoints: stages, gaps, re-entry, abandonment, time per stage."""

from datetime import UTC, datetime, timedelta

import pytest

from services.experience.domain.definitions import (
    DEFAULT_DEFINITIONS,
    PURCHASE,
    JourneyDefinition,
    place,
)
from services.experience.domain.journeys import (
    Contact,
    JourneyBook,
    build_journeys,
    in_time_order,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def contact(
    day: float, touchpoint_type: str, channel: str = "web", **fields: str | None
) -> Contact:
    return Contact(
        key=f"{touchpoint_type}-{day}-{channel}",
        occurred_at=START + timedelta(days=day),
        channel=channel,
        touchpoint_type=touchpoint_type,
        **fields,  # type: ignore[arg-type]
    )


def build(*contacts: Contact, now_day: float = 10) -> JourneyBook:
    book, _ = build_journeys(DEFAULT_DEFINITIONS, contacts, START + timedelta(days=now_day))
    return book


def test_touchpoints_move_a_purchase_journey_forward_until_it_converts() -> None:
    book = build(
        contact(0, "website_visit"),
        contact(1, "quote_requested", "email"),
        contact(3, "purchase", "field_visit"),
    )

    (journey,) = book.journeys
    assert (journey.journey_type, journey.stage, journey.status) == (
        "purchase",
        "purchase",
        "converted",
    )
    assert journey.started_at == START and journey.last_contact_at == START + timedelta(days=3)
    assert journey.channels == ["web", "email", "field_visit"]
    assert journey.path == ["website_visit", "quote_requested", "purchase"]
    assert journey.seconds_per_stage() == {
        "awareness": 86_400.0,
        "consideration": 2 * 86_400.0,
        "purchase": 0.0,
    }
    assert [(c.previous_stage, c.stage, c.status) for c in book.changes] == [
        (None, "awareness", "open"),
        ("awareness", "consideration", "open"),
        ("consideration", "purchase", "converted"),
    ]


def test_a_contact_of_an_earlier_stage_never_moves_the_journey_back() -> None:
    book = build(
        contact(0, "quote_requested"), contact(1, "website_visit"), contact(2, "product_view")
    )

    (journey,) = book.journeys
    assert journey.stage == "consideration" and journey.touchpoints == 3
    assert len(book.changes) == 1


def test_a_contact_after_the_gap_opens_a_new_journey_and_abandons_the_old() -> None:
    gap_days = PURCHASE.gap.days
    book = build(
        contact(0, "website_visit"),
        contact(1, "quote_requested"),
        contact(gap_days + 2, "website_visit"),
        now_day=gap_days + 3,
    )

    first, second = sorted(book.journeys, key=lambda j: j.started_at)
    assert (first.status, first.stage) == ("abandoned", "consideration")
    assert (second.status, second.stage) == ("open", "awareness")
    assert first.journey_id != second.journey_id
    abandoned = [c for c in book.changes if c.status == "abandoned"]
    assert [c.entered_at for c in abandoned] == [START + timedelta(days=1) + PURCHASE.gap]


def test_an_open_journey_without_contact_for_longer_than_the_gap_is_abandoned() -> None:
    quiet = build(contact(0, "product_view"), now_day=PURCHASE.gap.days + 1)
    recent = build(contact(0, "product_view"), now_day=PURCHASE.gap.days - 1)

    assert quiet.journeys[0].status == "abandoned"
    assert recent.journeys[0].status == "open"


def test_each_change_says_the_status_before_so_a_conversion_is_seen_once() -> None:
    book = build(
        contact(0, "website_visit"),
        contact(1, "purchase"),
        contact(2, "delivery"),
        contact(3, "product_usage"),
    )

    assert [(c.stage, c.previous_status, c.status) for c in book.changes] == [
        ("awareness", None, "open"),
        ("purchase", "open", "converted"),
        ("onboarding", "converted", "converted"),
        ("usage", "converted", "converted"),
    ]


def test_a_contact_within_the_gap_reopens_a_journey_abandoned_for_its_lapse() -> None:
    """History loaded batch by batch: the journey lapsed against the clock, then a contact
    that happened within its gap came. It was open all along, as building at once says."""
    gap = PURCHASE.gap
    late_now = START + timedelta(days=400)
    book = JourneyBook(DEFAULT_DEFINITIONS)
    book.add(contact(0, "website_visit"))
    book.close_lapsed(late_now)
    (journey,) = book.journeys
    assert journey.status == "abandoned"

    book.add(contact(5, "quote_requested"))
    book.add(contact(6, "purchase"))
    book.close_lapsed(late_now)

    (same,) = book.journeys
    assert (same.journey_id, same.stage, same.status) == (
        journey.journey_id,
        "purchase",
        "converted",
    )
    assert [(c.previous_status, c.status, c.entered_at) for c in book.changes] == [
        (None, "open", START),
        ("open", "abandoned", START + gap),
        ("abandoned", "open", START + gap),  # dated at the abandonment it takes back
        ("open", "open", START + timedelta(days=5)),
        ("open", "converted", START + timedelta(days=6)),
    ]
    at_once = build(
        contact(0, "website_visit"), contact(5, "quote_requested"), contact(6, "purchase")
    )
    assert [(j.stage, j.status, j.stage_entries) for j in at_once.journeys] == [
        (same.stage, same.status, same.stage_entries)
    ]


def test_only_a_contact_older_than_its_own_types_latest_journey_is_out_of_order() -> None:
    purchase = [contact(0, "website_visit"), contact(5, "purchase")]
    stored = build(*purchase).journeys
    with_service = build(*purchase, contact(6, "complaint")).journeys

    assert in_time_order(
        DEFAULT_DEFINITIONS, stored, [contact(5, "delivery"), contact(9, "repair")]
    )
    # Earlier than the purchase journey's last contact, but of no purchase stage.
    assert in_time_order(
        DEFAULT_DEFINITIONS, stored, [contact(2, "service_call"), contact(3, "unclaimed_type")]
    )
    assert not in_time_order(
        DEFAULT_DEFINITIONS, stored, [contact(7, "delivery"), contact(4, "product_view")]
    )
    assert not in_time_order(DEFAULT_DEFINITIONS, with_service, [contact(5.5, "diagnosis")])
    # Advancing so equals building from every contact.
    book = JourneyBook(DEFAULT_DEFINITIONS)
    for each in [*purchase, contact(2, "service_call"), contact(7, "delivery")]:
        book.add(each)
    built = build(*purchase, contact(2, "service_call"), contact(7, "delivery"), now_day=0)
    assert [(j.journey_type, j.stage, j.status, j.touchpoints) for j in book.journeys] == [
        (j.journey_type, j.stage, j.status, j.touchpoints) for j in built.journeys
    ]


def test_a_converted_customer_who_considers_again_re_enters_a_new_journey() -> None:
    book = build(
        contact(0, "product_view"),
        contact(1, "purchase"),
        contact(2, "delivery"),
        contact(5, "quote_requested"),
    )

    first, second = sorted(book.journeys, key=lambda j: j.started_at)
    assert (first.stage, first.status) == ("onboarding", "converted")
    assert (second.stage, second.status) == ("consideration", "open")


def test_a_converted_journey_is_never_abandoned() -> None:
    book = build(contact(0, "purchase"), now_day=365)

    assert book.journeys[0].status == "converted"


def test_service_case_resolved_at_first_contact_with_response_time() -> None:
    book = build(
        contact(0, "complaint", "phone", direction="inbound"),
        contact(0.5, "callback", "phone", direction="outbound"),
        contact(1, "service_call", "phone", outcome="resolved"),
        contact(2, "survey_response", "email"),
    )

    (case,) = book.journeys
    assert (case.journey_type, case.stage, case.status) == ("service", "feedback", "converted")
    assert case.contacts_to_convert == 3
    assert case.first_response_at == START + timedelta(days=0.5)


def test_purchase_and_service_journeys_run_side_by_side() -> None:
    book = build(
        contact(0, "website_visit"), contact(1, "complaint", "phone"), contact(2, "purchase")
    )

    assert sorted((j.journey_type, j.stage) for j in book.journeys) == [
        ("purchase", "purchase"),
        ("service", "contact"),
    ]


def test_contacts_no_definition_claims_belong_to_no_journey() -> None:
    book, placements = build_journeys(
        DEFAULT_DEFINITIONS, [contact(0, "unknown_thing")], START + timedelta(days=1)
    )

    assert book.journeys == [] and placements == {}


def test_a_reported_stage_places_a_type_the_definitions_do_not_know() -> None:
    placed = place(DEFAULT_DEFINITIONS, "fair_visit", "consideration", None)

    assert placed is not None and (placed.definition.journey_type, placed.stage) == (
        "purchase",
        "consideration",
    )


def test_advancing_contact_by_contact_equals_building_from_all_contacts() -> None:
    contacts = [
        contact(0, "website_visit"),
        contact(2, "quote_requested", "phone"),
        contact(3, "complaint", "phone"),
        contact(4, "purchase", "store"),
        contact(120, "product_view"),
    ]
    now = START + timedelta(days=121)
    whole, _ = build_journeys(DEFAULT_DEFINITIONS, contacts, now)
    stepwise = JourneyBook(DEFAULT_DEFINITIONS)
    for one in contacts:
        stepwise.add(one)
    stepwise.close_lapsed(now)

    assert stepwise.journeys == whole.journeys
    assert stepwise.changes == whole.changes


def test_definitions_refuse_stages_they_do_not_list() -> None:
    with pytest.raises(ValueError, match="not in"):
        JourneyDefinition(
            journey_type="broken",
            stages=("a", "b"),
            conversion_stage="c",
            touchpoint_stages={},
        )


def test_the_path_collapses_repeats_and_ends_at_conversion() -> None:
    book = build(
        contact(0, "website_visit"),
        contact(0.1, "website_visit"),
        contact(0.2, "product_view"),
        contact(0.3, "website_visit"),
        contact(1, "purchase"),
        contact(2, "delivery"),
    )

    assert book.journeys[0].path == ["website_visit", "product_view", "website_visit", "purchase"]
