"""The steering cockpit at scale: GET /v1/cockpit latency and the order-event consumption rate.

    .venv/bin/python bench/steering.py [--customers 1000000] [--orders 10000000]
                                       [--feed-events 50000] [--database sqlite|postgresql]
                                       [--workers 1,2]

A fresh database (a SQLite file in a temp dir, or bench_steering_<pid> on the PostgreSQL
server), migrated; an active strategy; customers with their segment assignment, owner rep and
region; the KPI aggregates of a quarter (and the quarter before, for the trend) computed in
bulk from synthetic orders, with each customer's period flags, as the consumer would have
left them. Then (a) GET /v1/cockpit over real HTTP for the quarter (all, segment, rep), and
for a range of four months (its distinct counts read from the activity masks), and
(b) fresh order.placed events of existing customers handled by steering's real consumer
(ConsumerLoop.process: decoding, inbox, dispatcher, aggregates) in polled batches of
`--batch`, by one worker process and then by two of one consumer group (bench/group.py),
each run with new orders. Figures go to stdout and bench/results/steering-<database>.json; see
bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg
from kafka.consumer.fetcher import ConsumerRecord
from psycopg import sql
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from group import (  # noqa: E402
    KeptStatistics,
    add_workers_option,
    consume_in_group,
    shares,
    workers_to_run,
)

from services.steering import activity, handlers, models  # noqa: E402
from services.steering.bootstrap import DEFINITION, DIRECTORY  # noqa: E402
from services.steering.incentive_plans import incentive_plan_documents  # noqa: E402
from services.steering.strategy import strategy_documents  # noqa: E402
from shared.api.auth import dev_key_specs, write_key_file  # noqa: E402
from shared.approvals import Actor  # noqa: E402
from shared.db.buffer import insert_rows  # noqa: E402
from shared.db.migrations import upgrade_to_head  # noqa: E402
from shared.runtime import Runtime  # noqa: E402
from tests.fixtures.http import serving  # noqa: E402
from tests.integration.steering.strategies import strategy  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
SCALE = 10_000
QUARTER, PREVIOUS = "2025-Q4", "2025-Q3"
RANGE = "2025-09..2025-12"  # compared with 2025-05..2025-08
RANGE_REPEATS = 3
MONTHS = ("2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12")
FEED_MONTH_DAY = "2025-12-15T10:00:00+00:00"
SEGMENTS = ("key_accounts", "mass_market")
REGIONS = ("north", "south", "east", "west", "alps", "coast", "rhine", "elbe")
CHANNELS = ("web", "field_sales", "phone", "store", "partner")
REPS = 200
TARGETS = {"cockpit_seconds": 1.0, "events_per_second": 5000.0}
CHUNK = 200_000


def log(message: str) -> None:
    print(message, flush=True)


class Database:
    def __init__(self, kind: str, admin_dsn: str) -> None:
        self.kind, self.admin_dsn = kind, admin_dsn
        self.folder = Path(tempfile.mkdtemp(prefix="bench-steering-"))
        self.name = f"bench_steering_{os.getpid()}"

    def create(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.folder / 'steering.db'}"
        with psycopg.connect(self.admin_dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        base = self.admin_dsn.rsplit("/", 1)[0]
        return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{self.name}"

    def drop(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.kind == "postgresql":
            with psycopg.connect(self.admin_dsn, autocommit=True, connect_timeout=5) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.name)
                    )
                )


def _cid(index: int) -> str:
    return f"c{index:08d}"


def _rep(index: int) -> str:
    return f"rep{index:03d}"


class Population:
    """Customers' attributes as arrays; index i is customer _cid(i)."""

    def __init__(self, customers: int, rng: np.random.Generator) -> None:
        self.n = customers
        self.value_tier = rng.choice(4, customers, p=[0.1, 0.4, 0.35, 0.15])  # neg..high
        self.segment = (self.value_tier == 3).astype(np.int64)  # high -> key_accounts
        self.segment = 1 - self.segment  # 0 = key_accounts, 1 = mass_market
        self.region = rng.integers(0, len(REGIONS), customers)
        self.rep = rng.integers(0, REPS, customers)
        self.clv = rng.integers(0, 5_000, customers) * SCALE
        self.gap = rng.integers(0, 800, customers) * SCALE
        self.cm3 = np.where(self.value_tier == 0, -rng.integers(1, 200, customers), 300) * SCALE


