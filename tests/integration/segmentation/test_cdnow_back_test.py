"""The published CDNOW figures, reproduced by a back-test run over orders fed as events.

Every CDNOW transaction becomes an order.placed (amount as revenue, no costs, so the margin
per purchase is the amount); a run as of 1997-09-30 must then fit what Fader, Hardie & Lee
(2005) published for the calibration period.
"""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shared.events.envelope import CloudEvent
from shared.events.orders import OrderLine, OrderPlaced
from tests.integration.segmentation.support import published, segmentation_on
from tests.unit.segmentation.cdnow import CDNOW_SAMPLE

pytestmark = pytest.mark.integration
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def _orders() -> list[CloudEvent]:
    events = []
    for number, line in enumerate(CDNOW_SAMPLE.read_text().split("\n")):
        if not line.strip():
            continue
        _master, customer, day, cds, dollars = line.split()
        when = datetime(int(day[:4]), int(day[4:6]), int(day[6:]), 12, tzinfo=UTC)
        amount = Decimal(dollars)
        payload = OrderPlaced(
            customer_id=f"cdnow-{customer}",
            order_id=f"t{number}",
            source_system="cdnow",
            channel="web",
            currency="USD",
            lines=[
                OrderLine(
                    sku="cd",
                    category="music",
                    quantity=Decimal(cds),
                    net_revenue=amount,
                    cost_of_goods=Decimal(0),
                )
            ],
            ordered_at=when,
            net_revenue=amount,
            cost_of_goods=Decimal(0),
        )
        events.append(published(payload, "order.placed", payload.customer_id))
    return events


def test_a_run_as_of_week_39_reproduces_the_published_parameters(
    tmp_path: Path, api_keys: tuple[Path, dict[str, str]]
) -> None:
    segmentation = segmentation_on(f"sqlite:///{tmp_path / 'cdnow.db'}", api_keys[0])
    events = _orders()
    for start in range(0, len(events), 1000):
        segmentation.feed(*events[start : start + 1000])

    run = segmentation.run(as_of=datetime(1997, 9, 30, 23, 59, 59, tzinfo=UTC))

    assert run["status"] == "completed", run["error"]
    models: dict[str, Any] = run["summary"]["models"]
    assert run["summary"]["customers"] == 2357
    assert models["bgnbd"]["customers"] == 2357
    for name, value in PUBLISHED.items():
        assert models["bgnbd"][name] == pytest.approx(value, rel=0.01), name
    assert models["bgnbd"]["log_likelihood"] == pytest.approx(-9582.4, abs=0.1)
    for name, value in PUBLISHED_SPEND.items():
        assert models["gamma_gamma"][name] == pytest.approx(value, rel=0.01), name
    segmentation.runtime.engine.dispose()
