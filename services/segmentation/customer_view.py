"""One customer as segmentation sees it: features measured now, the stored assignment."""

import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.segmentation import config_store, ledger, models
from services.segmentation.assignment_rows import LEDGER_SCORES, MONEY_SCORES
from services.segmentation.domain.features import CustomerFeatures
from services.segmentation.feature_repository import features_of
from services.segmentation.rescoring import ModelCache
from services.segmentation.schemas import Assignment, CustomerSegmentation, PurchaseHistory

MARGIN_NAMES = (
    "revenue",
    "contribution_margin_1",
    "contribution_margin_2",
    "cost_to_serve",
    "contribution_margin_3",
)
HIDDEN_WITHOUT_FINANCIALS = (*MONEY_SCORES, *LEDGER_SCORES)
"""The scores that are amounts of money."""


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def _history(features: CustomerFeatures) -> PurchaseHistory:
    bought = bool(features.has_orders[0])
    x = int(features.frequency[0])
    return PurchaseHistory(
        first_purchase=ledger.day_date(int(features.first_day[0])) if bought else None,
        last_purchase=ledger.day_date(int(features.last_day[0])) if bought else None,
        purchase_days=int(features.purchase_days[0]),
        repeat_purchases=x,
        recency_weeks=round(float(features.recency_weeks[0]), 3),
        age_weeks=round(float(features.age_weeks[0]), 3),
        mean_margin_per_repeat_purchase=Decimal(f"{features.monetary[0]:.2f}") if x else None,
    )


def _margins(margins: dict[str, Any], financials: bool) -> dict[str, Decimal | None]:
    return {
        name: ledger.amount(round(float(margins[name][0]))) if financials else None
        for name in MARGIN_NAMES
    }


def _top_categories(session: Session, customer_id: str) -> list[dict[str, Any]]:
    cc = models.customer_categories.c
    rows = session.execute(
        select(cc.category, func.sum(cc.revenue).label("revenue"))
        .where(cc.customer_id == customer_id)
        .group_by(cc.category)
        .order_by(func.sum(cc.revenue).desc())
        .limit(5)
    ).all()
    total = sum(max(row.revenue, 0) for row in rows) or 1
    return [
        {"category": row.category, "revenue_share": round(max(row.revenue, 0) / total, 4)}
        for row in rows
    ]


DIRECTORY_FIELDS = (
    "revision",
    "kind",
    "name",
    "region",
    "country",
    "industry",
    "size_class",
    "owner_rep",
)


def _directory(session: Session, customer_id: str, *, personal_data: bool) -> dict[str, Any]:
    c = models.customers.c
    row = session.execute(
        select(*(c[name] for name in DIRECTORY_FIELDS)).where(c.customer_id == customer_id)
    ).first()
    fields = dict.fromkeys(DIRECTORY_FIELDS) if row is None else dict(row._mapping)
    if fields["kind"] == "person" and not personal_data:
        fields["name"] = None
    return fields


def customer_segmentation(
    session: Session,
    customer_id: str,
    models_: ModelCache,
    *,
    financials: bool,
    personal_data: bool,
) -> CustomerSegmentation | None:
    """None when neither the directory nor the ledger knows the customer."""
    config = config_store.current_config(session).config
    today = ledger.day_number(datetime.now(UTC))
    features = features_of(session, [customer_id], today, config.window_days)
    if len(features) == 0:
        return None
    row = session.execute(
        select(models.assignments).where(models.assignments.c.customer_id == customer_id)
    ).first()
    assignment = None
    if row is not None:
        record = dict(row._mapping)
        model = models_.current(session)
        scores = dict(record["scores"])
        if not financials:
            scores.update({name: None for name in HIDDEN_WITHOUT_FINANCIALS if name in scores})
            # The value and potential reasons quote cm3 and CLV; stage and segment do not.
            record["reasons"] = record["reasons"][2:]
        assignment = Assignment(
            **{
                k: v
                for k, v in record.items()
                if k not in ("customer_id", "scores", "contribution_margin_3_12m")
            },
            scores=scores,
            needs_description=model.cluster_description(record["needs_cluster"]) if model else None,
        )
    behaviour = {name: _number(float(values[0])) for name, values in features.behaviour.items()}
    if not financials:
        behaviour["order_size"] = None
    behaviour["last_nps"] = session.scalar(
        select(models.latest_nps.c.nps).where(models.latest_nps.c.customer_id == customer_id)
    )
    return CustomerSegmentation(
        customer_id=customer_id,
        **_directory(session, customer_id, personal_data=personal_data),
        assignment=assignment,
        purchase_history=_history(features),
        margins_12m=_margins(features.margins_window, financials),
        margins_lifetime=_margins(features.margins_lifetime, financials),
        behaviour=behaviour,
        top_categories=_top_categories(session, customer_id),
    )