def load_population(session_factory: Any, people: Population) -> None:
    tiers = ("negative", "low", "medium", "high")
    now = datetime.now(UTC)
    for start in range(0, people.n, CHUNK):
        stop = min(start + CHUNK, people.n)
        directory, facts = [], []
        for i in range(start, stop):
            cid, region, rep = _cid(i), REGIONS[people.region[i]], _rep(int(people.rep[i]))
            directory.append(
                {
                    "customer_id": cid,
                    "revision": 1,
                    "kind": "organization",
                    "name": cid,
                    "region": region,
                    "country": "DE",
                    "industry": None,
                    "size_class": None,
                    "owner_rep": rep,
                    "attributes": {},
                    "as_of_event_id": f"bench-{cid}",
                    "as_of": now,
                }
            )
            facts.append(
                {
                    "customer_id": cid,
                    "strategic_segment": SEGMENTS[people.segment[i]],
                    "thrust": "grow" if people.segment[i] == 0 else "serve_efficiently",
                    "value_tier": tiers[people.value_tier[i]],
                    "potential_tier": "medium",
                    "lifecycle_stage": "loyal",
                    "clv": int(people.clv[i]),
                    "share_of_wallet_gap": int(people.gap[i]),
                    "contribution_margin_3_12m": int(people.cm3[i]),
                    "region": region,
                    "owner_rep": rep,
                    "first_order_day": 738000,
                    "assigned_at": now,
                }
            )
        with session_factory.begin() as session:
            insert_rows(session, models.customers, directory)
            insert_rows(session, models.customer_facts, facts)
        log(f"  customers {stop:,} / {people.n:,}")


def _members(people: Population, customer: np.ndarray, channel: np.ndarray) -> dict[str, list]:
    rep_segment = people.rep[customer] * len(SEGMENTS) + people.segment[customer]
    return {
        "all": (np.zeros_like(customer), ["all"]),
        "segment": (people.segment[customer], list(SEGMENTS)),
        "region": (people.region[customer], list(REGIONS)),
        "rep": (people.rep[customer], [_rep(i) for i in range(REPS)]),
        "channel": (channel, list(CHANNELS)),
        "rep_segment": (
            rep_segment,
            [f"{_rep(r)}|{s}" for r in range(REPS) for s in SEGMENTS],
        ),
    }  # type: ignore[return-value]


def load_aggregates(
    session_factory: Any, people: Population, orders: int, rng: np.random.Generator
) -> dict[str, int]:
    """Flows of every month, quarter and year from `orders` synthetic orders, and the state."""
    sums: dict[tuple[str, str, str], dict[str, int]] = {}
    active: dict[str, set[int]] = {}
    flags_rows = 0
    month_of_order = rng.integers(0, len(MONTHS), orders)
    customer = rng.integers(0, people.n, orders)
    channel = rng.integers(0, len(CHANNELS), orders)
    revenue = rng.integers(20, 2_000, orders) * SCALE
    cost = (revenue * rng.uniform(0.5, 0.8, orders)).astype(np.int64)
    discount = (revenue * rng.uniform(0, 0.08, orders)).astype(np.int64)
    target = people.segment[customer] == 0
    for m, month in enumerate(MONTHS):
        quarter = f"2025-Q{(int(month[5:]) - 1) // 3 + 1}"
        pick = month_of_order == m
        cust, chan = customer[pick], channel[pick]
        measures = {
            "revenue": revenue[pick],
            "cost_of_goods": cost[pick],
            "discounts": discount[pick],
            "orders": np.ones_like(cust),
            "target_revenue": np.where(target[pick], revenue[pick], 0),
        }
        for dimension, (index, names) in _members(people, cust, chan).items():
            for name, values in measures.items():
                totals = np.bincount(index, weights=values, minlength=len(names))
                for period in (month, quarter, "2025"):
                    for i, total in enumerate(totals):
                        if total:
                            row = sums.setdefault((period, dimension, names[i]), {})
                            row[name] = row.get(name, 0) + int(total)
        for period in (month, quarter, "2025"):
            active.setdefault(period, set()).update(np.unique(cust).tolist())
    for period, members in active.items():
        ids = np.fromiter(members, dtype=np.int64)
        channel0 = np.zeros_like(ids)
        for dimension, (index, names) in _members(people, ids, channel0).items():
            if dimension == "channel":
                continue
            counts = np.bincount(index, minlength=len(names))
            for i, count in enumerate(counts):
                if count:
                    row = sums.setdefault((period, dimension, names[i]), {})
                    row["active_customers"] = int(count)
    flow_rows = [
        {"period": p, "dimension": d, "member": m, **values} for (p, d, m), values in sums.items()
    ]
    flow_rows = [
        {n: r.get(n, 0) for n in (c.name for c in models.kpi_aggregates.columns)} for r in flow_rows
    ]
    state: dict[tuple[str, str], dict[str, int]] = {}
    everyone = np.arange(people.n)
    for dimension, (index, names) in _members(people, everyone, everyone * 0).items():
        if dimension == "channel":
            continue
        for name, values in (
            ("customers", np.ones(people.n, dtype=np.int64)),
            ("base_customers", np.ones(people.n, dtype=np.int64)),
            ("clv", people.clv),
            ("share_of_wallet_gap", people.gap),
            ("unprofitable_customers", (people.value_tier == 0).astype(np.int64)),
            ("contribution_margin_3_12m", people.cm3),
        ):
            for i, total in enumerate(np.bincount(index, weights=values, minlength=len(names))):
                state.setdefault((dimension, names[i]), {})[name] = int(total)
    state_rows = [{"dimension": d, "member": m, **v} for (d, m), v in state.items()]
    with session_factory.begin() as session:
        insert_rows(session, models.kpi_aggregates, flow_rows)
        insert_rows(session, models.kpi_state, state_rows)
    for period, members in active.items():
        ids = sorted(members)
        for start in range(0, len(ids), CHUNK):
            rows = [
                {"customer_id": _cid(i), "period": period, "flags": 1}
                for i in ids[start : start + CHUNK]
            ]
            with session_factory.begin() as session:
                insert_rows(session, models.customer_periods, rows)
            flags_rows += len(rows)
        log(f"  period flags of {period}: {len(ids):,} customers")
    activity_rows = load_activity(session_factory, people, {m: active[m] for m in MONTHS})
    return {
        "aggregate_rows": len(flow_rows),
        "state_rows": len(state_rows),
        "flags": flags_rows,
        "activity_rows": activity_rows,
    }


