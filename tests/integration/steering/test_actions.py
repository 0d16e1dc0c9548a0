"""Next best actions from segment assignments and consents, on a real database."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from services.steering import actions, cockpit, models
from services.steering.aggregate_writer import AggregateWriter
from services.steering.domain.periods import month_of
from shared.approvals import ApprovalRefusedError
from tests.integration.steering.support import Steering, assigned, registered, steering_on

pytestmark = pytest.mark.integration


@pytest.fixture
def steering(database_factory, api_keys: tuple[Path, dict[str, str]]) -> Steering:  # type: ignore[no-untyped-def]
    running = steering_on(database_factory("steering"), api_keys[0])
    running.activate_strategy()
    return running


def _actions(steering: Steering, **where: str) -> list[dict[str, object]]:
    with steering.runtime.read_session_factory() as session:
        return actions.listed(
            session,
            customer_id=where.get("customer"),
            rep=where.get("rep"),
            status=where.get("status"),
            limit=100,
            offset=0,
        )


def _published(steering: Steering) -> list[str]:
    outbox = steering.runtime.tables.outbox
    with steering.runtime.read_session_factory() as session:
        rows = session.execute(
            select(outbox.c.message_key).where(outbox.c.event_type == "action.recommended")
        )
        return sorted(row.message_key for row in rows)


def test_assignments_recommend_actions_the_consents_permit_and_publish_them(
    steering: Steering,
) -> None:
    steering.feed(
        registered("c1", owner_rep="anna", consents={"phone": "granted"}),
        registered("c2", owner_rep="anna", consents={"email": "denied"}),
        registered("c3", consents={"email": "granted"}),
        assigned("c1", "key_accounts", "high", "at_risk"),
        assigned("c2", "key_accounts", "high", "loyal", potential="high", gap="500"),
        assigned("c3", "mass_market", "negative", "developing", cm3="-80"),
    )

    by_customer = {a["customer_id"]: a for a in _actions(steering)}
    assert by_customer["c1"]["action_type"] == "retention_call"
    assert by_customer["c1"]["channel"] == "phone" and by_customer["c1"]["owner_rep"] == "anna"
    # no e-mail offer without e-mail consent: the account manager visits
    assert by_customer["c2"]["action_type"] == "cross_sell_offer"
    assert by_customer["c2"]["channel"] == "field_visit"
    assert by_customer["c3"]["action_type"] == "move_to_self_service"
    assert by_customer["c3"]["channel"] == "email" and by_customer["c3"]["owner_rep"] is None
    assert _published(steering) == ["c1", "c2", "c3"]
    assert [a["customer_id"] for a in _actions(steering, rep="anna")] == ["c1", "c2"]


def test_an_open_action_is_not_recommended_twice_and_consents_follow_the_newest_snapshot(
    steering: Steering,
) -> None:
    steering.feed(
        registered("c1", owner_rep="anna"), assigned("c1", "key_accounts", "high", "at_risk")
    )
    steering.feed(
        assigned("c1", "key_accounts", "high", "at_risk", as_of="2025-10-02T00:00:00+00:00")
    )
    with steering.runtime.read_session_factory() as session:
        stored = session.execute(select(models.customer_consents)).all()
    assert len(_actions(steering, customer="c1")) == 1
    assert _actions(steering)[0]["channel"] == "field_visit"  # no phone consent recorded
    assert [row.consents for row in stored] == [{}]


def test_a_reported_outcome_counts_for_treatment_coverage_once(steering: Steering) -> None:
    steering.feed(
        registered("c1", owner_rep="anna", consents={"phone": "granted"}),
        assigned("c1", "key_accounts", "high", "at_risk"),
    )
    (action,) = _actions(steering)
    now = datetime.now(UTC)
    with steering.runtime.session_factory.begin() as session:
        first = actions.report_outcome(
            session,
            AggregateWriter(),
            str(action["action_id"]),
            "no_answer",
            occurred_at=now,
            actor="crm",
            note=None,
        )
    with steering.runtime.session_factory.begin() as session:
        actions.report_outcome(
            session,
            AggregateWriter(),
            str(action["action_id"]),
            "done",
            occurred_at=now,
            actor="crm",
            note="called",
        )
    with steering.runtime.read_session_factory() as session:
        flows = cockpit.flows_of(session, month_of(now), "all")["all"]
        board = cockpit.build_board(session, month_of(now), "all")

    assert first["status"] == "no_answer"
    assert _actions(steering)[0]["status"] == "done"
    assert flows["contacted_customers"] == 1
    coverage = board.members[0].evaluations["treatment_coverage"].value
    assert coverage is not None and coverage == 1
    with (
        pytest.raises(ApprovalRefusedError, match="settled already"),
        steering.runtime.session_factory.begin() as session,
    ):
        actions.report_outcome(
            session,
            AggregateWriter(),
            str(action["action_id"]),
            "declined",
            occurred_at=now,
            actor="crm",
            note=None,
        )
