"""Touchpoint consumption rate and analytics response times of the experience service.

    .venv/bin/python bench/experience.py [--database sqlite|postgresql]
                                         [--touchpoints 10000000] [--customers 500000]
                                         [--consume 20000] [--seed 1]

Consumption: `--consume` touchpoint.recorded events of 2,000 customers go, as Kafka
records in polls of the configured size, through experience's own consumer loop (decoding,
inbox, dispatcher, the batch hook that places them in journeys, keeps the day cells and
publishes stage changes and summaries through the outbox) into a fresh database.

Queries: a second fresh database is filled in bulk with `--touchpoints` synthetic
touchpoints of `--customers` customers over two years (numpy), their journeys, journey
steps, segments and the day and month cells as the consumer keeps them; then the funnel
(all, and by segment), pain points, journey map and measures are timed, over everything
and over one year whose bounds fall within a day. Figures go to stdout and to
bench/results/experience-<database>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

# bench/ is sys.path[0] when this file runs as a script, which is how it is always started.
from group import KeptStatistics, add_workers_option, consume_in_group, shares, workers_to_run
from kafka.consumer.fetcher import ConsumerRecord
from psycopg import sql
from sqlalchemy import create_engine, func, select

from services.experience import handlers, models
from services.experience.analytics_query import funnel_of, journey_map_of
from services.experience.bootstrap import DEFINITION, DIRECTORY, build_writer
from services.experience.domain.contact_cells import MEASURES
from services.experience.domain.definitions import PURCHASE, SERVICE
from services.experience.domain.pain_points import Targets
from services.experience.insights_query import pain_points_of
from services.experience.measures_query import MeasureFilter, measures_of
from shared.api.auth import dev_key_specs, write_key_file
from shared.db.buffer import insert_rows
from shared.db.migrations import upgrade_to_head
from shared.events.envelope import new_event
from shared.events.touchpoints import TouchpointRecorded
from shared.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
TARGET_RATE = 5_000.0
TARGET_SECONDS = 2.0
PG_ADMIN_DSN = os.environ.get(
    "COCKPIT_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
CHANNELS = ["web", "email", "phone", "store", "app", "chat", "field_visit", "partner"]
SEGMENTS = ["grow", "develop", "retain", "serve_efficiently", "restructure"]
TYPES = [
    (t, d.journey_type, stage)
    for d in (PURCHASE, SERVICE)
    for t, stage in d.touchpoint_stages.items()
]
CHUNK = 200_000
KEY_BUT_DAY = ("journey_type", "stage", "channel", "touchpoint_type", "segment")


def log(message: str) -> None:
    print(message, flush=True)


class Database:
    def __init__(self, kind: str, folder: Path, label: str) -> None:
        self.kind, self.folder, self.name = kind, folder, f"bench_experience_{label}_{os.getpid()}"

    def create(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.folder / (self.name + '.db')}"
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(self.name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        return f"{base}/{self.name}"

    def drop(self) -> None:
        if self.kind == "postgresql":
            with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.name)
                    )
                )


def runtime_on(url: str, keys: Path) -> Runtime:
    upgrade_to_head("experience", DEFINITION.migrations_dir, url)
    settings = DEFINITION.settings(
        database_url=url, kafka_bootstrap_servers="127.0.0.1:9", api_keys_file=keys
    )
    return Runtime.build(settings, DEFINITION.tables, DEFINITION.migrations_dir)


# --------------------------------------------------------------------------- consumption


def touchpoint_records(count: int, rng: np.random.Generator) -> list[ConsumerRecord]:
    start = datetime.now(UTC) - timedelta(days=365)
    customers = rng.integers(0, 2_000, count)
    kinds = rng.integers(0, len(TYPES), count)
    seconds = np.sort(rng.integers(0, 365 * 86_400, count))
    csat = rng.integers(1, 6, count)
    records = []
    for offset in range(count):
        customer = f"c-{customers[offset]:06d}"
        payload = TouchpointRecorded(
            customer_id=customer,
            source_system="crm",
            channel=CHANNELS[offset % len(CHANNELS)],
            touchpoint_type=TYPES[kinds[offset]][0],
            occurred_at=start + timedelta(seconds=int(seconds[offset])),
            csat=int(csat[offset]) if offset % 3 == 0 else None,
        )
        event = new_event(
            source="/profiles", type="touchpoint.recorded", subject=customer, data=payload
        )
        value = event.model_dump_json().encode()
        records.append(
            ConsumerRecord(
                "cockpit.touchpoints.v1",
                0,
                None,
                offset,
                0,
                0,
                customer.encode(),
                value,
                [],
                None,
                len(customer),
                len(value),
                0,
            )
        )
    return records


def _stored(url: str) -> dict[str, int]:
    """How many touchpoints, inbox entries and outbox events the database holds."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (models.touchpoints, models.messaging.inbox, models.messaging.outbox)
            }
    finally:
        engine.dispose()


