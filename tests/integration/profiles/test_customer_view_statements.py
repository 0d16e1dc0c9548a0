"""GET /v1/customers/{customer_id} reads a customer's references, returns, actions and the
strategy in force in the customer's own statement: exact values and types, two statements."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import Engine, event

from services.profiles.view_repository import ViewRepository
from tests.fixtures.events import customer_upserted, order_line, order_placed, order_returned
from tests.integration.profiles.parts_support import assigned, parts_of, recommended, strategy
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration

# Fractions of a second, so that they are seen to survive the way through JSON.
NOW = datetime.now(UTC).replace(microsecond=120000)
AS_OF = NOW - timedelta(days=1, microseconds=5)
TIME = TypeAdapter(datetime)


def _json_time(moment: datetime) -> str:
    """A time as the API renders it."""
    return str(TIME.dump_python(moment, mode="json"))


def _rich_customer(profiles: Profiles) -> tuple[str, dict[str, Any]]:
    """A customer with several references, returns and actions, assigned to a segment that
    the published strategy names; its id and the events it was built from."""
    [result] = profiles.accept(
        customer_upserted(
            external_id="K-9",
            kind="organization",
            name="Huber KG",
            external_ids=[
                {"system": "shop", "id": "huber@shop"},
                {"system": "pos", "id": "P-1"},
                {"system": "crm", "id": "K-10"},
            ],
        )
    )
    customer_id = str(result["customer_id"])
    with_lines = order_returned(
        external_id="K-9",
        order_id="O-1",
        time=NOW - timedelta(days=5),
        lines=[
            {"sku": "S-1", "quantity": "1", "net_revenue": "19.99", "cost_of_goods": "0.10"},
            {"sku": "S-2", "quantity": "2", "net_revenue": "0.10", "cost_of_goods": "0.03"},
        ],
        handling_cost="3.33",
    )
    old_amount = order_returned(
        external_id="K-9",
        order_id="O-2",
        time=NOW - timedelta(days=700),
        amount="19.99",
        handling_cost="0.10",
    )
    newest_amount = order_returned(
        external_id="K-9", order_id="O-3", time=NOW - timedelta(days=2), amount="0.10"
    )
    profiles.accept(
        order_placed(
            external_id="K-9",
            order_id="O-1",
            time=NOW - timedelta(days=10),
            lines=[order_line(net_revenue="100.00", cost_of_goods="60.00")],
        ),
        with_lines,
        old_amount,
        newest_amount,
    )
    overdue = recommended(
        customer_id, recommended_at=AS_OF - timedelta(days=9), priority=2, action_id="a-late"
    )
    open_ = recommended(
        customer_id,
        recommended_at=AS_OF,
        due_at=NOW + timedelta(days=30),
        priority=1,
        owner_rep=None,
        thrust=None,
        action_id="a-open",
    )
    urgent = recommended(
        customer_id,
        recommended_at=AS_OF - timedelta(days=4),
        due_at=NOW - timedelta(hours=1),
        priority=1,
        action_id="a-urgent",
    )
    segment = {
        "key": "retain",
        "name": "Stammkunden halten",
        "thrust": "retain",
        "treatment": {"offers": ["Bonus"], "communication_channel": "email"},
    }
    in_force = strategy(4, [segment], published_at=AS_OF)
    parts_of(profiles.runtime).feed(
        assigned(customer_id, as_of=AS_OF), overdue, open_, urgent, in_force
    )
    events = {
        "newest_return": newest_amount,
        "actions": (urgent, open_, overdue),
        "strategy": in_force,
    }
    return customer_id, events


def _view(profiles: Profiles, customer_id: str, key: str = "sales") -> dict[str, Any]:
    response = profiles.http.get(f"/v1/customers/{customer_id}", headers=profiles.auth(key))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_references_returns_actions_and_strategy_show_with_exact_values(
    profiles: Profiles,
) -> None:
    customer_id, events = _rich_customer(profiles)

    view = _view(profiles, customer_id)

    assert view["references"] == [
        {"system": "crm", "id": "K-10"},
        {"system": "crm", "id": "K-9"},
        {"system": "pos", "id": "P-1"},
        {"system": "shop", "id": "huber@shop"},
    ]
    value = view["value"]
    assert value["as_of"] == {
        "time": _json_time(NOW - timedelta(days=2)),
        "event_id": events["newest_return"]["id"],
    }
    returned = ("returned_revenue", "returned_cost_of_goods", "return_handling_cost", "cm1")
    assert {name: value["lifetime"][name] for name in returned} == {
        "returned_revenue": "40.1800",
        "returned_cost_of_goods": "0.1300",
        "return_handling_cost": "3.4300",
        "cm1": "-0.0500",
    }
    assert {name: value["last_12_months"][name] for name in returned} == {
        "returned_revenue": "20.1900",
        "returned_cost_of_goods": "0.1300",
        "return_handling_cost": "3.3300",
        "cm1": "19.9400",
    }
    assert (value["lifetime"]["return_count"], value["last_12_months"]["return_count"]) == (3, 2)
    urgent, open_, overdue = events["actions"]
    actions = view["next_best_actions"]
    assert actions["as_of"] == {"time": _json_time(AS_OF), "event_id": open_.id}
    assert actions["items"] == [
        {
            **{name: field for name, field in action.data.items() if name != "customer_id"},
            "overdue": late,
        }
        for action, late in ((urgent, True), (open_, False), (overdue, True))
    ]
    assert view["strategy"] == {
        "status": "current",
        "as_of": {"time": _json_time(AS_OF), "event_id": events["strategy"].id},
        "source": "steering",
        "segment": "retain",
        "segment_name": "Stammkunden halten",
        "thrust": "retain",
        "approach": None,
        "service_level": None,
        "treatment": {"offers": ["Bonus"], "communication_channel": "email"},
        "strategy_id": "sales-strategy",
        "strategy_version": 4,
    }


def test_returns_and_actions_come_back_with_their_columns_types(profiles: Profiles) -> None:
    customer_id, events = _rich_customer(profiles)

    with profiles.runtime.read_session_factory() as session:
        rows = ViewRepository(session).customer(customer_id)

    assert rows is not None
    returns = {r["event_id"]: r for r in rows.returns}
    newest = returns[events["newest_return"]["id"]]
    assert newest["returned_at"] == NOW - timedelta(days=2)
    assert newest["returned_at"].tzinfo is UTC
    assert (newest["lines"], newest["handling_cost"]) == (None, None)
    assert [type(newest["amount"]), str(newest["amount"])] == [Decimal, "0.1000"]
    amounts = sorted(str(r["amount"]) for r in rows.returns if r["amount"] is not None)
    assert amounts == ["0.1000", "19.9900"]
    [with_lines] = [r for r in rows.returns if r["lines"] is not None]
    assert [line["net_revenue"] for line in with_lines["lines"]] == ["19.99", "0.10"]
    assert str(with_lines["handling_cost"]) == "3.3300"
    urgent = next(a for a in rows.actions if a["action_id"] == "a-urgent")
    assert urgent["due_at"] == NOW - timedelta(hours=1)
    assert urgent["recommended_at"] == AS_OF - timedelta(days=4)
    assert {urgent["due_at"].tzinfo, urgent["event_time"].tzinfo} == {UTC}
    assert type(urgent["priority"]) is int
    assert rows.strategy is not None
    assert (rows.strategy["version"], rows.strategy["published_at"]) == (4, AS_OF)


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` sends while the block runs."""
    sent: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", _count)


@pytest.mark.parametrize("kind", ["with every part", "with nothing but its reference"])
def test_a_view_is_read_in_two_statements(profiles: Profiles, kind: str) -> None:
    if kind == "with every part":
        customer_id, _ = _rich_customer(profiles)
    else:
        [result] = profiles.accept(customer_upserted())
        customer_id = str(result["customer_id"])
    reader: Engine = profiles.runtime.read_session_factory.kw["bind"]

    with _statements(reader) as sent:
        _view(profiles, customer_id)

    assert len(sent) == 2, sent
