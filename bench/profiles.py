"""Profiles at scale: the ingestion rate and the 360° view's throughput and latency.

    .venv/bin/python bench/profiles.py [--customers 100000] [--view-seconds 20]
                                       [--database postgresql|sqlite] [--no-worker]

(a) Baseline, on a broker of its own: backbone's raw kafka-python produce and consume of N
    messages, what the machine moves at this moment.
(b) Ingestion, on a second broker and a fresh database: profiles started as an operator starts
    it (migrate, topics, `serve` replicas, `worker`), then N customer.upserted events for N new
    customers posted to POST /v1/events. The clock stops when the last POST is answered: the
    events are then committed in profiles' database with their outbox rows.
(c) View: GET /v1/customers/{id} of random customers among the N, from client processes with
    keep-alive connections, for a fixed time after a warm-up; GET /healthz the same way first,
    as the floor of the HTTP stack.

The figures go to stdout and to bench/results/profiles-<database>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import math
import os
import queue
import random
import signal
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

# bench/ is sys.path[0] when this file runs as a script, which is how it is always started.
from backbone import (
    OUTBOX_QUERY,
    POLL_SECONDS,
    PROGRESS_SECONDS,
    WARMUP_EVENTS,
    BenchError,
    Counter,
    Databases,
    Posting,
    Sample,
    Service,
    add_run_options,
    backlog_rate,
    cleaned_up,
    log,
    machine_facts,
    proc_cpu_seconds,
    request_bodies,
    run_baseline,
    run_command,
    save_result,
    stop_on_signals,
    system_cpu_busy,
    wait_ready,
)

from shared.api.auth import dev_key_specs, write_key_file
from shared.broker import EmbeddedBroker, free_port

TARGETS = {"ingest_events_per_s": 5000.0, "view_requests_per_s": 1000.0, "view_p99_ms": 25.0}
# customers:read with pii:read and financials:read: the whole view, nothing masked.
VIEW_KEY = "sales"
VIEW_PATH = "/v1/customers/{}"
FLOOR_PATH = "/healthz"
FLOOR_WARMUP_SECONDS = 1.0


class CpuWatch:
    """CPU seconds of groups of processes and of a database's backends since `start`."""

    def __init__(self, groups: dict[str, list[int]], database: Counter, database_name: str):
        self.groups = groups
        self.database = database
        self.database_name = database_name

    def _now(self) -> dict[str, float]:
        return {
            label: sum(proc_cpu_seconds(pid) or 0.0 for pid in pids)
            for label, pids in self.groups.items()
        }

    def start(self) -> None:
        self._before = self._now()
        self._backends = self.database.backend_cpu(self.database_name)
        self._machine = system_cpu_busy()

    def read(self) -> dict[str, Any]:
        after = self._now()
        used = {label: round(after[label] - self._before[label], 2) for label in after}
        backends = self.database.backend_cpu(self.database_name)
        if backends:  # a backend that ended meanwhile is missed; the pools keep theirs
            used["postgres"] = round(
                sum(cpu - self._backends.get(pid, 0.0) for pid, cpu in backends.items()), 2
            )
        busy, total = system_cpu_busy()
        share = (busy - self._machine[0]) / max(1.0, total - self._machine[1])
        return {"cpu_seconds": used, "machine_cpu_busy": round(share, 3)}


def ensure_alive(services: list[Service]) -> None:
    for service in services:
        if not service.alive():
            raise BenchError(f"{service.label} exited:\n{service.tail()}")


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))]


# ----------------------------------------------------------------------------- (b) ingestion