def load_activity(session_factory: Any, people: Population, active: dict[str, set[int]]) -> int:
    """The activity masks the consumer keeps beside the monthly flags (see activity.py)."""
    blocks: dict[int, np.ndarray] = {}
    for month, members in active.items():
        index = activity.month_index(month)
        first = index - index % activity.BLOCK
        masks = blocks.setdefault(first, np.zeros(people.n, dtype=np.int64))
        masks[np.fromiter(members, dtype=np.int64)] |= 1 << (index - first)
    stored = 0
    for first, masks in blocks.items():
        ids = np.flatnonzero(masks)
        for start in range(0, len(ids), CHUNK):
            rows = [
                {
                    "customer_id": _cid(int(i)),
                    "first_month": first,
                    "ordered": int(masks[i]),
                    "contacted": 0,
                    "unprofitable": 0,
                }
                for i in ids[start : start + CHUNK]
            ]
            with session_factory.begin() as session:
                insert_rows(session, models.customer_activity, rows)
            stored += len(rows)
    log(f"  activity masks: {stored:,} customers")
    return stored


def activate(runtime: Runtime) -> None:
    documents = strategy_documents(runtime.outbox, "steering", ["sales"])
    actor = Actor("bench", "sales")
    with runtime.session_factory.begin() as session:
        state = documents.edit(session, "sales-strategy", strategy(), actor)
        documents.approve(session, "sales-strategy", state["draft"]["version"], actor, None)
    plans = incentive_plan_documents(["sales"])
    plan = {
        "name": "bench",
        "on_target_bonus": "1000.00",
        "components": [
            {"key": "cm2", "name": "cm2", "metric": "cm2", "weight": "1", "target": "1"}
        ],
    }
    with runtime.session_factory.begin() as session:
        state = plans.edit(session, "bench", plan, actor)
        plans.approve(session, "bench", state["draft"]["version"], actor, None)


