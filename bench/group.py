"""Consumption by the worker processes of one consumer group, each in a process of its own.

A service scales its consumption by running more worker processes: the group spreads the
topic's partitions over them, and a customer's events, keyed by the customer, stay on one
partition and so with one worker. `consume_in_group` does that with polled records instead
of a broker: the records are split by partition as the producers' partitioner puts them
(`shared.messaging.kafka.key_partition`), the partitions are dealt out to the workers,
and each worker process runs its share through the service's own consumer loop, in polls,
from a common start.
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kafka.consumer.fetcher import ConsumerRecord

from shared.collector import tune_collector
from shared.db.engine import make_engine
from shared.db.statistics import StatisticsKeeper
from shared.messaging.kafka import key_partition

START_TIMEOUT = 600.0
"""Seconds a worker waits for the others to be ready: one that never gets there fails the run."""


class Loop(Protocol):
    def process(self, records: list[ConsumerRecord]) -> object: ...


@dataclass(frozen=True)
class KeptStatistics:
    """The service's statistics keeper (shared.db.statistics), which its worker processes
    run beside their consumers on PostgreSQL."""

    database_url: str
    tables: list[str]
    interval_seconds: float

    def start(self) -> Callable[[], None]:
        """Keep the statistics in a thread of this process until the returned stop is called
        (nothing to keep on SQLite or with the keeper turned off)."""
        if not self.database_url.startswith("postgresql") or self.interval_seconds <= 0:
            return lambda: None
        engine = make_engine(self.database_url)
        keeper = StatisticsKeeper(engine, self.tables, self.interval_seconds)
        stop = threading.Event()
        thread = threading.Thread(target=keeper.run, args=(stop,), name="statistics")
        thread.start()

        def stopped() -> None:
            stop.set()
            thread.join()
            engine.dispose()

        return stopped


@dataclass(frozen=True)
class Worker:
    """What one worker process did."""

    events: int
    began: float
    ended: float
    cpu_seconds: float


@dataclass(frozen=True)
class GroupRun:
    workers: list[Worker]

    @property
    def events(self) -> int:
        return sum(worker.events for worker in self.workers)

    @property
    def seconds(self) -> float:
        """From the common start to the last worker done."""
        return max(w.ended for w in self.workers) - min(w.began for w in self.workers)

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    @property
    def cpu_us_per_event(self) -> float:
        return sum(w.cpu_seconds for w in self.workers) / self.events * 1e6


def add_workers_option(parser: argparse.ArgumentParser) -> None:
    """`--workers 1,2`: the worker counts to measure, one run each."""
    parser.add_argument(
        "--workers",
        type=lambda text: [int(n) for n in text.split(",")],
        default=None,
        help="worker processes of the consuming group, one run each "
        "(default 1,2 on PostgreSQL; 1 on SQLite, which has one writer at a time)",
    )


def workers_to_run(chosen: list[int] | None, database: str) -> list[int]:
    """The worker counts asked for, else 1 and 2 (1 on SQLite)."""
    if chosen is not None:
        return chosen
    return [1, 2] if database == "postgresql" else [1]


def shares(records: Sequence[ConsumerRecord], partitions: int, workers: int) -> list[list[Any]]:
    """The records of each worker's partitions, in their order (partition p to worker
    p mod `workers`)."""
    split: list[list[Any]] = [[] for _ in range(workers)]
    for record in records:
        split[key_partition(record.key, partitions) % workers].append(record)
    return split


def consume_in_group(
    start_worker: Callable[[], tuple[Loop, Callable[[], None], int]],
    split: list[list[Any]],
    poll: int,
    warm_up_polls: int = 0,
    statistics: KeptStatistics | None = None,
) -> GroupRun:
    """Run each share in a worker process of its own (forked, so the records are not
    copied through a pipe). `start_worker`, called in the process, builds the service's
    loop and returns it with what closes it and the collector's young threshold; the first
    `warm_up_polls` polls of each share are not timed. `statistics` are kept by this
    process while the workers run (one keeper, as one of a service's workers analyses at a
    time), started once they are forked."""
    context = multiprocessing.get_context("fork")
    start, out = context.Barrier(len(split)), context.Queue()
    processes = [
        context.Process(target=_work, args=(start_worker, share, poll, warm_up_polls, start, out))
        for share in split
    ]
    for process in processes:
        process.start()
    stop_keeping = statistics.start() if statistics is not None else lambda: None
    done: list[Worker] = []
    try:
        while len(done) < len(processes):
            try:
                done.append(out.get(timeout=1.0))
            except queue.Empty:
                failed = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
                if failed:
                    raise RuntimeError(f"a worker process failed (exit code {failed[0]})") from None
    finally:
        stop_keeping()
        for process in processes:
            if len(done) < len(processes):
                process.terminate()
            process.join()
    return GroupRun(done)


def _work(
    start_worker: Callable[[], tuple[Loop, Callable[[], None], int]],
    share: list[Any],
    poll: int,
    warm_up_polls: int,
    start: Any,
    out: Any,
) -> None:
    loop, close, young = start_worker()
    untimed, timed = share[: poll * warm_up_polls], share[poll * warm_up_polls :]
    for first in range(0, len(untimed), poll):
        loop.process(untimed[first : first + poll])
    # As the worker process does once it has started (shared.cli): what exists now, the
    # records among it, is frozen out of the collector's full collections.
    tune_collector(young)
    start.wait(timeout=START_TIMEOUT)
    began, cpu = time.monotonic(), time.process_time()
    for first in range(0, len(timed), poll):
        loop.process(timed[first : first + poll])
    out.put(Worker(len(timed), began, time.monotonic(), time.process_time() - cpu))
    close()
