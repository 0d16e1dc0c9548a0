"""A restarted dev stack publishes the retained outbox again to its new, empty broker."""

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update

from services.profiles.bootstrap import DEFINITION as PROFILES
from shared.db.migrations import upgrade_to_head
from shared.devstack.config import ServicePlan
from shared.devstack.replay import republish_retained_outboxes
from shared.runtime import Runtime
from tests.fixtures.cloudevents import customer_event


def test_published_outbox_rows_become_pending_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'profiles.db'}"
    upgrade_to_head("profiles", PROFILES.migrations_dir, url)
    runtime = Runtime.build(
        PROFILES.settings(database_url=url), PROFILES.tables, PROFILES.migrations_dir
    )
    outbox = runtime.tables.outbox
    with runtime.session_factory() as session, session.begin():
        for _ in range(3):
            runtime.outbox.add(session, customer_event())
    with runtime.session_factory() as session, session.begin():
        session.execute(update(outbox).values(sent_at=datetime.now(UTC)))
    assert runtime.relay().pending()[0] == 0

    replayed = republish_retained_outboxes(
        [
            ServicePlan("profiles", 8001, url),
            ServicePlan("segmentation", 8002, f"sqlite:///{tmp_path / 'missing.db'}"),
        ]
    )

    assert replayed == 3
    assert runtime.relay().pending()[0] == 3
    with runtime.session_factory() as session:
        assert session.execute(select(outbox.c.sent_at)).scalars().all() == [None] * 3
    assert not (tmp_path / "missing.db").exists()
