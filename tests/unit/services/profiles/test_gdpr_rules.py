"""Pure GDPR rules: hashed identifiers, pseudonymous orders, when a suppressed event is refused."""

import pytest
from pydantic import ValidationError

from services.profiles.gdpr_domain import (
    Identifier,
    identifier_hash,
    identifiers_of,
    is_refused,
    overall_status,
    pseudonymous_order_id,
    reference,
)
from services.profiles.gdpr_guard import carried_identifiers, references_in
from services.profiles.settings import ProfilesSettings
from shared.events.inbound import CustomerUpserted, RecordedTouchpoint

SALT = b"installation-salt-0123456789"
OTHER_SALT = b"another-installation-salt-987"


def test_hash_is_stable_hex_sha256_that_reveals_nothing_of_the_identifier() -> None:
    identifier = Identifier("email", "anna@example.com")

    digest = identifier_hash(SALT, identifier)

    assert digest == identifier_hash(SALT, identifier)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert "anna" not in digest


def test_another_installation_salt_gives_another_hash() -> None:
    identifier = reference("crm", "K-1001")

    assert identifier_hash(SALT, identifier) != identifier_hash(OTHER_SALT, identifier)


def test_same_value_of_different_kinds_hashes_differently() -> None:
    assert identifier_hash(SALT, Identifier("anonymous_id", "K-1")) != identifier_hash(
        SALT, reference("crm", "K-1")
    )


def test_system_and_id_cannot_be_shifted_into_each_other() -> None:
    assert identifier_hash(SALT, reference("crm", "x:1")) != identifier_hash(
        SALT, reference("crm:x", "1")
    )


def test_short_salt_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        identifier_hash(b"short", reference("crm", "K-1"))


def test_identifiers_are_normalised_the_way_identity_resolution_matches() -> None:
    found = identifiers_of(
        references=[("crm", "K-1"), ("crm", "K-1")],
        email="  Anna.Berger@Example.COM ",
        phone="089 / 123 456-78",
        anonymous_ids=["visitor-9"],
    )

    assert found == [
        reference("crm", "K-1"),
        Identifier("email", "anna.berger@example.com"),
        Identifier("phone", "+498912345678"),
        Identifier("anonymous_id", "visitor-9"),
    ]


def test_implausible_phone_number_is_no_identifier() -> None:
    assert identifiers_of(phone="n/a") == []


def test_pseudonymous_order_id_is_stable_and_hides_the_source_id() -> None:
    first = pseudonymous_order_id(SALT, "shop", "A-4711")

    assert first == pseudonymous_order_id(SALT, "shop", "A-4711")
    assert first != pseudonymous_order_id(SALT, "erp", "A-4711")
    assert first.startswith("erased-")
    assert "4711" not in first


@pytest.mark.parametrize("kind", ["reference", "anonymous_id"])
def test_suppressed_reference_or_visitor_is_always_refused(kind: str) -> None:
    hit = {Identifier(kind, "x")}  # type: ignore[arg-type]

    assert is_refused(hit, joins_known_customer=True)
    assert is_refused(hit, joins_known_customer=False)


@pytest.mark.parametrize("kind", ["email", "phone"])
def test_suppressed_contact_refuses_a_new_customer_but_not_another_known_one(kind: str) -> None:
    hit = {Identifier(kind, "shared")}  # type: ignore[arg-type]

    assert is_refused(hit, joins_known_customer=False)
    assert not is_refused(hit, joins_known_customer=True)


def test_nothing_suppressed_refuses_nothing() -> None:
    assert not is_refused(set(), joins_known_customer=False)


def test_erasure_is_completed_only_when_every_service_confirmed() -> None:
    services = ("profiles", "segmentation", "experience", "steering")

    assert overall_status(services, {"profiles", "segmentation", "experience"}) == "pending"
    assert overall_status(services, set(services) | {"extra"}) == "completed"


def test_upsert_carries_its_references_and_contacts() -> None:
    upsert = CustomerUpserted.model_validate(
        {
            "customer": {"system": "crm", "id": "K-1"},
            "kind": "person",
            "name": "Anna Berger",
            "email": "anna@example.com",
            "phone": "+49 171 2345678",
            "external_ids": [{"system": "shop", "id": "S-9"}],
        }
    )

    assert references_in(upsert) == [("crm", "K-1"), ("shop", "S-9")]
    assert {i.kind for i in carried_identifiers(upsert)} == {"reference", "email", "phone"}


def test_anonymous_touchpoint_carries_its_visitor_id() -> None:
    touchpoint = RecordedTouchpoint.model_validate(
        {"anonymous_id": "visitor-1", "channel": "web", "touchpoint_type": "website_visit"}
    )

    assert carried_identifiers(touchpoint) == [Identifier("anonymous_id", "visitor-1")]


@pytest.mark.parametrize("environment", ["production", "test"])
@pytest.mark.parametrize("salt", [None, "too-short", "kundencockpit-development-only-salt"])
def test_missing_short_or_development_salt_is_refused_outside_development(
    environment: str, salt: str | None
) -> None:
    with pytest.raises(ValidationError, match="gdpr_salt"):
        ProfilesSettings(
            database_url="sqlite:///var/profiles.db", environment=environment, gdpr_salt=salt
        )


def test_development_without_a_salt_uses_the_development_salt() -> None:
    settings = ProfilesSettings(database_url="sqlite:///var/profiles.db", environment="development")

    assert len(settings.suppression_salt) >= 16


def test_configured_salt_is_used() -> None:
    settings = ProfilesSettings(
        database_url="sqlite:///var/profiles.db",
        environment="production",
        gdpr_salt="c2b1e0f6-real-installation-salt",
    )

    assert settings.suppression_salt == b"c2b1e0f6-real-installation-salt"
