"""Throughput of the event backbone: raw kafka-python against the project's own path.

    .venv/bin/python bench/backbone.py [--events N] [--batch 1000] [--clients 2]
                                       [--database postgresql|sqlite]

(a) Baseline, on a broker of its own: N messages of ~600 bytes, keyed by customer id, produced
    with make_producer's settings (acks=all, idempotent) to a fresh topic, then consumed by one
    consumer group (auto-commit off, one commit per polled batch).
(b) Project path, on a second, fresh broker and fresh databases: N customer.upserted events
    posted to profiles' POST /v1/events (serve process) -> profiles' database and outbox ->
    relay (profiles worker) -> cockpit.customers.v1 -> segmentation's consumer (segmentation
    worker) -> segmentation's customers read model. The clock runs from the first post until
    segmentation's read model holds all N customers.

The figures go to stdout and to bench/results/backbone-<database>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import itertools
import json
import os
import platform
import queue
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx
import kafka
import kafka.record.util as kafka_record_util
import psycopg
from psycopg import sql

from shared.api.auth import dev_key_specs, write_key_file
from shared.broker import EmbeddedBroker, free_port
from shared.messaging.kafka import ensure_topics, make_consumer, make_producer

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
TARGET_RATIO = 0.25
POLL_SECONDS = 0.5
PROGRESS_SECONDS = 2.0
WARMUP_EVENTS = 20
# (rows written, rows sent) of a service's outbox. Watching must not load what it watches: the
# highest id (primary key) and the pending rows (partial index) instead of scanning every
# published payload. Written counts rows by id, so it assumes no rolled-back inserts meanwhile.
OUTBOX_QUERY = (
    "SELECT coalesce(max(id), 0), coalesce(max(id), 0) - "
    "(SELECT count(*) FROM outbox WHERE sent_at IS NULL) FROM outbox"
)
CITIES = (
    ("Berlin", "10115", "Ost"),
    ("Hamburg", "20095", "Nord"),
    ("München", "80331", "Süd"),
    ("Köln", "50667", "West"),
    ("Frankfurt am Main", "60311", "Mitte"),
    ("Stuttgart", "70173", "Süd"),
    ("Leipzig", "04109", "Ost"),
    ("Düsseldorf", "40213", "West"),
)
INDUSTRIES = ("Maschinenbau", "Handel", "Logistik", "Gesundheitswesen", "IT-Dienstleistungen")
SIZE_CLASSES = ("klein", "mittel", "groß")


class BenchError(RuntimeError):
    """The benchmark could not complete; the message says why."""


def log(message: str) -> None:
    print(message, flush=True)


# ----------------------------------------------------------------------------- test data


def _person_or_org(i: int) -> dict[str, Any]:
    city, postal_code, region = CITIES[i % len(CITIES)]
    data: dict[str, Any] = {
        "kind": "organization" if i % 5 == 0 else "person",
        "name": f"Muster Handels GmbH & Co. KG {i}" if i % 5 == 0 else f"Erika Mustermann {i}",
        "email": f"kontakt{i}@beispiel-kunde.de",
        "phone": f"+49 30 {i:09d}",
        "customer_number": f"K-{i:09d}",
        "postal_code": postal_code,
        "city": city,
        "region": region,
        "country": "DE",
        "owner_rep": f"rep-{i % 40:03d}",
        "attributes": {"channel": ("shop", "crm", "pos")[i % 3], "newsletter": i % 2 == 0},
    }
    if data["kind"] == "organization":
        data["industry"] = INDUSTRIES[i % len(INDUSTRIES)]
        data["size_class"] = SIZE_CLASSES[i % len(SIZE_CLASSES)]
    return data


def baseline_messages(n: int, run_id: str) -> list[tuple[bytes, bytes]]:
    """(key, value) pairs shaped like profiles' customer.registered CloudEvents (~600 B).

    Compact JSON like the project's own events, with fewer optional fields: profiles' real
    customer.registered events are ~800 B; the project's figure reports their actual size.
    """
    now = datetime.now(UTC).isoformat()
    messages = []
    for i in range(n):
        customer_id = str(uuid.uuid4())
        data = _person_or_org(i)
        del data["phone"], data["customer_number"]
        data.update(
            customer_id=customer_id,
            revision=1,
            references=[{"system": "crm", "id": f"CRM-{run_id}-{i:07d}"}],
        )
        event = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": "/profiles",
            "type": "customer.registered",
            "subject": customer_id,
            "time": now,
            "datacontenttype": "application/json",
            "dataversion": 1,
            "data": data,
        }
        messages.append((customer_id.encode(), json.dumps(event, separators=(",", ":")).encode()))
    return messages


def inbound_event(i: int, run_id: str, prefix: str = "") -> dict[str, Any]:
    """One customer.upserted event for a customer nobody has posted before."""
    data = _person_or_org(i)
    data["customer"] = {"system": "crm", "id": f"CRM-{run_id}-{prefix}{i:07d}"}
    data["street"] = f"Hauptstraße {i % 250 + 1}"
    data["consents"] = {"email": {"status": "granted", "date": "2024-05-01"}}
    return {
        "id": f"bench-{run_id}-{prefix}{i}",
        "type": "customer.upserted",
        "source": "crm",
        "time": datetime.now(UTC).isoformat(),
        "data": data,
    }


def request_bodies(n: int, batch: int, run_id: str, prefix: str = "") -> list[tuple[int, bytes]]:
    """(event count, JSON body) per request, serialised before the clock starts."""
    bodies = []
    for start in range(0, n, batch):
        events = [inbound_event(i, run_id, prefix) for i in range(start, min(n, start + batch))]
        bodies.append((len(events), json.dumps(events).encode()))
    return bodies


# ----------------------------------------------------------------------------- processes


def _stop_with_parent() -> None:
    # A service orphaned by a killed benchmark would hold its port and database forever.
    if sys.platform == "linux":
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def proc_status_kib(pid: int, field_name: str) -> int | None:
    """A kB field of /proc/<pid>/status (VmHWM: peak resident set), None if unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def proc_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def system_cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return float(sum(values) - idle), float(sum(values))


