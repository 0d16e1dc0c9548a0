"""The customers of a consumer batch as the aggregates see them, loaded once per batch."""

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.steering import models
from services.steering.domain.contributions import CustomerContext, units
from services.steering.strategy import active_strategy
from shared.db.lookup import one_of


@dataclass
class Customer:
    customer_id: str
    region: str | None = None
    owner_rep: str | None = None
    facts: dict[str, Any] | None = None
    """The customer_facts row (stored or to be written); None while nothing is known."""
    changed: bool = False

    def context(self, targets: frozenset[str]) -> CustomerContext:
        facts = self.facts or {}
        segment = facts.get("strategic_segment")
        return CustomerContext(
            segment=segment,
            target_segment=segment in targets,
            value_tier=facts.get("value_tier"),
            lifecycle_stage=facts.get("lifecycle_stage"),
            contribution_margin_3_12m=int(facts.get("contribution_margin_3_12m") or 0),
        )

    def members(self, channel: str | None, rep: str | None) -> dict[str, str]:
        """The member of each dimension an event of this customer counts under."""
        facts = self.facts or {}
        segment = facts.get("strategic_segment") or "unassigned"
        rep = rep or self.owner_rep or "unassigned"
        return {
            "all": "all",
            "segment": segment,
            "region": self.region or "unknown",
            "rep": rep,
            "channel": channel or "none",
            "rep_segment": rep_segment(rep, segment),
        }

    def update(self, **values: Any) -> None:
        base = self.facts or {"customer_id": self.customer_id, "clv": 0, "share_of_wallet_gap": 0}
        base.setdefault("contribution_margin_3_12m", 0)
        self.facts = {**base, **values}
        self.changed = True


def rep_segment(rep: str, segment: str) -> str:
    """The member of the rep x segment dimension that incentive components are measured on."""
    return f"{rep}|{segment}"


@dataclass
class StrategyTerms:
    """What the strategy in force says that the aggregates use."""

    rates: dict[tuple[str, str], int] = field(default_factory=dict)
    targets: frozenset[str] = frozenset()


def load_terms(session: Session) -> StrategyTerms:
    active = active_strategy(session)
    if active is None:
        return StrategyTerms()
    content = active[2]
    return StrategyTerms(
        rates={
            (rate.channel, rate.touchpoint_type or "*"): units(rate.rate)
            for rate in content.cost_rates
        },
        targets=frozenset(s.key for s in content.segments if s.target_segment),
    )


def load_customers(
    session: Session, known: dict[str, Customer], customer_ids: set[str]
) -> dict[str, Customer]:
    """Add the wanted customers to `known` with two queries per 500; return `known`."""
    missing = sorted(cid for cid in customer_ids if cid not in known)
    directory, facts = models.customers, models.customer_facts
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        found = {cid: Customer(cid) for cid in chunk}
        for row in session.execute(
            select(directory.c.customer_id, directory.c.region, directory.c.owner_rep).where(
                one_of(session, directory.c.customer_id, chunk)
            )
        ):
            found[row.customer_id] = replace(
                found[row.customer_id], region=row.region, owner_rep=row.owner_rep
            )
        for row in session.execute(
            select(facts).where(one_of(session, facts.c.customer_id, chunk))
        ):
            found[row.customer_id].facts = dict(row._mapping)
        known.update(found)
    return known
