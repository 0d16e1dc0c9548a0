"""Comparing the services' totals per customer: which customers they disagree on, and how."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

Totals = Mapping[str, tuple[int, Decimal | None]]
"""customer id -> (orders, revenue or None)"""


@dataclass(frozen=True)
class Difference:
    customer_id: str
    figure: str
    by_service: dict[str, str]

    def __str__(self) -> str:
        values = ", ".join(f"{service} {value}" for service, value in self.by_service.items())
        return f"{self.customer_id}: {self.figure} differs ({values})"


def differences(by_service: Mapping[str, Totals]) -> list[Difference]:
    """Every customer on which the services' order counts or revenues differ.

    A customer without orders may be unknown to a service that keeps only buyers: absent
    counts as zero orders. Revenue is compared among the services that keep it.
    """
    found: list[Difference] = []
    customers = sorted({cid for totals in by_service.values() for cid in totals})
    for customer_id in customers:
        orders = {s: t.get(customer_id, (0, None))[0] for s, t in by_service.items()}
        if len(set(orders.values())) > 1:
            found.append(Difference(customer_id, "orders", {s: str(v) for s, v in orders.items()}))
            continue
        revenue = {
            service: value
            for service, totals in by_service.items()
            if (value := totals.get(customer_id, (0, Decimal(0)))[1]) is not None
        }
        if len({value.quantize(Decimal("0.01")) for value in revenue.values()}) > 1:
            found.append(
                Difference(customer_id, "revenue", {s: str(v) for s, v in revenue.items()})
            )
    return found