@dataclass
class Service:
    """One service subprocess with its output captured in a log file."""

    label: str
    argv: list[str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None
    peak_rss_kib: int | None = None

    def start(self, env: dict[str, str]) -> None:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, *self.argv],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_stop_with_parent,  # noqa: PLW1509 (only calls prctl)
        )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return "(no log)"
        return "\n".join(f"    {line}" for line in text) or "    (empty log)"

    def record_peak_rss(self) -> None:
        if self.alive():
            self.peak_rss_kib = proc_status_kib(self.pid, "VmHWM")

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"  {self.label} ignored SIGTERM for {timeout:.0f}s, killing it")
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


def run_command(argv: list[str], env: dict[str, str], log_path: Path, what: str) -> None:
    with log_path.open("ab") as out:
        result = subprocess.run(
            [sys.executable, *argv],
            check=False,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if result.returncode != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
        raise BenchError(f"{what} failed with exit code {result.returncode}:\n{tail}")


# ----------------------------------------------------------------------------- databases


class Databases:
    """Fresh databases for profiles and segmentation; dropped (or deleted) by drop_all."""

    def __init__(self, kind: str, admin_dsn: str, folder: Path) -> None:
        self.kind = kind
        self.admin_dsn = admin_dsn
        self.folder = folder
        self.prefix = f"cockpit_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self._created: list[str] = []

    def create(self, label: str) -> str:
        """A new database; returns the SQLAlchemy URL the service gets."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.folder / f'{label}.db'}"
        name = f"{self.prefix}_{label}"
        with psycopg.connect(self.admin_dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self._created.append(name)
        base = self.admin_dsn.rsplit("/", 1)[0]
        return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"

    def drop_all(self) -> None:
        if not self._created:
            return
        with psycopg.connect(self.admin_dsn, autocommit=True, connect_timeout=5) as conn:
            for name in self._created:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self._created.clear()


class StandInAutovacuum:
    """Autovacuum's default policy, for benchmark databases on a server that has it off.

    A production server vacuums and analyses tables as they change; without that, upserted
    tables fill with dead rows and the planner plans on the empty tables it saw first, and
    a run of many minutes measures that instead of the services. Every `interval` seconds
    each table past autovacuum's default thresholds is vacuumed (dead rows above 50 + 20 %
    of its rows, or rows inserted since the last vacuum above 1,000 + 20 %) and analysed
    (rows changed since the last analysis above 50 + 10 %), one statement at a time and
    unthrottled, as the workers go on. On a server with autovacuum on it does nothing.
    """

    THRESHOLDS = """
        SELECT relname,
               n_dead_tup > 50 + 0.2 * n_live_tup
               OR n_ins_since_vacuum > 1000 + 0.2 * n_live_tup AS vacuum,
               n_mod_since_analyze > 50 + 0.1 * n_live_tup AS analyze
        FROM pg_stat_user_tables
        WHERE schemaname = 'public'
    """

    def __init__(self, urls: list[str], interval: float = 20.0) -> None:
        self._dsns = [url.replace("postgresql+psycopg://", "postgresql://", 1) for url in urls]
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.vacuums = 0
        self.analyses = 0
        self.busy_s = 0.0

    @staticmethod
    def needed(dsn: str) -> bool:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
            row = conn.execute("SHOW autovacuum").fetchone()
        return row is not None and row[0] == "off"

    def start(self) -> None:
        if self._dsns and self.needed(self._dsns[0]):
            self._thread = threading.Thread(target=self._run, name="autovacuum", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=600)

    def report(self) -> dict[str, Any]:
        return {
            "stand_in": self._thread is not None,
            "vacuums": self.vacuums,
            "analyses": self.analyses,
            "busy_s": round(self.busy_s, 1),
        }

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            for dsn in self._dsns:
                try:
                    self._tend(dsn)
                except psycopg.Error as error:
                    log(f"    stand-in autovacuum: {error}")

    def _tend(self, dsn: str) -> None:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
            for table, vacuum, analyze in conn.execute(self.THRESHOLDS).fetchall():
                if self._stop.is_set() or not (vacuum or analyze):
                    continue
                began = time.perf_counter()
                statement = "VACUUM (ANALYZE) public.{}" if vacuum else "ANALYZE public.{}"
                try:
                    conn.execute(sql.SQL(statement).format(sql.Identifier(table)))
                except psycopg.errors.UndefinedTable:
                    continue  # dropped since (a migration's)
                finally:
                    self.busy_s += time.perf_counter() - began
                self.vacuums += bool(vacuum)
                self.analyses += 1


class Counter:
    """Read-only counting queries against one service database, outside the services."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            self._sqlite: sqlite3.Connection | None = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False
            )
            self._sqlite.execute("PRAGMA busy_timeout=5000")
            self._pg: psycopg.Connection[Any] | None = None
        else:
            self._sqlite = None
            dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
            self._pg = psycopg.connect(dsn, autocommit=True, connect_timeout=5)

    def one(self, query: str) -> tuple[int, ...]:
        if self._sqlite is not None:
            row = self._sqlite.execute(query).fetchone()
        else:
            assert self._pg is not None
            row = self._pg.execute(query).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return tuple(int(v or 0) for v in row)

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        """Every row of `query`; none for a statement that returns no rows (VACUUM)."""
        if self._sqlite is not None:
            cursor: Any = self._sqlite.execute(query)
        else:
            assert self._pg is not None
            cursor = self._pg.execute(query)  # type: ignore[arg-type]
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []

    def backend_cpu(self, database: str) -> dict[int, float]:
        """CPU seconds so far of each PostgreSQL backend serving `database` (not this one).

        Only when the server runs on this machine (its processes visible in /proc)."""
        if self._pg is None:
            return {}
        rows = self._pg.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
        found = {int(pid): proc_cpu_seconds(int(pid)) for (pid,) in rows}
        return {pid: cpu for pid, cpu in found.items() if cpu is not None}

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._pg is not None:
            self._pg.close()


