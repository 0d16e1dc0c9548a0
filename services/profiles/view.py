"""The 360° customer view: identity, consents, value from profiles' own orders and returns,
and the parts other services deliver (see parts_view), each with the event it reflects
(`as_of`)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from services.profiles.parts_schemas import AsOf
from services.profiles.parts_view import delivered_parts
from services.profiles.schemas import (
    PII_FIELDS,
    CustomerSummary,
    CustomerView360,
    PeriodValue,
    Reference,
    ValuePart,
)
from services.profiles.view_repository import (
    ORDER_AMOUNTS,
    CustomerRows,
    ViewRepository,
    as_decimal,
)
from shared.api.auth import Principal

RECENT = timedelta(days=365)
CENT = Decimal("0.0001")
CM3_NOTE = (
    "cm3 needs the cost to serve, which segmentation measures: its 12-month cm3 is "
    "segment.contribution_margin_3_12m."
)
MONEY_FIELDS = (
    "net_revenue",
    "cost_of_goods",
    "returned_revenue",
    "returned_cost_of_goods",
    "discounts",
    "shipping_cost",
    "other_direct_costs",
    "return_handling_cost",
    "cm1",
    "cm2",
    "cm3",
)
PERIODS = ("last_12_months", "lifetime")
RENAMED = {"discount": "discounts"}


def _money(value: Any) -> Decimal:
    return (as_decimal(value) + 0).quantize(CENT)


def _returned(row: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """Revenue and cost of goods a return credits (an amount alone carries no goods cost)."""
    if row["lines"] is None:
        return as_decimal(row["amount"] or 0), Decimal(0)
    revenue = sum((Decimal(str(line["net_revenue"])) for line in row["lines"]), Decimal(0))
    cost = sum((Decimal(str(line["cost_of_goods"])) for line in row["lines"]), Decimal(0))
    return revenue, cost


def _period(totals: Row[Any], prefix: str, returns: list[dict[str, Any]]) -> PeriodValue:
    figures = {
        RENAMED.get(n, n): as_decimal(getattr(totals, f"{prefix}_{n}")) for n in ORDER_AMOUNTS
    }
    returned = [_returned(r) for r in returns]
    figures["returned_revenue"] = sum((r for r, _ in returned), Decimal(0))
    figures["returned_cost_of_goods"] = sum((c for _, c in returned), Decimal(0))
    figures["return_handling_cost"] = sum(
        (as_decimal(r["handling_cost"] or 0) for r in returns), Decimal(0)
    )
    cm1 = (
        figures["net_revenue"]
        - figures["cost_of_goods"]
        - figures["returned_revenue"]
        + figures["returned_cost_of_goods"]
    )
    cm2 = (
        cm1
        - figures["discounts"]
        - figures["shipping_cost"]
        - figures["other_direct_costs"]
        - figures["return_handling_cost"]
    )
    money = {name: _money(v) for name, v in {**figures, "cm1": cm1, "cm2": cm2}.items()}
    return PeriodValue(
        **money,
        cm3=None,
        order_count=int(getattr(totals, f"{prefix}_orders")),
        return_count=len(returns),
    )


def _currencies(value: Any) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return sorted({item for item in items if item})


def value_part(
    views: ViewRepository,
    customer_id: str,
    returns: list[dict[str, Any]],
    principal: Principal,
    now: datetime,
) -> ValuePart:
    """Revenue and cm1/cm2 over 12 months and lifetime from the customer's `returns` and its
    order totals, which `views` reads."""
    since = now - RECENT
    totals = views.order_totals(customer_id, since)
    candidates = [(r["returned_at"], r["event_id"]) for r in returns]
    if totals.lifetime_orders:
        candidates.append((totals.last_order_at, totals.newest_order_event_id))
    as_of = None
    if candidates:
        time, event_id = max(candidates)
        as_of = AsOf(time=time, event_id=event_id)
    recent_returns = [r for r in returns if r["returned_at"] >= since]
    part = ValuePart(
        status="current",
        as_of=as_of,
        currencies=_currencies(totals.currencies),
        last_12_months=_period(totals, "recent", recent_returns),
        lifetime=_period(totals, "lifetime", returns),
        first_order_at=totals.first_order_at,
        last_order_at=totals.last_order_at,
        cm3_note=CM3_NOTE,
        masked=[],
    )
    if principal.has("financials:read"):
        return part
    hidden = dict.fromkeys(MONEY_FIELDS)
    return part.model_copy(
        update={
            "last_12_months": part.last_12_months.model_copy(update=hidden),
            "lifetime": part.lifetime.model_copy(update=hidden),
            "masked": [f"{period}.{name}" for period in PERIODS for name in MONEY_FIELDS],
        }
    )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def customer_view(session: Session, rows: CustomerRows, principal: Principal) -> CustomerView360:
    """The 360° view of a customer from its rows, masked for what `principal` may see."""
    customer = rows.customer
    references = [
        Reference(system=system, id=external_id) for system, external_id in rows.references
    ]
    now = datetime.now(UTC)
    value = value_part(
        ViewRepository(session), customer["customer_id"], rows.returns, principal, now
    )
    parts = delivered_parts(
        assignment=rows.segment,
        experience=rows.experience,
        strategy=rows.strategy,
        actions=rows.actions,
        principal=principal,
        now=now,
    )
    fields = {
        **customer,
        "references": references,
        "as_of": AsOf(time=_utc(customer["source_time"]), event_id=customer["as_of_event_id"]),
        "responsible_rep": customer["owner_rep"],
        "value": value,
        **parts,
    }
    view = CustomerView360.model_validate(fields)
    if not principal.has("pii:read"):
        masked: dict[str, object] = dict.fromkeys(PII_FIELDS)
        # Free attributes and source-system ids (a shop id is often an e-mail address)
        # may hold personal data of any kind.
        masked.update(attributes={}, references=[])
        if view.kind == "person":
            masked.update(name=None, postal_code=None)
        view = view.model_copy(update=masked)
    return view


def customer_summary(row: Row[Any], principal: Principal) -> CustomerSummary:
    summary = CustomerSummary.model_validate(row._mapping)
    if summary.kind == "person" and not principal.has("pii:read"):
        summary.name = None
    return summary
