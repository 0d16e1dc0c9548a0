"""A seeded, reproducible mid-sized German distributor: its customers and three years of events.

The same seed gives the same company and the same event ids, so loading it twice adds
nothing the second time.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.demo.behaviour import (
    ARCHETYPES,
    CITIES,
    COMPANY_FORMS,
    COMPANY_WORDS,
    CONSUMER_CATEGORIES,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    REGIONS,
    Archetype,
)

YEARS = 3
REPS_PER_REGION = 5
ONLINE = frozenset({"web", "app", "marketplace"})
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rep:
    rep_id: str
    name: str
    region: str
    team: str


def reps() -> list[Rep]:
    """25 sales reps, five per region, each region one team."""
    found = []
    for region_number, region in enumerate(REGIONS):
        for number in range(REPS_PER_REGION):
            index = region_number * REPS_PER_REGION + number
            name = f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index % len(LAST_NAMES)]}"
            found.append(Rep(f"R-{index + 1:02d}", name, region, f"Team {region}"))
    return found


def _money(value: float) -> str:
    return str(Decimal(repr(max(value, 0.0))).quantize(CENT))


class _Customer:
    def __init__(self, company: "DemoCompany", number: int, archetype: Archetype) -> None:
        rng = company.rng
        self.archetype = archetype
        self.number = number
        self.system = "crm" if archetype.kind == "organization" else "shop"
        self.external_id = f"{'K' if self.system == 'crm' else 'S'}-{100000 + number}"
        self.region = rng.choice(REGIONS)
        self.rep = rng.choice([r for r in company.reps if r.region == self.region])
        # Customers keep coming: the newest started a week ago.
        first_year = 0.0 if archetype.name == "key_account" else rng.random() * (YEARS - 0.02)
        self.since = company.start + timedelta(days=first_year * 365.25)
        self.industry = rng.choice(sorted(INDUSTRIES))
        self.name, self.email = self._identity(rng)

    def _identity(self, rng: random.Random) -> tuple[str, str]:
        if self.archetype.kind == "organization":
            name = f"{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_WORDS).lower()} "
            name += f"{rng.choice(LAST_NAMES)} {rng.choice(COMPANY_FORMS)}"
            return name, f"info{self.number}@{name.split()[0].lower()}.example"
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        return f"{first} {last}", f"{first.lower()}.{last.lower()}{self.number}@example.org"


class DemoCompany:
    """Generates the company's events in time order."""

    def __init__(self, customers: int = 20_000, seed: int = 42, now: datetime | None = None):
        self.rng = random.Random(seed)
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.start = self.now - timedelta(days=YEARS * 365)
        self.reps = reps()
        self.size = customers
        self._ids = 0
        self._orders = 0

    def events(self) -> list[dict[str, Any]]:
        """Every event of every customer, sorted by time."""
        return self.waves(1.0)[0]

    def waves(self, share: float) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Every event of every customer in two waves, each sorted by time: the customers'
        first `share` (the company in miniature: every archetype is drawn alike), then the
        others. Each customer's events, duplicates in other systems included, stay in one
        wave; the same seed gives the same events, however they are split."""
        first: list[dict[str, Any]] = []
        rest: list[dict[str, Any]] = []
        cut = round(self.size * share)
        weights = [a.weight for a in ARCHETYPES]
        for number in range(self.size):
            archetype = self.rng.choices(ARCHETYPES, weights)[0]
            wave = first if number < cut else rest
            wave.extend(self._customer_events(_Customer(self, number, archetype)))
        for wave in (first, rest):
            wave.sort(key=lambda event: (event["time"], event["id"]))
        return first, rest

    def _event(
        self, kind: str, source: str, when: datetime, data: dict[str, Any]
    ) -> dict[str, Any]:
        self._ids += 1
        return {
            "id": f"demo-{self._ids}",
            "type": kind,
            "source": source,
            "time": when.isoformat(),
            "data": data,
        }

    def _customer_events(self, c: _Customer) -> Iterator[dict[str, Any]]:
        ref = {"system": c.system, "id": c.external_id}
        yield self._event("customer.upserted", c.system, c.since, self._profile(c, ref))
        if c.archetype.kind == "person" and self.rng.random() < 0.04:
            # The same person also known to the CRM: identity resolution joins it by e-mail.
            later = c.since + timedelta(days=self.rng.randint(5, 200))
            if later < self.now:
                crm_ref = {"system": "crm", "id": f"K-{500000 + c.number}"}
                yield self._event("customer.upserted", "crm", later, self._profile(c, crm_ref))
        orders = list(self._order_times(c))
        if c.archetype.kind == "person":
            yield from self._anonymous_visits(c, ref, orders[0] if orders else None)
        if not orders:
            yield from self._prospect_contacts(c, ref)
        for when in orders:
            yield from self._order(c, ref, when)

    def _profile(self, c: _Customer, ref: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "customer": ref,
            "kind": c.archetype.kind,
            "name": c.name,
            "email": c.email,
            "region": c.region,
            "city": self.rng.choice(CITIES[c.region]),
            "country": "DE",
            "attributes": {"archetype": c.archetype.name},
        }
        if c.archetype.kind == "organization":
            data.update(industry=c.industry, size_class=self.rng.choice(c.archetype.size_classes))
            data["owner_rep"] = c.rep.rep_id
        roll = self.rng.random()
        status = "granted" if roll < 0.6 else "denied" if roll < 0.8 else None
        if status:
            data["consents"] = {"email": {"status": status, "date": c.since.isoformat()}}
        return data

    def _order_times(self, c: _Customer) -> Iterator[datetime]:
        a = c.archetype
        if a.active_years == 0.0:
            return
        ends = self.now
        if a.active_years is not None:
            ends = min(
                ends,
                c.since + timedelta(days=self.rng.expovariate(1 / a.active_years) * 365.25 + 1),
            )
        moment = c.since + timedelta(days=self.rng.uniform(0, 10))
        pause_at = c.since + timedelta(days=self.rng.uniform(120, 400)) if a.reactivates else None
        shape = 3.0 if a.kind == "organization" else 1.2
        while moment < ends:
            yield moment
            if a.active_years is not None and a.active_years < 0.05:
                return  # a one-time buyer
            gap = self.rng.gammavariate(shape, a.interval_days / shape)
            moment += timedelta(days=max(gap, 1.0))
            if pause_at is not None and moment > pause_at:
                moment += timedelta(days=self.rng.uniform(300, 450))
                pause_at = None

    def _anonymous_visits(
        self, c: _Customer, ref: dict[str, str], first_order: datetime | None
    ) -> Iterator[dict[str, Any]]:
        if self.rng.random() > 0.5:
            return
        anonymous_id = f"anon-{c.number}"
        until = first_order or self.now
        for _ in range(self.rng.randint(1, 3)):
            when = until - timedelta(days=self.rng.uniform(0.1, 20))
            if when > self.start:
                data = {
                    "anonymous_id": anonymous_id,
                    "channel": "web",
                    "touchpoint_type": "website_visit",
                    "journey_stage": "awareness",
                }
                yield self._event("touchpoint.recorded", "web", when, data)
        if first_order is not None:
            identified = {"anonymous_id": anonymous_id, "customer": ref}
            yield self._event(
                "customer.identified", "web", first_order - timedelta(minutes=5), identified
            )

    def _prospect_contacts(self, c: _Customer, ref: dict[str, str]) -> Iterator[dict[str, Any]]:
        for _ in range(self.rng.randint(1, 4)):
            when = c.since + timedelta(days=self.rng.uniform(0, 200))
            if when < self.now:
                kind = self.rng.choice(["website_visit", "newsletter_signup", "quote_requested"])
                data = {
                    "customer": ref,
                    "channel": "web" if kind != "quote_requested" else "email",
                    "touchpoint_type": kind,
                    "journey_stage": "consideration",
                }
                yield self._event("touchpoint.recorded", "web", when, data)

    def _order(self, c: _Customer, ref: dict[str, str], when: datetime) -> Iterator[dict[str, Any]]:
        a, rng = c.archetype, self.rng
        self._orders += 1
        order_id = f"{'A' if c.system == 'crm' else 'W'}-{self._orders:07d}"
        channel = rng.choices(list(a.channels), list(a.channels.values()))[0]
        if a.kind == "organization" and rng.random() < 0.2:
            contact = rng.choice([("phone", "quote_requested"), ("field_visit", "sales_visit")])
            yield self._touchpoint(
                c, ref, when - timedelta(days=rng.uniform(1, 10)), *contact, stage="consideration"
            )
        years = (when - c.since).days / 365.25
        total = rng.lognormvariate(0, 0.5) * a.basket * a.growth_per_year**years
        lines = self._lines(c, total)
        data: dict[str, Any] = {
            "order_id": order_id,
            "customer": ref,
            "channel": channel,
            "currency": "EUR",
            "lines": lines,
        }
        if a.discount_share and rng.random() < 0.7:
            data["discount"] = _money(total * a.discount_share * rng.uniform(0.5, 1.5))
        if channel in ONLINE:
            data["shipping_cost"] = _money(rng.choice([4.9, 6.9, 9.9]))
            data["other_direct_costs"] = _money(total * 0.015)
        if channel == "field_sales":
            data["sales_rep"] = c.rep.rep_id
        yield self._event("order.placed", c.system, when, data)
        yield from self._after_order(c, ref, when, order_id, lines)

    def _lines(self, c: _Customer, total: float) -> list[dict[str, Any]]:
        rng = self.rng
        categories = (
            INDUSTRIES[c.industry] if c.archetype.kind == "organization" else CONSUMER_CATEGORIES
        )
        count = rng.randint(1, 4)
        shares = [rng.random() + 0.2 for _ in range(count)]
        lines = []
        for index, share in enumerate(shares):
            revenue = total * share / sum(shares)
            lines.append(
                {
                    "sku": f"SKU-{rng.randint(1000, 9999)}",
                    "category": rng.choice(categories),
                    "quantity": str(rng.randint(1, 12)),
                    "net_revenue": _money(revenue),
                    "cost_of_goods": _money(revenue * rng.uniform(0.55, 0.75)),
                }
            )
            if index == 3:
                break
        return lines

    def _after_order(
        self,
        c: _Customer,
        ref: dict[str, str],
        when: datetime,
        order_id: str,
        lines: list[dict[str, Any]],
    ) -> Iterator[dict[str, Any]]:
        a, rng = c.archetype, self.rng
        if rng.random() < a.return_share:
            back = when + timedelta(days=rng.uniform(3, 20))
            line = lines[0]
            share = Decimal("0.5")
            returned = {
                "order_id": order_id,
                "customer": ref,
                "lines": [
                    {
                        "sku": line["sku"],
                        "quantity": "1",
                        "net_revenue": str((Decimal(line["net_revenue"]) * share).quantize(CENT)),
                        "cost_of_goods": str(
                            (Decimal(line["cost_of_goods"]) * share).quantize(CENT)
                        ),
                    }
                ],
            }
            if back < self.now:
                yield self._event("order.returned", c.system, back, returned)
        for _ in range(
            int(rng.expovariate(1 / a.service_per_order) + 0.5) if a.service_per_order else 0
        ):
            yield self._touchpoint(
                c,
                ref,
                when + timedelta(days=rng.uniform(1, 30)),
                "phone",
                "service_call",
                stage="service",
                rated=True,
            )
        if rng.random() < a.complaint_share:
            yield self._touchpoint(
                c,
                ref,
                when + timedelta(days=rng.uniform(2, 25)),
                rng.choice(["phone", "email"]),
                "complaint",
                stage="service",
                rated=True,
                unhappy=True,
            )
        if rng.random() < 0.08:
            yield self._touchpoint(
                c,
                ref,
                when + timedelta(days=rng.uniform(5, 15)),
                "email",
                "nps_survey",
                stage="loyalty",
                nps=True,
            )

    def _touchpoint(
        self,
        c: _Customer,
        ref: dict[str, str],
        when: datetime,
        channel: str,
        kind: str,
        *,
        stage: str,
        rated: bool = False,
        unhappy: bool = False,
        nps: bool = False,
    ) -> dict[str, Any]:
        rng = self.rng
        data: dict[str, Any] = {
            "customer": ref,
            "channel": channel,
            "touchpoint_type": kind,
            "journey_stage": stage,
            "direction": "inbound",
        }
        mood = c.archetype.csat - (1.5 if unhappy else 0.0)
        if rated:
            data["csat"] = min(5, max(1, round(rng.gauss(mood, 0.8))))
            data["effort"] = min(7, max(1, round(rng.gauss(7 - mood, 1.0))))
            data["outcome"] = "resolved" if rng.random() < 0.8 else "open"
        if nps:
            data["nps"] = min(10, max(0, round(rng.gauss(mood * 2, 1.8))))
        if c.archetype.kind == "organization":
            data["rep"] = c.rep.rep_id
        return self._event(
            "touchpoint.recorded",
            c.system if channel != "web" else "web",
            min(when, self.now),
            data,
        )
