"""Pain points: where contacts fall short of the experience targets, weighted by margin.

The gap of a touchpoint type on a channel is how far its mean CSAT or its NPS lies below
the target, as a share of the way from the target to the worst answer (the larger of the
two when both are measured). Its impact is the margin at stake: contacts x gap x the mean
12-month cm3 per contact of the customers who had them. Customers with a negative margin
put no margin at stake, so the mean is taken as zero when it is negative.
"""

from dataclasses import dataclass
from decimal import Decimal

CSAT_WORST = 1.0
NPS_WORST = -100.0


@dataclass(frozen=True)
class Targets:
    csat: float = 4.0
    nps: float = 30.0

    def __post_init__(self) -> None:
        if not CSAT_WORST < self.csat <= 5.0:
            raise ValueError("the CSAT target must lie above 1 and at most 5")
        if not NPS_WORST < self.nps <= 100.0:
            raise ValueError("the NPS target must lie above -100 and at most 100")


def experience_gap(csat_mean: float | None, nps: float | None, targets: Targets) -> float | None:
    """0 at or above target, 1 at the worst answer; None when neither was measured."""
    gaps = []
    if csat_mean is not None:
        gaps.append(max(0.0, targets.csat - csat_mean) / (targets.csat - CSAT_WORST))
    if nps is not None:
        gaps.append(max(0.0, targets.nps - nps) / (targets.nps - NPS_WORST))
    return max(gaps) if gaps else None


def margin_per_contact(margin_sum: Decimal, margin_contacts: int) -> Decimal | None:
    """Mean 12-month cm3 per contact of customers with a known margin; None if none is known."""
    if margin_contacts == 0:
        return None
    return max(Decimal(0), Decimal(margin_sum) / margin_contacts)


def impact(contacts: int, gap: float | None, margin: Decimal | None) -> Decimal | None:
    """The margin at stake; None when the gap or the margin is unknown."""
    if gap is None or margin is None:
        return None
    return Decimal(contacts) * Decimal(str(round(gap, 6))) * margin


def rank_key(contacts: int, gap: float | None, impact: Decimal | None) -> tuple[int, Decimal]:
    """Sort key, largest impact first; unknown impacts after, by contacts x gap."""
    if impact is not None:
        return (0, -impact)
    return (1, -Decimal(contacts) * Decimal(str(round(gap or 0.0, 6))))
