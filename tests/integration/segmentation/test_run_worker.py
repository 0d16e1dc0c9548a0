"""The run worker: runs on schedule, one at a time, and recovers from a dead worker's run."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from services.segmentation import models, run_store
from services.segmentation.rescoring import ModelCache
from services.segmentation.runs import RunExecutor, RunWorker
from tests.fixtures.services import wait_for
from tests.integration.segmentation.support import Segmentation, population, segmentation_on

pytestmark = pytest.mark.integration


@pytest.fixture
def segmentation(
    database_factory: Any, api_keys: tuple[Path, dict[str, str]]
) -> Iterator[Segmentation]:
    subject = segmentation_on(database_factory("segmentation"), api_keys[0])
    subject.feed(*population(30, seed=4))
    yield subject
    subject.runtime.engine.dispose()


def _worker(segmentation: Segmentation, interval: float) -> RunWorker:
    runtime = segmentation.runtime
    executor = RunExecutor.of(runtime, ModelCache())
    return RunWorker(executor, runtime.session_factory, interval)


def _in_background(worker: RunWorker) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def test_the_schedule_queues_a_live_run_when_the_last_one_is_old_enough(
    segmentation: Segmentation,
) -> None:
    stop, thread = _in_background(_worker(segmentation, interval=3600))
    try:
        assert wait_for(lambda: segmentation.rows(models.runs, status="completed"))
    finally:
        stop.set()
        thread.join(10)

    [run] = segmentation.rows(models.runs)
    assert run["trigger"] == "schedule" and run["live"] == 1
    assert len(segmentation.rows(models.assignments)) == 30


def test_a_run_left_running_by_a_dead_worker_is_failed_and_the_next_one_runs(
    segmentation: Segmentation,
) -> None:
    sessions = segmentation.runtime.session_factory
    with sessions() as session, session.begin():
        orphan = run_store.request_run(session, trigger="api", requested_by="test")
    with sessions() as session, session.begin():
        assert run_store.claim_next(session) is not None
        session.execute(
            update(models.runs)
            .where(models.runs.c.run_id == orphan)
            .values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=10))
        )
    with sessions() as session, session.begin():
        queued = run_store.request_run(session, trigger="api", requested_by="test")

    stop, thread = _in_background(_worker(segmentation, interval=0))
    try:
        assert wait_for(
            lambda: segmentation.rows(models.runs, run_id=queued)[0]["status"] == "completed"
        )
    finally:
        stop.set()
        thread.join(10)

    [dead] = segmentation.rows(models.runs, run_id=orphan)
    assert dead["status"] == "failed" and dead["error"] == "the worker stopped"


def test_a_run_is_not_claimed_while_another_is_running(segmentation: Segmentation) -> None:
    sessions = segmentation.runtime.session_factory
    with sessions() as session, session.begin():
        run_store.request_run(session, trigger="api", requested_by="test")
    with sessions() as session, session.begin():
        assert run_store.claim_next(session) is not None
    with sessions() as session, session.begin():
        waiting = run_store.request_run(session, trigger="api", requested_by="test")
        with pytest.raises(run_store.RunConflictError):
            run_store.request_run(
                session, trigger="api", requested_by="test", refuse_if_active=True
            )

    with sessions() as session, session.begin():
        assert run_store.claim_next(session) is None
    assert segmentation.rows(models.runs, run_id=waiting)[0]["status"] == "queued"
