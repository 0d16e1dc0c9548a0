"""A valid sales strategy document, so tests state only what they change."""

from typing import Any

VALUE_TIERS = ("negative", "low", "medium", "high")
POTENTIAL_TIERS = ("low", "medium", "high")


def _segment(key: str, thrust: str, channel: str, level: str, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.replace("_", " ").title(),
        "thrust": thrust,
        "approach": {
            "channel": channel,
            "role": "account_manager" if channel == "field_sales" else "inside_sales_rep",
            "contact_frequency_days": 30 if channel == "field_sales" else None,
            "service_level": level,
        },
        "treatment": {
            "offers": [f"{key} offer"],
            "retention_measures": [],
            "communication_channel": "email",
        },
        **extra,
    }


def strategy(*, grow_cell: str = "key_accounts", **overrides: Any) -> dict[str, Any]:
    """Two segments: high value goes to key accounts, everything else to the mass market."""
    cells = [
        {
            "value_tier": value,
            "potential_tier": potential,
            "segment": grow_cell if value == "high" else "mass_market",
        }
        for value in VALUE_TIERS
        for potential in POTENTIAL_TIERS
    ]
    body: dict[str, Any] = {
        "name": "Vertriebsstrategie 2027",
        "channels": ["field_sales", "e_commerce"],
        "service_levels": [
            {"key": "premium", "name": "Premium", "response_time_hours": 4},
            {"key": "self_service", "name": "Self service", "response_time_hours": 48},
        ],
        "segments": [
            _segment(
                "key_accounts",
                "grow",
                "field_sales",
                "premium",
                target_segment=True,
                kpi_targets=[{"kpi": "revenue", "value": "1000.00"}],
            ),
            _segment("mass_market", "serve_efficiently", "e_commerce", "self_service"),
        ],
        "portfolio": cells,
        "lifecycle_overrides": [
            {"lifecycle_stage": "lapsed", "value_tiers": ["high"], "segment": "key_accounts"}
        ],
        "cost_rates": [{"channel": "phone", "touchpoint_type": None, "rate": "9.50"}],
        "kpi_targets": [
            {"kpi": "revenue", "value": "2000.00"},
            {"kpi": "discount_rate", "value": "0.05"},
        ],
    }
    body.update(overrides)
    return body