# ----------------------------------------------------------------------------- (a) baseline


def run_baseline(
    n: int, partitions: int, max_poll_records: int, log_dir: Path, run_id: str
) -> dict[str, Any]:
    log(f"(a) baseline: preparing {n:,} messages")
    messages = baseline_messages(n, run_id)
    avg_size = sum(len(v) for _, v in messages) / n
    broker = EmbeddedBroker(log_file=log_dir / "broker-baseline.log")
    broker.start()
    consumer = None
    try:
        servers = broker.bootstrap_servers
        topic = f"bench.baseline.{run_id}"
        ensure_topics(servers, [topic], partitions=partitions)
        consumer = make_consumer(
            servers,
            f"bench-baseline-{run_id}",
            max_poll_records=max_poll_records,
            max_poll_interval_ms=300_000,
            session_timeout_ms=10_000,
        )
        # Join the group before producing, as the services' consumers have joined before the
        # first event arrives; the join time is reported, not counted.
        consumer.subscribe([topic])
        started = time.perf_counter()
        while not consumer.assignment():
            if consumer.poll(timeout_ms=200):
                raise BenchError("baseline topic is not empty")
            if time.perf_counter() - started > 60:
                raise BenchError("baseline consumer did not get partitions within 60 s")
        join_s = time.perf_counter() - started

        producer = make_producer(servers, f"bench-baseline-{run_id}")
        producer.partitions_for(topic)  # metadata before the clock
        log(f"    producing {n:,} messages of {avg_size:.0f} B to {partitions} partitions")
        started = time.perf_counter()
        futures = [producer.send(topic, key=key, value=value) for key, value in messages]
        producer.flush(timeout=300)
        for future in futures:
            future.get(timeout=0)
        produce_s = time.perf_counter() - started
        producer.close(timeout=10)
        del futures
        log(f"    produced in {produce_s:.2f} s ({n / produce_s:,.0f} msg/s); consuming")

        consumed = 0
        commits = 0
        consumed_bytes = 0
        started = time.perf_counter()
        last_progress = started
        while consumed < n:
            polled = consumer.poll(timeout_ms=500)
            batch = [record for records in polled.values() for record in records]
            if batch:
                consumed += len(batch)
                consumed_bytes += sum(len(record.value) for record in batch)
                consumer.commit()
                commits += 1
                last_progress = time.perf_counter()
            elif time.perf_counter() - last_progress > 60:
                raise BenchError(f"baseline consumer stalled at {consumed:,}/{n:,}")
        consume_s = time.perf_counter() - started
        if consumed != n:
            raise BenchError(f"baseline consumed {consumed:,} messages, expected {n:,}")
        log(f"    consumed in {consume_s:.2f} s ({n / consume_s:,.0f} msg/s, {commits} commits)")
    finally:
        if consumer is not None:
            consumer.close(autocommit=False)
        broker.stop()
    return {
        "message_bytes_avg": round(avg_size, 1),
        "group_join_s": round(join_s, 3),
        "produce_s": round(produce_s, 3),
        "consume_s": round(consume_s, 3),
        "consume_commits": commits,
        "produce_rate": round(n / produce_s, 1),
        "consume_rate": round(n / consume_s, 1),
        "end_to_end_rate": round(n / (produce_s + consume_s), 1),
    }


