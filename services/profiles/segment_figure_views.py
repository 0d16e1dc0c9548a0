"""What of a segment's figures a caller sees, and the figures its drift is watched on."""

from decimal import Decimal

from services.profiles.segment_figure_repository import MONEY_FEATURES
from services.profiles.segment_figure_schemas import MoneyDistribution, SegmentFigures

MONEY_FIGURES = ("revenue_12m", "contribution_margin_3_12m", "value", "clv")


def headline(figures: SegmentFigures) -> dict[str, float | None]:
    """The figures a profile's drift is watched on, as numbers."""
    return {
        "size": float(figures.size),
        "share_of_customers": figures.share_of_customers,
        "revenue_12m": _number(figures.revenue_12m),
        "contribution_margin_3_12m": _number(figures.contribution_margin_3_12m),
        "average_clv": _number(figures.clv.mean),
        "average_churn_risk": figures.churn_risk.mean,
        "csat_mean": figures.experience.csat_mean,
        "net_promoter_score": figures.experience.net_promoter_score,
    }


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def for_caller(figures: SegmentFigures, financials: bool) -> SegmentFigures:
    """The figures as a caller may see them: amounts null without financials:read."""
    if financials:
        return figures
    hidden = MoneyDistribution.model_validate(dict.fromkeys(MoneyDistribution.model_fields))
    return figures.model_copy(
        update={
            "revenue_12m": None,
            "contribution_margin_3_12m": None,
            "value": hidden,
            "clv": hidden,
            "preferred_channels": [
                c.model_copy(update={"net_revenue": None}) for c in figures.preferred_channels
            ],
            "top_categories": [
                c.model_copy(update={"net_revenue": None}) for c in figures.top_categories
            ],
            "distinguishing_features": [
                d.model_copy(update={"segment_value": None, "rest_value": None})
                if d.feature in MONEY_FEATURES
                else d
                for d in figures.distinguishing_features
            ],
            "masked": [
                *MONEY_FIGURES,
                "preferred_channels.net_revenue",
                "top_categories.net_revenue",
                "distinguishing_features.amounts",
            ],
        }
    )
