"""Pure identity rules: normalised identifiers, which customer a new record joins, and when
two customers must not become one."""

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Ref = tuple[str, str]
IdentifierKind = Literal["email", "phone"]
Identifier = tuple[IdentifierKind, str]

COUNTRY_CODES = {"DE": "49", "AT": "43", "CH": "41"}
# E.164 allows at most 15 digits; no German, Austrian or Swiss subscriber number with its
# country code has fewer than 8.
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 8, 15
_SEPARATORS = re.compile(r"[\s\-/().]")
# "+49 (0)89 ..." writes the trunk zero that is dropped when dialling from abroad.
_TRUNK_ZERO = re.compile(r"^(\+|00)(\d{1,3})\s*\(0\)")


@dataclass(frozen=True)
class IdentityRules:
    """Which identifiers link records of different systems into one customer."""

    match_on_email: bool = True
    match_on_phone: bool = True
    default_phone_region: str = "DE"

    def identifiers(self, email: str | None, phone: str | None) -> list[Identifier]:
        """The normalised identifiers of a record, whether or not they are matched on."""
        found: list[Identifier] = []
        normal_email = normalise_email(email)
        if normal_email is not None:
            found.append(("email", normal_email))
        normal_phone = normalise_phone(phone, self.default_phone_region)
        if normal_phone is not None:
            found.append(("phone", normal_phone))
        return found

    def matching(self, identifiers: Iterable[Identifier]) -> list[Identifier]:
        """The identifiers these rules link records by."""
        enabled = {"email": self.match_on_email, "phone": self.match_on_phone}
        return [identifier for identifier in identifiers if enabled[identifier[0]]]


def normalise_email(raw: str | None) -> str | None:
    """Trimmed and lower-case; None when there is nothing to match on."""
    if raw is None:
        return None
    value = raw.strip().lower()
    return value or None


# Each event's numbers are normalised several times (identity rules, suppression check):
# remembering recent results spares the regular expressions.
@functools.lru_cache(maxsize=16384)
def normalise_phone(raw: str | None, region: str = "DE") -> str | None:
    """E.164 (`+4989123456`) from the ways people write numbers in DE, AT and CH.

    Separators go; `00` becomes `+`; a national number (one leading 0) gets the region's
    country code; a number that is not plausible gives None, so it never matches anything.
    """
    if raw is None:
        return None
    text = _TRUNK_ZERO.sub(r"\1\2", raw.strip())
    text = _SEPARATORS.sub("", text)
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("0"):
        text = "+" + COUNTRY_CODES[region] + text[1:]
    if not text.startswith("+") or not text[1:].isdigit() or not text[1:].isascii():
        return None
    digits = text[1:]
    for code in COUNTRY_CODES.values():
        # "+49 0171 ..." keeps a trunk zero no national number of these countries starts with.
        if digits.startswith(code + "0"):
            digits = code + digits[len(code) + 1 :]
    if digits.startswith("0") or not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    return "+" + digits


@dataclass(frozen=True)
class Candidate:
    """A stored customer that shares an identifier with an incoming record."""

    customer_id: str
    created_at: datetime
    references: Sequence[Ref]
    shared: Sequence[Identifier]


@dataclass(frozen=True)
class Conflict:
    """A record kept apart from a customer it shares `identifier` with (never-merge rule)."""

    customer_id: str
    identifier: Identifier
    system: str


@dataclass(frozen=True)
class Match:
    customer_id: str | None
    """The customer the record joins; None for a new customer."""
    conflicts: tuple[Conflict, ...]


def clashing_systems(incoming: Iterable[Ref], stored: Iterable[Ref]) -> list[str]:
    """Systems in which `stored` holds an id that `incoming` does not: two accounts there."""
    incoming_ids: dict[str, set[str]] = {}
    for system, external_id in incoming:
        incoming_ids.setdefault(system, set()).add(external_id)
    return sorted(
        {
            system
            for system, external_id in stored
            if system in incoming_ids and external_id not in incoming_ids[system]
        }
    )


def choose_match(incoming: Sequence[Ref], candidates: Iterable[Candidate]) -> Match:
    """The oldest candidate the record may join; candidates holding a different id of one of
    the record's systems are never joined, each such refusal is a conflict for review."""
    eligible: list[Candidate] = []
    conflicts: list[Conflict] = []
    for candidate in sorted(candidates, key=lambda c: (c.created_at, c.customer_id)):
        clashes = clashing_systems(incoming, candidate.references)
        if not clashes:
            eligible.append(candidate)
            continue
        conflicts.extend(
            Conflict(candidate.customer_id, identifier, clashes[0])
            for identifier in candidate.shared
        )
    winner = eligible[0].customer_id if eligible else None
    return Match(winner, tuple(conflicts))


@dataclass(frozen=True)
class MergeClash:
    """One system in which the customers to merge hold different ids."""

    system: str
    customer_ids: tuple[str, ...]


def merge_clashes(references: Mapping[str, Sequence[Ref]]) -> list[MergeClash]:
    """Systems in which more than one id would end up on the merged customer."""
    holders: dict[str, dict[str, set[str]]] = {}
    for customer_id, refs in references.items():
        for system, external_id in refs:
            holders.setdefault(system, {}).setdefault(external_id, set()).add(customer_id)
    clashes = []
    for system in sorted(holders):
        if len(holders[system]) > 1:
            owners = {cid for ids in holders[system].values() for cid in ids}
            clashes.append(MergeClash(system, tuple(sorted(owners))))
    return clashes


def merge_refusal(
    survivor_id: str, absorbed_ids: Sequence[str], merged_into: Mapping[str, str | None]
) -> tuple[int, str] | None:
    """Why the merge cannot happen (HTTP-like status, reason), or None when it can.

    `merged_into` holds every customer found, with the survivor it was merged into if any.
    """
    if survivor_id not in merged_into:
        return 404, f"customer {survivor_id} is not known"
    if len(set(absorbed_ids)) != len(absorbed_ids):
        return 422, "absorb lists a customer more than once"
    if survivor_id in absorbed_ids:
        return 422, "a customer cannot absorb itself"
    unknown = [cid for cid in absorbed_ids if cid not in merged_into]
    if unknown:
        return 422, f"absorb names unknown customers: {', '.join(unknown)}"
    if merged_into[survivor_id] is not None:
        return 409, (
            f"customer {survivor_id} was merged into {merged_into[survivor_id]}; "
            "merge into that customer instead"
        )
    gone = [cid for cid in absorbed_ids if merged_into[cid] is not None]
    if gone:
        return 409, f"already merged into another customer: {', '.join(gone)}"
    return None
