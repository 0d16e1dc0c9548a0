"""Pure GDPR rules of profiles: which identifiers an erased customer had, how they are
hashed for the suppression list, what an anonymised customer and its orders keep."""

import hmac
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Literal, NamedTuple

from services.profiles.identity_rules import normalise_email, normalise_phone

IdentifierKind = Literal["reference", "email", "phone", "anonymous_id"]
ERASED_NAME = "erased"
# Inbound text never holds NUL (it is rejected at the edge), so it separates parts safely.
_SEPARATOR = "\x00"
MIN_SALT_BYTES = 16

ANONYMISED_CUSTOMER: Mapping[str, Any] = {
    "name": ERASED_NAME,
    "email": None,
    "phone": None,
    "customer_number": None,
    "street": None,
    "postal_code": None,
    "city": None,
    "attributes": {},
    "consents": {},
}
"""What an erased customer's row holds instead of its personal data; kind, region, country,
industry, size class and rep stay, as they describe no one once the rest is gone."""


class Identifier(NamedTuple):
    kind: IdentifierKind
    value: str


def reference(system: str, external_id: str) -> Identifier:
    return Identifier("reference", f"{system}{_SEPARATOR}{external_id}")


def identifiers_of(
    *,
    references: Iterable[tuple[str, str]] = (),
    email: str | None = None,
    phone: str | None = None,
    anonymous_ids: Iterable[str] = (),
    phone_region: str = "DE",
) -> list[Identifier]:
    """Every identifier a record carries, normalised the way identity resolution matches."""
    found = [reference(system, external_id) for system, external_id in references]
    normal_email = normalise_email(email)
    if normal_email is not None:
        found.append(Identifier("email", normal_email))
    normal_phone = normalise_phone(phone, phone_region) if phone is not None else None
    if normal_phone is not None:
        found.append(Identifier("phone", normal_phone))
    found.extend(Identifier("anonymous_id", anonymous_id) for anonymous_id in anonymous_ids)
    return list(dict.fromkeys(found))


def _keyed_hash(salt: bytes, *parts: str) -> str:
    if len(salt) < MIN_SALT_BYTES:
        raise ValueError(f"the suppression salt needs at least {MIN_SALT_BYTES} bytes")
    return hmac.digest(salt, _SEPARATOR.join(parts).encode(), "sha256").hex()


def identifier_hash(salt: bytes, identifier: Identifier) -> str:
    """Keyed SHA-256 (HMAC) of an identifier: without the installation's salt a hash
    cannot be recomputed from a guessed e-mail address or phone number."""
    return _keyed_hash(salt, identifier.kind, identifier.value)


def pseudonymous_order_id(salt: bytes, source_system: str, order_id: str) -> str:
    """The id an erased customer's order is kept under: stable, so a return still finds its
    order, but useless for looking the order up in the source system."""
    return "erased-" + _keyed_hash(salt, "order", source_system, order_id)[:40]


def is_refused(suppressed: Collection[Identifier], *, joins_known_customer: bool) -> bool:
    """Whether an inbound event carrying `suppressed` identifiers must be rejected.

    References and visitor ids belong to the erased customer alone. An e-mail address or phone
    number may be shared (a family address, a switchboard): it refuses only a record that
    would start a new customer, never an update of another known one.
    """
    if any(identifier.kind in ("reference", "anonymous_id") for identifier in suppressed):
        return True
    return bool(suppressed) and not joins_known_customer


def overall_status(
    participants: Iterable[str], completed: Collection[str]
) -> Literal["pending", "completed"]:
    """completed once every participating service has confirmed, else pending."""
    return "completed" if all(p in completed for p in participants) else "pending"
