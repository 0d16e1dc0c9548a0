"""Next best actions: what to do with a customer, from its treatment and its consents.

E-mail, phone and messaging are opt-in channels (usable only with consent granted); post is
opt-out (usable unless the customer objected); personal visits and the store need no consent.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

OPT_IN = {"email": "email", "phone": "phone", "sms": "messaging", "messaging": "messaging"}
OPT_OUT = {"letter": "post", "post": "post"}
REFUSED = frozenset({"denied", "revoked"})
OUTCOMES = ("done", "declined", "no_answer", "postponed")
FINAL_OUTCOMES = frozenset({"done", "declined"})
CONTACT_OUTCOMES = frozenset({"done", "declined"})
"""Outcomes after which the customer did get the contact its treatment prescribes."""


@dataclass(frozen=True)
class Situation:
    """A customer as its new segment assignment describes it."""

    segment: str
    thrust: str
    value_tier: str
    potential_tier: str
    lifecycle_stage: str
    contribution_margin_3_12m: Decimal
    share_of_wallet_gap: Decimal
    owner_rep: str | None
    consents: Mapping[str, str]


@dataclass(frozen=True)
class Treatment:
    """What the strategy prescribes for the customer's segment."""

    role: str = "account_manager"
    communication_channel: str = "email"
    offers: Sequence[str] = ()
    retention_measures: Sequence[str] = ()


@dataclass(frozen=True)
class Proposal:
    action_type: str
    title: str
    reason: str
    """In words, without amounts: the 360-degree view shows actions to callers without
    `financials:read`, who must not read a margin or a wallet gap in them."""
    channel: str
    due_in_days: int
    priority: int
    by_owner_rep: bool


def permitted(channel: str, consents: Mapping[str, str]) -> bool:
    """Whether the customer may be approached through `channel`."""
    if channel in OPT_IN:
        return consents.get(OPT_IN[channel]) == "granted"
    if channel in OPT_OUT:
        return consents.get(OPT_OUT[channel]) not in REFUSED
    return True


def _reachable(preferred: str, consents: Mapping[str, str], fallbacks: Sequence[str]) -> str | None:
    for channel in (preferred, *fallbacks):
        if permitted(channel, consents):
            return channel
    return None


def _consent_note(preferred: str, chosen: str) -> str:
    return "" if chosen == preferred else f"; {preferred} not permitted by consent, {chosen}"


def recommend(situation: Situation, treatment: Treatment) -> list[Proposal]:
    """The actions the rules derive, most urgent first; none that consent forbids."""
    s, proposals = situation, []
    if s.value_tier == "high" and s.lifecycle_stage == "at_risk":
        channel = _reachable("phone", s.consents, ("field_visit",))
        assert channel is not None  # a visit needs no consent
        measure = f": {treatment.retention_measures[0]}" if treatment.retention_measures else ""
        proposals.append(
            Proposal(
                "retention_call",
                f"Retention call by the {treatment.role}{measure}",
                f"high value customer in {s.segment} is at risk{_consent_note('phone', channel)}",
                channel,
                5,
                1,
                True,
            )
        )
    elif s.lifecycle_stage == "at_risk" and s.thrust == "retain":
        preferred = treatment.communication_channel
        channel = _reachable(preferred, s.consents, ("letter",))
        if channel is not None and treatment.retention_measures:
            proposals.append(
                Proposal(
                    "retention_offer",
                    f"Retention offer: {treatment.retention_measures[0]}",
                    f"at risk in {s.segment} (thrust retain){_consent_note(preferred, channel)}",
                    channel,
                    10,
                    2,
                    s.owner_rep is not None,
                )
            )
    if s.potential_tier == "high" and s.share_of_wallet_gap > 0:
        preferred = treatment.communication_channel
        fallbacks = ("email", "phone", *(("field_visit",) if s.owner_rep else ()), "letter")
        channel = _reachable(preferred, s.consents, fallbacks)
        if channel is not None:
            offer = treatment.offers[0] if treatment.offers else "cross-sell offer"
            proposals.append(
                Proposal(
                    "cross_sell_offer",
                    f"Cross-sell: {offer}",
                    "high potential, short of comparable customers' wallet"
                    f"{_consent_note(preferred, channel)}",
                    channel,
                    14,
                    2,
                    channel in ("phone", "field_visit"),
                )
            )
    if s.contribution_margin_3_12m < 0:
        channel = _reachable("email", s.consents, ("letter",))
        if channel is not None:
            proposals.append(
                Proposal(
                    "move_to_self_service",
                    "Move to the self-service channel (e-commerce, portal)",
                    "12-month cm3 is negative: serving it in person costs more than it "
                    f"earns{_consent_note('email', channel)}",
                    channel,
                    30,
                    3,
                    False,
                )
            )
    return sorted(proposals, key=lambda p: p.priority)


def next_status(current: str, outcome: str) -> str | None:
    """The action's status after `outcome`; None when it is already settled."""
    if current in FINAL_OUTCOMES:
        return None
    return outcome
