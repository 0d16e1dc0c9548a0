"""The whole system under load: the four services on PostgreSQL and Tansu, fed the demo company.

    .venv/bin/python bench/system.py [--events 1000000] [--fresh-seconds 60] [--skip-save]

One run, in this order:

- raw baseline: backbone's `run_baseline` (kafka-python alone) with N messages, on a broker of
  its own, in a child process;
- the system: fresh databases and a fresh broker, each service migrated, its topics created and
  its `serve` and `worker` started as an operator would; N demo-company events (customers
  before their orders and contacts) posted in batches as fast as the API answers:
  (a) ingestion rate = N / time until every POST is answered;
  (b) end-to-end rate = N / time until every service's read model reflects all events;
  (c) freshness at a steady 1,000 events/s: post to visible in profiles' 360° view;
  (d) peak memory (VmHWM) of every process, and a segmentation run at the end.

The figures go to stdout and to bench/results/system-postgresql.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter as Tally
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import httpx
import psycopg

# bench/ is sys.path[0] when this file runs as a script, which is how it is always started.
from backbone import (
    POLL_SECONDS,
    PROGRESS_SECONDS,
    BenchError,
    Counter,
    Databases,
    Posting,
    Service,
    StandInAutovacuum,
    add_run_options,
    log,
    machine_facts,
    print_tails,
    proc_cpu_seconds,
    proc_status_kib,
    run_baseline,
    run_command,
    save_result,
    stop_on_signals,
    system_cpu_busy,
    wait_ready,
)

from shared.api.auth import dev_key_specs, write_key_file
from shared.broker import EmbeddedBroker, free_port
from shared.demo.company import DemoCompany
from shared.events import topics
from shared.events.topics import all_topic_names
from shared.messaging.kafka import make_admin

SERVICES = ("profiles", "segmentation", "experience", "steering")
TARGET_END_TO_END = 3_000.0
TARGET_FRESHNESS_P99 = 2.0
MEMORY_LIMIT_MIB = 1024.0
WARMUP_EVENTS = 300
EVENTS_PER_CUSTOMER = 11.0  # the demo company's average is about 12: a first guess only
SAMPLE_SECONDS = 0.1
WATCH_SECONDS = 0.02
VISIBLE_TIMEOUT = 30.0
SUSTAINED_SHARE = 0.95  # of the steady rate, for (c) to count as measured at that rate
VERIFY_BACKOFF = 2.0
RUN_LABEL = "segmentation worker, run"
# Profiles answers 503 with Retry-After when concurrent batches keep getting in each other's
# way (lock conflicts its transaction retried); like rate limiting, that asks for a retry.
RETRY_STATUSES = (429, 503)
# The services' consumer groups and the topics each subscribes to, as their build_consumers
# wire them. The broker is asked at warm-up for its groups, so a renamed or added group fails
# the run instead of going unwatched.
CONSUMER_GROUPS: dict[str, tuple[str, ...]] = {
    "profiles.inbound": (topics.INBOUND.name,),
    "profiles.erasures": (topics.CUSTOMERS.name,),
    "profiles.parts": (topics.SEGMENTS.name, topics.JOURNEYS.name, topics.STEERING.name),
    "segmentation.events": (
        topics.CUSTOMERS.name,
        topics.ORDERS.name,
        topics.TOUCHPOINTS.name,
        topics.STEERING.name,
    ),
    "experience.events": (
        topics.CUSTOMERS.name,
        topics.ORDERS.name,
        topics.TOUCHPOINTS.name,
        topics.SEGMENTS.name,
        topics.STEERING.name,
    ),
    "steering.events": (
        topics.CUSTOMERS.name,
        topics.ORDERS.name,
        topics.TOUCHPOINTS.name,
        topics.SEGMENTS.name,
        topics.JOURNEYS.name,
    ),
}
# What each service's read model must hold once it reflects every posted event: orders are
# counted by profiles, segmentation and steering; experience keeps every order, return and
# contact as a touchpoint.
READ_MODELS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("profiles", "orders", "SELECT count(*) FROM orders", ("order.placed",)),
    ("segmentation", "orders", "SELECT count(*) FROM orders", ("order.placed",)),
    ("steering", "orders", "SELECT count(*) FROM orders", ("order.placed",)),
    (
        "experience",
        "touchpoints",
        "SELECT count(*) FROM touchpoints",
        ("order.placed", "order.returned", "touchpoint.recorded"),
    ),
)
PUBLISHED_QUERY = (
    "SELECT "
    + ", ".join(f"count(*) FILTER (WHERE topic = '{name}')" for name in all_topic_names())
    + " FROM outbox WHERE sent_at IS NOT NULL"
)
PENDING_QUERY = "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
BATCH_METRICS = re.compile(
    r"^\w+_(consumer_batch_duration_seconds_count|consumer_batch_duration_seconds_sum"
    r"|events_consumed_total)(?:\{[^}]*\})? ([0-9.e+]+)$",
    re.MULTILINE,
)
ASSIGNED = re.compile(r"consumer (?P<group>[\w.]+) assigned (?P<partitions>\d+) partitions")
PUBLISHED_METRIC = re.compile(
    r'^\w+_events_published_total\{topic="([^"]+)"\} ([0-9.e+]+)$', re.MULTILINE
)
ENV_PREFIXES = ("COCKPIT_", *(f"{name.upper()}_" for name in SERVICES))


# ----------------------------------------------------------------------------- workload


def customers_first(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events in time order, except that an event about a customer not registered yet
    waits for the customer's customer.upserted (a contact may precede it by a few days)."""
    known: set[tuple[str, str]] = set()
    waiting: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    ordered: list[dict[str, Any]] = []
    for event in events:
        reference = event["data"].get("customer")
        key = (reference["system"], reference["id"]) if reference else None
        if event["type"] == "customer.upserted" and key is not None:
            known.add(key)
            ordered.append(event)
            ordered.extend(waiting.pop(key, []))
        elif key is None or key in known:
            ordered.append(event)
        else:
            waiting[key].append(event)
    for rest in waiting.values():
        ordered.extend(rest)
    return ordered


def _write_bodies(path: Path, events: list[dict[str, Any]], batch: int) -> None:
    """One request per line: the event count, a space, the JSON array."""
    with path.open("wb") as out:
        for start in range(0, len(events), batch):
            chunk = events[start : start + batch]
            out.write(f"{len(chunk)} ".encode() + json.dumps(chunk).encode() + b"\n")


