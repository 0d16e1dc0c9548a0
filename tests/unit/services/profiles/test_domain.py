"""Pure rules of profiles: identity resolution, changed fields and stale upserts."""

from datetime import UTC, datetime, timedelta

from services.profiles.domain import changes, is_stale, resolve

CRM_1 = ("crm", "C-1")
SHOP_7 = ("shop", "S-7")
POS_3 = ("pos", "P-3")


def test_unknown_references_make_a_new_customer() -> None:
    resolution = resolve([CRM_1, SHOP_7], known={})

    assert resolution.customer_id is None
    assert resolution.unknown_references == (CRM_1, SHOP_7)


def test_known_primary_reference_decides_the_customer() -> None:
    resolution = resolve([CRM_1, SHOP_7], known={CRM_1: "cust-a", SHOP_7: "cust-b"})

    assert resolution.customer_id == "cust-a"
    assert resolution.unknown_references == ()


def test_known_secondary_reference_is_used_when_the_primary_is_new() -> None:
    resolution = resolve([CRM_1, SHOP_7, POS_3], known={SHOP_7: "cust-b"})

    assert resolution.customer_id == "cust-b"
    assert resolution.unknown_references == (CRM_1, POS_3)


def test_first_known_secondary_reference_wins_over_later_ones() -> None:
    resolution = resolve([CRM_1, SHOP_7, POS_3], known={POS_3: "cust-c", SHOP_7: "cust-b"})

    assert resolution.customer_id == "cust-b"


def test_repeated_reference_is_listed_once() -> None:
    resolution = resolve([CRM_1, CRM_1, SHOP_7], known={})

    assert resolution.unknown_references == (CRM_1, SHOP_7)


def test_changes_lists_only_fields_that_differ() -> None:
    current = {"kind": "person", "name": "Anna Berger", "email": "anna@example.at", "city": None}
    incoming = {"kind": "person", "name": "Anna Berger", "email": "anna@berger.at", "city": "Linz"}

    assert changes(current, incoming) == {"email": "anna@berger.at", "city": "Linz"}


def test_changes_ignores_fields_the_upsert_does_not_carry() -> None:
    current = {"name": "Anna Berger", "phone": "+43 1 234"}

    assert changes(current, {"name": "Anna Berger"}) == {}


def test_changes_ignores_fields_outside_the_snapshot() -> None:
    current = {"name": "Anna Berger"}
    incoming = {"name": "Anna Berger", "customer": {"system": "crm", "id": "C-1"}}

    assert changes(current, incoming) == {}


def test_clearing_a_field_is_a_change() -> None:
    assert changes({"phone": "+43 1 234"}, {"phone": None}) == {"phone": None}


def test_nested_attribute_change_is_detected() -> None:
    current = {"attributes": {"tier": "gold"}, "consents": {}}
    incoming = {"attributes": {"tier": "platinum"}, "consents": {}}

    assert changes(current, incoming) == {"attributes": {"tier": "platinum"}}


def test_upsert_older_than_the_applied_one_is_stale() -> None:
    applied = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    assert is_stale(applied - timedelta(seconds=1), applied)


def test_upsert_at_the_same_time_or_later_is_not_stale() -> None:
    applied = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    assert not is_stale(applied, applied)
    assert not is_stale(applied + timedelta(minutes=5), applied)


def test_first_upsert_of_a_customer_is_never_stale() -> None:
    assert not is_stale(datetime(2000, 1, 1, tzinfo=UTC), None)
