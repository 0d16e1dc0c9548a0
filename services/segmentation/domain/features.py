"""From a customer's ledger sums to what the models read: history, margins and behaviour.

Money stays in ledger units (ten-thousandths, whole numbers held exactly in float64) so that
published margins are exact; the spend model gets currency units.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
UNITS_PER_CURRENCY = 10_000.0
DAYS_PER_WEEK = 7.0
BEHAVIOUR = (
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
    "mean_csat",
    "mean_nps",
)


@dataclass(frozen=True)
class CustomerFeatures:
    """Per-customer arrays, all of the same length, in the order of `customer_ids`."""

    customer_ids: npt.NDArray[Any]
    peer_groups: npt.NDArray[Any]
    as_of_day: int
    has_orders: npt.NDArray[np.bool_]
    purchase_days: FloatArray
    first_day: FloatArray
    last_day: FloatArray
    frequency: FloatArray
    recency_weeks: FloatArray
    age_weeks: FloatArray
    monetary: FloatArray
    tenure_days: FloatArray
    recency_days: FloatArray
    repeat_span_days: FloatArray
    previous_gap_days: FloatArray
    orders_window: FloatArray
    revenue_window: FloatArray
    revenue_prior: FloatArray
    revenue_trend: FloatArray
    margins_window: dict[str, FloatArray]
    margins_lifetime: dict[str, FloatArray]
    behaviour: dict[str, FloatArray]

    def __len__(self) -> int:
        return len(self.customer_ids)


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _margins(
    col: Mapping[str, FloatArray], suffix: str, contact_cost: FloatArray, return_rate: float
) -> dict[str, FloatArray]:
    """cm1 = revenue - goods - returns; cm2 = cm1 - direct costs; cm3 = cm2 - cost to serve."""
    revenue = col[f"revenue_{suffix}"]
    cm1 = revenue - col[f"cost_of_goods_{suffix}"] - col[f"returns_{suffix}"]
    direct = (
        col[f"discounts_{suffix}"]
        + col[f"shipping_costs_{suffix}"]
        + col[f"other_direct_costs_{suffix}"]
    )
    cm2 = cm1 - direct
    handling = col[f"return_handling_{suffix}"] + col[f"unpriced_returns_{suffix}"] * return_rate
    cost_to_serve = contact_cost + handling
    return {
        "revenue": revenue,
        "contribution_margin_1": cm1,
        "contribution_margin_2": cm2,
        "cost_to_serve": cost_to_serve,
        "contribution_margin_3": cm2 - cost_to_serve,
    }


def _behaviour(col: Mapping[str, FloatArray], tenure_days: FloatArray) -> dict[str, FloatArray]:
    orders = col["orders_lifetime"]
    revenue = col["revenue_lifetime"]
    tenure_years = np.maximum(np.nan_to_num(tenure_days, nan=0.0) + 1.0, 30.0) / 365.25
    features = {
        f"{group}_share": _ratio(col[f"orders_{group}_lifetime"], orders)
        for group in ("online", "field", "inside", "store", "partner")
    }
    features["discount_share"] = _ratio(col["discounts_lifetime"], revenue)
    features["service_intensity"] = _ratio(col["service_contacts_lifetime"], orders)
    features["complaint_rate"] = _ratio(col["complaints_lifetime"], orders)
    features["complaints"] = col["complaints_lifetime"]
    features["return_rate"] = _ratio(col["returned_revenue_lifetime"], revenue)
    features["order_size"] = _ratio(revenue, orders) / UNITS_PER_CURRENCY
    features["purchase_frequency"] = np.where(orders > 0, orders / tenure_years, np.nan)
    features["mean_csat"] = _ratio(col["csat_sum_lifetime"], col["csat_answers_lifetime"])
    features["mean_nps"] = _ratio(col["nps_sum_lifetime"], col["nps_answers_lifetime"])
    return features


def derive_features(
    columns: Mapping[str, Any],
    *,
    as_of_day: int,
    return_handling_rate: float,
) -> CustomerFeatures:
    """`columns` holds the ledger sums (zeros where a customer has none) and the directory's
    `customer_id` and `peer_group`, aligned; `return_handling_rate` is in ledger units."""
    col = {k: np.asarray(v, dtype=np.float64) for k, v in columns.items() if k not in _TEXT}
    purchase_days = col["purchase_days"]
    has_orders = purchase_days > 0
    first = np.where(has_orders, col["first_day"], np.nan)
    last = np.where(has_orders, col["last_day"], np.nan)
    previous = np.where(purchase_days > 1, col["previous_purchase_day"], np.nan)
    frequency = np.where(has_orders, purchase_days - 1, 0.0)
    tenure = as_of_day - first
    repeat_span = last - first
    monetary = np.zeros_like(frequency)
    np.divide(col["repeat_margin"], frequency, out=monetary, where=frequency > 0)
    revenue_window, revenue_prior = col["revenue_window"], col["revenue_prior"]
    return CustomerFeatures(
        customer_ids=np.asarray(columns["customer_id"], dtype=object),
        peer_groups=np.asarray(columns["peer_group"], dtype=object),
        as_of_day=as_of_day,
        has_orders=has_orders,
        purchase_days=purchase_days,
        first_day=first,
        last_day=last,
        frequency=frequency,
        recency_weeks=np.nan_to_num(repeat_span, nan=0.0) / DAYS_PER_WEEK,
        age_weeks=np.nan_to_num(tenure, nan=0.0) / DAYS_PER_WEEK,
        monetary=monetary / UNITS_PER_CURRENCY,
        tenure_days=tenure,
        recency_days=as_of_day - last,
        repeat_span_days=repeat_span,
        previous_gap_days=last - previous,
        orders_window=col["orders_window"],
        revenue_window=revenue_window,
        revenue_prior=revenue_prior,
        revenue_trend=_ratio(revenue_window - revenue_prior, revenue_prior),
        margins_window=_margins(col, "window", col["contact_cost_window"], return_handling_rate),
        margins_lifetime=_margins(
            col, "lifetime", col["contact_cost_lifetime"], return_handling_rate
        ),
        behaviour=_behaviour(col, tenure),
    )


_TEXT = frozenset({"customer_id", "peer_group"})
