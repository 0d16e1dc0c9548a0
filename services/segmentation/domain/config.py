"""The tunable parameters of segmentation: tiers, rules, models; versioned through the API."""

from decimal import Decimal
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.segmentation.domain.assignment import ScoreChange


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ValueTierRule(_Strict):
    method: Literal["quantiles", "thresholds"] = Field(
        default="quantiles",
        description="quantiles: cut-offs are shares of the customers with non-negative cm3; "
        "thresholds: fixed cm3 amounts.",
    )
    low_medium_quantile: float = Field(
        default=0.5, gt=0, lt=1, description="Share of customers below the medium tier."
    )
    medium_high_quantile: float = Field(
        default=0.8, gt=0, lt=1, description="Share of customers below the high tier."
    )
    low_medium_threshold: Decimal = Field(
        default=Decimal("500"), description="cm3 (12 months) from which a customer is medium."
    )
    medium_high_threshold: Decimal = Field(
        default=Decimal("5000"), description="cm3 (12 months) from which a customer is high."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low_medium_quantile >= self.medium_high_quantile:
            raise ValueError("low_medium_quantile must be below medium_high_quantile")
        if self.low_medium_threshold >= self.medium_high_threshold:
            raise ValueError("low_medium_threshold must be below medium_high_threshold")
        return self


class PotentialTierRule(_Strict):
    high_quantile: float = Field(
        default=0.75,
        gt=0,
        lt=1,
        description="A customer whose CLV or share-of-wallet gap ranks at or above this "
        "share of buyers has high potential.",
    )
    low_quantile: float = Field(
        default=0.4,
        gt=0,
        lt=1,
        description="A customer whose CLV and gap both rank below this share has low potential.",
    )
    peer_quantile: float = Field(
        default=0.75,
        gt=0,
        lt=1,
        description="The quantile of comparable customers' 12-month cm2 the gap is measured to.",
    )
    min_peers: int = Field(
        default=20, ge=2, description="Smallest peer group; smaller groups use the cluster."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low_quantile >= self.high_quantile:
            raise ValueError("low_quantile must be below high_quantile")
        return self


class LifecycleRule(_Strict):
    new_days: int = Field(default=180, ge=1, description="A first order this recent is new.")
    at_risk_multiple: float = Field(
        default=2.0, gt=1, description="No order for this many usual intervals: at risk."
    )
    lapsed_multiple: float = Field(
        default=4.0, gt=1, description="No order for this many usual intervals: lapsed."
    )
    lapsed_min_days: int = Field(
        default=180, ge=1, description="Never lapsed before this many days without an order."
    )
    own_rhythm_min_repeats: int = Field(
        default=2,
        ge=1,
        description="Repeat purchases needed to use a customer's own interval; fewer use "
        "the population's median interval.",
    )
    loyal_min_repeats: int = Field(default=4, ge=1, description="Repeat purchases of a loyal.")
    loyal_min_days: int = Field(default=365, ge=1, description="Tenure of a loyal customer.")
    at_risk_churn_risk: float = Field(
        default=0.85, gt=0, le=1, description="A churn risk this high puts a customer at risk."
    )
    declining_trend: float = Field(
        default=-0.5,
        lt=0,
        description="A 12-month revenue change against the 12 months before this low "
        "(e.g. -0.5 = halved) puts a customer at risk.",
    )
    reactivated_days: int = Field(
        default=180, ge=1, description="How long a customer stays reactivated after its return."
    )


class NeedsRule(_Strict):
    k_min: int = Field(default=3, ge=2, description="Fewest needs clusters tried.")
    k_max: int = Field(default=8, ge=2, description="Most needs clusters tried.")
    min_customers: int = Field(
        default=100, ge=10, description="Fewer buyers than this form no needs clusters."
    )
    sample_size: int = Field(default=20_000, ge=100, description="Customers the model is fit on.")
    silhouette_sample: int = Field(
        default=5_000, ge=100, description="Customers the silhouette of each k is scored on."
    )
    features: tuple[str, ...] = Field(
        default=(
            "online_share",
            "field_share",
            "inside_share",
            "store_share",
            "partner_share",
            "discount_share",
            "service_intensity",
            "complaint_rate",
            "return_rate",
            "order_size",
            "purchase_frequency",
        ),
        description="Behaviour features the clusters are formed on.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.k_min > self.k_max:
            raise ValueError("k_min must not exceed k_max")
        return self


class SegmentationConfig(_Strict):
    """Everything a run and a re-score depend on besides the data and the strategy."""

    horizon_months: int = Field(default=36, ge=1, le=120, description="CLV horizon in months.")
    annual_discount_rate: float = Field(
        default=0.10, ge=0, lt=1, description="Annual rate CLV is discounted at."
    )
    churn_period_days: int = Field(
        default=90, ge=1, description="Churn risk: how unlikely a purchase within this period."
    )
    window_days: int = Field(default=365, ge=28, description="Length of the margin window.")
    abc_cutoffs: tuple[float, float] = Field(
        default=(0.80, 0.95),
        description="Cumulative revenue shares closing the A and the B class.",
    )
    publish_on_clv_change: float = Field(
        default=0.10,
        gt=0,
        description="Publish an unchanged assignment again when its CLV moved by more than "
        "this share since it was last stored.",
    )
    publish_on_churn_risk_change: float = Field(
        default=0.10,
        gt=0,
        le=1,
        description="... or when its churn risk moved by more than this.",
    )
    max_fit_customers: int = Field(
        default=200_000, ge=100, description="Customers the BG/NBD and Gamma-Gamma fit on."
    )
    value_tiers: ValueTierRule = Field(default_factory=ValueTierRule)
    potential_tiers: PotentialTierRule = Field(default_factory=PotentialTierRule)
    lifecycle: LifecycleRule = Field(default_factory=LifecycleRule)
    needs: NeedsRule = Field(default_factory=NeedsRule)

    def score_change(self) -> ScoreChange:
        return ScoreChange(self.publish_on_clv_change, self.publish_on_churn_risk_change)

    @model_validator(mode="after")
    def _abc_ordered(self) -> Self:
        a, b = self.abc_cutoffs
        if not 0 < a < b < 1:
            raise ValueError("abc_cutoffs must satisfy 0 < A < B < 1")
        return self
