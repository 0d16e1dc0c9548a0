"""The customer read model of the downstream services under merges and unmerges, in every
order the customers topic may deliver them (a merge is keyed by the survivor, snapshots by
each customer, so they travel on different partitions)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.segmentation import models
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from shared.customer_directory import CustomerDirectory
from shared.db.engine import make_engine, make_session_factory
from shared.db.migrations import upgrade_to_head
from shared.db.uow import UnitOfWork
from shared.events.customers import CustomerMerged, CustomerUpdated
from shared.events.envelope import CloudEvent, new_event

pytestmark = pytest.mark.integration

DIRECTORY = CustomerDirectory(models.customers)


@pytest.fixture
def sessions(database_factory: Callable[[str], str]) -> Iterator[sessionmaker[Session]]:
    url = database_factory("segmentation_directory")
    upgrade_to_head("segmentation", SEGMENTATION.migrations_dir, url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def snapshot(customer_id: str, revision: int, **fields: Any) -> CustomerUpdated:
    return CustomerUpdated(
        customer_id=customer_id, revision=revision, kind="organization", name="Huber KG", **fields
    )


def merge_of(absorbed: str, revision: int, survivor: str = "survivor") -> CustomerMerged:
    return CustomerMerged(
        survivor_id=survivor,
        absorbed_ids=[absorbed],
        merge_id="m-1",
        reason="one company",
        absorbed_revisions={absorbed: revision},
    )


def deliver(sessions: sessionmaker[Session], *payloads: BaseModel) -> None:
    """Apply `payloads` as one consumed batch, the way the dispatcher does."""
    events: list[tuple[CloudEvent, Any]] = [
        (
            new_event(
                source="/profiles",
                type="customer.merged" if isinstance(p, CustomerMerged) else "customer.updated",
                subject="x",
                data=p,
            ),
            p,
        )
        for p in payloads
    ]
    with UnitOfWork(sessions) as uow:
        DIRECTORY.prepare(uow.session, [e for e in events if e[0].type == "customer.updated"])
        DIRECTORY.prepare_merges(uow.session, [e for e in events if e[0].type == "customer.merged"])
        for event, payload in events:
            if isinstance(payload, CustomerMerged):
                DIRECTORY.apply_merge(uow.session, event, payload)
            else:
                DIRECTORY.apply(uow.session, event, payload)
        uow.commit()


def held(sessions: sessionmaker[Session]) -> dict[str, int]:
    table = models.customers
    with sessions() as session:
        rows = session.execute(select(table.c.customer_id, table.c.revision))
        return {customer_id: revision for customer_id, revision in rows}


def test_a_merge_leaves_only_the_survivor(sessions: sessionmaker[Session]) -> None:
    deliver(sessions, snapshot("survivor", 1), snapshot("absorbed", 1))

    deliver(sessions, merge_of("absorbed", 2), snapshot("survivor", 2))

    assert held(sessions) == {"survivor": 2}


def test_the_snapshot_recording_the_merge_removes_the_absorbed_customer_too(
    sessions: sessionmaker[Session],
) -> None:
    deliver(sessions, snapshot("survivor", 1), snapshot("absorbed", 1))

    deliver(sessions, snapshot("absorbed", 2, merged_into="survivor"))

    assert held(sessions) == {"survivor": 1}


def test_a_stale_snapshot_behind_the_merge_in_one_batch_does_not_bring_it_back(
    sessions: sessionmaker[Session],
) -> None:
    deliver(sessions, snapshot("absorbed", 1))

    deliver(sessions, merge_of("absorbed", 2), snapshot("absorbed", 1))

    assert held(sessions) == {}


def test_a_stale_snapshot_in_a_later_batch_is_undone_by_the_merge_snapshot_after_it(
    sessions: sessionmaker[Session],
) -> None:
    deliver(sessions, merge_of("absorbed", 2))
    deliver(sessions, snapshot("absorbed", 1))

    deliver(sessions, snapshot("absorbed", 2, merged_into="survivor"))

    assert held(sessions) == {}


def test_a_restored_customer_comes_back_after_its_row_was_removed(
    sessions: sessionmaker[Session],
) -> None:
    deliver(sessions, snapshot("absorbed", 1))
    deliver(sessions, merge_of("absorbed", 2), snapshot("absorbed", 2, merged_into="survivor"))

    deliver(sessions, snapshot("absorbed", 3))

    assert held(sessions) == {"absorbed": 3}


def test_merge_and_restore_in_one_batch_keep_the_restored_customer(
    sessions: sessionmaker[Session],
) -> None:
    deliver(sessions, snapshot("absorbed", 1))

    deliver(
        sessions,
        snapshot("absorbed", 2, merged_into="survivor"),
        merge_of("absorbed", 2),
        snapshot("absorbed", 3),
    )

    assert held(sessions) == {"absorbed": 3}


def test_a_merge_arriving_after_the_unmerge_does_not_remove_the_restored_customer(
    sessions: sessionmaker[Session],
) -> None:
    deliver(sessions, snapshot("absorbed", 2, merged_into="survivor"))
    deliver(sessions, snapshot("absorbed", 3))

    deliver(sessions, merge_of("absorbed", 2))

    assert held(sessions) == {"absorbed": 3}
