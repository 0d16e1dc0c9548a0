"""The demo company's sales strategy and incentive plan, with targets taken from its history.

Monthly targets ask for a little more than the last twelve months brought on average (revenue
+5 %, new customers +10 %); rates and scores have the levels a distributor of this kind aims
for. The segments follow a classic value x potential portfolio: key accounts and growth
accounts are grown in the field and by phone, the broad middle is developed or served
efficiently online, and unprofitable customers are restructured.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.demo.company import Rep

CENT = Decimal("0.01")
VALUE_TIERS = ("negative", "low", "medium", "high")
POTENTIAL_TIERS = ("low", "medium", "high")
PORTFOLIO = {
    ("high", "high"): "key_accounts",
    ("high", "medium"): "key_accounts",
    ("high", "low"): "core_accounts",
    ("medium", "high"): "growth_accounts",
    ("medium", "medium"): "regular_customers",
    ("medium", "low"): "online_customers",
    ("low", "high"): "growth_accounts",
    ("low", "medium"): "regular_customers",
    ("low", "low"): "online_customers",
}
"""Value tier x potential tier -> segment; every negative cell goes to restructuring."""


def _segment(
    key: str,
    name: str,
    thrust: str,
    approach: tuple[str, str, int | None, str],
    treatment: dict[str, Any],
    *,
    target: bool = False,
) -> dict[str, Any]:
    channel, role, every_days, level = approach
    return {
        "key": key,
        "name": name,
        "thrust": thrust,
        "target_segment": target,
        "approach": {
            "channel": channel,
            "role": role,
            "contact_frequency_days": every_days,
            "service_level": level,
        },
        "treatment": treatment,
    }


SEGMENTS = [
    _segment(
        "key_accounts",
        "Key accounts",
        "grow",
        ("field_sales", "account_manager", 30, "premium"),
        {
            "offers": ["annual framework agreement", "consignment stock"],
            "retention_measures": ["quarterly business review"],
            "communication_channel": "phone",
            "communication_frequency_days": 14,
        },
        target=True,
    ),
    _segment(
        "core_accounts",
        "Core accounts",
        "retain",
        ("field_sales", "account_manager", 60, "premium"),
        {
            "offers": ["loyalty pricing"],
            "retention_measures": ["retention call when at risk", "service review"],
            "communication_channel": "phone",
            "communication_frequency_days": 30,
        },
        target=True,
    ),
    _segment(
        "growth_accounts",
        "Growth accounts",
        "grow",
        ("inside_sales", "inside_sales_rep", 45, "standard"),
        {
            "offers": ["cross-sell bundle", "volume discount on the next order"],
            "communication_channel": "phone",
            "communication_frequency_days": 30,
        },
        target=True,
    ),
    _segment(
        "regular_customers",
        "Regular customers",
        "develop",
        ("inside_sales", "inside_sales_rep", 90, "standard"),
        {
            "offers": ["category recommendation"],
            "communication_channel": "email",
            "communication_frequency_days": 30,
        },
    ),
    _segment(
        "online_customers",
        "Online customers",
        "serve_efficiently",
        ("e_commerce", "web_shop", None, "self_service"),
        {
            "offers": ["web shop promotion"],
            "communication_channel": "email",
            "communication_frequency_days": 60,
        },
    ),
    _segment(
        "restructure",
        "Restructure",
        "restructure",
        ("e_commerce", "web_shop", None, "self_service"),
        {
            "offers": ["minimum order value", "shipping charged"],
            "communication_channel": "email",
        },
    ),
]

COST_RATES = [
    ("field_visit", None, "180.00"),
    ("phone", None, "9.50"),
    ("phone", "service_call", "12.50"),
    ("phone", "complaint", "35.00"),
    ("email", None, "2.00"),
    ("email", "complaint", "25.00"),
    ("email", "nps_survey", "0.20"),
    ("web", None, "0.00"),
    ("return", None, "15.00"),
]


def history_figures(events: Iterable[dict[str, Any]], now: datetime) -> tuple[Decimal, Decimal]:
    """Average monthly net order revenue and new customers of the twelve months to `now`."""
    since = now - timedelta(days=365)
    revenue = Decimal(0)
    first_order: dict[tuple[str, str], datetime] = {}
    for event in events:
        if event["type"] != "order.placed":
            continue
        at = datetime.fromisoformat(event["time"])
        customer = event["data"]["customer"]
        key = (customer["system"], customer["id"])
        first_order[key] = min(first_order.get(key, at), at)
        if at >= since:
            revenue += sum(Decimal(line["net_revenue"]) for line in event["data"]["lines"])
    new = sum(1 for at in first_order.values() if at >= since)
    return (revenue / 12).quantize(CENT), Decimal(new) / 12


def strategy_document(monthly_revenue: Decimal, monthly_new: Decimal) -> dict[str, Any]:
    """The sales strategy, its monthly targets derived from the history's averages."""
    portfolio = [
        {
            "value_tier": value,
            "potential_tier": potential,
            "segment": PORTFOLIO.get((value, potential), "restructure"),
        }
        for value in VALUE_TIERS
        for potential in POTENTIAL_TIERS
    ]
    return {
        "name": "Vertriebsstrategie 2027",
        "description": "Grow key and growth accounts, keep the core, develop the middle, serve "
        "small accounts online and restructure those that cost more than they bring.",
        "channels": ["field_sales", "inside_sales", "e_commerce", "store"],
        "service_levels": [
            {"key": "premium", "name": "Premium", "response_time_hours": 4},
            {"key": "standard", "name": "Standard", "response_time_hours": 24},
            {"key": "self_service", "name": "Self service", "response_time_hours": 72},
        ],
        "segments": SEGMENTS,
        "portfolio": portfolio,
        "lifecycle_overrides": [
            {"lifecycle_stage": "at_risk", "value_tiers": ["high"], "segment": "core_accounts"}
        ],
        "cost_rates": [
            {"channel": channel, "touchpoint_type": kind, "rate": rate}
            for channel, kind, rate in COST_RATES
        ],
        "kpi_targets": [
            {"kpi": "revenue", "value": str((monthly_revenue * Decimal("1.05")).quantize(CENT))},
            {"kpi": "new_customers", "value": str((monthly_new * Decimal("1.1")).quantize(CENT))},
            {"kpi": "churn_rate", "value": "0.05"},
            {"kpi": "discount_rate", "value": "0.04"},
            {"kpi": "nps", "value": "30"},
            {"kpi": "csat", "value": "4.2"},
            {"kpi": "cost_to_serve_share", "value": "0.06"},
            {"kpi": "target_segment_revenue_share", "value": "0.60"},
            {"kpi": "treatment_coverage", "value": "0.50"},
        ],
    }