def bench_consumption(
    database: Database, keys: Path, count: int, seed: int, workers: int
) -> dict[str, Any]:
    """`count` touchpoints through `workers` worker processes of one consumer group, on a
    fresh database (bench/group.py); checked against what the database holds after."""
    url = database.create()
    upgrade_to_head("experience", DEFINITION.migrations_dir, url)
    settings = DEFINITION.settings(
        database_url=url, kafka_bootstrap_servers="127.0.0.1:9", api_keys_file=keys
    )

    def start_worker() -> tuple[Any, Callable[[], None], int]:
        runtime = Runtime.build(settings, DEFINITION.tables, DEFINITION.migrations_dir)
        loop = handlers.build_consumers(runtime, DIRECTORY, build_writer(runtime))[0]
        return loop, runtime.engine.dispose, settings.gc_young_threshold

    records = touchpoint_records(count, np.random.default_rng(seed))
    split = shares(records, settings.topic_partitions, workers)
    del records
    kept = KeptStatistics(url, list(models.metadata.tables), settings.statistics_interval_seconds)
    run = consume_in_group(start_worker, split, settings.consumer_max_poll_records, statistics=kept)
    stored = _stored(url)
    database.drop()
    if stored["touchpoints"] != count or stored["inbox"] != count:
        raise RuntimeError(f"{count:,} touchpoints consumed, but the database holds {stored}")
    return {
        "workers": workers,
        "events": run.events,
        "events_per_worker": sorted(worker.events for worker in run.workers),
        "seconds": round(run.seconds, 2),
        "rate": round(run.rate),
        "worker_cpu_us_per_event": round(run.cpu_us_per_event, 1),
        "poll_records": settings.consumer_max_poll_records,
        "outbox_events_per_touchpoint": round(stored["outbox"] / count, 2),
        "target_rate": TARGET_RATE,
        "ratio_to_target": round(run.rate / TARGET_RATE, 2),
    }


# --------------------------------------------------------------------------- bulk data set


