"""Request and response bodies of segmentation's API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.segmentation.domain.config import SegmentationConfig


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: AwareDatetime | None = Field(
        default=None,
        description="Measure as of this past moment (a back-test: reported, not stored or "
        "published); omitted = now, a live run. Measures are kept per UTC day, so every "
        "event of the as-of day counts.",
    )


class RunProgress(BaseModel):
    phase: str = Field(description="queued, load, fit, assign, write, completed or failed.")
    done: int = Field(description="Units of the phase done (customers).")
    total: int = Field(description="Units of the phase in all.")
    percent: float = Field(description="done / total in percent.")


class RunRead(BaseModel):
    run_id: str = Field(description="Id of the run.")
    status: str = Field(description="queued, running, completed or failed.")
    progress: RunProgress = Field(description="Where the run is.")
    as_of: datetime = Field(description="The moment the data is measured at (UTC).")
    live: bool = Field(description="True: assignments are stored and changes published.")
    trigger: str = Field(description="api, schedule or strategy.")
    requested_by: str = Field(description="Key name or schedule that asked for the run.")
    requested_at: datetime = Field(description="When it was requested.")
    started_at: datetime | None = Field(description="When a worker started it.")
    completed_at: datetime | None = Field(description="When it completed or failed.")
    error: str | None = Field(description="Why it failed.")
    summary: dict[str, Any] | None = Field(
        description="When completed: customers and value per segment, tier and stage, the "
        "model parameters, the migration matrix against the previous assignments and the "
        "ABC comparison."
    )


class RunList(BaseModel):
    runs: list[RunRead] = Field(description="Newest first.")


class SegmentRead(BaseModel):
    key: str = Field(description="Key of the strategic segment.")
    name: str = Field(description="Name shown to users.")
    thrust: str = Field(description="grow, develop, retain, serve_efficiently or restructure.")
    cells: list[str] = Field(description="Portfolio cells mapped to it (value x potential).")
    customers: int = Field(description="Customers assigned to it now.")
    contribution_margin_3_12m: Decimal = Field(description="Their cm3 of the last 12 months.")


class SegmentsRead(BaseModel):
    portfolio: str = Field(description="built-in, or the strategy the mapping comes from.")
    model_version: int | None = Field(description="Version of the current model.")
    segments: list[SegmentRead] = Field(description="Every strategic segment.")
    lifecycle_overrides: list[str] = Field(description="Overrides in the order they apply.")


class Assignment(BaseModel):
    strategic_segment: str
    thrust: str
    value_tier: str
    potential_tier: str
    lifecycle_stage: str
    lifecycle_reason: str
    needs_cluster: int | None
    needs_description: str | None
    abc_class: str
    reasons: list[str] = Field(
        description="Value, potential, lifecycle and segment, in words; the value and "
        "potential reasons quote amounts and are left out without financials:read."
    )
    scores: dict[str, Any] = Field(
        description="clv, churn_risk, p_alive, share_of_wallet_gap and 12-month margins; "
        "amounts as decimal strings, null without the financials:read scope."
    )
    model_version: str = Field(description="Model, configuration and strategy that assigned.")
    run_id: str | None = Field(description="Full run that assigned; null for a re-score.")
    as_of: datetime
    assigned_at: datetime


class PurchaseHistory(BaseModel):
    first_purchase: date | None
    last_purchase: date | None
    purchase_days: int = Field(description="Days with an order (same-day orders count once).")
    repeat_purchases: int = Field(description="x: purchase days after the first.")
    recency_weeks: float = Field(description="t_x: weeks from first to last purchase.")
    age_weeks: float = Field(description="T: weeks from first purchase to today.")
    mean_margin_per_repeat_purchase: Decimal | None


class CustomerSegmentation(BaseModel):
    customer_id: str
    revision: int | None = Field(
        description="Revision of profiles' snapshot applied here; null while only the "
        "customer's orders or contacts have arrived."
    )
    kind: str | None = Field(description="person or organization.")
    name: str | None = Field(description="Name; null for persons without the pii:read scope.")
    region: str | None = Field(description="Sales region.")
    country: str | None = Field(description="ISO 3166-1 alpha-2.")
    industry: str | None = Field(description="Industry (organisations).")
    size_class: str | None = Field(description="Size class (organisations).")
    owner_rep: str | None = Field(description="Responsible sales rep.")
    assignment: Assignment | None = Field(description="Null until the first run scored it.")
    purchase_history: PurchaseHistory
    margins_12m: dict[str, Decimal | None] = Field(
        description="revenue, cm1, cm2, cost to serve, cm3; null without financials:read."
    )
    margins_lifetime: dict[str, Decimal | None]
    behaviour: dict[str, float | None] = Field(
        description="Channel shares, discount share, service intensity, complaint and return "
        "rates, order size, purchase frequency, mean CSAT and NPS, and the last NPS answer."
    )
    top_categories: list[dict[str, Any]] = Field(description="Categories by revenue share.")


class ConfigRead(BaseModel):
    version: int = Field(description="0 = the built-in defaults.")
    config: SegmentationConfig
    changed_by: str
    changed_at: datetime | None
    comment: str | None


class ConfigWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    config: SegmentationConfig = Field(description="The whole configuration.")
    comment: str | None = Field(default=None, max_length=1000, description="Why it changed.")


class ConfigHistory(BaseModel):
    versions: list[ConfigRead] = Field(description="Newest first.")