def incentive_plan(reps: list[Rep], monthly_revenue: Decimal) -> dict[str, Any]:
    """One plan for every sales team, its revenue targets a rep's share of the company's."""
    per_rep = monthly_revenue / len(reps)
    return {
        "name": "Vertriebsbonus 2027",
        "description": "Pays for margin growth where the strategy says grow, for keeping the "
        "core and for new customers in target segments; discounts beyond the band cost.",
        "teams": sorted({rep.team for rep in reps}),
        "on_target_bonus": "1500.00",
        "components": [
            {
                "key": "cm2_grow",
                "name": "cm2 in grow segments",
                "metric": "cm2",
                "thrusts": ["grow"],
                "weight": "0.5",
                "target": str((per_rep * Decimal("0.12")).quantize(CENT)),
                "threshold": "0.5",
                "cap": "2.0",
                "accelerators": [{"from_attainment": "1.10", "multiplier": "1.5"}],
            },
            {
                "key": "retention",
                "name": "Retention in retain segments",
                "metric": "retention_rate",
                "thrusts": ["retain"],
                "weight": "0.3",
                "target": "0.95",
                "threshold": "0.8",
                "cap": "1.2",
            },
            {
                "key": "new_target",
                "name": "New customers in target segments",
                "metric": "new_customers",
                "target_segments_only": True,
                "weight": "0.2",
                "target": "1",
                "cap": "2.0",
            },
            {
                "key": "discount_malus",
                "name": "Discount beyond the price band",
                "metric": "discount_malus",
                "weight": "0",
                "target": "0.05",
                "malus_per_point": "100.00",
                "malus_cap": "500.00",
            },
        ],
    }


class DocumentRefusedError(RuntimeError):
    """Steering refused a demo document or its approval."""


def put_in_force(client: Any, keys: dict[str, str], path: str, document: dict[str, Any]) -> str:
    """Edit the document at `path` (strategy or incentive plan) with the sales key and approve
    it for every department still missing; nothing if a version is in force already. Says
    what it did."""

    def call(method: str, url: str, key: str, body: dict[str, Any] | None = None) -> Any:
        answer = client.request(
            method, url, json=body, headers={"Authorization": f"Bearer {keys[key]}"}
        )
        if answer.status_code >= 400:
            raise DocumentRefusedError(f"{method} {url}: {answer.status_code} {answer.text[:300]}")
        return answer.json()

    current = client.get(path, headers={"Authorization": f"Bearer {keys['sales']}"})
    if current.status_code == 200 and current.json()["active"] is not None:
        return f"v{current.json()['active']['version']} already in force, left as it is"
    state = call("PUT", path, "sales", document)
    version = state["draft"]["version"]
    for department in state["missing_departments"]:
        if department not in keys:
            raise DocumentRefusedError(f"no key of the department {department} to approve with")
        state = call(
            "POST",
            f"{path}/versions/{version}/approvals",
            department,
            {"comment": "demo company", "department": department},
        )
    return f"v{version} approved by {', '.join(state['required_departments'])}"