def _rows(session: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    insert_rows(session, table, rows)


def load_dataset(runtime: Runtime, touchpoints: int, customers: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first_day = today - timedelta(days=730)
    segment = rng.integers(0, len(SEGMENTS), customers)
    margin_cents = np.round(rng.normal(30_000, 80_000, customers)).astype(np.int64)
    began = time.perf_counter()
    sessions = runtime.session_factory
    with sessions() as session, session.begin():
        for start in range(0, customers, CHUNK):
            _rows(
                session,
                models.customer_segments,
                [
                    {
                        "customer_id": f"c-{i:07d}",
                        "strategic_segment": SEGMENTS[segment[i]],
                        "lifecycle_stage": "loyal",
                        "value_tier": "high",
                        "contribution_margin_3_12m": Decimal(int(margin_cents[i])) / 100,
                        "as_of": today,
                    }
                    for i in range(start, min(customers, start + CHUNK))
                ],
            )
    cells = len(TYPES) * len(CHANNELS) * len(SEGMENTS)
    sums = {
        name: np.zeros(730 * cells, np.int64)
        for name in (
            "contacts",
            "csat_n",
            "csat_sum",
            "csat_sq",
            "satisfied",
            "nps_n",
            "promoters",
            "detractors",
            "effort_n",
            "effort_sum",
            "effort_sq",
            "margin_n",
            "margin_cents",
        )
    }
    for start in range(0, touchpoints, CHUNK):
        size = min(CHUNK, touchpoints - start)
        cust = rng.integers(0, customers, size)
        kind = rng.integers(0, len(TYPES), size)
        channel = rng.integers(0, len(CHANNELS), size)
        second = rng.integers(0, 730 * 86_400, size)
        csat = np.where(rng.random(size) < 0.25, rng.integers(1, 6, size), 0)
        nps = np.where(rng.random(size) < 0.10, rng.integers(0, 11, size), -1)
        effort = np.where(rng.random(size) < 0.05, rng.integers(1, 8, size), 0)
        rows = [
            {
                "touchpoint_key": f"tp:{start + n}",
                "customer_id": f"c-{cust[n]:07d}",
                "anonymous_id": None,
                "occurred_at": first_day + timedelta(seconds=int(second[n])),
                "source_system": "crm",
                "channel": CHANNELS[channel[n]],
                "touchpoint_type": TYPES[kind[n]][0],
                "reported_stage": None,
                "direction": None,
                "csat": int(csat[n]) or None,
                "nps": int(nps[n]) if nps[n] >= 0 else None,
                "effort": int(effort[n]) or None,
                "outcome": None,
                "duration_seconds": None,
                "rep": None,
                "cost": None,
                "revenue": None,
                "journey_id": None,
                "journey_type": TYPES[kind[n]][1],
                "stage": TYPES[kind[n]][2],
            }
            for n in range(size)
        ]
        with sessions() as session, session.begin():
            _rows(session, models.touchpoints, rows)
        code = ((second // 86_400) * len(TYPES) + kind) * len(CHANNELS) + channel
        code = code * len(SEGMENTS) + segment[cust]
        answered = csat > 0
        for name, values in (
            ("contacts", np.ones(size, np.int64)),
            ("csat_n", answered),
            ("csat_sum", csat),
            ("csat_sq", csat * csat),
            ("satisfied", csat >= 4),
            ("nps_n", nps >= 0),
            ("promoters", nps >= 9),
            ("detractors", (nps >= 0) & (nps <= 6)),
            ("effort_n", effort > 0),
            ("effort_sum", effort),
            ("effort_sq", effort * effort),
            ("margin_n", np.ones(size, np.int64)),
            ("margin_cents", margin_cents[cust]),
        ):
            sums[name] += np.bincount(code, weights=values, minlength=len(sums[name])).astype(
                np.int64
            )
        elapsed = time.perf_counter() - began
        log(f"  touchpoints {start + size:,} / {touchpoints:,} ({elapsed:.0f} s)")
    filled = np.nonzero(sums["contacts"])[0]
    day_rows = []
    for cell_code in filled:
        rest, seg = divmod(int(cell_code), len(SEGMENTS))
        rest, chan = divmod(rest, len(CHANNELS))
        day_number, kind_index = divmod(rest, len(TYPES))
        touchpoint_type, journey_type, stage = TYPES[kind_index]
        row: dict[str, Any] = {
            name: int(values[cell_code]) for name, values in sums.items() if name != "margin_cents"
        }
        row.update(
            day=(first_day + timedelta(days=day_number)).date(),
            journey_type=journey_type,
            stage=stage,
            channel=CHANNELS[chan],
            touchpoint_type=touchpoint_type,
            segment=SEGMENTS[seg],
            cost_n=0,
            cost_sum=Decimal(0),
            margin_sum=Decimal(int(sums["margin_cents"][cell_code])) / 100,
        )
        day_rows.append(row)
    month_rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in day_rows:
        month = row["day"].replace(day=1)
        key = (month, *(row[name] for name in KEY_BUT_DAY))
        known = month_rows.get(key)
        if known is None:
            month_rows[key] = {**{n: v for n, v in row.items() if n != "day"}, "month": month}
        else:
            for name in MEASURES:
                known[name] += row[name]
    with sessions() as session, session.begin():
        for first in range(0, len(day_rows), CHUNK):
            _rows(session, models.contact_days, day_rows[first : first + CHUNK])
        _rows(session, models.contact_months, list(month_rows.values()))
    journeys = load_journeys(runtime, rng, segment, first_day)
    with runtime.engine.connect() as connection:
        # Statistics and visibility maps as autovacuum (which vacuums insert-only tables too
        # since PostgreSQL 13) or SQLite's optimizer would have them for a live database.
        if runtime.engine.dialect.name == "postgresql":
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.exec_driver_sql("VACUUM ANALYZE")
        else:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    seconds = time.perf_counter() - began
    log(
        f"  loaded in {seconds:.0f} s: {len(day_rows):,} day cells, {len(month_rows):,} month "
        f"cells, {journeys:,} journeys"
    )
    return {
        "seconds": round(seconds, 1),
        "day_cells": len(day_rows),
        "month_cells": len(month_rows),
        "journeys": journeys,
    }


def load_journeys(
    runtime: Runtime, rng: np.random.Generator, segments: Any, first_day: datetime
) -> int:
    """A purchase journey per customer, a service case for every third."""
    count = 0
    for definition, every in ((PURCHASE, 1), (SERVICE, 3)):
        ids = np.arange(0, len(segments), every)
        stage_index = rng.integers(0, len(definition.stages), len(ids))
        started = rng.integers(0, 700 * 86_400, len(ids))
        step_seconds = rng.exponential(3 * 86_400, (len(ids), len(definition.stages)))
        channel = rng.integers(0, len(CHANNELS), len(ids))
        abandoned = rng.random(len(ids)) < 0.6
        for first in range(0, len(ids), CHUNK):
            rows, steps = [], []
            for n in range(first, min(len(ids), first + CHUNK)):
                begun = first_day + timedelta(seconds=int(started[n]))
                entered = [begun]
                for index in range(1, int(stage_index[n]) + 1):
                    entered.append(entered[-1] + timedelta(seconds=float(step_seconds[n, index])))
                reached = int(stage_index[n])
                converted = reached >= definition.conversion_index
                journey_id = f"j-{definition.journey_type}-{ids[n]}"
                customer_id = f"c-{ids[n]:07d}"
                rows.append(
                    {
                        "journey_id": journey_id,
                        "customer_id": customer_id,
                        "journey_type": definition.journey_type,
                        "stage": definition.stages[reached],
                        "stage_index": reached,
                        "status": "converted"
                        if converted
                        else ("abandoned" if abandoned[n] else "open"),
                        "started_at": begun,
                        "last_contact_at": entered[-1],
                        "converted_at": entered[definition.conversion_index] if converted else None,
                        "entry_channel": CHANNELS[channel[n]],
                        "channels": [CHANNELS[channel[n]]],
                        "channel_count": 1,
                        "stage_entries": [
                            [definition.stages[i], at.isoformat()] for i, at in enumerate(entered)
                        ],
                        "path": ">".join(definition.stages[: reached + 1]),
                        "touchpoints": reached + 1,
                        "contacts_to_convert": definition.conversion_index + 1
                        if converted
                        else None,
                        "first_response_at": None,
                        "opened_inbound": 0,
                    }
                )
                steps += [
                    {
                        "journey_id": journey_id,
                        "step_index": index,
                        "customer_id": customer_id,
                        "journey_type": definition.journey_type,
                        "started_at": begun,
                        "entry_channel": CHANNELS[channel[n]],
                        "segment": SEGMENTS[segments[ids[n]]],
                        "seconds": (entered[index] - entered[index - 1]).total_seconds(),
                    }
                    for index in range(1, reached + 1)
                ]
            with runtime.session_factory() as session, session.begin():
                _rows(session, models.journeys, rows)
                _rows(session, models.journey_steps, steps)
            count += len(rows)
    return count


# --------------------------------------------------------------------------- queries


def bench_queries(runtime: Runtime) -> dict[str, Any]:
    now = datetime.now(UTC)
    year = MeasureFilter(
        period_from=now - timedelta(days=365, hours=-7), period_to=now - timedelta(hours=3)
    )
    queries: dict[str, Callable[[Any, MeasureFilter], Any]] = {
        "funnel": lambda s, f: funnel_of(s, f, "purchase", None),
        "funnel_by_segment": lambda s, f: funnel_of(s, f, "purchase", "segment"),
        "pain_points": lambda s, f: pain_points_of(s, f, Targets(), 10, True),
        "journey_map": lambda s, f: journey_map_of(s, f, "purchase"),
        "measures": measures_of,
    }
    results: dict[str, Any] = {}
    for name, query in queries.items():
        for label, f in (("all", MeasureFilter()), ("one_year", year)):
            timings = []
            for _ in range(2):
                with runtime.read_session_factory() as session:
                    began = time.perf_counter()
                    query(session, f)
                    timings.append(time.perf_counter() - began)
            results[f"{name}/{label}"] = {
                "first_seconds": round(timings[0], 3),
                "second_seconds": round(timings[1], 3),
                "ratio_to_target": round(timings[0] / TARGET_SECONDS, 2),
            }
            log(
                f"  {name:18} {label:9} {timings[0]:7.3f} s  (again {timings[1]:.3f} s)  "
                f"{timings[0] / TARGET_SECONDS:.2f} x the 2 s target"
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--touchpoints", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--consume", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    add_workers_option(parser)
    args = parser.parse_args(argv)
    args.workers = workers_to_run(args.workers, args.database)
    folder = Path(tempfile.mkdtemp(prefix="bench-experience-"))
    keys = folder / "keys.json"
    write_key_file(keys, dev_key_specs())
    result: dict[str, Any] = {
        "database": args.database,
        "started_at": datetime.now(UTC).isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
        },
    }
    databases = [Database(args.database, folder, label) for label in ("consume", "query")]
    try:
        result["consumption"] = []
        for workers in args.workers:
            log(
                f"consumption: {args.consume:,} touchpoints through {workers} worker "
                f"process{'es' if workers > 1 else ''} of one consumer group"
            )
            consumed = bench_consumption(databases[0], keys, args.consume, args.seed, workers)
            log(
                f"  {consumed['rate']:,} touchpoints/s ({consumed['ratio_to_target']:.2f} x the "
                f"{TARGET_RATE:,.0f}/s target), {consumed['worker_cpu_us_per_event']} µs of "
                "worker CPU per touchpoint"
            )
            result["consumption"].append(consumed)
        log(f"queries: {args.touchpoints:,} touchpoints of {args.customers:,} customers")
        runtime = runtime_on(databases[1].create(), keys)
        result["dataset"] = {
            "touchpoints": args.touchpoints,
            "customers": args.customers,
            **load_dataset(runtime, args.touchpoints, args.customers, args.seed),
        }
        result["queries"] = bench_queries(runtime)
        runtime.engine.dispose()
    finally:
        for database in databases:
            database.drop()
        shutil.rmtree(folder, ignore_errors=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"experience-{args.database}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    log(f"written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
