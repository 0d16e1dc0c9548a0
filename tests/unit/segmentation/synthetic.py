"""Ledger sums of a made-up population, as the ledger query returns them, for scoring tests."""

from typing import Any

import numpy as np

from services.segmentation.domain.features import CustomerFeatures, derive_features
from services.segmentation.ledger_query import CONTACT_COLUMNS, DAY_COLUMNS

AS_OF_DAY = 20_000
UNIT = 10_000.0


def ledger_columns(size: int, seed: int = 7, prospects: float = 0.1) -> dict[str, Any]:
    """Buyers with their own rhythm and basket, some lapsed, some prospects."""
    rng = np.random.default_rng(seed)
    columns: dict[str, Any] = {name: np.zeros(size) for name in (*DAY_COLUMNS, *CONTACT_COLUMNS)}
    columns["customer_id"] = np.array([f"c{i:06d}" for i in range(size)], dtype=object)
    industries = rng.choice(["retail", "trade", "crafts"], size)
    columns["peer_group"] = np.array(
        [f"{industry}|M" if i % 2 else None for i, industry in enumerate(industries)],
        dtype=object,
    )
    buyer = rng.random(size) >= prospects
    days = np.where(buyer, 1 + rng.poisson(rng.gamma(1.5, 4.0, size)), 0)
    first = AS_OF_DAY - rng.integers(10, 1000, size)
    span = np.where(days > 1, (rng.random(size) * (AS_OF_DAY - first)).astype(int), 0)
    last = first + span
    basket = rng.lognormal(np.log(400), 0.6, size) * UNIT
    revenue = days * basket
    columns["purchase_days"] = days.astype(float)
    columns["first_day"] = np.where(buyer, first, 0).astype(float)
    columns["last_day"] = np.where(buyer, last, 0).astype(float)
    columns["previous_purchase_day"] = np.where(days > 1, last - span / np.maximum(days - 1, 1), 0)
    columns["repeat_margin"] = (days - 1).clip(0) * basket * 0.3
    columns["repeat_revenue"] = (days - 1).clip(0) * basket
    recent = np.where(AS_OF_DAY - last < 365, 0.6, 0.0)
    for suffix, share in (("window", recent), ("lifetime", 1.0)):
        columns[f"orders_{suffix}"] = np.round(days * share)
        columns[f"revenue_{suffix}"] = np.round(revenue * share)
        columns[f"cost_of_goods_{suffix}"] = np.round(revenue * share * 0.6)
        columns[f"discounts_{suffix}"] = np.round(revenue * share * rng.uniform(0, 0.1, size))
        columns[f"returns_{suffix}"] = np.round(revenue * share * 0.02)
        columns[f"contact_cost_{suffix}"] = np.round(days * share * 8 * UNIT)
    columns["revenue_prior"] = np.round(revenue * 0.3)
    columns["returned_revenue_lifetime"] = np.round(revenue * 0.03)
    channel = rng.integers(0, 3, size)
    for index, name in enumerate(("online", "field", "store")):
        columns[f"orders_{name}_lifetime"] = np.where(channel == index, days, 0).astype(float)
    columns["service_contacts_lifetime"] = rng.poisson(days * 0.3).astype(float)
    columns["complaints_lifetime"] = rng.poisson(days * 0.05).astype(float)
    return columns


def features(size: int, seed: int = 7) -> CustomerFeatures:
    return derive_features(
        ledger_columns(size, seed), as_of_day=AS_OF_DAY, return_handling_rate=10 * UNIT
    )


def subset(columns: dict[str, Any], rows: np.ndarray[Any, Any]) -> CustomerFeatures:
    """Features of some customers only, as a re-score of those customers would see them."""
    return derive_features(
        {name: values[rows] for name, values in columns.items()},
        as_of_day=AS_OF_DAY,
        return_handling_rate=10 * UNIT,
    )