def _time_views(
    client: httpx.Client, headers: dict[str, str], period: str, repeats: int
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for dimension in ("all", "segment", "rep"):
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            answer = client.get(
                f"/v1/cockpit?period={period}&dimension={dimension}", headers=headers
            )
            timings.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
        members = len(answer.json()["members"])
        results[dimension] = {
            "members": members,
            "median_s": round(statistics.median(timings), 4),
            "max_s": round(max(timings), 4),
        }
        log(
            f"  GET /v1/cockpit?period={period}&dimension={dimension}: {members} members, "
            f"median {results[dimension]['median_s']} s, max {results[dimension]['max_s']} s"
        )
    return results


def measure_cockpit(runtime: Runtime, keys_file: Path, key: str, repeats: int) -> dict[str, Any]:
    app = DEFINITION.build_app(runtime)
    with serving(app) as url, httpx.Client(base_url=url, timeout=120) as client:
        headers = {"Authorization": f"Bearer {key}"}
        results = _time_views(client, headers, QUARTER, repeats)
        # A range counts each customer once from the monthly flags, computed per request.
        results["range"] = {"period": RANGE, **_time_views(client, headers, RANGE, RANGE_REPEATS)}
        started = time.perf_counter()
        payouts = client.get(f"/v1/payouts?period={QUARTER}", headers=headers)
        results["payouts_s"] = round(time.perf_counter() - started, 4)
        assert payouts.status_code == 200, payouts.text
        log(
            f"  GET /v1/payouts?period={QUARTER}: {len(payouts.json()['items'])} reps "
            f"in {results['payouts_s']} s"
        )
    return results


def order_records(
    people: Population, count: int, rng: np.random.Generator, first: int = 0
) -> list[Any]:
    """`count` new orders of random customers, numbered from `first`."""
    records = []
    customers = rng.integers(0, people.n, count)
    for i, index in enumerate(customers, start=first):
        cid = _cid(int(index))
        revenue = int(rng.integers(20, 2000))
        event = {
            "specversion": "1.0",
            "id": f"bench-order-{i}",
            "source": "profiles",
            "type": "order.placed",
            "subject": cid,
            "time": FEED_MONTH_DAY,
            "datacontenttype": "application/json",
            "dataversion": 1,
            "data": {
                "customer_id": cid,
                "order_id": f"bench-{i}",
                "source_system": "shop",
                "channel": CHANNELS[i % len(CHANNELS)],
                "currency": "EUR",
                "lines": [
                    {
                        "sku": "a",
                        "category": "tools",
                        "quantity": "1",
                        "net_revenue": f"{revenue}.00",
                        "cost_of_goods": f"{revenue // 2}.00",
                    }
                ],
                "ordered_at": FEED_MONTH_DAY,
                "net_revenue": f"{revenue}.00",
                "cost_of_goods": f"{revenue // 2}.00",
                "discount": "5.00",
            },
        }
        value = json.dumps(event).encode()
        records.append(
            ConsumerRecord(
                topic="cockpit.orders.v1",
                partition=i % 6,
                leader_epoch=0,
                offset=i,
                timestamp=int(time.time() * 1000),
                timestamp_type=0,
                key=cid.encode(),
                value=value,
                headers=[],
                checksum=None,
                serialized_key_size=len(cid),
                serialized_value_size=len(value),
                serialized_header_size=0,
            )
        )
    return records


def _inbox_outcomes(runtime: Runtime) -> dict[str, int]:
    """How many events steering's inbox holds, by outcome."""
    inbox = models.messaging.inbox
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            select(inbox.c.outcome, func.count()).group_by(inbox.c.outcome)
        ).all()
    return {outcome: count for outcome, count in rows}


def measure_consumption(
    runtime: Runtime, records: list[Any], batch: int, workers: int
) -> dict[str, Any]:
    """The records through `workers` worker processes of one consumer group (bench/group.py),
    each warmed up with its first poll (caches, connections, the strategy's first load);
    every one of them must then be in the inbox as processed, or the run fails."""
    settings = runtime.settings
    runtime.engine.dispose()  # the worker processes open connections of their own

    def start_worker() -> tuple[Any, Callable[[], None], int]:
        own = Runtime.build(settings, DEFINITION.tables, DEFINITION.migrations_dir)
        loop = handlers.build_consumers(own, DIRECTORY, handlers.SteeringParts())[0]
        return loop, own.engine.dispose, settings.gc_young_threshold

    split = shares(records, settings.topic_partitions, workers)
    before = _inbox_outcomes(runtime)
    kept = KeptStatistics(
        settings.database_url, list(models.metadata.tables), settings.statistics_interval_seconds
    )
    run = consume_in_group(start_worker, split, batch, warm_up_polls=1, statistics=kept)
    after = _inbox_outcomes(runtime)
    added = {outcome: after.get(outcome, 0) - before.get(outcome, 0) for outcome in after}
    if added != {**dict.fromkeys(after, 0), "processed": len(records)}:
        raise RuntimeError(f"{len(records):,} order events handed in, inbox outcomes {added}")
    log(
        f"  {workers} worker process{'es' if workers > 1 else ''}: {run.events:,} order events "
        f"in {run.seconds:.2f} s: {run.rate:,.0f} events/s, "
        f"{run.cpu_us_per_event:.0f} µs of worker CPU per event"
    )
    return {
        "workers": workers,
        "events": run.events,
        "seconds": round(run.seconds, 3),
        "events_per_second": round(run.rate),
        "worker_cpu_us_per_event": round(run.cpu_us_per_event, 1),
    }