def generate_workload(folder: str, sizes: tuple[int, int, int], batch: int, seed: int) -> dict:
    """In a child process: warm-up, bulk and steady events of the demo company, written to files.

    The company is sized so that its three years of events reach the sum of `sizes`; the
    events are cut there, the newest ones (the steady stream's) last.
    """
    started = time.perf_counter()
    warmup, bulk, steady = sizes
    needed = warmup + bulk + steady
    customers = max(50, math.ceil(needed / EVENTS_PER_CUSTOMER))
    now = datetime.now(UTC)
    while True:
        events = customers_first(DemoCompany(customers, seed, now).events())
        if len(events) >= needed:
            break
        customers = math.ceil(customers * needed / len(events) * 1.05)
    events = events[:needed]
    parts = {
        "warmup": events[:warmup],
        "bulk": events[warmup : warmup + bulk],
        "steady": events[warmup + bulk :],
    }
    directory = Path(folder)
    _write_bodies(directory / "warmup.jsonl", parts["warmup"], batch)
    _write_bodies(directory / "bulk.jsonl", parts["bulk"], batch)
    with (directory / "steady.jsonl").open("wb") as out:
        for event in parts["steady"]:
            out.write(json.dumps(event).encode() + b"\n")
    registered = [
        (e["source"], e["data"]["customer"])
        for e in parts["bulk"]
        if e["type"] == "customer.upserted"
    ]
    return {
        "customers": customers,
        "types": {name: dict(Tally(e["type"] for e in part)) for name, part in parts.items()},
        "registered": registered[:: max(1, len(registered) // 5_000)],
        "seconds": round(time.perf_counter() - started, 1),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


@dataclass
class Workload:
    warmup: list[tuple[int, bytes]]
    bulk: list[tuple[int, bytes]]
    steady: list[bytes]
    registered: list[tuple[str, dict[str, str]]]
    """(source system, customer reference) of customers the bulk registers: sampled in (c)."""
    types: dict[str, dict[str, int]]
    customers: int
    facts: dict[str, Any]


def _read_bodies(path: Path) -> list[tuple[int, bytes]]:
    bodies = []
    with path.open("rb") as lines:
        for line in lines:
            count, body = line.rstrip(b"\n").split(b" ", 1)
            bodies.append((int(count), body))
    return bodies


def prepare_workload(args: argparse.Namespace, folder: Path) -> Workload:
    sizes = (WARMUP_EVENTS, args.events, args.steady_events)
    log(f"generating the demo company's events: {sum(sizes):,} ({args.events:,} bulk)")
    with get_context("spawn").Pool(1) as pool:  # its memory is not the benchmark's
        made = pool.apply(generate_workload, (str(folder), sizes, args.batch, args.seed))
    bulk = _read_bodies(folder / "bulk.jsonl")
    steady = (folder / "steady.jsonl").read_bytes().splitlines()
    warmup = _read_bodies(folder / "warmup.jsonl")
    for name in ("bulk", "steady", "warmup"):
        (folder / f"{name}.jsonl").unlink()
    types = made["types"]
    log(
        f"    {made['customers']:,} customers in {made['seconds']:.0f} s; bulk: "
        + ", ".join(f"{n:,} {t}" for t, n in sorted(types["bulk"].items(), key=lambda i: -i[1]))
    )
    return Workload(
        warmup=warmup,
        bulk=bulk,
        steady=steady,
        registered=[(source, dict(ref)) for source, ref in made["registered"]],
        types=types,
        customers=made["customers"],
        facts={
            "customers": made["customers"],
            "events_by_type": types["bulk"],
            "request_bytes_avg_per_event": round(sum(len(b) for _, b in bulk) / args.events, 1),
            "generate_s": made["seconds"],
            "generator_peak_mib": made["peak_mib"],
        },
    )


def expected_counts(workload: Workload, parts: tuple[str, ...]) -> dict[str, int]:
    """What each read model holds after the given parts of the workload."""
    expected = {}
    for service, label, _query, types in READ_MODELS:
        expected[f"{service} {label}"] = sum(
            workload.types[part].get(kind, 0) for part in parts for kind in types
        )
    return expected


# ----------------------------------------------------------------------------- baseline


def baseline_in_child(n: int, partitions: int, max_poll: int, folder: str, run_id: str) -> dict:
    """backbone's raw baseline, with the child's own peak memory."""
    result = run_baseline(n, partitions, max_poll, Path(folder), run_id)
    result["client_peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


# ----------------------------------------------------------------------------- the stack


@dataclass
class Stack:
    broker: EmbeddedBroker
    keys: dict[str, str]
    database_urls: dict[str, str]
    urls: dict[str, str]
    """The first serve process of each service."""
    ingest_urls: list[str]
    metrics_urls: dict[str, str]
    """The /metrics of each worker (its relay counts what it published)."""
    services: list[Service]

    def service(self, label: str) -> Service:
        return next(s for s in self.services if s.label == label)


def start_stack(
    args: argparse.Namespace,
    databases: Databases,
    broker: EmbeddedBroker,
    work_dir: Path,
    services: list[Service],
) -> Stack:
    keys_file = work_dir / "api-keys.json"
    keys = write_key_file(keys_file, dev_key_specs())
    database_urls = {name: databases.create(name) for name in SERVICES}
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "COCKPIT_API_KEYS_FILE": str(keys_file),
        "COCKPIT_TOPIC_PARTITIONS": str(args.partitions),
        # Only the run the benchmark asks for, not one queued when the worker starts.
        "SEGMENTATION_RUN_INTERVAL_SECONDS": "0",
    }
    ports: dict[str, list[int]] = {}
    for name in SERVICES:
        prefix = name.upper()
        replicas = args.api_replicas if name == "profiles" else 1
        ports[name] = [free_port() for _ in range(replicas)]
        env[f"{prefix}_DATABASE_URL"] = database_urls[name]
        env[f"{prefix}_PORT"] = str(ports[name][0])
        env[f"{prefix}_WORKER_METRICS_PORT"] = str(free_port())
    log("    migrating the four databases, creating the topics")
    for command in ("migrate", "topics"):
        for name in SERVICES:
            run_command(
                ["-m", f"services.{name}", command],
                env,
                work_dir / f"{name}-{command}.log",
                f"{name} {command}",
            )
    for name in SERVICES:
        for i, port in enumerate(ports[name]):
            label = f"{name} serve" + (f" {i + 1}" if len(ports[name]) > 1 else "")
            service = Service(label, ["-m", f"services.{name}", "serve"], work_dir / f"{label}.log")
            services.append(service)
            service.start({**env, f"{name.upper()}_PORT": str(port)})
        worker = Service(
            f"{name} worker", ["-m", f"services.{name}", "worker"], work_dir / f"{name}-worker.log"
        )
        services.append(worker)
        worker.start(env)
    urls = [f"http://127.0.0.1:{port}" for name in SERVICES for port in ports[name]]
    ready_s = 0.0
    for url in urls:
        try:
            ready_s = max(ready_s, wait_ready(f"{url}/readyz", services))
        except BenchError as error:
            try:
                answer = httpx.get(f"{url}/readyz", timeout=10).text
            except httpx.HTTPError as unanswered:
                answer = repr(unanswered)
            raise BenchError(f"{error}: {answer}") from None
    log(f"    {len(services)} processes; every API ready after {ready_s:.1f} s")
    return Stack(
        broker=broker,
        keys=keys,
        database_urls=database_urls,
        urls={name: f"http://127.0.0.1:{ports[name][0]}" for name in SERVICES},
        ingest_urls=[f"http://127.0.0.1:{port}/v1/events" for port in ports["profiles"]],
        metrics_urls={
            name: f"http://127.0.0.1:{env[f'{name.upper()}_WORKER_METRICS_PORT']}/metrics"
            for name in SERVICES
        },
        services=services,
    )


# ----------------------------------------------------------------------------- (b) watching


@dataclass(frozen=True)
class Glance:
    """The cheap signals read twice a second."""

    pending: dict[str, int]
    """Unsent outbox rows per service."""
    published: dict[str, int]
    """Messages the relays published per topic, from the workers' /metrics."""
    consumed: dict[str, dict[str, int]]
    """group -> topic -> committed offsets summed over the partitions."""

    def behind(self, group: str) -> int:
        consumed = self.consumed.get(group, {})
        return sum(
            max(0, self.published.get(topic, 0) - consumed.get(topic, 0))
            for topic in CONSUMER_GROUPS[group]
        )

    def behind_by_service(self) -> dict[str, int]:
        return {
            name: sum(self.behind(g) for g in CONSUMER_GROUPS if g.startswith(f"{name}."))
            for name in SERVICES
        }


class Pipeline:
    """Watches the system from outside: outboxes and read models through SQL, the groups'
    committed offsets through the broker, the relays' published counts through /metrics."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.dbs = {name: Counter(url) for name, url in stack.database_urls.items()}
        self.admin = make_admin(stack.broker.bootstrap_servers, "bench-system-watch")
        self.http = httpx.Client(timeout=10)

    def close(self) -> None:
        self.http.close()
        self.admin.close()
        for db in self.dbs.values():
            db.close()

    def glance(self) -> Glance:
        pending = {name: db.one(PENDING_QUERY)[0] for name, db in self.dbs.items()}
        published: dict[str, int] = defaultdict(int)
        for url in self.stack.metrics_urls.values():
            for topic, count in PUBLISHED_METRIC.findall(self.http.get(url).text):
                published[topic] += round(float(count))
        consumed: dict[str, dict[str, int]] = {}
        for group, offsets in self.admin.list_group_offsets(list(CONSUMER_GROUPS)).items():
            by_topic: dict[str, int] = defaultdict(int)
            for tp, offset in offsets.items():
                by_topic[tp.topic] += max(0, offset.offset)
            consumed[group] = dict(by_topic)
        return Glance(pending, dict(published), consumed)

    def batches(self) -> dict[str, dict[str, float]]:
        """Per worker: polled batches handled, seconds spent handling them, messages."""
        found: dict[str, dict[str, float]] = {}
        for name, url in self.stack.metrics_urls.items():
            totals: dict[str, float] = defaultdict(float)
            for metric, value in BATCH_METRICS.findall(self.http.get(url).text):
                totals[metric] += float(value)
            found[name] = {
                "batches": totals["consumer_batch_duration_seconds_count"],
                "busy_s": totals["consumer_batch_duration_seconds_sum"],
                "messages": totals["events_consumed_total"],
            }
        return found

    def published(self) -> dict[str, int]:
        """Outbox rows sent per topic, over every service (reads every sent row)."""
        totals: dict[str, int] = defaultdict(int)
        for db in self.dbs.values():
            for topic, count in zip(all_topic_names(), db.one(PUBLISHED_QUERY), strict=True):
                totals[topic] += count
        return dict(totals)

    def check_groups(self, partitions: int) -> None:
        """CONSUMER_GROUPS still says what the services consume: each worker logs the
        partitions its groups were assigned, and the broker knows no other group."""
        assigned: dict[str, int] = {}
        for service in self.stack.services:
            if service.label.endswith("worker"):
                for line in service.log_path.read_text(errors="replace").splitlines():
                    found = ASSIGNED.search(line)
                    if found:
                        assigned[found["group"]] = int(found["partitions"])
        wanted = {group: len(names) * partitions for group, names in CONSUMER_GROUPS.items()}
        others = {g["group_id"] for g in self.admin.list_groups()} - set(CONSUMER_GROUPS)
        if assigned != wanted or others:
            raise BenchError(
                f"the services' consumer groups (partitions assigned {assigned}, other groups "
                f"{sorted(others)}) are not the watched ones ({wanted}): update CONSUMER_GROUPS"
            )

    def missing(self, expected: dict[str, int]) -> list[str]:
        """What keeps the read models from reflecting everything; empty when nothing does."""
        problems = []
        published = self.published()
        consumed = self.glance().consumed
        for topic, count in published.items():
            if topic.endswith(".dlq") and count:
                problems.append(f"{count:,} dead letters on {topic}")
        for group, subscribed in CONSUMER_GROUPS.items():
            for topic in subscribed:
                behind = published.get(topic, 0) - consumed.get(group, {}).get(topic, 0)
                if behind > 0:
                    problems.append(f"{group} {behind:,} behind on {topic}")
        for service, label, query, _types in READ_MODELS:
            have, want = self.dbs[service].one(query)[0], expected[f"{service} {label}"]
            if have != want:
                problems.append(f"{service} {label} {have:,} of {want:,}")
        return problems

    def wait_complete(
        self,
        expected: dict[str, int],
        stall_timeout: float,
        posting: Posting | None = None,
        timeline: list[list[float]] | None = None,
    ) -> float:
        """Seconds until every read model reflects everything posted (see the README).

        Twice a second the cheap signals; once they say done (posting finished, no unsent
        outbox row, every group's committed offsets at what the relays published on its
        topics), the exact check: the same from the outbox rows themselves, and every read
        model holding what the posted events make it hold.
        """
        started = posting.started if posting is not None else time.perf_counter()
        signature: tuple[int, Glance] | None = None
        last_change = last_line = verify_after = 0.0
        problems: list[str] = []
        while True:
            time.sleep(POLL_SECONDS)
            now = time.perf_counter() - started
            posted = posting.posted if posting is not None else 0
            glance = self.glance()
            if (posted, glance) != signature:
                signature, last_change = (posted, glance), now
            behind = glance.behind_by_service()
            if timeline is not None:
                timeline.append(
                    [round(now, 2), posted, sum(glance.pending.values()), *behind.values()]
                )
            done = (
                (posting is None or posting.finished is not None)
                and not any(glance.pending.values())
                and not any(behind.values())
            )
            if done and now >= verify_after:
                problems = self.missing(expected)
                if not problems:
                    return now
                verify_after = now + VERIFY_BACKOFF
            if now - last_line >= PROGRESS_SECONDS:
                last_line = now
                sent = f"posted {posted:>9,}  " if posting is not None else ""
                log(
                    f"    {now:6.1f} s  {sent}outbox pending "
                    + " ".join(f"{glance.pending[name]:,}" for name in SERVICES)
                    + "  behind "
                    + " ".join(f"{behind[name]:,}" for name in SERVICES)
                )
            if posting is not None and posting.errors:
                raise BenchError(f"posting failed: {posting.errors[0]}")
            for service in self.stack.services:
                if not service.alive():
                    raise BenchError(f"{service.label} exited:\n{service.tail()}")
            if now - last_change > stall_timeout:
                raise BenchError(
                    f"no progress for {stall_timeout:.0f} s: "
                    + ("; ".join(problems) or f"outboxes pending {glance.pending}, behind {behind}")
                )


# ----------------------------------------------------------------------------- (c) freshness


@dataclass
class Sample:
    customer_id: str
    occurred_at: datetime
    sent: float
    """perf_counter when the POST carrying it was sent."""
    visible_after: float | None = None


@dataclass
class SteadyStream:
    """`rate` events/s in one request every SAMPLE_SECONDS, each led by a sample: a new
    touchpoint, dated now, of a customer the bulk registered."""

    stack: Stack
    events: list[bytes]
    registered: list[tuple[str, dict[str, str]]]
    per_request: int
    requests: int
    clients: int
    run_id: str
    samples: list[Sample] = field(default_factory=list)
    post_seconds: list[float] = field(default_factory=list)
    late_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retried: int = 0
    started: float = 0.0
    finished: float = 0.0
    _next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        posters = [
            threading.Thread(target=self._post, args=(url,), name=f"steady-{k}", daemon=True)
            for k, url in enumerate(self.stack.ingest_urls * self.clients)
        ][: self.clients]
        watcher = threading.Thread(target=self._watch, name="watcher", daemon=True)
        self.started = time.perf_counter()
        for thread in [*posters, watcher]:
            thread.start()
        give_up = math.inf  # once posting is done: how long samples may take to show
        last_line = 0.0
        while not self.errors and time.perf_counter() < give_up:
            time.sleep(0.1)
            now = time.perf_counter() - self.started
            if give_up == math.inf and not any(p.is_alive() for p in posters):
                self.finished = now
                give_up = time.perf_counter() + VISIBLE_TIMEOUT
            if self.finished and all(s.visible_after is not None for s in self.samples):
                break
            if now - last_line >= PROGRESS_SECONDS:
                last_line = now
                self._progress(now)
        self._stop.set()
        watcher.join(10)
        if self.errors:
            raise BenchError(f"steady stream failed: {self.errors[0]}")

    def _progress(self, now: float) -> None:
        with self._lock:
            seen = [s.visible_after for s in self.samples if s.visible_after is not None]
            sent = len(self.samples)
        worst = f", slowest {max(seen):.2f} s" if seen else ""
        log(f"    {now:6.1f} s  samples posted {sent:,}, visible {len(seen):,}{worst}")

    def _sample_event(self, tick: int, occurred_at: datetime) -> bytes:
        source, reference = self.registered[tick % len(self.registered)]
        event = {
            "id": f"fresh-{self.run_id}-{tick}",
            "type": "touchpoint.recorded",
            "source": source,
            "time": occurred_at.isoformat(timespec="milliseconds"),
            "data": {
                "customer": reference,
                "channel": "phone",
                "touchpoint_type": "service_call",
                "journey_stage": "service",
                "direction": "inbound",
            },
        }
        return json.dumps(event).encode()

    def _post(self, url: str) -> None:
        headers = {"X-API-Key": self.stack.keys["integration"], "Content-Type": "application/json"}
        rest = self.per_request - 1
        with httpx.Client(timeout=httpx.Timeout(60.0), headers=headers) as client:
            while not self._stop.is_set() and not self.errors:
                with self._lock:
                    tick, self._next = self._next, self._next + 1
                if tick >= self.requests:
                    return
                due = self.started + tick * SAMPLE_SECONDS
                time.sleep(max(0.0, due - time.perf_counter()))
                now = datetime.now(UTC)
                occurred_at = now.replace(microsecond=now.microsecond // 1000 * 1000)
                chunk = self.events[tick * rest : (tick + 1) * rest]
                body = b"[" + b",".join([self._sample_event(tick, occurred_at), *chunk]) + b"]"
                sent = time.perf_counter()
                try:
                    answer = self._send(client, url, body)
                except (httpx.HTTPError, ValueError) as error:
                    self.errors.append(f"{type(error).__name__}: {error}")
                    return
                if answer["accepted"] != len(chunk) + 1:
                    self.errors.append(f"POST /v1/events: {json.dumps(answer)[:300]}")
                    return
                with self._lock:
                    self.post_seconds.append(time.perf_counter() - sent)
                    self.late_seconds.append(max(0.0, sent - due))
                    self.samples.append(
                        Sample(answer["results"][0]["customer_id"], occurred_at, sent)
                    )

    def _send(self, client: httpx.Client, url: str, body: bytes) -> dict[str, Any]:
        for _ in range(100):
            response = client.post(url, content=body)
            if response.status_code not in RETRY_STATUSES:
                break
            with self._lock:
                self.retried += 1
            time.sleep(float(response.headers.get("Retry-After", "1")))
        if response.status_code != 200:
            raise ValueError(f"POST /v1/events: {response.status_code} {response.text[:300]}")
        answer: dict[str, Any] = response.json()
        return answer

    def _watch(self) -> None:
        try:
            self._watch_samples()
        except Exception as error:
            self.errors.append(f"watching the samples: {type(error).__name__}: {error}")

    def _watch_samples(self) -> None:
        """Every WATCH_SECONDS: which samples profiles' database shows; each is then confirmed
        through the 360° view, and visible from the moment the view shows it."""
        dsn = self.stack.database_urls["profiles"].replace("postgresql+psycopg://", "postgresql://")
        headers = {"X-API-Key": self.stack.keys["admin"]}
        with (
            psycopg.connect(dsn, autocommit=True) as db,
            httpx.Client(base_url=self.stack.urls["profiles"], headers=headers, timeout=30) as api,
        ):
            while not self._stop.is_set():
                with self._lock:
                    waiting = [s for s in self.samples if s.visible_after is None]
                if waiting:
                    rows = db.execute(
                        "SELECT customer_id, latest_touchpoint_at FROM customer_experiences "
                        "WHERE customer_id = ANY(%s)",
                        ([s.customer_id for s in waiting],),
                    ).fetchall()
                    stored = dict(rows)
                    for sample in waiting:
                        latest = stored.get(sample.customer_id)
                        if latest is not None and latest >= sample.occurred_at:
                            self._confirm(api, sample)
                time.sleep(WATCH_SECONDS)

    def _confirm(self, api: httpx.Client, sample: Sample) -> None:
        response = api.get(f"/v1/customers/{sample.customer_id}")
        if response.status_code != 200:
            return
        shown = response.json()["experience"].get("latest_touchpoint_at")
        if shown is not None and datetime.fromisoformat(shown) >= sample.occurred_at:
            sample.visible_after = time.perf_counter() - sample.sent

    def report(self) -> dict[str, Any]:
        seen = sorted(s.visible_after for s in self.samples if s.visible_after is not None)
        posted = len(self.samples) * self.per_request
        return {
            "rate_target": round(self.per_request / SAMPLE_SECONDS),
            "rate_achieved": round(posted / self.finished, 1),
            "seconds": round(self.finished, 2),
            "events": posted,
            "samples": len(self.samples),
            "visible": len(seen),
            "not_visible_within_s": VISIBLE_TIMEOUT if len(seen) < len(self.samples) else None,
            "visible_s": {q: percentile(seen, p) for q, p in QUANTILES} if seen else None,
            "post_s": {q: percentile(sorted(self.post_seconds), p) for q, p in QUANTILES},
            "max_late_s": round(max(self.late_seconds, default=0.0), 3),
            "requests_retried": self.retried,
        }


QUANTILES = (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))


def percentile(ordered: list[float], share: float) -> float:
    """Nearest rank: the smallest value that at least `share` of the values do not exceed."""
    return round(ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))], 3)


# ----------------------------------------------------------------------------- (d) memory, run


def mib(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def segmentation_run(stack: Stack, timeout: float) -> dict[str, Any]:
    """A full run through the API; the worker's peak memory is reset before it."""
    worker = stack.service("segmentation worker")
    before_kib = proc_status_kib(worker.pid, "VmHWM")
    Path(f"/proc/{worker.pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
    rss_kib = proc_status_kib(worker.pid, "VmRSS")
    headers = {"X-API-Key": stack.keys["admin"]}
    started = time.perf_counter()
    last_line = 0.0
    with httpx.Client(base_url=stack.urls["segmentation"], headers=headers, timeout=60) as api:
        answer = api.post("/v1/runs", json={})
        if answer.status_code != 202:
            raise BenchError(f"POST /v1/runs: {answer.status_code} {answer.text[:300]}")
        run_id = answer.json()["run_id"]
        while True:
            run = api.get(f"/v1/runs/{run_id}").json()
            elapsed = time.perf_counter() - started
            if run["status"] in ("completed", "failed"):
                break
            if elapsed > timeout:
                raise BenchError(f"segmentation run not done after {timeout:.0f} s: {run}")
            if elapsed - last_line >= PROGRESS_SECONDS:
                last_line = elapsed
                progress = run["progress"]
                log(f"    {elapsed:6.1f} s  run {progress['phase']} {progress['percent']}%")
            time.sleep(0.25)
    wall = time.perf_counter() - started
    if run["status"] == "failed":
        raise BenchError(f"segmentation run failed: {run['error']}")
    summary = run["summary"] or {}
    ran = datetime.fromisoformat(run["completed_at"]) - datetime.fromisoformat(run["started_at"])
    return {
        "wall_s": round(wall, 2),
        "run_s": round(ran.total_seconds(), 2),
        "customers": summary.get("customers"),
        "changed": summary.get("changed"),
        "seconds_by_phase": summary.get("seconds_by_phase"),
        "worker_rss_before_mib": mib(rss_kib),
        "worker_peak_before_run_mib": mib(before_kib),
        "worker_peak_during_run_mib": mib(proc_status_kib(worker.pid, "VmHWM")),
    }


def log_problems(services: list[Service]) -> dict[str, dict[str, Any]]:
    """ERROR and WARNING lines in each service's log, with the first distinct messages."""
    found: dict[str, dict[str, Any]] = {}
    for service in services:
        levels: Tally[str] = Tally()
        messages: list[str] = []
        with contextlib.suppress(OSError), service.log_path.open(errors="replace") as lines:
            for line in lines:
                try:
                    entry = json.loads(line)
                    level, message = str(entry.get("level")), str(entry.get("message"))
                except (ValueError, AttributeError):
                    level, message = ("ERROR", line.strip()) if "Traceback" in line else ("", "")
                if level in ("ERROR", "CRITICAL", "WARNING"):
                    levels[level] += 1
                    if message[:120] not in messages and len(messages) < 3:
                        messages.append(message[:120])
        if levels:
            found[service.label] = {"lines": dict(levels), "first": messages}
    return found


# ----------------------------------------------------------------------------- the run


def run_system(
    args: argparse.Namespace,
    workload: Workload,
    databases: Databases,
    broker: EmbeddedBroker,
    work_dir: Path,
    services: list[Service],
) -> dict[str, Any]:
    log(f"system: {args.api_replicas} profiles API processes, {args.clients} clients")
    stack = start_stack(args, databases, broker, work_dir, services)
    pipeline = Pipeline(stack)
    housekeeping = StandInAutovacuum(list(stack.database_urls.values()))
    try:
        housekeeping.start()
        if housekeeping.report()["stand_in"]:
            log(
                "    the server has autovacuum off: the benchmark vacuums and analyses by its rules"
            )
        warm = Posting(
            stack.ingest_urls, stack.keys["integration"], 1, workload.warmup, RETRY_STATUSES
        )
        warm.start()
        warm_s = pipeline.wait_complete(
            expected_counts(workload, ("warmup",)), args.stall_timeout, warm
        )
        pipeline.check_groups(args.partitions)
        log(f"    warm-up ({WARMUP_EVENTS} events) through every service after {warm_s:.1f} s")
        pids = {s.label: s.pid for s in services}
        if broker._process is not None:
            pids["broker"] = broker._process.pid
        result = {"warmup_s": round(warm_s, 2), **measure_bulk(args, workload, pipeline, pids)}
        result.update(measure_freshness(args, workload, pipeline))
        log("(d) segmentation run")
        run = segmentation_run(stack, args.run_timeout)
        log(f"    done after {run['wall_s']:.1f} s; its assignments on their way")
        run["assignments_through_every_service_s"] = round(
            pipeline.wait_complete(result.pop("expected"), args.stall_timeout), 2
        )
        peaks = {label: mib(proc_status_kib(pid, "VmHWM")) for label, pid in pids.items()}
        # The worker's high-water mark was reset before the run: what it shows now is the
        # run's (the memory target exempts the run, not the worker).
        peaks["segmentation worker"] = run["worker_peak_before_run_mib"]
        peaks[RUN_LABEL] = mib(proc_status_kib(pids["segmentation worker"], "VmHWM"))
        peaks["bench client"] = mib(proc_status_kib(os.getpid(), "VmHWM"))
    finally:
        housekeeping.stop()
        pipeline.close()
        for service in reversed(services):
            service.stop()
    return {
        **result,
        "autovacuum": housekeeping.report(),
        "segmentation_run": run,
        "peak_rss_mib": peaks,
        "log_problems": log_problems(services),
    }


def measure_bulk(
    args: argparse.Namespace, workload: Workload, pipeline: Pipeline, pids: dict[str, int]
) -> dict[str, Any]:
    """(a) and (b): the bulk posted as fast as the API answers, until every read model has it."""
    n, stack = args.events, pipeline.stack
    log(f"(a)+(b) posting {n:,} events in {len(workload.bulk):,} requests")
    cpu_before = {label: proc_cpu_seconds(pid) for label, pid in pids.items()}
    db_cpu_before = {
        name: pipeline.dbs[name].backend_cpu(_db_name(stack, name)) for name in SERVICES
    }
    machine_before = system_cpu_busy()
    own_cpu_before = time.process_time()
    published_before = sum(pipeline.published().values())
    batches_before = pipeline.batches()
    bulk = Posting(
        stack.ingest_urls, stack.keys["integration"], args.clients, workload.bulk, RETRY_STATUSES
    )
    timeline: list[list[float]] = []
    bulk.start()
    end_to_end_s = pipeline.wait_complete(
        expected_counts(workload, ("warmup", "bulk")), args.stall_timeout, bulk, timeline
    )
    ingest_s = bulk.finished or end_to_end_s
    cpu = {
        label: round((proc_cpu_seconds(pid) or 0.0) - (cpu_before[label] or 0.0), 1)
        for label, pid in pids.items()
    }
    cpu["bench client"] = round(time.process_time() - own_cpu_before, 1)
    for name in SERVICES:
        before = db_cpu_before[name]
        after = pipeline.dbs[name].backend_cpu(_db_name(stack, name))
        used = sum(cpu_s - before.get(pid, 0.0) for pid, cpu_s in after.items())
        cpu[f"postgres ({name} db)"] = round(used, 1)
    busy, total = system_cpu_busy()
    published = sum(pipeline.published().values()) - published_before
    consumers = {}
    for name, after in pipeline.batches().items():
        delta = {k: after[k] - batches_before[name][k] for k in after}
        consumers[name] = {
            "batches": round(delta["batches"]),
            "messages_per_batch": round(delta["messages"] / max(1.0, delta["batches"]), 1),
            "busy_s": round(delta["busy_s"], 1),
        }
    log(f"    ingested in {ingest_s:.1f} s, every read model complete after {end_to_end_s:.1f} s")
    return {
        "ingest_s": round(ingest_s, 3),
        "end_to_end_s": round(end_to_end_s, 3),
        "ingest_rate": round(n / ingest_s, 1),
        "end_to_end_rate": round(n / end_to_end_s, 1),
        "kafka_messages": published,
        "kafka_messages_per_event": round(published / n, 2),
        "message_bytes_avg_by_service": {
            name: db.one("SELECT coalesce(avg(length(payload)), 0) FROM outbox")[0]
            for name, db in pipeline.dbs.items()
        },
        "requests_retried": bulk.retried,
        "post_latency_s": {q: percentile(sorted(bulk.request_seconds), p) for q, p in QUANTILES},
        "cpu_seconds": cpu,
        "consumers": consumers,
        "machine_cpu_busy": round(
            (busy - machine_before[0]) / max(1.0, total - machine_before[1]), 3
        ),
        "timeline": timeline[:: max(1, len(timeline) // 60)],
    }


def measure_freshness(
    args: argparse.Namespace, workload: Workload, pipeline: Pipeline
) -> dict[str, Any]:
    """(c): the steady stream with its samples, then until every read model has it."""
    log(
        f"(c) steady {args.fresh_rate:,} events/s for {args.fresh_seconds:g} s, "
        f"a sample every {SAMPLE_SECONDS:g} s"
    )
    stream = SteadyStream(
        pipeline.stack,
        workload.steady,
        workload.registered,
        per_request=args.per_request,
        requests=round(args.fresh_seconds / SAMPLE_SECONDS),
        clients=args.fresh_clients,
        run_id=args.run_id,
    )
    stream.run()
    expected = expected_counts(workload, ("warmup", "bulk", "steady"))
    expected["experience touchpoints"] += len(stream.samples)
    settle_s = pipeline.wait_complete(expected, args.stall_timeout)
    log(f"    steady events through every service {settle_s:.1f} s after the last sample")
    return {
        "freshness": stream.report(),
        "steady_settle_s": round(settle_s, 2),
        "expected": expected,
    }


def _db_name(stack: Stack, service: str) -> str:
    return stack.database_urls[service].rsplit("/", 1)[1]


# ----------------------------------------------------------------------------- report


NOT_LIMITED = ("bench client", RUN_LABEL)


def summary(
    args: argparse.Namespace, workload: Workload, raw: dict[str, Any], system: dict[str, Any]
) -> dict[str, Any]:
    fresh = system["freshness"]
    p99 = fresh["visible_s"]["p99"] if fresh["visible_s"] else None
    all_seen = fresh["visible"] == fresh["samples"] > 0
    sustained = fresh["rate_achieved"] >= SUSTAINED_SHARE * fresh["rate_target"]
    limited = {k: v for k, v in system["peak_rss_mib"].items() if k not in NOT_LIMITED and v}
    largest = max(limited, key=lambda k: limited[k])
    return {
        "benchmark": "system",
        "events": args.events,
        "database": "postgresql",
        "partitions": args.partitions,
        "batch": args.batch,
        "clients": args.clients,
        "api_replicas": args.api_replicas,
        "seed": args.seed,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(args.load_at_start),
        "settings_from_env": {
            k: v
            for k, v in sorted(os.environ.items())
            if k.startswith(ENV_PREFIXES) and "KEY" not in k
        },
        "workload": workload.facts,
        "raw": raw,
        "system": system,
        "targets": {
            "end_to_end_rate": {
                "target": TARGET_END_TO_END,
                "ratio": round(system["end_to_end_rate"] / TARGET_END_TO_END, 3),
                "met": system["end_to_end_rate"] >= TARGET_END_TO_END,
            },
            "freshness_p99_s": {
                "target": TARGET_FRESHNESS_P99,
                "ratio": None if p99 is None else round(p99 / TARGET_FRESHNESS_P99, 3),
                "rate_sustained": sustained,
                "met": sustained and all_seen and p99 is not None and p99 < TARGET_FRESHNESS_P99,
            },
            "peak_rss_mib": {
                "target": MEMORY_LIMIT_MIB,
                "largest": largest,
                "ratio": round(limited[largest] / MEMORY_LIMIT_MIB, 3),
                "met": limited[largest] <= MEMORY_LIMIT_MIB,
            },
        },
        "ratios_to_raw": {
            "ingest_vs_raw_produce": round(system["ingest_rate"] / raw["produce_rate"], 3),
            "end_to_end_vs_raw_end_to_end": round(
                system["end_to_end_rate"] / raw["end_to_end_rate"], 3
            ),
            "end_to_end_vs_raw_consume": round(system["end_to_end_rate"] / raw["consume_rate"], 3),
        },
    }


def render(result: dict[str, Any]) -> str:
    raw, s, t, r = result["raw"], result["system"], result["targets"], result["ratios_to_raw"]
    fresh, run = s["freshness"], s["segmentation_run"]
    seen = fresh["visible_s"] or {}

    def verdict(target: dict[str, Any]) -> str:
        return "met" if target["met"] else "MISSED"

    def row(name: str, figure: str, target: str, ratio: str, outcome: str) -> str:
        return f"{name:<36}{figure:>14}{target:>16}{ratio:>8}  {outcome}"

    largest = t["peak_rss_mib"]["largest"]
    p99 = seen.get("p99")
    freshness = t["freshness_p99_s"]
    lines = [
        f"system benchmark  N={result['events']:,} ({result['workload']['customers']:,} "
        f"customers)  postgresql  partitions={result['partitions']}  batch={result['batch']}  "
        f"clients={result['clients']}  api replicas={result['api_replicas']}",
        row("", "figure", "target", "ratio", "verdict"),
        row("(a) ingestion", f"{s['ingest_rate']:,.0f} ev/s", "", "", ""),
        row(
            "(b) end to end",
            f"{s['end_to_end_rate']:,.0f} ev/s",
            f">= {TARGET_END_TO_END:,.0f} ev/s",
            f"{t['end_to_end_rate']['ratio']:.2f}",
            verdict(t["end_to_end_rate"]),
        ),
        row(
            f"(c) freshness p99 at {fresh['rate_target']:,} ev/s",
            "none seen" if p99 is None else f"{p99:.2f} s",
            f"< {TARGET_FRESHNESS_P99:g} s",
            "" if freshness["ratio"] is None else f"{freshness['ratio']:.2f}",
            verdict(freshness) + ("" if freshness["rate_sustained"] else " (rate not sustained)"),
        ),
        row(
            "(d) largest peak RSS but the run's",
            f"{s['peak_rss_mib'][largest]:,.0f} MiB",
            f"<= {MEMORY_LIMIT_MIB:,.0f} MiB",
            f"{t['peak_rss_mib']['ratio']:.2f}",
            f"{verdict(t['peak_rss_mib'])} ({largest})",
        ),
        "",
        f"raw kafka-python  produce {raw['produce_rate']:,.0f}, consume "
        f"{raw['consume_rate']:,.0f}, end to end {raw['end_to_end_rate']:,.0f} msg/s "
        f"({raw['message_bytes_avg']:.0f} B messages)",
        f"ratios to raw     ingestion / raw produce {r['ingest_vs_raw_produce']:.3f}, "
        f"end to end / raw end to end {r['end_to_end_vs_raw_end_to_end']:.3f}, "
        f"/ raw consume {r['end_to_end_vs_raw_consume']:.3f}",
        f"(a)+(b)           ingested after {s['ingest_s']:.1f} s, complete after "
        f"{s['end_to_end_s']:.1f} s; {s['kafka_messages']:,} Kafka messages "
        f"({s['kafka_messages_per_event']:.2f} per event); POST p50 "
        f"{s['post_latency_s']['p50']:.2f} s, p99 {s['post_latency_s']['p99']:.2f} s; "
        f"{s['requests_retried']} requests retried (429/503)",
        f"(c)               {fresh['samples']:,} samples, {fresh['visible']:,} visible: "
        + ", ".join(f"{q} {v:.2f} s" for q, v in seen.items())
        + f"; stream {fresh['rate_achieved']:,.0f} ev/s, POST p99 {fresh['post_s']['p99']:.2f} s, "
        f"{fresh['requests_retried']} retried; settled {s['steady_settle_s']:.1f} s after",
        f"segmentation run  {run['customers'] or 0:,} customers in {run['run_s']:.1f} s ("
        + ", ".join(f"{k} {v:.1f}" for k, v in (run["seconds_by_phase"] or {}).items())
        + f"; {run['wall_s']:.1f} s from the POST), worker peak "
        f"{run['worker_peak_during_run_mib']:,.0f} MiB during the run "
        f"({run['worker_peak_before_run_mib']:,.0f} before); its assignments through every "
        f"service {run['assignments_through_every_service_s']:.1f} s later",
        autovacuum_line(s["autovacuum"]),
        "",
        *process_table(result),
    ]
    for label, problems in s["log_problems"].items():
        lines.append(f"log of {label}: {problems['lines']}, e.g. {problems['first'][0]}")
    return "\n".join(lines)


def autovacuum_line(done: dict[str, Any]) -> str:
    if not done["stand_in"]:
        return "autovacuum        the server's own"
    return (
        f"autovacuum        off on the server; stood in for: {done['vacuums']:,} vacuums, "
        f"{done['analyses']:,} analyses, {done['busy_s']:.1f} s"
    )


def process_table(result: dict[str, Any]) -> list[str]:
    s = result["system"]
    lines = [f"{'process':<28}{'peak MiB':>10}{'cpu s (a)+(b)':>15}"]
    for label in [*s["peak_rss_mib"], *(k for k in s["cpu_seconds"] if k not in s["peak_rss_mib"])]:
        peak, cpu = s["peak_rss_mib"].get(label), s["cpu_seconds"].get(label)
        lines.append(
            f"{label:<28}{'' if peak is None else f'{peak:,.0f}':>10}"
            f"{'' if cpu is None else f'{cpu:,.1f}':>15}"
        )
    for name, seen in s.get("consumers", {}).items():
        lines.append(
            f"{name + ' consumer':<28}{seen['batches']:>10,} batches of "
            f"{seen['messages_per_batch']:,.0f} messages, {seen['busy_s']:,.1f} s handling them"
        )
    lines.append(
        f"{'machine':<28}{'':>10}{s['machine_cpu_busy']:>15.0%} busy; raw baseline client "
        f"{result['raw']['client_peak_mib']:,} MiB, event generator "
        f"{result['workload']['generator_peak_mib']:,.0f} MiB"
    )
    return lines


# ----------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="N (default 1000000)")
    parser.add_argument("--batch", type=int, default=1000, help="events per POST (default 1000)")
    parser.add_argument("--clients", type=int, default=2, help="concurrent HTTP clients")
    parser.add_argument("--api-replicas", type=int, default=2, help="profiles API processes")
    parser.add_argument("--fresh-seconds", type=float, default=60.0, help="(c) stream length")
    parser.add_argument("--fresh-rate", type=int, default=1000, help="(c) events per second")
    parser.add_argument(
        "--fresh-clients", type=int, default=2, help="(c) requests in flight at most"
    )
    parser.add_argument("--seed", type=int, default=42, help="the demo company's seed")
    add_run_options(parser, "system-postgresql", databases=False, stall_timeout=180.0)
    parser.add_argument("--run-timeout", type=float, default=1800.0)
    args = parser.parse_args(argv)
    args.per_request = round(args.fresh_rate * SAMPLE_SECONDS)
    if min(args.events, args.batch, args.clients, args.api_replicas, args.fresh_clients) < 1:
        parser.error("--events, --batch, --clients, --api-replicas, --fresh-clients: at least 1")
    if args.per_request < 1 or args.fresh_seconds < SAMPLE_SECONDS:
        parser.error(
            f"--fresh-rate must be at least {1 / SAMPLE_SECONDS:.0f}/s, --fresh-seconds > 0"
        )
    args.steady_events = round(args.fresh_seconds / SAMPLE_SECONDS) * (args.per_request - 1)
    args.consumer_max_poll_records = int(
        os.environ.get("SEGMENTATION_CONSUMER_MAX_POLL_RECORDS", "500")
    )
    args.load_at_start = [round(v, 2) for v in os.getloadavg()]
    args.run_id = uuid.uuid4().hex[:8]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_signals()
    work_dir = Path(tempfile.mkdtemp(prefix="cockpit-bench-system-"))
    log(f"system benchmark: N={args.events:,}, PostgreSQL, logs in {work_dir}")
    log(f"load average at start: {args.load_at_start}")
    services: list[Service] = []
    databases = Databases("postgresql", args.pg_dsn, work_dir)
    broker: EmbeddedBroker | None = None
    ok = False
    try:
        workload = prepare_workload(args, work_dir)
        with get_context("spawn").Pool(1) as pool:
            raw = pool.apply(
                baseline_in_child,
                (
                    args.events,
                    args.partitions,
                    args.consumer_max_poll_records,
                    str(work_dir),
                    args.run_id,
                ),
            )
        broker = EmbeddedBroker(log_file=work_dir / "broker-system.log")
        broker.start()
        system = run_system(args, workload, databases, broker, work_dir, services)
        result = summary(args, workload, raw, system)
        ok = True
    except BenchError as error:
        log(f"\nFAILED: {error}")
        print_tails(services)
        return 1
    except KeyboardInterrupt:
        log("\ninterrupted; cleaning up")
        return 130
    finally:
        for service in reversed(services):
            service.stop()
        if broker is not None:
            broker.stop()
        try:
            databases.drop_all()
        except psycopg.Error as error:
            log(f"could not drop the benchmark databases {databases.prefix}_*: {error}")
        if ok and not result["system"]["log_problems"]:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            log(f"logs kept in {work_dir}")

    log("")
    log(render(result))
    if not args.skip_save:
        save_result(result, "system-postgresql")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
