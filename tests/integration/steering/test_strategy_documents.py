"""The strategy document on a real database: drafts, approvals, activation, audit, publishing."""

from pathlib import Path

import pytest
from sqlalchemy import select

from services.steering import models
from services.steering.bootstrap import DEFINITION
from services.steering.strategy import active_strategy, strategy_documents
from shared.approvals import Actor, ApprovalRefusedError
from shared.db.migrations import upgrade_to_head
from shared.runtime import Runtime
from tests.integration.steering.strategies import strategy

pytestmark = pytest.mark.integration
DEPARTMENTS = ("sales", "marketing", "service", "finance")


@pytest.fixture
def runtime(database_factory, api_keys: tuple[Path, dict[str, str]]) -> Runtime:  # type: ignore[no-untyped-def]
    url = database_factory("steering")
    upgrade_to_head("steering", DEFINITION.migrations_dir, url)
    settings = DEFINITION.settings(
        database_url=url, kafka_bootstrap_servers="127.0.0.1:9", api_keys_file=api_keys[0]
    )
    return Runtime.build(settings, DEFINITION.tables, DEFINITION.migrations_dir)


def _published(runtime: Runtime) -> list[dict[str, object]]:
    outbox = models.messaging.outbox
    with runtime.session_factory() as session:
        rows = session.execute(
            select(outbox.c.event_type, outbox.c.message_key).order_by(outbox.c.id)
        )
        return [dict(row._mapping) for row in rows]


def test_a_strategy_is_active_and_published_only_after_every_department_approved(
    runtime: Runtime,
) -> None:
    documents = strategy_documents(runtime.outbox, "steering", DEPARTMENTS)
    sales = Actor("sales", "sales")
    with runtime.session_factory.begin() as session:
        state = documents.edit(session, "plan", strategy(), sales)
    assert state["status"] == "draft" and state["draft"]["version"] == 1
    for department in DEPARTMENTS[:-1]:
        with runtime.session_factory.begin() as session:
            state = documents.approve(session, "plan", 1, Actor(department, department), None)
    assert state["missing_departments"] == ["finance"] and state["active"] is None
    assert _published(runtime) == []

    with runtime.session_factory.begin() as session:
        state = documents.approve(session, "plan", 1, Actor("finance", "finance"), "ok")
        in_force = active_strategy(session)
    assert state["status"] == "active" and state["missing_departments"] == []
    assert in_force is not None and in_force[:2] == ("plan", 1)
    assert _published(runtime) == [{"event_type": "strategy.published", "message_key": "plan"}]


def test_editing_an_approved_draft_starts_a_new_version_and_the_old_one_stays_active(
    runtime: Runtime,
) -> None:
    documents = strategy_documents(runtime.outbox, "steering", ("sales", "finance"))
    sales, finance = Actor("sales", "sales"), Actor("finance", "finance")
    with runtime.session_factory.begin() as session:
        documents.edit(session, "plan", strategy(), sales)
        documents.edit(session, "plan", strategy(description="in place"), sales)
        documents.approve(session, "plan", 1, sales, None)
        documents.approve(session, "plan", 1, finance, None)
        documents.edit(session, "plan", strategy(description="v2"), sales)
        documents.approve(session, "plan", 2, sales, None)
        documents.approve(session, "plan", 2, sales, None)  # twice is a no-op
        state = documents.edit(session, "plan", strategy(description="v3"), sales)
        trail = documents.audit(session, "plan")
        history = documents.history(session, "plan")

    assert state["status"] == "revising"
    assert state["active"]["version"] == 1 and state["draft"]["version"] == 3
    assert [v["status"] for v in history] == ["active", "superseded", "draft"]
    assert [(e["version"], e["action"]) for e in trail] == [
        (1, "created"),
        (1, "edited"),
        (1, "approved"),
        (1, "approved"),
        (1, "activated"),
        (2, "drafted"),
        (2, "approved"),
        (3, "drafted"),
    ]
    assert trail[1]["changed_fields"] == ["description"]


def test_approvals_by_strangers_or_of_old_versions_are_refused(runtime: Runtime) -> None:
    documents = strategy_documents(runtime.outbox, "steering", ("sales", "finance"))
    sales = Actor("sales", "sales")
    with runtime.session_factory.begin() as session:
        documents.edit(session, "plan", strategy(), sales)
    refusals = []
    for version, actor in ((1, Actor("it", "integration")), (7, sales)):
        with pytest.raises(ApprovalRefusedError) as refused, runtime.session_factory.begin() as s:
            documents.approve(s, "plan", version, actor, None)
        refusals.append(refused.value.status)
    with runtime.session_factory.begin() as session:
        documents.approve(session, "plan", 1, sales, None)
        documents.edit(session, "plan", strategy(description="v2"), sales)
    with pytest.raises(ApprovalRefusedError) as superseded, runtime.session_factory.begin() as s:
        documents.approve(s, "plan", 1, Actor("finance", "finance"), None)
    assert refusals == [422, 404]
    assert superseded.value.status == 409
