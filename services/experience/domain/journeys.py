"""Customer journeys built from touchpoints, one contact at a time, in time order.

Within an instance the stage only moves forward: a contact of an earlier stage is counted
in the stage the journey is in. A new instance starts after the definition's gap, or when a
converted journey meets a contact of a stage before its conversion (the customer re-enters
the decision journey). An open instance whose last contact is older than the gap is
abandoned; a contact that comes later but happened within the gap (history loaded in
batches, a delayed delivery) reopens it, taking the abandonment back. Building everything
from the sorted contacts and advancing contact by contact give the same journeys.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from services.experience.domain.definitions import JourneyDefinition, place

PATH_LENGTH = 12
"""Touchpoint types kept per journey for path analysis (repeats collapsed)."""


@dataclass(frozen=True)
class Contact:
    """A touchpoint as journeys see it."""

    key: str
    occurred_at: datetime
    channel: str
    touchpoint_type: str
    direction: str | None = None
    reported_stage: str | None = None
    outcome: str | None = None


@dataclass
class Journey:
    journey_id: str
    journey_type: str
    stage: str
    status: str
    started_at: datetime
    last_contact_at: datetime
    entry_channel: str
    stage_entries: list[tuple[str, datetime]]
    channels: list[str]
    path: list[str]
    touchpoints: int = 1
    converted_at: datetime | None = None
    contacts_to_convert: int | None = None
    first_response_at: datetime | None = None
    opened_inbound: bool = False

    def seconds_per_stage(self) -> dict[str, float]:
        """Time spent in each stage entered; the current one until the last contact."""
        ends = [entered for _, entered in self.stage_entries[1:]] + [self.last_contact_at]
        return {
            stage: (end - entered).total_seconds()
            for (stage, entered), end in zip(self.stage_entries, ends, strict=True)
        }


@dataclass(frozen=True)
class StageChange:
    """A journey entered a stage or changed status; what journey.stage_changed says."""

    journey_id: str
    journey_type: str
    stage: str
    previous_stage: str | None
    status: str
    entered_at: datetime
    channel: str | None
    touchpoint_type: str | None
    previous_status: str | None = None
    """The status before this change; None for a new journey."""


def journey_id_for(journey_type: str, first_contact_key: str) -> str:
    """Stable id of the instance a contact opened, so a rebuild finds the same journeys."""
    digest = hashlib.sha256(f"{journey_type}\x1f{first_contact_key}".encode()).hexdigest()
    return f"j-{digest[:32]}"


def _change(
    journey: Journey,
    previous: str | None,
    at: datetime,
    contact: Contact | None,
    previous_status: str | None,
) -> StageChange:
    return StageChange(
        journey_id=journey.journey_id,
        journey_type=journey.journey_type,
        stage=journey.stage,
        previous_stage=previous,
        status=journey.status,
        entered_at=at,
        channel=contact.channel if contact else None,
        touchpoint_type=contact.touchpoint_type if contact else None,
        previous_status=previous_status,
    )


@dataclass
class JourneyBook:
    """One customer's journeys: the latest instance of each type is the one that advances."""

    definitions: tuple[JourneyDefinition, ...]
    journeys: list[Journey] = field(default_factory=list)
    changes: list[StageChange] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)

    def latest(self, journey_type: str) -> Journey | None:
        of_type = [j for j in self.journeys if j.journey_type == journey_type]
        return max(of_type, key=lambda j: j.started_at, default=None)

    def add(self, contact: Contact) -> tuple[Journey, str] | None:
        """Place the contact; the journey and stage it counts in, None if no journey has it."""
        placement = place(
            self.definitions, contact.touchpoint_type, contact.reported_stage, contact.outcome
        )
        if placement is None:
            return None
        definition, stage = placement.definition, placement.stage
        current = self.latest(definition.journey_type)
        if current is None or self._starts_anew(definition, current, stage, contact):
            if current is not None:
                self._abandon(current, current.last_contact_at + definition.gap)
            return self._open(definition, stage, contact), stage
        if current.status == "abandoned":
            self._reopen(definition, current)
        self._advance(definition, current, stage, contact)
        return current, stage

    def close_lapsed(self, now: datetime) -> None:
        """Abandon every open instance whose last contact is longer ago than its gap."""
        for journey in self.journeys:
            definition = self._definition(journey.journey_type)
            if definition is not None and now - journey.last_contact_at > definition.gap:
                self._abandon(journey, journey.last_contact_at + definition.gap)

    def _definition(self, journey_type: str) -> JourneyDefinition | None:
        return next((d for d in self.definitions if d.journey_type == journey_type), None)

    @staticmethod
    def _starts_anew(
        definition: JourneyDefinition, current: Journey, stage: str, contact: Contact
    ) -> bool:
        if contact.occurred_at - current.last_contact_at > definition.gap:
            return True
        re_entry = definition.index(stage) < definition.conversion_index
        return current.status == "converted" and re_entry

    def _abandon(self, journey: Journey, at: datetime) -> None:
        if journey.status != "open":
            return
        journey.status = "abandoned"
        self.changed.add(journey.journey_id)
        self.changes.append(_change(journey, journey.stage, at, None, "open"))

    def _reopen(self, definition: JourneyDefinition, journey: Journey) -> None:
        """The latest instance was abandoned for its lapse (the latest is never abandoned
        for a successor), yet a contact within its gap came: it was open all along. The
        change is dated at the abandonment it takes back."""
        journey.status = "open"
        self.changed.add(journey.journey_id)
        at = journey.last_contact_at + definition.gap
        self.changes.append(_change(journey, journey.stage, at, None, "abandoned"))

    def _open(self, definition: JourneyDefinition, stage: str, contact: Contact) -> Journey:
        journey = Journey(
            journey_id=journey_id_for(definition.journey_type, contact.key),
            journey_type=definition.journey_type,
            stage=stage,
            status="open",
            started_at=contact.occurred_at,
            last_contact_at=contact.occurred_at,
            entry_channel=contact.channel,
            stage_entries=[(stage, contact.occurred_at)],
            channels=[contact.channel],
            path=[contact.touchpoint_type],
            opened_inbound=contact.direction == "inbound",
        )
        self.journeys.append(journey)
        self._convert_if_reached(definition, journey, contact)
        self.changed.add(journey.journey_id)
        self.changes.append(_change(journey, None, contact.occurred_at, contact, None))
        return journey

    def _advance(
        self, definition: JourneyDefinition, journey: Journey, stage: str, contact: Contact
    ) -> None:
        journey.touchpoints += 1
        journey.last_contact_at = max(journey.last_contact_at, contact.occurred_at)
        if contact.channel not in journey.channels:
            journey.channels.append(contact.channel)
        repeated = journey.path[-1] == contact.touchpoint_type
        if journey.status == "open" and not repeated and len(journey.path) < PATH_LENGTH:
            journey.path.append(contact.touchpoint_type)
        if (
            journey.first_response_at is None
            and journey.opened_inbound
            and contact.direction == "outbound"
        ):
            journey.first_response_at = contact.occurred_at
        self.changed.add(journey.journey_id)
        if definition.index(stage) <= definition.index(journey.stage):
            return
        previous, journey.stage = journey.stage, stage
        previous_status = journey.status
        journey.stage_entries.append((stage, contact.occurred_at))
        self._convert_if_reached(definition, journey, contact)
        self.changes.append(
            _change(journey, previous, contact.occurred_at, contact, previous_status)
        )

    @staticmethod
    def _convert_if_reached(
        definition: JourneyDefinition, journey: Journey, contact: Contact
    ) -> None:
        if journey.status == "open" and definition.index(journey.stage) >= (
            definition.conversion_index
        ):
            journey.status = "converted"
            journey.converted_at = contact.occurred_at
            journey.contacts_to_convert = journey.touchpoints


