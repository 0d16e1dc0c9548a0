"""Cost of one contact per channel and touchpoint type, until a strategy publishes its own.

A touchpoint type of "*" is the rate of every type of the channel without a rate of its own;
the channel "return" is the handling of one return whose cost was not reported. Segmentation
(cost to serve) and experience (cost per contact) share them, so both price a contact alike.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

EVERY_TYPE = "*"
RETURN_HANDLING = ("return", EVERY_TYPE)

DEFAULT_COST_RATES: dict[tuple[str, str], Decimal] = {
    ("field_visit", EVERY_TYPE): Decimal("120.00"),
    ("store", EVERY_TYPE): Decimal("12.00"),
    ("phone", EVERY_TYPE): Decimal("8.00"),
    ("phone", "complaint"): Decimal("25.00"),
    ("phone", "service_call"): Decimal("15.00"),
    ("email", EVERY_TYPE): Decimal("3.00"),
    ("email", "complaint"): Decimal("12.00"),
    ("chat", EVERY_TYPE): Decimal("4.00"),
    ("web", EVERY_TYPE): Decimal("0.05"),
    ("app", EVERY_TYPE): Decimal("0.05"),
    ("social", EVERY_TYPE): Decimal("2.00"),
    ("partner", EVERY_TYPE): Decimal("20.00"),
    ("letter", EVERY_TYPE): Decimal("2.50"),
    RETURN_HANDLING: Decimal("10.00"),
}


def effective_rates(
    published: Iterable[tuple[str, str | None, Decimal]],
) -> dict[tuple[str, str], Decimal]:
    """The built-in rates overlaid with a strategy's: what it names wins, the rest stays."""
    rates = dict(DEFAULT_COST_RATES)
    for channel, touchpoint_type, rate in published:
        rates[(channel, touchpoint_type or EVERY_TYPE)] = rate
    return rates


def rate_for(
    rates: Mapping[tuple[str, str], Decimal], channel: str, touchpoint_type: str
) -> Decimal:
    """The rate of the type on the channel, else the channel's, else nothing."""
    found = rates.get((channel, touchpoint_type), rates.get((channel, EVERY_TYPE)))
    return found if found is not None else Decimal("0")