# ----------------------------------------------------------------------------- (b) project


@dataclass
class Sample:
    t: float
    posted: int
    outbox_total: int
    outbox_sent: int
    downstream: int


@dataclass
class Posting:
    """Client threads posting request bodies from a shared queue."""

    urls: list[str]
    api_key: str
    clients: int
    bodies: list[tuple[int, bytes]]
    retry_statuses: tuple[int, ...] = (429,)
    """Answers after which the request is sent again, after Retry-After (default 1 s)."""
    posted: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)
    request_seconds: list[float] = field(default_factory=list)
    started: float = 0.0
    finished: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        work: queue.SimpleQueue[tuple[int, bytes]] = queue.SimpleQueue()
        for body in self.bodies:
            work.put(body)
        done = itertools.count(1)
        self.started = time.perf_counter()
        for k in range(self.clients):
            thread = threading.Thread(
                target=self._client,
                args=(self.urls[k % len(self.urls)], work, done),
                name=f"client-{k}",
                daemon=True,
            )
            self._threads.append(thread)
            thread.start()

    def _client(
        self, url: str, work: queue.SimpleQueue[tuple[int, bytes]], done: Iterator[int]
    ) -> None:
        headers = {"X-API-Key": self.api_key, "Content-Type": "application/json"}
        with httpx.Client(timeout=httpx.Timeout(300.0), headers=headers) as client:
            while not self._stop.is_set():
                try:
                    count, body = work.get_nowait()
                except queue.Empty:
                    break
                try:
                    accepted = self._post(client, url, count, body)
                except Exception as error:
                    with self._lock:
                        self.errors.append(f"{type(error).__name__}: {error}")
                    self._stop.set()
                    break
                with self._lock:
                    self.posted += accepted
        if next(done) == self.clients:
            self.finished = time.perf_counter() - self.started

    def _post(self, client: httpx.Client, url: str, count: int, body: bytes) -> int:
        for _ in range(100):
            started = time.perf_counter()
            response = client.post(url, content=body)
            if response.status_code in self.retry_statuses:
                with self._lock:
                    self.retried += 1
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise BenchError(f"POST /v1/events: {response.status_code} {response.text[:500]}")
            result = response.json()
            if result["accepted"] != count:
                reasons = {r["reason"] for r in result["results"] if r.get("reason")}
                raise BenchError(
                    f"POST /v1/events accepted {result['accepted']} of {count} "
                    f"(duplicates {result['duplicates']}, rejected {result['rejected']}: "
                    f"{sorted(reasons)[:3]})"
                )
            with self._lock:
                self.request_seconds.append(elapsed)
            return count
        raise BenchError(f"POST /v1/events: {response.status_code} 100 times in a row")

    def wait(self, timeout: float = 300.0) -> None:
        for thread in self._threads:
            thread.join(timeout)

    def stop(self) -> None:
        self._stop.set()
        self.wait(30)


def backlog_rate(
    samples: list[Sample],
    backlog: Callable[[Sample], int],
    progress: Callable[[Sample], int],
    floor: int,
) -> float | None:
    """Throughput of a stage over the intervals in which work waited for it.

    A stage that always kept up with its input never had a backlog above `floor`; its own
    capacity was not reached, and None is returned.
    """
    moved = 0
    seconds = 0.0
    for before, after in itertools.pairwise(samples):
        if backlog(before) > floor:
            moved += progress(after) - progress(before)
            seconds += after.t - before.t
    if seconds < 2 * POLL_SECONDS:
        return None
    return moved / seconds


def wait_ready(url: str, services: list[Service], timeout: float = 120.0) -> float:
    started = time.perf_counter()
    with httpx.Client(timeout=5.0) as client:
        while True:
            for service in services:
                if not service.alive():
                    raise BenchError(f"{service.label} exited:\n{service.tail()}")
            try:
                if client.get(url).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            if time.perf_counter() - started > timeout:
                raise BenchError(f"{url} not ready after {timeout:.0f}s")
            time.sleep(0.25)