def run_ingestion(
    args: argparse.Namespace,
    api_urls: list[str],
    api_key: str,
    cpu: CpuWatch,
    profiles_db: Counter,
    services: list[Service],
    run_id: str,
) -> dict[str, Any]:
    n = args.customers
    log(f"    serialising {n:,} events into {-(-n // args.batch)} requests")
    bodies = request_bodies(n, args.batch, run_id)
    request_bytes = sum(len(body) for _, body in bodies)
    base_written, base_sent = profiles_db.one(OUTBOX_QUERY)
    posting = Posting(api_urls, api_key, args.clients, bodies)
    samples = [Sample(0.0, 0, 0, 0, 0)]
    ingest_cpu: dict[str, Any] | None = None
    pending_at_ingest_end = 0
    relay_done: float | None = None
    next_sample = last_line = last_change = 0.0
    cpu.start()
    posting.start()
    try:
        while True:
            time.sleep(0.05)
            if posting.errors:
                raise BenchError(f"posting failed: {posting.errors[0]}")
            if ingest_cpu is None and posting.finished is not None:
                ingest_cpu = cpu.read()
                written, sent = profiles_db.one(OUTBOX_QUERY)
                pending_at_ingest_end = (written - base_written) - (sent - base_sent)
            now = time.perf_counter() - posting.started
            if now < next_sample:
                continue
            next_sample = now + POLL_SECONDS
            written, sent = profiles_db.one(OUTBOX_QUERY)
            sample = Sample(now, posting.posted, written - base_written, sent - base_sent, 0)
            if (sample.posted, sample.outbox_sent) != (samples[-1].posted, samples[-1].outbox_sent):
                last_change = now
            samples.append(sample)
            finished = ingest_cpu is not None
            if finished and args.worker and sample.outbox_sent >= sample.outbox_total:
                relay_done = now
            if now - last_line >= PROGRESS_SECONDS or finished:
                last_line = now
                log(
                    f"    {now:6.1f} s  posted {sample.posted:>9,}/{n:,}  "
                    f"outbox pending {sample.outbox_total - sample.outbox_sent:>8,}"
                )
            if finished and (relay_done is not None or not args.worker):
                break
            ensure_alive(services)
            if now - last_change > args.stall_timeout:
                raise BenchError(f"no progress for {args.stall_timeout:.0f} s")
        relayed_cpu = cpu.read() if args.worker else None
    finally:
        posting.stop()

    assert ingest_cpu is not None and posting.finished is not None
    ingest_s = posting.finished
    latencies = sorted(posting.request_seconds)
    last = samples[-1]
    relay: dict[str, Any] = {"worker_running": args.worker}
    if relay_done is not None and relayed_cpu is not None:
        backlogged = backlog_rate(
            samples,
            lambda s: s.outbox_total - s.outbox_sent,
            lambda s: s.outbox_sent,
            args.relay_batch_size,
        )
        relay |= {
            "done_s": round(relay_done, 3),
            "rate": round(last.outbox_total / relay_done, 1),
            "rate_when_backlogged": None if backlogged is None else round(backlogged, 1),
            "cpu_seconds_until_relayed": relayed_cpu["cpu_seconds"],
        }
    return {
        "events": n,
        "requests": len(bodies),
        "request_bytes_avg_per_event": round(request_bytes / n, 1),
        "ingest_s": round(ingest_s, 3),
        "ingest_rate": round(n / ingest_s, 1),
        "request_latency_s": {
            "p50": round(percentile(latencies, 0.50), 3),
            "p95": round(percentile(latencies, 0.95), 3),
            "max": round(latencies[-1], 3),
        },
        "outbox_rows_per_event": round(last.outbox_total / n, 3),
        "outbox_pending_at_ingest_end": pending_at_ingest_end,
        "max_outbox_pending": max(s.outbox_total - s.outbox_sent for s in samples),
        "relay": relay,
        **ingest_cpu,
        "timeline": [
            [round(s.t, 2), s.posted, s.outbox_total - s.outbox_sent]
            for s in samples[:: max(1, len(samples) // 60)]
        ],
    }


# ----------------------------------------------------------------------------- (c) view


@dataclass(frozen=True)
class ClientJob:
    """What one client process requests: `path`, filled with a random id when ids are given."""

    port: int
    api_key: str
    path: str
    ids: tuple[str, ...]
    seed: int
    warmup_seconds: float
    seconds: float


def http_client(job: ClientJob, barrier: Any, results: Any) -> None:
    """One client process: GETs on one keep-alive connection until its time is up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the benchmark stops its clients itself
    rng = random.Random(job.seed)
    connection = http.client.HTTPConnection("127.0.0.1", job.port, timeout=30)
    headers = {"X-API-Key": job.api_key}
    latencies: list[float] = []
    response_bytes = 0
    errors = 0
    error_samples: list[str] = []
    barrier.wait(timeout=120)
    measure_from = time.monotonic() + job.warmup_seconds
    measure_until = measure_from + job.seconds
    while (now := time.monotonic()) < measure_until:
        path = job.path.format(rng.choice(job.ids)) if job.ids else job.path
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            problem = "" if response.status == 200 else f"{response.status} {body[:300]!r}"
        except (OSError, http.client.HTTPException) as error:
            connection.close()  # reconnects on the next request
            problem = f"{type(error).__name__}: {error}"
        elapsed = time.perf_counter() - started
        if problem:
            errors += 1
            if len(error_samples) < 3:
                error_samples.append(f"GET {path}: {problem}")
        elif now >= measure_from:
            latencies.append(elapsed)
            response_bytes += len(body)
    connection.close()
    results.put(
        {
            "latencies": latencies,
            "response_bytes": response_bytes,
            "errors": errors,
            "error_samples": error_samples,
        }
    )


def run_http_load(
    label: str,
    jobs: list[ClientJob],
    cpu_groups: dict[str, list[int]],
    profiles_db: Counter,
    database_name: str,
) -> dict[str, Any]:
    """Runs `jobs` in client processes; requests/s and latencies over the measured window."""
    seconds, warmup = jobs[0].seconds, jobs[0].warmup_seconds
    log(f"    {label}: {len(jobs)} client processes, {warmup:.0f} s warm-up, {seconds:.0f} s")
    context = get_context("spawn")
    barrier = context.Barrier(len(jobs) + 1)
    results = context.Queue()
    clients = [
        context.Process(target=http_client, args=(job, barrier, results), daemon=True)
        for job in jobs
    ]
    try:
        for client in clients:
            client.start()
        try:
            barrier.wait(timeout=120)
        except threading.BrokenBarrierError:
            raise BenchError("the HTTP client processes did not start within 120 s") from None
        measure_from = time.monotonic() + warmup
        time.sleep(max(0.0, measure_from - time.monotonic()))
        cpu = CpuWatch(
            {**cpu_groups, "http clients": [c.pid for c in clients if c.pid is not None]},
            profiles_db,
            database_name,
        )
        cpu.start()
        time.sleep(max(0.0, measure_from + seconds - time.monotonic()))
        used = cpu.read()
        try:
            outcomes = [results.get(timeout=60) for _ in clients]
        except queue.Empty:
            raise BenchError("an HTTP client process ended without its results") from None
    finally:
        for client in clients:
            if client.pid is None:  # interrupted before it was started
                continue
            if client.is_alive():
                client.terminate()
            client.join(5)
    latencies = sorted(v for outcome in outcomes for v in outcome["latencies"])
    if not latencies:
        raise BenchError(f"{label}: no request succeeded")

    def ms(value: float) -> float:
        return round(value * 1000, 2)

    return {
        "clients": len(jobs),
        "seconds": seconds,
        "warmup_seconds": warmup,
        "requests": len(latencies),
        "rate": round(len(latencies) / seconds, 1),
        "latency_ms": {
            "p50": ms(percentile(latencies, 0.50)),
            "p95": ms(percentile(latencies, 0.95)),
            "p99": ms(percentile(latencies, 0.99)),
            "max": ms(latencies[-1]),
            "mean": ms(sum(latencies) / len(latencies)),
        },
        "response_bytes_avg": round(sum(o["response_bytes"] for o in outcomes) / len(latencies)),
        "errors": sum(outcome["errors"] for outcome in outcomes),
        "error_samples": [s for outcome in outcomes for s in outcome["error_samples"]][:5],
        **used,
    }


# ----------------------------------------------------------------------------- profiles


def run_profiles(
    args: argparse.Namespace,
    databases: Databases,
    work_dir: Path,
    run_id: str,
    services: list[Service],
) -> dict[str, Any]:
    log(f"(b) profiles: {args.api_replicas} API replicas, worker {'on' if args.worker else 'off'}")
    keys_file = work_dir / "api-keys.json"
    keys = write_key_file(keys_file, dev_key_specs())
    url = databases.create("profiles")
    database_name = url.rsplit("/", 1)[1]
    broker = EmbeddedBroker(log_file=work_dir / "broker-profiles.log")
    broker.start()
    profiles_db: Counter | None = None
    try:
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "COCKPIT_API_KEYS_FILE": str(keys_file),
            "COCKPIT_TOPIC_PARTITIONS": str(args.partitions),
            "PROFILES_DATABASE_URL": url,
            "PROFILES_WORKER_METRICS_PORT": str(free_port()),
        }
        for command in ("migrate", "topics"):
            run_command(
                ["-m", "services.profiles", command],
                env,
                work_dir / f"profiles-{command}.log",
                f"profiles {command}",
            )
        # Stateless API replicas on their own ports share the database, as behind a load
        # balancer; each client sticks to one of them.
        ports = [free_port() for _ in range(args.api_replicas)]
        for i, port in enumerate(ports, 1):
            label = f"profiles serve {i}"
            services.append(
                Service(label, ["-m", "services.profiles", "serve"], _log(work_dir, label))
            )
            services[-1].start({**env, "PROFILES_PORT": str(port)})
        if args.worker:
            label = "profiles worker"
            services.append(
                Service(label, ["-m", "services.profiles", "worker"], _log(work_dir, label))
            )
            services[-1].start(env)
        ready_s = max(wait_ready(f"http://127.0.0.1:{port}/readyz", services) for port in ports)
        profiles_db = Counter(url)
        events_urls = [f"http://127.0.0.1:{port}/v1/events" for port in ports]
        warm_s = warm_up(events_urls, keys["integration"], profiles_db, services, args, run_id)
        log(f"    ready after {ready_s:.1f} s; {WARMUP_EVENTS} warm-up events took {warm_s:.1f} s")

        service_pids = {s.label: [s.pid] for s in services}
        broker_pid = broker._process.pid if broker._process is not None else None
        ingest_cpu = CpuWatch(
            {
                **service_pids,
                "broker": [broker_pid] if broker_pid else [],
                "bench clients": [os.getpid()],
            },
            profiles_db,
            database_name,
        )
        ingestion = run_ingestion(
            args, events_urls, keys["integration"], ingest_cpu, profiles_db, services, run_id
        )

        ids = tuple(
            str(row[0])
            for row in profiles_db.rows(
                "SELECT customer_id FROM customers WHERE merged_into IS NULL"
            )
        )
        if len(ids) < args.customers:
            raise BenchError(f"{len(ids):,} customers in the database, expected {args.customers:,}")
        # Statistics as autovacuum would soon leave them, so it does not start during the view.
        analyze = "VACUUM (ANALYZE)" if args.database == "postgresql" else "ANALYZE"
        started = time.perf_counter()
        profiles_db.rows(analyze)
        analyze_s = time.perf_counter() - started
        log(f"(c) view over {len(ids):,} customers ({analyze} took {analyze_s:.1f} s)")

        def jobs(
            path: str, with_ids: tuple[str, ...], warmup: float, seconds: float
        ) -> list[ClientJob]:
            return [
                ClientJob(ports[k % len(ports)], keys[VIEW_KEY], path, with_ids, k, warmup, seconds)
                for k in range(args.view_clients)
            ]

        floor = None
        if args.floor_seconds > 0:
            floor = run_http_load(
                f"GET {FLOOR_PATH}",
                jobs(FLOOR_PATH, (), FLOOR_WARMUP_SECONDS, args.floor_seconds),
                service_pids,
                profiles_db,
                database_name,
            )
        view = run_http_load(
            "GET /v1/customers/{id}",
            jobs(VIEW_PATH, ids, args.view_warmup, args.view_seconds),
            service_pids,
            profiles_db,
            database_name,
        )
        ensure_alive(services)
        for service in services:
            service.record_peak_rss()
    finally:
        if profiles_db is not None:
            profiles_db.close()
        for service in reversed(services):
            service.stop()
        broker.stop()
    return {
        "ready_s": round(ready_s, 2),
        "warmup_s": round(warm_s, 2),
        "ingestion": ingestion,
        "analyze": {"statement": analyze, "seconds": round(analyze_s, 2)},
        "view_customers": len(ids),
        "view_key": VIEW_KEY,
        "http_floor": floor,
        "view": view,
        "peak_rss_mib": {
            s.label: round(s.peak_rss_kib / 1024, 1) if s.peak_rss_kib else None for s in services
        },
    }


def _log(work_dir: Path, label: str) -> Path:
    return work_dir / (label.replace(" ", "-") + ".log")


def warm_up(
    urls: list[str],
    api_key: str,
    profiles_db: Counter,
    services: list[Service],
    args: argparse.Namespace,
    run_id: str,
) -> float:
    """A few events through every replica (and the relay): pools and the producer are open."""
    started = time.perf_counter()
    warm = Posting(urls, api_key, len(urls), request_bodies(WARMUP_EVENTS, 1, run_id, "w"))
    warm.start()
    warm.wait()
    if warm.errors or warm.posted != WARMUP_EVENTS:
        raise BenchError(f"warm-up post failed: {warm.errors or 'nothing posted'}")
    while args.worker:
        written, sent = profiles_db.one(OUTBOX_QUERY)
        if written and written == sent:
            break
        ensure_alive(services)
        if time.perf_counter() - started > args.stall_timeout:
            raise BenchError(
                f"the warm-up events were not relayed within {args.stall_timeout:.0f} s"
            )
        time.sleep(0.1)
    return time.perf_counter() - started


# ----------------------------------------------------------------------------- report


def summary(
    args: argparse.Namespace, raw: dict[str, Any], project: dict[str, Any]
) -> dict[str, Any]:
    ingestion, view, floor = project["ingestion"], project["view"], project["http_floor"]
    figures = {
        "ingest_events_per_s": ingestion["ingest_rate"],
        "view_requests_per_s": view["rate"],
        "view_p99_ms": view["latency_ms"]["p99"],
    }
    met = {
        "ingest_events_per_s": figures["ingest_events_per_s"] >= TARGETS["ingest_events_per_s"],
        "view_requests_per_s": figures["view_requests_per_s"] >= TARGETS["view_requests_per_s"],
        "view_p99_ms": figures["view_p99_ms"] < TARGETS["view_p99_ms"],
    }
    return {
        "benchmark": "profiles",
        "customers": args.customers,
        "database": args.database,
        "partitions": args.partitions,
        "batch": args.batch,
        "clients": args.clients,
        "api_replicas": args.api_replicas,
        "worker_during_ingestion": args.worker,
        "view_clients": args.view_clients,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(args.load_at_start),
        "settings_from_env": {
            k: v
            for k, v in sorted(os.environ.items())
            if k.startswith(("PROFILES_", "COCKPIT_")) and "KEY" not in k
        },
        "raw": raw,
        "profiles": project,
        "targets": {
            name: {"target": TARGETS[name], "figure": figures[name], "met": met[name]}
            for name in TARGETS
        },
        "ratios": {
            "ingest_vs_raw_produce": round(ingestion["ingest_rate"] / raw["produce_rate"], 3),
            "ingest_vs_raw_consume": round(ingestion["ingest_rate"] / raw["consume_rate"], 3),
            "view_vs_http_floor": round(view["rate"] / floor["rate"], 3) if floor else None,
        },
    }


def render(result: dict[str, Any]) -> str:
    raw, project, ratios = result["raw"], result["profiles"], result["ratios"]
    ingestion, view, floor = project["ingestion"], project["view"], project["http_floor"]
    targets = result["targets"]

    def target_row(label: str, name: str, figure: str, target: str) -> str:
        t = targets[name]
        ratio = t["figure"] / t["target"]
        return (
            f"{label:<36}{figure:>14}{target:>17}{ratio:>8.2f}  {'met' if t['met'] else 'missed'}"
        )

    def cpu(used: dict[str, Any]) -> str:
        return ", ".join(f"{k} {v:.1f}" for k, v in used["cpu_seconds"].items()) + (
            f"  (machine {used['machine_cpu_busy']:.0%} busy)"
        )

    latency = view["latency_ms"]
    worker = "on" if result["worker_during_ingestion"] else "off"
    floor_text = (
        f"; view / GET {FLOOR_PATH} = {ratios['view_vs_http_floor']:.2f} "
        f"({floor['rate']:,.0f} req/s, p99 {floor['latency_ms']['p99']:.1f} ms)"
        if floor
        else ""
    )
    lines = [
        f"profiles benchmark  customers={result['customers']:,}  database={result['database']}  "
        f"api replicas={result['api_replicas']}  worker={worker}  batch={result['batch']}  "
        f"clients={result['clients']}  view clients={result['view_clients']}",
        f"raw kafka-python    produce {raw['produce_rate']:>9,.0f} ev/s   consume "
        f"{raw['consume_rate']:>9,.0f} ev/s",
        f"{'':<36}{'figure':>14}{'target':>17}{'ratio':>8}",
        target_row(
            "ingestion  POST /v1/events",
            "ingest_events_per_s",
            f"{ingestion['ingest_rate']:,.0f} ev/s",
            f">= {TARGETS['ingest_events_per_s']:,.0f} ev/s",
        ),
        target_row(
            "view       GET /v1/customers/{id}",
            "view_requests_per_s",
            f"{view['rate']:,.0f} req/s",
            f">= {TARGETS['view_requests_per_s']:,.0f} req/s",
        ),
        target_row(
            "view       p99 latency",
            "view_p99_ms",
            f"{latency['p99']:.1f} ms",
            f"< {TARGETS['view_p99_ms']:.0f} ms",
        ),
        f"against raw         ingest / raw produce = {ratios['ingest_vs_raw_produce']:.2f}, "
        f"ingest / raw consume = {ratios['ingest_vs_raw_consume']:.2f}{floor_text}",
        f"ingestion           {ingestion['events']:,} events in {ingestion['requests']} POSTs, "
        f"{ingestion['ingest_s']:.1f} s; POST p50 {ingestion['request_latency_s']['p50']:.2f} s, "
        f"p95 {ingestion['request_latency_s']['p95']:.2f} s; outbox pending at the last answer "
        f"{ingestion['outbox_pending_at_ingest_end']:,} (max {ingestion['max_outbox_pending']:,})",
    ]
    relay = ingestion["relay"]
    if "done_s" in relay:
        backlogged = relay["rate_when_backlogged"]
        lines.append(
            f"relay               outbox empty at {relay['done_s']:.1f} s "
            f"({relay['rate']:,.0f} rows/s overall, "
            + ("kept up" if backlogged is None else f"{backlogged:,.0f} rows/s when backlogged")
            + ")"
        )
    lines += [
        f"view                {view['requests']:,} requests in {view['seconds']:.0f} s over "
        f"{project['view_customers']:,} customers: p50 {latency['p50']:.1f} ms, p95 "
        f"{latency['p95']:.1f} ms, p99 {latency['p99']:.1f} ms, max {latency['max']:.1f} ms, "
        f"{view['response_bytes_avg']:,} B each; errors {view['errors']}",
        f"cpu s, ingestion    {cpu(ingestion)}",
        f"cpu s, view         {cpu(view)}",
        "peak RSS            "
        + ", ".join(
            f"{k} {v:.0f} MiB" if v is not None else f"{k} ?"
            for k, v in project["peak_rss_mib"].items()
        ),
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--customers", type=int, default=100_000, help="N (default 100000)")
    parser.add_argument("--batch", type=int, default=1000, help="events per POST (default 1000)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent posting clients")
    parser.add_argument(
        "--api-replicas", type=int, default=2, help="profiles API processes (stateless replicas)"
    )
    parser.add_argument(
        "--no-worker",
        dest="worker",
        action="store_false",
        help="do not run profiles' worker (the relay) during the run",
    )
    parser.add_argument("--view-seconds", type=float, default=20.0, help="measured view time")
    parser.add_argument("--view-warmup", type=float, default=3.0, help="unmeasured view warm-up")
    parser.add_argument("--view-clients", type=int, default=4, help="view client processes")
    parser.add_argument(
        "--floor-seconds",
        type=float,
        default=5.0,
        help=f"measured time of GET {FLOOR_PATH} before the view (0: skip)",
    )
    add_run_options(parser, "profiles-<database>")
    args = parser.parse_args(argv)
    counts = (args.customers, args.batch, args.clients, args.api_replicas, args.view_clients)
    if min(counts) < 1 or args.view_seconds <= 0 or args.view_warmup < 0:
        parser.error("counts and --view-seconds must be positive")
    # The relay's batch size decides when the outbox counts as backlogged (its default unless
    # overridden through the environment, which the service reads too).
    args.relay_batch_size = int(os.environ.get("PROFILES_RELAY_BATCH_SIZE", "500"))
    args.max_poll_records = int(os.environ.get("PROFILES_CONSUMER_MAX_POLL_RECORDS", "500"))
    args.load_at_start = [round(v, 2) for v in os.getloadavg()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_signals()
    run_id = uuid.uuid4().hex[:8]
    work_dir = Path(tempfile.mkdtemp(prefix="cockpit-bench-profiles-"))
    log(
        f"profiles benchmark: N={args.customers:,}, database={args.database}, "
        f"partitions={args.partitions}, logs in {work_dir}"
    )
    log(f"load average at start: {args.load_at_start}")
    services: list[Service] = []
    databases = Databases(args.database, args.pg_dsn, work_dir)
    with cleaned_up(services, databases, work_dir):
        raw = run_baseline(args.customers, args.partitions, args.max_poll_records, work_dir, run_id)
        project = run_profiles(args, databases, work_dir, run_id, services)
        result = summary(args, raw, project)

    log("")
    log(render(result))
    failed = [
        f"{label} had {part['errors']} failed requests, e.g. {part['error_samples'][:2]}"
        for label, part in (("view", project["view"]), ("GET /healthz", project["http_floor"]))
        if part and part["errors"]
    ]
    if failed:
        log("\nFAILED: " + "; ".join(failed))
        return 1
    if not args.skip_save:
        save_result(result, f"profiles-{args.database}")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
