"""Response bodies of pain points and moments of truth."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from services.experience.measures_schemas import EstimateRead, Filters


class TargetsRead(BaseModel):
    csat: float = Field(description="Target mean satisfaction 1-5.")
    nps: float = Field(description="Target net promoter score, points.")


class PainPointRead(BaseModel):
    touchpoint_type: str = Field(description="Touchpoint type, e.g. complaint.")
    channel: str = Field(description="Channel, e.g. phone.")
    contacts: int = Field(description="Touchpoints of the type over the channel (volume).")
    csat_mean: EstimateRead = Field(description="Mean satisfaction 1-5 with its interval.")
    nps: EstimateRead = Field(description="Net promoter score; sample_size = the answers.")
    gap: float = Field(
        description="Shortfall against the target (0 = on target, 1 = the worst answer); "
        "the larger of the CSAT and NPS gaps."
    )
    margin_per_contact: Decimal | None = Field(
        description="Mean 12-month cm3 per contact of the customers who had them (negative "
        "counts as 0); null without a known margin or the financials:read scope."
    )
    impact: Decimal | None = Field(
        description="Margin at stake = contacts x gap x margin_per_contact; what the list is "
        "ranked by. Null without a known margin or the financials:read scope."
    )
    customers_affected: int = Field(description="Distinct customers who had such contacts.")
    customers_with_margin: int = Field(description="Of those, customers with a known margin.")
    customers_margin: Decimal | None = Field(
        description="Their 12-month cm3 summed; null without the financials:read scope."
    )


class PainPointsRead(BaseModel):
    filters: Filters = Field(description="The filters applied.")
    targets: TargetsRead = Field(description="Targets the gap is measured against.")
    pain_points: list[PainPointRead] = Field(
        description="Types and channels below target, largest impact first."
    )


class LiftRead(BaseModel):
    value: float | None = Field(description="Rate after the type / base rate; null if undefined.")
    low: float | None = Field(description="Lower end of the 95% interval (Katz log method).")
    high: float | None = Field(description="Upper end of the 95% interval.")
    sample_size: int = Field(description="Contacts of the type observed.")


class MomentRead(BaseModel):
    touchpoint_type: str = Field(description="Touchpoint type.")
    contacts: int = Field(description="Contacts observed (their whole window has passed).")
    bought_again: EstimateRead = Field(description="Share followed by a purchase (Wilson).")
    lapsed: EstimateRead = Field(description="Share followed by no purchase (Wilson).")
    buy_lift: LiftRead = Field(description="bought_again / the base rate.")
    lapse_lift: LiftRead = Field(description="lapsed / the base lapse rate.")
    verdict: str = Field(
        description="more_likely_to_buy, more_likely_to_lapse (interval excludes 1 on enough "
        "contacts) or no_marked_difference."
    )


class MomentsRead(BaseModel):
    filters: Filters = Field(description="The filters applied to the contacts observed.")
    window_days: int = Field(description="A purchase within this many days counts as buying.")
    observed_until: datetime = Field(
        description="Contacts until then are observed (later ones' windows are still open)."
    )
    min_contacts: int = Field(description="Contacts a type needs to be called marked.")
    base_rate: EstimateRead = Field(description="Share of all observed contacts followed by one.")
    moments: list[MomentRead] = Field(description="Marked ones first, by the size of the lift.")