def in_time_order(
    definitions: tuple[JourneyDefinition, ...], journeys: Iterable[Journey], contacts: list[Contact]
) -> bool:
    """Whether each contact comes no earlier than the last contact of the latest journey of
    its type: then advancing the stored journeys gives what building them from every
    contact would (the types do not touch one another; a contact no journey claims is
    placed nowhere either way)."""
    last: dict[str, datetime] = {}
    for journey in journeys:
        seen = last.get(journey.journey_type)
        if seen is None or journey.last_contact_at > seen:
            last[journey.journey_type] = journey.last_contact_at
    for contact in contacts:
        placement = place(
            definitions, contact.touchpoint_type, contact.reported_stage, contact.outcome
        )
        if placement is None:
            continue
        latest = last.get(placement.definition.journey_type)
        if latest is not None and contact.occurred_at < latest:
            return False
    return True


def build_journeys(
    definitions: tuple[JourneyDefinition, ...], contacts: Iterable[Contact], now: datetime
) -> tuple[JourneyBook, dict[str, tuple[str, str]]]:
    """Every journey of a customer from all its contacts, and each contact's journey and stage."""
    book = JourneyBook(definitions)
    placements: dict[str, tuple[str, str]] = {}
    for contact in sorted(contacts, key=lambda c: (c.occurred_at, c.key)):
        placed = book.add(contact)
        if placed is not None:
            placements[contact.key] = (placed[0].journey_id, placed[1])
    book.close_lapsed(now)
    return book, placements
