"""Full runs: load every customer, refit, assign, write what changed, report; on a schedule.

A live run (as of now) stores its assignments and model and publishes the changes; a run as
of a past moment only reports, so back-testing never disturbs what the company works with.
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker
from threadpoolctl import threadpool_limits

from services.segmentation import assignment_store, config_store, models, run_store
from services.segmentation.assignment_store import AssignmentWriter
from services.segmentation.domain.scoring import fit, score
from services.segmentation.domain.summary import run_summary
from services.segmentation.feature_repository import all_features
from services.segmentation.ledger import day_number
from services.segmentation.rescoring import ModelCache
from shared.events.envelope import new_event
from shared.events.segments import SegmentationRunCompleted
from shared.messaging.outbox import Outbox
from shared.runtime import Runtime

log = logging.getLogger(__name__)
WRITE_CHUNK = 5_000
POLL_SECONDS = 1.0


class RunExecutor:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        snapshot_session_factory: sessionmaker[Session],
        outbox: Outbox,
        service: str,
        models_: ModelCache,
    ) -> None:
        self._sessions = session_factory
        # The run loads everything it fits and scores from one snapshot.
        self._reads = snapshot_session_factory
        self._outbox = outbox
        self._service = service
        self._writer = AssignmentWriter(outbox, service)
        self._models = models_

    @classmethod
    def of(cls, runtime: Runtime, models_: ModelCache) -> "RunExecutor":
        """The executor wired to the service's database and outbox."""
        return cls(
            runtime.session_factory,
            runtime.snapshot_session_factory,
            runtime.outbox,
            runtime.service,
            models_,
        )

    def _in_transaction(self, work: Callable[[Session], Any]) -> Any:
        with self._sessions() as session, session.begin():
            return work(session)

    def _progress(self, run_id: str, phase: str, done: int, total: int) -> None:
        self._in_transaction(lambda s: run_store.progress(s, run_id, phase, done, total))

    def execute(self, request: run_store.RunRequest) -> None:
        """Carry out a claimed run; a failure is recorded on the run, never raised."""
        try:
            summary = self._execute(request)
        except Exception as error:
            log.exception("segmentation run %s failed", request.run_id)
            message = f"{type(error).__name__}: {error}"
            self._in_transaction(
                lambda s: run_store.finish(s, request.run_id, summary=None, error=message)
            )
            return
        self._in_transaction(
            lambda s: run_store.finish(s, request.run_id, summary=summary, error=None)
        )

    def _execute(self, request: run_store.RunRequest) -> dict[str, Any]:
        run_id, as_of = request.run_id, request.as_of
        started = time.perf_counter()
        timings: dict[str, float] = {}
        with self._reads() as session:
            config = config_store.current_config(session)
            portfolio = config_store.portfolio_of(config_store.active_strategy(session))
            previous = self._models.current(session)
            total = session.scalar(select(func.count()).select_from(models.customers)) or 0
            self._progress(run_id, "load", 0, total)
            features = all_features(
                session,
                day_number(as_of),
                config.config.window_days,
                lambda done: self._progress(run_id, "load", done, max(total, done)),
            )
            before = assignment_store.stored_identities(session)
        timings["load"] = time.perf_counter() - started
        self._progress(run_id, "fit", 0, len(features))
        version = (previous.version if previous else 0) + 1
        # One thread for numpy's and scikit-learn's native pools: the run shares the cores
        # with the service's API and consumers, and oversubscribed OpenMP threads made the
        # clustering several times slower, not faster.
        with threadpool_limits(limits=1):
            fitted = fit(
                features,
                config.config,
                previous,
                version=version,
                run_id=run_id,
                config_version=config.version,
                portfolio=portfolio,
            )
            model = fitted.model
            timings["fit"] = time.perf_counter() - started - sum(timings.values())
            self._progress(run_id, "assign", 0, len(features))
            assignments = score(model, features, config.config, portfolio, fitted)
        timings["assign"] = time.perf_counter() - started - sum(timings.values())
        changed = None
        if request.live:
            changed = self._write(
                request,
                model=model,
                assignments=assignments,
                before=before,
                config=config,
                portfolio=portfolio,
            )
        timings["write"] = time.perf_counter() - started - sum(timings.values())
        summary = run_summary(model, assignments, before, portfolio, changed)
        summary["seconds_by_phase"] = {name: round(value, 3) for name, value in timings.items()}
        summary["live"] = request.live
        return summary

    def _write(
        self,
        request: run_store.RunRequest,
        *,
        model: Any,
        assignments: Any,
        before: dict[str, Any],
        config: config_store.ConfigVersion,
        portfolio: Any,
    ) -> int:
        """Write assignments a chunk per transaction, then the model and the completion."""
        label = model.label(config.version, portfolio.source)
        now = datetime.now(UTC)
        changed = 0
        size = len(assignments)
        for start in range(0, size, WRITE_CHUNK):
            rows = range(start, min(start + WRITE_CHUNK, size))

            def write_chunk(session: Session, rows: range = rows) -> int:
                return self._writer.write(
                    session,
                    assignments,
                    model,
                    before=before,
                    score_change=config.config.score_change(),
                    model_version=label,
                    run_id=request.run_id,
                    as_of=request.as_of,
                    now=now,
                    rows=rows,
                )

            changed += self._in_transaction(write_chunk)
            self._progress(request.run_id, "write", rows.stop, size)
        self._in_transaction(
            lambda s: self._complete(
                s, request, model=model, assignments=assignments, changed=changed, label=label
            )
        )
        return changed

    def _complete(
        self,
        session: Session,
        request: run_store.RunRequest,
        *,
        model: Any,
        assignments: Any,
        changed: int,
        label: str,
    ) -> None:
        now = datetime.now(UTC)
        session.execute(
            insert(models.segment_models).values(
                version=model.version,
                run_id=request.run_id,
                created_at=now,
                parameters=model.to_json(),
            )
        )
        sizes: dict[str, int] = {}
        for segment in assignments.strategic_segment.tolist():
            sizes[segment] = sizes.get(segment, 0) + 1
        row = run_store.get_run(session, request.run_id)
        payload = SegmentationRunCompleted(
            run_id=request.run_id,
            as_of=request.as_of,
            started_at=row["started_at"] if row and row["started_at"] else now,
            completed_at=now,
            customers=len(assignments),
            changed=changed,
            segment_sizes=sizes,
            model_version=label,
        )
        self._outbox.add(
            session,
            new_event(
                source=self._service,
                type="segmentation.run_completed",
                subject=request.run_id,
                data=payload,
                time=now,
            ),
        )


class RunWorker:
    """Claims and executes queued runs; queues one when the schedule says so."""

    name = "segmentation.runs"

    def __init__(
        self, executor: RunExecutor, session_factory: sessionmaker[Session], interval: float
    ) -> None:
        self._executor = executor
        self._sessions = session_factory
        self._interval = interval

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self._schedule()
                with self._sessions() as session, session.begin():
                    request = run_store.claim_next(session)
                if request is not None:
                    self._executor.execute(request)
                    continue
            except Exception:
                log.exception("segmentation run worker: will retry")
            stop.wait(POLL_SECONDS)

    def _schedule(self) -> None:
        if self._interval <= 0:
            return
        with self._sessions() as session, session.begin():
            last = run_store.last_live_request(session)
            if last is None or datetime.now(UTC) - last >= timedelta(seconds=self._interval):
                run_store.request_run(session, trigger="schedule", requested_by="schedule")