def _medians(views: dict[str, Any]) -> list[float]:
    """Every view's median time, the range's views among them."""
    found: list[float] = []
    for view in views.values():
        if isinstance(view, dict):
            found += [view["median_s"]] if "median_s" in view else _medians(view)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/steering.py")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--feed-events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500, help="events per polled batch")
    add_workers_option(parser)
    parser.add_argument("--repeats", type=int, default=10, help="requests per cockpit view")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--pg-dsn",
        default=os.environ.get("COCKPIT_BENCH_PG_DSN")
        or os.environ.get("COCKPIT_TEST_PG_DSN")
        or "postgresql://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-save", action="store_true")
    args = parser.parse_args()
    args.workers = workers_to_run(args.workers, args.database)
    rng = np.random.default_rng(args.seed)
    database = Database(args.database, args.pg_dsn)
    try:
        url = database.create()
        upgrade_to_head("steering", DEFINITION.migrations_dir, url)
        keys_file = database.folder / "api-keys.json"
        keys = write_key_file(keys_file, dev_key_specs())
        settings = DEFINITION.settings(
            database_url=url, kafka_bootstrap_servers="127.0.0.1:9", api_keys_file=keys_file
        )
        runtime = Runtime.build(settings, DEFINITION.tables, DEFINITION.migrations_dir)
        activate(runtime)
        log(f"loading {args.customers:,} customers and {args.orders:,} orders ({args.database})")
        started = time.perf_counter()
        people = Population(args.customers, rng)
        load_population(runtime.session_factory, people)
        loaded = load_aggregates(runtime.session_factory, people, args.orders, rng)
        if args.database == "postgresql":
            # As autovacuum would after a bulk load: the planner needs the new tables' sizes,
            # and index-only scans (a range's flags) the visibility map.
            autocommit = runtime.engine.execution_options(isolation_level="AUTOCOMMIT")
            with autocommit.connect() as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        loaded["seconds"] = round(time.perf_counter() - started, 1)
        log(f"  loaded in {loaded['seconds']} s: {loaded}")
        log("cockpit latency over HTTP")
        cockpit = measure_cockpit(runtime, keys_file, keys["sales"], args.repeats)
        log("order events through the consumer")
        consumed, numbered = [], 0
        for workers in args.workers:
            # New orders for each run: the same ones again would be skipped as seen.
            orders = args.feed_events + workers * args.batch
            records = order_records(people, orders, rng, first=numbered)
            numbered += orders
            consumed.append(measure_consumption(runtime, records, args.batch, workers))
        worst = max(_medians(cockpit))
        ratios = {
            "cockpit_target_over_worst_median": round(TARGETS["cockpit_seconds"] / worst, 2),
            "events_rate_over_target": {
                f"{run['workers']} worker{'s' if run['workers'] > 1 else ''}": round(
                    run["events_per_second"] / TARGETS["events_per_second"], 2
                )
                for run in consumed
            },
        }
        log(f"ratios (>= 1 meets the target): {ratios}")
        result = {
            "benchmark": "steering",
            "database": args.database,
            "recorded_at": datetime.now(UTC).isoformat(),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
            "customers": args.customers,
            "orders": args.orders,
            "batch": args.batch,
            "loaded": loaded,
            "cockpit": cockpit,
            "consumption": consumed,
            "targets": TARGETS,
            "ratios": ratios,
        }
        if not args.skip_save:
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            path = RESULTS_DIR / f"steering-{args.database}.json"
            path.write_text(json.dumps(result, indent=2) + "\n")
            log(f"written to {path.relative_to(ROOT)}")
        runtime.engine.dispose()
    finally:
        database.drop()


if __name__ == "__main__":
    main()