def wait_count(
    counter: Counter, query: str, target: int, services: list[Service], timeout: float
) -> float:
    started = time.perf_counter()
    while counter.one(query)[0] < target:
        for service in services:
            if not service.alive():
                raise BenchError(f"{service.label} exited:\n{service.tail()}")
        if time.perf_counter() - started > timeout:
            raise BenchError(f"warm-up events did not reach segmentation within {timeout:.0f}s")
        time.sleep(0.1)
    return time.perf_counter() - started


def run_project(
    args: argparse.Namespace,
    databases: Databases,
    work_dir: Path,
    run_id: str,
    services: list[Service],
) -> dict[str, Any]:
    n = args.events
    log(
        f"(b) project path: database={args.database}, {args.clients} clients, "
        f"batches of {args.batch}"
    )
    keys_file = work_dir / "api-keys.json"
    api_key = write_key_file(keys_file, dev_key_specs())["integration"]
    profiles_url = databases.create("profiles")
    segmentation_url = databases.create("segmentation")
    broker = EmbeddedBroker(log_file=work_dir / "broker-project.log")
    broker.start()
    counters: list[Counter] = []
    posting: Posting | None = None
    try:
        profiles_port = free_port()
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "COCKPIT_API_KEYS_FILE": str(keys_file),
            "COCKPIT_TOPIC_PARTITIONS": str(args.partitions),
            "PROFILES_DATABASE_URL": profiles_url,
            "PROFILES_PORT": str(profiles_port),
            "PROFILES_WORKER_METRICS_PORT": str(free_port()),
            "SEGMENTATION_DATABASE_URL": segmentation_url,
            "SEGMENTATION_PORT": str(free_port()),
            "SEGMENTATION_WORKER_METRICS_PORT": str(free_port()),
        }
        log("    migrating profiles and segmentation, creating topics")
        run_command(
            ["-m", "services.profiles", "migrate"],
            env,
            work_dir / "profiles-migrate.log",
            "profiles migrate",
        )
        run_command(
            ["-m", "services.segmentation", "migrate"],
            env,
            work_dir / "segmentation-migrate.log",
            "segmentation migrate",
        )
        run_command(
            ["-m", "services.profiles", "topics"],
            env,
            work_dir / "profiles-topics.log",
            "profiles topics",
        )

        # The API is stateless: replicas on their own ports share the database, as they
        # would behind a load balancer; the clients spread over them.
        api_ports = [profiles_port] + [free_port() for _ in range(args.api_replicas - 1)]
        launches = [
            (
                f"profiles serve {i + 1}" if len(api_ports) > 1 else "profiles serve",
                ["-m", "services.profiles", "serve"],
                {"PROFILES_PORT": str(port)},
            )
            for i, port in enumerate(api_ports)
        ]
        launches += [
            ("profiles worker", ["-m", "services.profiles", "worker"], {}),
            ("segmentation worker", ["-m", "services.segmentation", "worker"], {}),
        ]
        for label, argv, extra_env in launches:
            service = Service(label, argv, work_dir / (label.replace(" ", "-") + ".log"))
            services.append(service)
            service.start({**env, **extra_env})
        api_urls = [f"http://127.0.0.1:{port}/v1/events" for port in api_ports]
        ready_s = max(wait_ready(f"http://127.0.0.1:{port}/readyz", services) for port in api_ports)
        log(f"    profiles ready after {ready_s:.1f} s; warming up with {WARMUP_EVENTS} events")

        profiles_db = Counter(profiles_url)
        counters.append(profiles_db)
        segmentation_db = Counter(segmentation_url)
        counters.append(segmentation_db)
        downstream_query = "SELECT count(*) FROM customers"

        # Warm-up: imports, connection pools, the relay's producer and segmentation's group
        # join happen before the clock, as in a service that has been running for a while.
        warm = Posting(
            api_urls,
            api_key,
            len(api_urls),
            request_bodies(WARMUP_EVENTS, WARMUP_EVENTS, run_id, "w"),
        )
        warm.start()
        warm.wait()
        if warm.errors or warm.posted != WARMUP_EVENTS:
            raise BenchError(f"warm-up post failed: {warm.errors or 'nothing posted'}")
        warm_s = wait_count(segmentation_db, downstream_query, WARMUP_EVENTS, services, 120)
        log(f"    warm-up reached segmentation after {warm_s:.1f} s")

        log(f"    serialising {n:,} events into {-(-n // args.batch)} requests")
        bodies = request_bodies(n, args.batch, run_id)
        request_bytes = sum(len(body) for _, body in bodies)
        base_total, base_sent = profiles_db.one(OUTBOX_QUERY)
        base_down = segmentation_db.one(downstream_query)[0]
        cpu_before = {s.label: proc_cpu_seconds(s.pid) for s in services}
        broker_pid = broker._process.pid if broker._process is not None else None
        broker_cpu_before = proc_cpu_seconds(broker_pid) if broker_pid else None
        machine_before = system_cpu_busy()
        self_cpu_before = time.process_time()
        db_names = {
            label: url.rsplit("/", 1)[1]
            for label, url in (("profiles", profiles_url), ("segmentation", segmentation_url))
        }
        db_cpu_before = {label: profiles_db.backend_cpu(name) for label, name in db_names.items()}

        posting = Posting(api_urls, api_key, args.clients, bodies)
        posting.start()
        samples = [Sample(0.0, 0, 0, 0, 0)]
        last_progress_line = 0.0
        last_change = 0.0
        relay_done: float | None = None
        end_to_end: float | None = None
        while end_to_end is None:
            time.sleep(POLL_SECONDS)
            total, sent = profiles_db.one(OUTBOX_QUERY)
            down = segmentation_db.one(downstream_query)[0] - base_down
            now = time.perf_counter() - posting.started
            sample = Sample(now, posting.posted, total - base_total, sent - base_sent, down)
            previous = samples[-1]
            samples.append(sample)
            if (sample.posted, sample.outbox_sent, sample.downstream) != (
                previous.posted,
                previous.outbox_sent,
                previous.downstream,
            ):
                last_change = now
            if relay_done is None and sample.outbox_sent >= n:
                relay_done = now
            if sample.downstream >= n:
                end_to_end = now
            if now - last_progress_line >= PROGRESS_SECONDS or end_to_end is not None:
                last_progress_line = now
                log(
                    f"    {now:6.1f} s  posted {sample.posted:>9,}/{n:,}  "
                    f"outbox pending {sample.outbox_total - sample.outbox_sent:>8,}  "
                    f"segmentation {sample.downstream:>9,}"
                )
            if posting.errors:
                raise BenchError(f"posting failed: {posting.errors[0]}")
            for service in services:
                if not service.alive():
                    raise BenchError(f"{service.label} exited:\n{service.tail()}")
            if now - last_change > args.stall_timeout:
                raise BenchError(
                    f"no progress for {args.stall_timeout:.0f} s (posted {sample.posted:,}, "
                    f"outbox sent {sample.outbox_sent:,}, segmentation {sample.downstream:,})"
                )
        ingest_end = posting.finished or end_to_end
        cpu = {
            s.label: round((proc_cpu_seconds(s.pid) or 0.0) - (cpu_before[s.label] or 0.0), 2)
            for s in services
        }
        if broker_pid and broker_cpu_before is not None:
            cpu["broker"] = round((proc_cpu_seconds(broker_pid) or 0.0) - broker_cpu_before, 2)
        cpu["bench clients"] = round(time.process_time() - self_cpu_before, 2)
        for label, name in db_names.items():
            after = profiles_db.backend_cpu(name)
            if after:  # backends that ended during the run are missed: pools keep theirs
                before = db_cpu_before[label]
                used = sum(cpu_s - before.get(pid, 0.0) for pid, cpu_s in after.items())
                cpu[f"postgres ({label} db)"] = round(used, 2)
        busy_after, total_after = system_cpu_busy()
        machine_busy = (busy_after - machine_before[0]) / max(1.0, total_after - machine_before[1])
        for service in services:
            service.record_peak_rss()
        event_bytes = profiles_db.one("SELECT avg(length(payload)) FROM outbox")[0]
    finally:
        if posting is not None:
            posting.stop()
        for counter in counters:
            counter.close()
        for service in reversed(services):
            service.stop()
        broker.stop()

    relay_floor = args.relay_batch_size
    consumer_floor = args.consumer_max_poll_records
    latencies = sorted(posting.request_seconds)
    return {
        "ready_s": round(ready_s, 2),
        "warmup_s": round(warm_s, 2),
        "request_bytes_avg_per_event": round(request_bytes / n, 1),
        "customer_event_bytes_avg": event_bytes,
        "ingest_s": round(ingest_end, 3),
        "relay_done_s": round(relay_done or end_to_end, 3),
        "end_to_end_s": round(end_to_end, 3),
        "ingest_rate": round(n / ingest_end, 1),
        "end_to_end_rate": round(n / end_to_end, 1),
        "request_latency_s": {
            "p50": round(latencies[len(latencies) // 2], 3),
            "p95": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))], 3),
            "max": round(latencies[-1], 3),
        },
        "stages": {
            "max_outbox_pending": max(s.outbox_total - s.outbox_sent for s in samples),
            "max_topic_backlog": max(s.outbox_sent - s.downstream for s in samples),
            "relay_rate_when_backlogged": _round(
                backlog_rate(
                    samples,
                    lambda s: s.outbox_total - s.outbox_sent,
                    lambda s: s.outbox_sent,
                    relay_floor,
                )
            ),
            "consumer_rate_when_backlogged": _round(
                backlog_rate(
                    samples,
                    lambda s: s.outbox_sent - s.downstream,
                    lambda s: s.downstream,
                    consumer_floor,
                )
            ),
            "relay_tail_after_ingest_s": round((relay_done or end_to_end) - ingest_end, 2),
            "consumer_tail_after_relay_s": round(end_to_end - (relay_done or end_to_end), 2),
        },
        "cpu_seconds": cpu,
        "machine_cpu_busy": round(machine_busy, 3),
        "peak_rss_mib": {
            s.label: round(s.peak_rss_kib / 1024, 1) if s.peak_rss_kib else None for s in services
        },
        "timeline": [
            [round(s.t, 2), s.posted, s.outbox_total - s.outbox_sent, s.downstream]
            for s in samples[:: max(1, len(samples) // 60)]
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# ----------------------------------------------------------------------------- report


def summary(args: argparse.Namespace, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    ratio = b["end_to_end_rate"] / a["end_to_end_rate"]
    return {
        "benchmark": "backbone",
        "events": args.events,
        "database": args.database,
        "partitions": args.partitions,
        "batch": args.batch,
        "clients": args.clients,
        "api_replicas": args.api_replicas,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(args.load_at_start),
        "settings_from_env": {
            k: v
            for k, v in sorted(os.environ.items())
            if k.startswith(("PROFILES_", "SEGMENTATION_", "COCKPIT_")) and "KEY" not in k
        },
        "raw": a,
        "project": b,
        "ratios": {
            "end_to_end_vs_raw_end_to_end": round(ratio, 3),
            "end_to_end_vs_raw_produce": round(b["end_to_end_rate"] / a["produce_rate"], 3),
            "end_to_end_vs_raw_consume": round(b["end_to_end_rate"] / a["consume_rate"], 3),
            "ingest_vs_raw_produce": round(b["ingest_rate"] / a["produce_rate"], 3),
            "target": TARGET_RATIO,
            "meets_target": ratio >= TARGET_RATIO,
        },
    }


def render(result: dict[str, Any]) -> str:
    a, b, r = result["raw"], result["project"], result["ratios"]
    s = b["stages"]

    def rate(value: float) -> str:
        return f"{value:>9,.0f} ev/s"

    def opt(value: float | None) -> str:
        return "kept up" if value is None else f"{value:,.0f} ev/s"

    lines = [
        f"backbone benchmark  N={result['events']}  database={result['database']}  "
        f"partitions={result['partitions']}  batch={result['batch']}  "
        f"clients={result['clients']}",
        f"raw kafka-python   produce {rate(a['produce_rate'])}   consume {rate(a['consume_rate'])}"
        f"   end-to-end {rate(a['end_to_end_rate'])}",
        f"project path       ingest  {rate(b['ingest_rate'])}   end-to-end "
        f"{rate(b['end_to_end_rate'])}",
        f"ratio              project end-to-end / raw end-to-end = "
        f"{r['end_to_end_vs_raw_end_to_end']:.2f} (target >= {r['target']:.2f})",
        f"                   project end-to-end / raw produce = "
        f"{r['end_to_end_vs_raw_produce']:.2f},  / raw consume = "
        f"{r['end_to_end_vs_raw_consume']:.2f},  ingest / raw produce = "
        f"{r['ingest_vs_raw_produce']:.2f}",
        f"stages             ingest done {b['ingest_s']:.1f} s, relay done "
        f"{b['relay_done_s']:.1f} s, segmentation done {b['end_to_end_s']:.1f} s; "
        f"max outbox pending {s['max_outbox_pending']:,}, max topic backlog "
        f"{s['max_topic_backlog']:,}",
        f"                   relay when backlogged {opt(s['relay_rate_when_backlogged'])}, "
        f"consumer when backlogged {opt(s['consumer_rate_when_backlogged'])}; "
        f"POST p50 {b['request_latency_s']['p50']:.2f} s, p95 "
        f"{b['request_latency_s']['p95']:.2f} s",
        "cpu seconds        "
        + ", ".join(f"{k} {v:.1f}" for k, v in b["cpu_seconds"].items())
        + f"  (machine {b['machine_cpu_busy']:.0%} busy, wall {b['end_to_end_s']:.1f} s)",
        "peak RSS           "
        + ", ".join(
            f"{k} {v:.0f} MiB" if v is not None else f"{k} ?" for k, v in b["peak_rss_mib"].items()
        ),
    ]
    if not result["machine"]["crc32c_c_extension"]:
        lines.append(
            "note               no crc32c C extension: kafka-python checksums in pure Python, "
            "which caps the raw baseline (and the relay and consumers) on CPU"
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


DEFAULT_PG_DSN = os.environ.get(
    "COCKPIT_BENCH_PG_DSN",
    os.environ.get("COCKPIT_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"),
)


def add_pg_dsn_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pg-dsn",
        default=DEFAULT_PG_DSN,
        help="admin DSN of the PostgreSQL server the databases are created on",
    )


def add_partitions_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--partitions",
        type=int,
        default=int(os.environ.get("COCKPIT_TOPIC_PARTITIONS", "6")),
        help="partitions of every topic (default $COCKPIT_TOPIC_PARTITIONS or 6)",
    )


def add_run_options(
    parser: argparse.ArgumentParser,
    results: str,
    *,
    databases: bool = True,
    stall_timeout: float = 120.0,
) -> None:
    """The options every broker-and-services benchmark takes: the database (unless it runs on
    PostgreSQL only), topic partitions, the PostgreSQL admin DSN, the stall timeout, and
    whether to write bench/results/`results`.json."""
    if databases:
        parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    add_partitions_option(parser)
    add_pg_dsn_option(parser)
    parser.add_argument(
        "--stall-timeout",
        type=float,
        default=stall_timeout,
        help="give up after this many seconds without progress",
    )
    parser.add_argument(
        "--skip-save", action="store_true", help=f"do not write bench/results/{results}.json"
    )


def machine_facts(load_at_start: list[float]) -> dict[str, Any]:
    """The machine a run was measured on."""
    return {
        "cpus": os.cpu_count(),
        "load_average_at_start": load_at_start,
        "python": platform.python_version(),
        "kafka_python": kafka.__version__,
        # Without the crc32c C extension kafka-python checksums every record batch in pure
        # Python (~0.2 s/MiB on a laptop core), on both produce and fetch.
        "crc32c_c_extension": kafka_record_util.crc32c_c is not None,
        "platform": platform.platform(),
    }


def save_result(result: dict[str, Any], name: str) -> None:
    """Write `result` to bench/results/`name`.json."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(compact_json(result) + "\n")
    log(f"\nwritten to {path.relative_to(ROOT)}")


def stop_on_signals() -> None:
    """SIGTERM and SIGINT (also when started with SIGINT ignored) stop the benchmark as
    Ctrl-C does, so that its databases and processes are cleaned up."""
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--events", type=int, default=100_000, help="N (default 100000)")
    parser.add_argument("--batch", type=int, default=1000, help="events per POST (default 1000)")
    parser.add_argument("--clients", type=int, default=2, help="concurrent HTTP clients")
    parser.add_argument(
        "--api-replicas", type=int, default=2, help="profiles API processes (stateless replicas)"
    )
    add_run_options(parser, "backbone-<database>")
    args = parser.parse_args(argv)
    if args.events < 1 or args.batch < 1 or args.clients < 1:
        parser.error("--events, --batch and --clients must be positive")
    # The stage analysis needs the services' relay batch and poll size (their defaults unless
    # overridden through the environment, which the services read too).
    args.relay_batch_size = int(os.environ.get("PROFILES_RELAY_BATCH_SIZE", "500"))
    args.consumer_max_poll_records = int(
        os.environ.get("SEGMENTATION_CONSUMER_MAX_POLL_RECORDS", "500")
    )
    args.load_at_start = [round(v, 2) for v in os.getloadavg()]
    return args


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_signals()
    run_id = uuid.uuid4().hex[:8]
    work_dir = Path(tempfile.mkdtemp(prefix="cockpit-bench-"))
    log(
        f"backbone benchmark: N={args.events:,}, database={args.database}, "
        f"partitions={args.partitions}, logs in {work_dir}"
    )
    log(f"load average at start: {args.load_at_start}")
    services: list[Service] = []
    databases = Databases(args.database, args.pg_dsn, work_dir)
    with cleaned_up(services, databases, work_dir):
        baseline = run_baseline(
            args.events, args.partitions, args.consumer_max_poll_records, work_dir, run_id
        )
        project = run_project(args, databases, work_dir, run_id, services)
        result = summary(args, baseline, project)

    log("")
    log(render(result))
    if not args.skip_save:
        save_result(result, f"backbone-{args.database}")
    return 0


def compact_json(document: dict[str, Any]) -> str:
    """Indented JSON with each list of plain numbers on one line (the timeline rows)."""
    text = json.dumps(document, indent=2)
    return re.sub(
        r"\[\s+(-?[\d.]+(?:,\s+-?[\d.]+)*)\s+\]",
        lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]",
        text,
    )


def print_tails(services: list[Service]) -> None:
    for service in services:
        log(f"--- last lines of {service.label} ({service.log_path}):")
        log(service.tail())


@contextlib.contextmanager
def cleaned_up(services: list[Service], databases: Databases, work_dir: Path) -> Iterator[None]:
    """However the body ends: the services stopped, the databases dropped, the work folder
    removed (kept, with the services' logs, after a failure). A BenchError or an interrupt
    then ends the benchmark with exit status 1 or 130."""
    ok = False
    try:
        yield
        ok = True
    except BenchError as error:
        log(f"\nFAILED: {error}")
        print_tails(services)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        log("\ninterrupted; cleaning up")
        raise SystemExit(130) from None
    except Exception:
        print_tails(services)
        raise
    finally:
        for service in services:  # usually stopped by the benchmark already; a no-op then
            service.stop()
        try:
            databases.drop_all()
        except psycopg.Error as error:
            log(f"could not drop the benchmark databases {databases.prefix}_*: {error}")
        if ok:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            log(f"logs kept in {work_dir}")


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
