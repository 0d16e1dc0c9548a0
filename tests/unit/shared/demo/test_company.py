"""The demo company: reproducible, valid, and populated by every kind of customer."""

from collections import Counter
from datetime import UTC, datetime

from shared.demo.behaviour import ARCHETYPES
from shared.demo.company import DemoCompany, reps
from shared.events.inbound import INBOUND_PAYLOADS, InboundEvent

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_the_same_seed_gives_the_same_company() -> None:
    first = DemoCompany(300, seed=7, now=NOW).events()
    again = DemoCompany(300, seed=7, now=NOW).events()
    other = DemoCompany(300, seed=8, now=NOW).events()

    assert first == again
    assert first != other


def test_the_waves_split_the_same_events_by_customer_each_in_time_order() -> None:
    everything = DemoCompany(300, seed=7, now=NOW).events()
    first, rest = DemoCompany(300, seed=7, now=NOW).waves(0.2)

    assert sorted(first + rest, key=lambda e: (e["time"], e["id"])) == everything
    for wave in (first, rest):
        assert [e["time"] for e in wave] == sorted(e["time"] for e in wave)
    customers = [
        {e["data"]["customer"]["id"] for e in wave if e["type"] == "customer.upserted"}
        for wave in (first, rest)
    ]
    assert not customers[0] & customers[1]
    # Orders name a customer of their own wave.
    ordered = {e["data"]["customer"]["id"] for e in first if e["type"] == "order.placed"}
    assert ordered <= customers[0]
    # The first 60 of 300 customers (S-/K-100000 on; K-5... are their CRM duplicates).
    numbers = {int(c[2:]) - 100_000 for c in customers[0] if not c.startswith("K-5")}
    assert numbers == set(range(60))


def test_every_event_is_a_valid_inbound_event_in_time_order_with_a_unique_id() -> None:
    events = DemoCompany(400, seed=3, now=NOW).events()

    for event in events:
        InboundEvent.model_validate(event)
        INBOUND_PAYLOADS[event["type"]].model_validate(event["data"])
    times = [datetime.fromisoformat(event["time"]) for event in events]
    assert times == sorted(times)
    assert max(times) <= NOW
    assert len({(event["source"], event["id"]) for event in events}) == len(events)


def test_every_archetype_and_every_kind_of_event_is_there() -> None:
    events = DemoCompany(2_000, seed=42, now=NOW).events()

    archetypes = {
        event["data"]["attributes"]["archetype"]
        for event in events
        if event["type"] == "customer.upserted"
    }
    kinds = Counter(event["type"] for event in events)
    assert archetypes == {archetype.name for archetype in ARCHETYPES}
    assert set(kinds) == set(INBOUND_PAYLOADS)
    assert kinds["order.placed"] > 5 * kinds["order.returned"] > 0


def test_people_known_to_shop_and_crm_share_their_email() -> None:
    events = DemoCompany(2_000, seed=42, now=NOW).events()

    by_email: dict[str, set[str]] = {}
    for event in events:
        if event["type"] == "customer.upserted":
            data = event["data"]
            by_email.setdefault(data["email"], set()).add(data["customer"]["system"])
    assert any(systems == {"shop", "crm"} for systems in by_email.values())


def test_twenty_five_reps_in_five_regions() -> None:
    found = reps()

    assert len(found) == 25
    assert Counter(rep.region for rep in found) == dict.fromkeys(
        ("Nord", "Süd", "Ost", "West", "Mitte"), 5
    )
