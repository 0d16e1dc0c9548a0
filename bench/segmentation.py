"""Run time and peak memory of a full segmentation run on a synthetic three-year ledger.

    .venv/bin/python bench/segmentation.py [--customers 100000 1000000]
                                           [--database sqlite|postgresql] [--seed 1]

For every size: a fresh database (a SQLite file in a temp dir, or bench_segmentation_<pid> on
the PostgreSQL server), migrated, filled straight through bulk inserts with customers whose
order histories come from behaviour models (in a child process, so that generating them
leaves nothing in the memory measured here), then two live runs as the run worker executes
them: the first assigns everyone, the second is the daily case where little changes. Then
the project's BG/NBD fit against lifetimes' on CDNOW. The figures go to stdout and to
bench/results/segmentation-<database>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import platform
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import psycopg
import sqlalchemy

# bench/ is sys.path[0] when this file runs as a script, which is how it is always started.
from cdnow_fit import BetaGeoFitter, compare_with_lifetimes
from psycopg import sql
from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from services.segmentation import models, run_store
from services.segmentation.bootstrap import DEFINITION
from services.segmentation.ledger import SCALE, day_number
from services.segmentation.rescoring import ModelCache
from services.segmentation.runs import RunExecutor
from shared.db.buffer import insert_rows
from shared.db.engine import make_engine, make_session_factory
from shared.db.migrations import upgrade_to_head
from shared.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
GIB = 1024**3
MIB = 1024**2
TARGETS = {100_000: (15.0, None), 1_000_000: (120.0, 4 * GIB)}
"""Customers -> (seconds, bytes of peak RSS) a full run must stay under."""
PHASES = ("load", "fit", "assign", "write")
SAMPLE_SECONDS = 0.05

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


def log(message: str) -> None:
    print(message, flush=True)


class BenchError(Exception):
    pass


# ----------------------------------------------------------------------------- behaviour


HISTORY_DAYS = 3 * 365
CHUNK_CUSTOMERS = 50_000
ORGANISATION_SHARE = 0.3
PROSPECT_SHARE = 0.1
INDUSTRIES = np.array(
    [
        "retail",
        "wholesale",
        "manufacturing",
        "construction",
        "healthcare",
        "hospitality",
        "logistics",
        "public_sector",
    ]
)
SIZE_CLASSES = np.array(["S", "M", "L", "XL"])
SIZE_SHARES = [0.5, 0.3, 0.15, 0.05]
FIELD_VISITS_PER_QUARTER = np.array([0.1, 0.4, 1.0, 2.0])
"""Sales visits an organisation of each size class gets while it buys."""
REGIONS = np.array(["Nord", "Süd", "West", "Ost"])
COUNTRIES = np.array(["DE", "DE", "DE", "AT", "CH"])
BASKET_MEDIAN = {"person": 70.0, "organization": 450.0}
BASKET_SPREAD = 0.5
"""Sigma of the log of a customer's median basket around its kind's median.

Much wider and the margins per purchase of persons and organisations spread so far that the
Gamma-Gamma fit ends at q <= 1, where the run fails (see bench/README.md)."""
CHANNEL_GROUPS = (
    "orders_online",
    "orders_field",
    "orders_inside",
    "orders_store",
    "orders_partner",
)
CHANNEL_SHARES = {
    "person": [0.55, 0.0, 0.10, 0.30, 0.05],
    "organization": [0.25, 0.35, 0.25, 0.0, 0.15],
}
SHIPPING_CENTS = {"person": [590, 0, 690, 0, 0], "organization": [1250, 0, 1250, 0, 0]}
"""Shipping per order by channel group: parcels for online and inside sales orders."""
COMMISSION = [0.0, 0.015, 0.0, 0.0, 0.08]
"""Other direct costs per channel group, as a share of revenue: sales and partner commission."""
TOUCHPOINTS = (
    ("phone", "service_call"),
    ("email", "support_request"),
    ("chat", "support_request"),
    ("phone", "complaint"),
    ("email", "complaint"),
    ("email", "survey"),
    ("field_visit", "visit"),
    ("phone", "quote_request"),
)
"""Channel and type of the contacts: three kinds of service request, two of complaint, then
the NPS survey, the sales visit and the quote request, which are no service contacts."""
SERVICE_SHARES = [0.5, 0.35, 0.15]
PHONE_COMPLAINT, EMAIL_COMPLAINT, SURVEY, FIELD_VISIT, QUOTE_REQUEST = range(3, 8)
DAY_BITS = 11  # 2**11 days > the history plus the last returns


@dataclass(frozen=True)
class Population:
    """Who the customers of a chunk are and when they buy; arrays indexed within the chunk."""

    first: int
    """Global index of the chunk's first customer."""
    today: int
    org: npt.NDArray[np.bool_]
    buyer: npt.NDArray[np.bool_]
    size_class: Ints
    start: Ints
    """Day of the first purchase (of the registration, for prospects)."""
    active_until: Floats
    """The day the customer stops buying, or today."""

    @property
    def size(self) -> int:
        return self.org.size


@dataclass(frozen=True)
class Orders:
    """One row per order: its customer (within the chunk), day, revenue and cost of goods."""

    customer: Ints
    day: Ints
    revenue: Ints
    cost_of_goods: Ints
    first_of_customer: Ints
    """Per customer: the row of its first order (its orders are consecutive rows)."""
    count_of_customer: Ints
    usual_channel: Ints
    """Per customer: the channel group it mostly orders through."""


@dataclass
class Events:
    """What orders, returns and touchpoints add to customer days, one row per event."""

    customer: list[Ints] = field(default_factory=list)
    day: list[Ints] = field(default_factory=list)
    measures: dict[str, list[Ints]] = field(default_factory=dict)

    def add(self, customer: Ints, day: Ints, **measures: Ints) -> None:
        for name in models.DAY_MEASURES:
            value = measures.get(name)
            self.measures.setdefault(name, []).append(
                np.zeros(customer.size, np.int64) if value is None else value.astype(np.int64)
            )
        self.customer.append(customer)
        self.day.append(day)


@dataclass
class Chunk:
    """Directory rows, customer days and contacts of a slice of customers."""

    directory: dict[str, Any]
    days: dict[str, Ints]
    contacts: dict[str, Ints]
    purchase_days: int
    buyers: int


def _pick(rng: np.random.Generator, shares: list[float], size: int) -> Ints:
    return rng.choice(len(shares), size=size, p=np.asarray(shares) / np.sum(shares))


def _within(rng: np.random.Generator, start: npt.ArrayLike, end: npt.ArrayLike) -> Ints:
    """A uniformly drawn whole day in [start, end], per pair."""
    low, high = np.asarray(start, np.float64), np.asarray(end, np.float64)
    return np.floor(low + rng.random(low.size) * (high - low + 1)).astype(np.int64)


def _by_kind(org: npt.NDArray[np.bool_], values: dict[str, Any]) -> Any:
    return np.where(org, values["organization"], values["person"])


def _sum_by_key(key: Ints, values: dict[str, Ints]) -> tuple[Ints, dict[str, Ints]]:
    keys, inverse = np.unique(key, return_inverse=True)
    return keys, {
        # Sums stay far below 2**53, so adding them up as float64 is exact.
        name: np.rint(np.bincount(inverse, weights=column, minlength=keys.size)).astype(np.int64)
        for name, column in values.items()
    }


def _population(rng: np.random.Generator, first: int, size: int, today: int) -> Population:
    org = rng.random(size) < ORGANISATION_SHARE
    start = today - rng.integers(0, HISTORY_DAYS, size)
    # An exponential lifetime after which a customer buys no more: some have lapsed by today.
    lifetime = rng.exponential(np.where(org, 900.0, 500.0))
    return Population(
        first=first,
        today=today,
        org=org,
        buyer=rng.random(size) >= PROSPECT_SHARE,
        size_class=_pick(rng, SIZE_SHARES, size),
        start=start,
        active_until=np.minimum(start + lifetime, today).astype(np.float64),
    )


def _orders(rng: np.random.Generator, people: Population, events: Events) -> Orders:
    """Orders at each customer's rhythm, lognormal baskets, its channel preference, discounts."""
    org, size = people.org, people.size
    # Purchases per day, gamma-distributed across customers (the BG/NBD's own assumption).
    rate = rng.gamma(0.8, np.where(org, 1 / 26, 1 / 65) / 0.8)
    repeats = rng.poisson(rate * (people.active_until - people.start))
    count = np.where(people.buyer, np.minimum(repeats, 600) + 1, 0)
    customer = np.repeat(np.arange(size), count)
    first_row = np.cumsum(count) - count
    later = _within(rng, people.start[customer], people.active_until[customer] - 1)
    is_first = np.arange(customer.size) == first_row[customer]
    day = np.minimum(np.where(is_first, people.start[customer], later), people.today)

    basket = np.exp(np.log(_by_kind(org, BASKET_MEDIAN)) + rng.normal(0, BASKET_SPREAD, size))
    cents = np.rint(basket[customer] * rng.lognormal(0.0, 0.5, customer.size) * 100)
    revenue = np.maximum(cents, 100).astype(np.int64) * (SCALE // 100)
    goods_share = rng.uniform(0.55, 0.75, size)[customer] + rng.normal(0, 0.02, customer.size)
    cost_of_goods = np.rint(revenue * np.clip(goods_share, 0.5, 0.8)).astype(np.int64)
    # Price-sensitive customers get a discount on most orders, the others rarely.
    sensitive = rng.random(size) < 0.25
    discount_share = np.where(sensitive, rng.uniform(0.05, 0.2, size), 0.03)[customer]
    discounted = rng.random(customer.size) < np.where(sensitive[customer], 0.7, 0.05)
    discounts = np.where(discounted, np.rint(revenue * discount_share), 0)
    # One usual channel group per customer, the others now and then.
    usual = np.where(
        org,
        _pick(rng, CHANNEL_SHARES["organization"], size),
        _pick(rng, CHANNEL_SHARES["person"], size),
    )
    other = np.where(
        org[customer],
        _pick(rng, CHANNEL_SHARES["organization"], customer.size),
        _pick(rng, CHANNEL_SHARES["person"], customer.size),
    )
    loyal = rng.random(customer.size) < rng.beta(6, 2, size)[customer]
    group = np.where(loyal, usual[customer], other)
    shipping = np.where(
        org[customer],
        np.asarray(SHIPPING_CENTS["organization"])[group],
        np.asarray(SHIPPING_CENTS["person"])[group],
    )
    events.add(
        customer + people.first,
        day,
        orders=np.ones(customer.size, np.int64),
        revenue=revenue,
        cost_of_goods=cost_of_goods,
        discounts=discounts,
        shipping_costs=shipping * (SCALE // 100),
        other_direct_costs=np.rint(revenue * np.asarray(COMMISSION)[group]),
        **{name: group == index for index, name in enumerate(CHANNEL_GROUPS)},
    )
    return Orders(customer, day, revenue, cost_of_goods, first_row, count, usual)


def _returns(rng: np.random.Generator, people: Population, orders: Orders, events: Events) -> None:
    """A customer-specific share of orders comes back, in part or whole, within 30 days."""
    online_person = ~people.org & (orders.usual_channel == 0)
    rate = rng.beta(1.5, 18, people.size) * np.where(online_person, 1.8, 1.0)
    returned = np.flatnonzero(rng.random(orders.customer.size) < rate[orders.customer])
    day = orders.day[returned] + rng.integers(2, 31, returned.size)
    returned, day = returned[day <= people.today], day[day <= people.today]
    share = np.where(rng.random(returned.size) < 0.5, 1.0, rng.uniform(0.1, 0.9, returned.size))
    credited = np.rint(orders.revenue[returned] * share)
    # A credit note without lines recovers no goods; a handling cost is reported now and then.
    with_lines = rng.random(returned.size) < 0.8
    recovered = np.where(with_lines, np.rint(orders.cost_of_goods[returned] * share), 0)
    reported = rng.random(returned.size) < 0.4
    events.add(
        orders.customer[returned] + people.first,
        day,
        returns=credited - recovered,
        returned_revenue=credited,
        return_handling=np.where(reported, 6.5 * SCALE, 0),
        unpriced_returns=~reported,
    )


def _service_contacts(
    rng: np.random.Generator, people: Population, orders: Orders, events: Events
) -> tuple[Ints, Ints, Ints]:
    """Service requests after orders, some of them complaints, some with a CSAT answer."""
    intensity = rng.gamma(0.7, np.where(people.org, 0.4, 0.25) / 0.7)
    customer = np.repeat(np.arange(people.size), rng.poisson(intensity * orders.count_of_customer))
    nth_order = np.floor(rng.random(customer.size) * orders.count_of_customer[customer])
    after = orders.first_of_customer[customer] + nth_order.astype(np.int64)
    day = np.minimum(orders.day[after] + rng.integers(0, 22, customer.size), people.today)
    complaint = rng.random(customer.size) < rng.beta(1, 12, people.size)[customer]
    kind = np.where(
        complaint,
        np.where(rng.random(customer.size) < 0.6, PHONE_COMPLAINT, EMAIL_COMPLAINT),
        _pick(rng, SERVICE_SHARES, customer.size),
    )
    answered = rng.random(customer.size) < 0.35
    score = np.where(
        complaint, rng.integers(1, 4, customer.size), rng.integers(3, 6, customer.size)
    )
    events.add(
        customer + people.first,
        day,
        service_contacts=np.ones(customer.size, np.int64),
        complaints=complaint,
        csat_sum=np.where(answered, score, 0),
        csat_answers=answered,
    )
    return customer, day, kind


def _other_contacts(
    rng: np.random.Generator, people: Population, events: Events
) -> tuple[Ints, Ints, Ints]:
    """An NPS survey answered by some buyers, sales visits to organisations, quote requests
    from prospects; only the survey adds to the customer day, but all of them cost."""
    surveyed = np.flatnonzero(people.buyer & (rng.random(people.size) < 0.12))
    survey_day = _within(rng, people.start[surveyed], np.full(surveyed.size, people.today))
    nps = np.clip(np.rint(rng.normal(7.5, 2.2, surveyed.size)), 0, 10)
    events.add(
        surveyed + people.first,
        survey_day,
        nps_sum=nps,
        nps_answers=np.ones(surveyed.size, np.int64),
    )
    until = np.where(people.buyer, people.active_until, np.float64(people.today))
    quarters = (until - people.start + 1) / 91
    visit_rate = np.where(people.org, FIELD_VISITS_PER_QUARTER[people.size_class], 0.0)
    visit_rate *= np.where(people.buyer, 1.0, 0.3)
    visited = np.repeat(np.arange(people.size), rng.poisson(visit_rate * quarters))
    visit_day = _within(rng, people.start[visited], until[visited])
    quoted = np.repeat(
        np.arange(people.size), np.where(people.buyer, 0, rng.poisson(0.8, people.size))
    )
    quote_day = _within(rng, people.start[quoted], np.full(quoted.size, people.today))
    return (
        np.concatenate([surveyed, visited, quoted]),
        np.concatenate([survey_day, visit_day, quote_day]),
        np.concatenate(
            [
                np.full(surveyed.size, SURVEY),
                np.full(visited.size, FIELD_VISIT),
                np.full(quoted.size, QUOTE_REQUEST),
            ]
        ),
    )


def generate_chunk(rng: np.random.Generator, first: int, size: int, today: int) -> Chunk:
    """Customers first..first+size-1 with their ledger; customers are indexed globally."""
    people = _population(rng, first, size, today)
    events = Events()
    orders = _orders(rng, people, events)
    _returns(rng, people, orders, events)
    service = _service_contacts(rng, people, orders, events)
    other = _other_contacts(rng, people, events)
    base = today - HISTORY_DAYS
    kinds = len(TOUCHPOINTS)
    customer, day, kind = (np.concatenate(pair) for pair in zip(service, other, strict=True))
    keys, counted = _sum_by_key(
        (((customer + first) << DAY_BITS) + day - base) * kinds + kind,
        {"contacts": np.ones(customer.size, np.int64)},
    )
    contacts = {
        "customer": (keys // kinds) >> DAY_BITS,
        "day": ((keys // kinds) & ((1 << DAY_BITS) - 1)) + base,
        "kind": keys % kinds,
        **counted,
    }
    day_key = (np.concatenate(events.customer) << DAY_BITS) + np.concatenate(events.day) - base
    keys, sums = _sum_by_key(
        day_key, {name: np.concatenate(parts) for name, parts in events.measures.items()}
    )
    days = {"customer": keys >> DAY_BITS, "day": (keys & ((1 << DAY_BITS) - 1)) + base, **sums}
    return Chunk(
        directory=_directory(rng, people),
        days=days,
        contacts=contacts,
        purchase_days=int(np.count_nonzero(days["orders"] > 0)),
        buyers=int(people.buyer.sum()),
    )


def _directory(rng: np.random.Generator, people: Population) -> dict[str, Any]:
    size, org = people.size, people.org
    # Profiles' ids are UUIDv7, ordered by registration, shortly before the first purchase.
    registered_ms = (
        people.start - np.where(people.buyer, rng.integers(0, 46, size), 0)
    ) * 86_400_000
    registered_ms += rng.integers(0, 86_400_000, size)
    low = rng.integers(0, 1 << 62, size).tolist()
    middle = rng.integers(0, 1 << 12, size).tolist()
    ids = [
        f"{ms >> 16:08x}-{ms & 0xFFFF:04x}-7{mid:03x}-{(2 << 14) | (lo >> 48):04x}-"
        f"{lo & ((1 << 48) - 1):012x}"
        for ms, mid, lo in zip(registered_ms.tolist(), middle, low, strict=True)
    ]
    number = np.arange(people.first, people.first + size)
    return {
        "customer_id": ids,
        "kind": np.where(org, "organization", "person").tolist(),
        "name": [
            f"Firma {n} GmbH" if o else f"Kundin {n}"
            for n, o in zip(number.tolist(), org.tolist(), strict=True)
        ],
        "region": REGIONS[rng.integers(0, REGIONS.size, size)].tolist(),
        "country": COUNTRIES[rng.integers(0, COUNTRIES.size, size)].tolist(),
        "industry": np.where(
            org, INDUSTRIES[rng.integers(0, INDUSTRIES.size, size)], None
        ).tolist(),
        "size_class": np.where(org, SIZE_CLASSES[people.size_class], None).tolist(),
        "owner_rep": np.where(org, np.char.add("rep-", (number % 40).astype(str)), None).tolist(),
        "registered_ms": registered_ms,
    }


# ----------------------------------------------------------------------------- loading


WRITE_SLICE = 100_000
CONTACT_KINDS = np.array([f"{channel}\t{kind}" for channel, kind in TOUCHPOINTS])


def _write(session: Session, table: Table, columns: dict[str, list[Any]]) -> None:
    """Bulk insert: COPY on PostgreSQL, one executemany on SQLite."""
    names = list(columns)
    values = list(zip(*columns.values(), strict=True))
    dialect = session.get_bind().dialect.name
    plain = all(
        isinstance(table.c[name].type, sqlalchemy.Integer | sqlalchemy.String) for name in names
    )
    if dialect == "sqlite" and plain:
        # Tuples straight to the driver: nothing to convert, and the fastest path SQLite has.
        placeholders = ", ".join("?" * len(names))
        statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({placeholders})"
        session.connection().exec_driver_sql(statement, values)
        return
    rows = [dict(zip(names, row, strict=True)) for row in values]
    if dialect == "postgresql":
        insert_rows(session, table, rows)
    else:
        session.execute(insert(table), rows)


def _directory_columns(directory: dict[str, Any], loaded_at: datetime) -> dict[str, list[Any]]:
    registered = directory.pop("registered_ms")
    size = len(directory["customer_id"])
    return {
        **directory,
        "revision": [1] * size,
        "attributes": [{}] * size,
        "as_of_event_id": [f"bench-{ms}" for ms in registered.tolist()],
        "as_of": [loaded_at] * size,
    }


def load_dataset(url: str, customers: int, seed: int, today: int) -> dict[str, Any]:
    """Generate the customers and write directory, customer days and contacts.

    Runs in a child process. The ledger is written in day order, as it grows in production,
    so neither table is stored in key order.
    """
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    rng = np.random.default_rng(seed)
    loaded_at = datetime.now(UTC)
    generate_seconds = write_seconds = 0.0
    ids: list[str] = []
    day_parts: list[dict[str, Ints]] = []
    contact_parts: list[dict[str, Ints]] = []
    buyers = purchase_days = 0
    for first in range(0, customers, CHUNK_CUSTOMERS):
        started = time.perf_counter()
        chunk = generate_chunk(rng, first, min(CHUNK_CUSTOMERS, customers - first), today)
        generate_seconds += time.perf_counter() - started
        ids += chunk.directory["customer_id"]
        day_parts.append(chunk.days)
        contact_parts.append(chunk.contacts)
        buyers, purchase_days = buyers + chunk.buyers, purchase_days + chunk.purchase_days
        started = time.perf_counter()
        with sessions() as session, session.begin():
            _write(session, models.customers, _directory_columns(chunk.directory, loaded_at))
        write_seconds += time.perf_counter() - started
    id_of = np.array(ids, dtype=object)
    rows: dict[str, int] = {}
    for table, parts in (
        (models.customer_days, day_parts),
        (models.customer_contacts, contact_parts),
    ):
        started = time.perf_counter()
        columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
        parts.clear()
        order = np.lexsort((columns["customer"], columns["day"]))
        generate_seconds += time.perf_counter() - started
        started = time.perf_counter()
        with sessions() as session:
            for start in range(0, order.size, WRITE_SLICE):
                rows_here = order[start : start + WRITE_SLICE]
                with session.begin():
                    if engine.dialect.name == "sqlite":
                        # Rows in day order land all over the key index; keep it in memory.
                        session.connection().exec_driver_sql("PRAGMA cache_size=-2000000")
                    _write(session, table, _ledger_columns(columns, rows_here, id_of))
        write_seconds += time.perf_counter() - started
        rows[table.name] = int(order.size)
    started = time.perf_counter()
    _settle(engine)
    settle_seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "customers": customers,
        "buyers": buyers,
        "purchase_days": purchase_days,
        "purchase_days_per_buyer": round(purchase_days / max(buyers, 1), 2),
        "customer_days_rows": rows["customer_days"],
        "customer_contacts_rows": rows["customer_contacts"],
        "generate_seconds": round(generate_seconds, 2),
        "write_seconds": round(write_seconds, 2),
        "settle_seconds": round(settle_seconds, 2),
    }


def _ledger_columns(columns: dict[str, Ints], rows: Ints, id_of: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"customer_id": id_of[columns["customer"][rows]].tolist()}
    for name, values in columns.items():
        if name == "kind":
            channel_kind = np.char.partition(CONTACT_KINDS[values[rows]], "\t")
            out["channel"] = channel_kind[:, 0].tolist()
            out["touchpoint_type"] = channel_kind[:, 2].tolist()
        elif name != "customer":
            out[name] = values[rows].tolist()
    return out


def _settle(engine: sqlalchemy.Engine) -> None:
    """What a database that has been running for a while has: statistics, no pending WAL.

    On PostgreSQL the explicit VACUUM ANALYZE also keeps autovacuum from starting on the
    freshly loaded tables while the run is being measured.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
            # Write the loaded pages out now rather than during the measured run.
            connection.exec_driver_sql("CHECKPOINT")
        return
    connection = engine.raw_connection()  # outside a transaction, which would block it
    try:
        connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


# ----------------------------------------------------------------------------- measuring


SERVER_EVERY = 10
"""Read the database server's CPU every this many samples (twice a second)."""
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def high_water_bytes() -> int | None:
    """The kernel's peak RSS of this process since the last reset (VmHWM)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


def reset_high_water() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def release_free_memory() -> None:
    """Collect garbage and hand freed heap pages back, so the baseline is what is in use."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def machine_busy_seconds() -> float:
    """CPU time all cores of the machine spent busy so far (from /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def process_cpu_seconds(pid: int) -> float | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class ServerCpu:
    """CPU time of the PostgreSQL backends serving one database, when the server is local."""

    def __init__(self, admin_dsn: str, database: str) -> None:
        self._connection = psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5)
        self._database = database
        self._seen: dict[int, float] = {}

    def seconds(self) -> float | None:
        """CPU seconds of every backend seen so far; a backend that ended keeps its last."""
        rows = self._connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (self._database,),
        ).fetchall()
        for (pid,) in rows:
            cpu = process_cpu_seconds(pid)
            if cpu is not None:
                self._seen[pid] = cpu
        return sum(self._seen.values()) if self._seen or not rows else None

    def close(self) -> None:
        self._connection.close()


@dataclass(frozen=True)
class Sample:
    at: float
    rss: int
    cpu: float
    """CPU seconds of this process (all threads)."""
    busy: float
    """Busy CPU seconds of the whole machine."""
    server_cpu: float | None


class Sampler:
    """Samples RSS and CPU time every SAMPLE_SECONDS in a thread of its own."""

    def __init__(self, server: ServerCpu | None) -> None:
        self.samples: list[Sample] = []
        self._server = server
        self._server_cpu: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def __enter__(self) -> Sampler:
        self._take(read_server=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._take(read_server=True)

    def _take(self, *, read_server: bool) -> None:
        if read_server and self._server is not None:
            self._server_cpu = self._server.seconds()
        self.samples.append(
            Sample(
                time.perf_counter(),
                rss_bytes(),
                time.process_time(),
                machine_busy_seconds(),
                self._server_cpu,
            )
        )

    def _run(self) -> None:
        count = 0
        while not self._stop.wait(SAMPLE_SECONDS):
            count += 1
            self._take(read_server=count % SERVER_EVERY == 0)

    def at(self, moment: float) -> Sample:
        """The last sample taken at or before `moment` (the first one before it started)."""
        found = [sample for sample in self.samples if sample.at <= moment]
        return found[-1] if found else self.samples[0]

    def interval(self, start: float, end: float) -> dict[str, Any]:
        """Peak RSS and CPU time of one interval (CPU resolution: one sample)."""
        first, last = self.at(start), self.at(end)
        within = [sample.rss for sample in self.samples if start <= sample.at <= end]
        server = (
            None
            if first.server_cpu is None or last.server_cpu is None
            else round(last.server_cpu - first.server_cpu, 2)
        )
        elapsed = max(last.at - first.at, 1e-9)
        return {
            "peak_rss_mib": round(max([first.rss, *within]) / MIB, 1),
            "cpu_seconds": round(last.cpu - first.cpu, 2),
            "server_cpu_seconds": server,
            "machine_busy_cores": round((last.busy - first.busy) / elapsed, 2),
        }


def measure_run(
    runtime: Runtime, executor: RunExecutor, server: ServerCpu | None
) -> dict[str, Any]:
    """Queue, claim and execute one live run; its phase times, CPU time and peak memory."""
    with runtime.session_factory() as session, session.begin():
        run_store.request_run(session, trigger="api", requested_by="bench")
    with runtime.session_factory() as session, session.begin():
        request = run_store.claim_next(session)
    if request is None:
        raise BenchError("the queued run could not be claimed")
    release_free_memory()
    rss_before = rss_bytes()
    can_reset = reset_high_water()
    with Sampler(server) as sampler:
        started = time.perf_counter()
        executor.execute(request)
        wall = time.perf_counter() - started
    high_water = high_water_bytes() if can_reset else None
    with runtime.read_session_factory() as session:
        row = run_store.get_run(session, request.run_id)
        outbox_rows = session.scalar(select(func.count()).select_from(models.messaging.outbox))
    if row is None or row["status"] != "completed":
        raise BenchError(f"run {request.run_id} did not complete: {row and row['error']}")
    summary = row["summary"]
    seconds = {name: float(summary["seconds_by_phase"][name]) for name in PHASES}
    # What execute does after the write phase: the run's summary and its completion.
    seconds["report"] = max(wall - sum(seconds.values()), 0.0)
    phases: dict[str, dict[str, Any]] = {}
    offset = started
    for name, length in seconds.items():
        phases[name] = {"seconds": round(length, 3), **sampler.interval(offset, offset + length)}
        offset += length
    whole = sampler.interval(started, started + wall)
    sampled_peak = max(sample.rss for sample in sampler.samples)
    peak = max(sampled_peak, high_water or 0)
    server_cpu = whole["server_cpu_seconds"] or 0.0
    models_ = summary["models"]
    return {
        "run_id": request.run_id,
        "total_seconds": round(wall, 3),
        "phases": phases,
        "cpu_seconds": whole["cpu_seconds"],
        "server_cpu_seconds": whole["server_cpu_seconds"],
        "other_processes_cores": round(
            max(whole["machine_busy_cores"] - (whole["cpu_seconds"] + server_cpu) / wall, 0.0), 2
        ),
        "rss_before_mib": round(rss_before / MIB, 1),
        "peak_rss_mib_sampled": round(sampled_peak / MIB, 1),
        "peak_rss_mib_kernel": None if high_water is None else round(high_water / MIB, 1),
        "peak_rss_mib": round(peak / MIB, 1),
        "own_peak_mib": round((peak - rss_before) / MIB, 1),
        "customers": summary["customers"],
        "changed": summary["changed"],
        "outbox_rows_after": outbox_rows,
        "bgnbd": models_.get("bgnbd"),
        "gamma_gamma": models_.get("gamma_gamma"),
        "needs_clusters": len((models_.get("needs_clusters") or {}).get("clusters", [])),
        "segments": {name: group["customers"] for name, group in summary["segments"].items()},
    }


# ----------------------------------------------------------------------------- one size


class Database:
    """A fresh database for one size: a SQLite file, or bench_segmentation_<pid> on the server."""

    def __init__(self, kind: str, admin_dsn: str, folder: Path) -> None:
        self.kind = kind
        self.admin_dsn = admin_dsn
        self.folder = folder
        self.name = f"bench_segmentation_{os.getpid()}"

    def create(self) -> str:
        """Create it (anew); returns its SQLAlchemy URL."""
        if self.kind == "sqlite":
            path = self.folder / "segmentation.db"
            for leftover in self.folder.glob("segmentation.db*"):
                leftover.unlink()
            return f"sqlite:///{path}"
        self.drop()
        with psycopg.connect(self.admin_dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        base = self.admin_dsn.rsplit("/", 1)[0]
        return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{self.name}"

    def size_mib(self) -> float:
        if self.kind == "sqlite":
            files = self.folder.glob("segmentation.db*")
            return round(sum(path.stat().st_size for path in files) / MIB, 1)
        with psycopg.connect(self.admin_dsn, autocommit=True, connect_timeout=5) as conn:
            row = conn.execute("SELECT pg_database_size(%s)", (self.name,)).fetchone()
        return round((row[0] if row else 0) / MIB, 1)

    def drop(self) -> None:
        if self.kind == "sqlite":
            for path in self.folder.glob("segmentation.db*"):
                path.unlink()
            return
        with psycopg.connect(self.admin_dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )


def bench_size(customers: int, args: argparse.Namespace, database: Database) -> dict[str, Any]:
    """Load `customers` into a fresh database and measure a first and a steady-state run."""
    load_at_start = [round(value, 2) for value in os.getloadavg()]
    url = database.create()
    try:
        upgrade_to_head(DEFINITION.name, DEFINITION.migrations_dir, url)
        today = day_number(datetime.now(UTC))
        log(f"\n{customers:,} customers: generating and loading ({args.database}) ...")
        started = time.perf_counter()
        # A child process, so that nothing the generator allocated stays in this one.
        with get_context("spawn").Pool(1) as pool:  # leaving the block terminates it
            loaded = pool.apply(load_dataset, (url, customers, args.seed, today))
        loaded["elapsed_seconds"] = round(time.perf_counter() - started, 2)
        loaded["database_mib_before_runs"] = database.size_mib()
        log(
            f"  {loaded['buyers']:,} buyers, {loaded['purchase_days_per_buyer']} purchase days "
            f"each; {loaded['customer_days_rows']:,} customer days, "
            f"{loaded['customer_contacts_rows']:,} contact rows; generated in "
            f"{loaded['generate_seconds']} s, written in {loaded['write_seconds']} s, "
            f"settled in {loaded['settle_seconds']} s "
            f"({loaded['elapsed_seconds']} s in all, {loaded['database_mib_before_runs']} MiB)"
        )
        runtime = Runtime.build(
            DEFINITION.settings(
                database_url=url,
                kafka_bootstrap_servers="127.0.0.1:1",  # never contacted: nothing is relayed
                api_keys_file=database.folder / "api-keys.json",
            ),
            DEFINITION.tables,
            DEFINITION.migrations_dir,
        )
        # Wired as build_consumers wires the run worker; one executor for both runs, so the
        # second refits from the first run's model, as on the next day.
        executor = RunExecutor.of(runtime, ModelCache())
        server = ServerCpu(args.pg_dsn, database.name) if args.database == "postgresql" else None
        try:
            runs = []
            for label in ("first", "steady"):
                log(f"  {label} run ...")
                figures = {"label": label, **measure_run(runtime, executor, server)}
                runs.append(figures)
                log("  " + _run_line(figures))
        finally:
            if server is not None:
                server.close()
            runtime.engine.dispose()
            runtime.read_session_factory.kw["bind"].dispose()
        loaded["database_mib_after_runs"] = database.size_mib()
        return {
            "customers": customers,
            "database": args.database,
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_at_start": load_at_start,
            "data": loaded,
            "runs": runs,
        }
    finally:
        database.drop()


# ----------------------------------------------------------------------------- reporting


def _run_line(run: dict[str, Any]) -> str:
    phases = "  ".join(
        f"{name} {figures['seconds']:.1f}" for name, figures in run["phases"].items()
    )
    return (
        f"{run['label']:6}  {phases}  total {run['total_seconds']:.1f} s  "
        f"peak {run['peak_rss_mib']:,.0f} MiB (own {run['own_peak_mib']:,.0f})  "
        f"changed {run['changed']:,}"
    )


def with_targets(result: dict[str, Any]) -> None:
    """Add the targets of the size, and each run's ratio to them (below 1 is within)."""
    seconds, memory = TARGETS.get(result["customers"], (None, None))
    result["target"] = {
        "seconds": seconds,
        "peak_rss_mib": None if memory is None else memory / MIB,
    }
    for run in result["runs"]:
        run["time_to_target"] = (
            None if seconds is None else round(run["total_seconds"] / seconds, 3)
        )
        run["memory_to_target"] = (
            None if memory is None else round(run["peak_rss_mib"] * MIB / memory, 3)
        )


def _phase_lines(result: dict[str, Any], run: dict[str, Any]) -> list[str]:
    def opt(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    kernel = opt(run["peak_rss_mib_kernel"])
    lines = [
        f"{result['customers']:,} customers, {result['database']}, {run['label']} run: "
        f"RSS {run['rss_before_mib']:,.0f} MiB before, peak {run['peak_rss_mib']:,.0f} "
        f"(sampled {run['peak_rss_mib_sampled']:,.0f}, kernel {kernel}); "
        f"other processes kept {run['other_processes_cores']:.2f} cores busy",
        f"  {'phase':8} {'wall s':>7} {'cpu s':>7} {'server s':>9} {'busy cores':>11} "
        f"{'peak MiB':>9}",
    ]
    for name, phase in run["phases"].items():
        lines.append(
            f"  {name:8} {phase['seconds']:>7.1f} {phase['cpu_seconds']:>7.1f} "
            f"{opt(phase['server_cpu_seconds']):>9} {phase['machine_busy_cores']:>11.2f} "
            f"{phase['peak_rss_mib']:>9,.0f}"
        )
    return lines


def render(results: list[dict[str, Any]], cdnow: dict[str, float]) -> str:
    header = (
        f"{'customers':>10} {'database':10} {'run':6} "
        + " ".join(f"{name:>7}" for name in (*PHASES, "report", "total"))
        + f" {'peak MiB':>9} {'own MiB':>8} {'changed':>9} {'target':>14} {'ratio':>12}"
    )
    lines = [header, "-" * len(header)]
    for result in results:
        target = result["target"]
        wanted = (
            "-"
            if target["seconds"] is None
            else f"< {target['seconds']:.0f} s"
            + (
                ""
                if target["peak_rss_mib"] is None
                else f", {target['peak_rss_mib'] / 1024:.0f} GiB"
            )
        )
        for run in result["runs"]:
            ratio = "-" if run["time_to_target"] is None else f"{run['time_to_target']:.2f}"
            if run["memory_to_target"] is not None:
                ratio += f", {run['memory_to_target']:.2f}"
            lines.append(
                f"{result['customers']:>10,} {result['database']:10} {run['label']:6} "
                + " ".join(f"{phase['seconds']:>7.1f}" for phase in run["phases"].values())
                + f" {run['total_seconds']:>7.1f} {run['peak_rss_mib']:>9,.0f}"
                f" {run['own_peak_mib']:>8,.0f} {run['changed']:>9,} {wanted:>14} {ratio:>12}"
            )
    for result in results:
        for run in result["runs"]:
            lines += ["", *_phase_lines(result, run)]
    lines.append("")
    lines.append(
        f"BG/NBD on CDNOW ({cdnow['customers']:,.0f} customers): project "
        f"{cdnow['project_seconds'] * 1000:.1f} ms"
    )
    if "lifetimes_seconds" in cdnow:
        lines[-1] += (
            f", lifetimes BetaGeoFitter {cdnow['lifetimes_seconds'] * 1000:.1f} ms "
            f"({cdnow['lifetimes_to_project_time_ratio']:.1f}x the project's)"
        )
    else:
        lines[-1] += "; lifetimes not installed"
    return "\n".join(lines)


def save(path: Path, document: dict[str, Any]) -> None:
    """Write the results, keeping the sizes of earlier invocations that were not rerun."""
    previous: list[dict[str, Any]] = []
    if path.exists():
        with contextlib.suppress(ValueError, KeyError):
            previous = json.loads(path.read_text())["sizes"]
    measured = {result["customers"] for result in document["sizes"]}
    kept = [result for result in previous if result.get("customers") not in measured]
    document["sizes"] = sorted(kept + document["sizes"], key=lambda result: result["customers"])
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")


# ----------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--customers",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        help="sizes to measure, each on a fresh database (default 100000 1000000)",
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generator (default 1)")
    parser.add_argument(
        "--pg-dsn",
        default=os.environ.get(
            "COCKPIT_BENCH_PG_DSN",
            os.environ.get("COCKPIT_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"),
        ),
        help="admin DSN of the PostgreSQL server the database is created on",
    )
    parser.add_argument(
        "--skip-save",
        action="store_true",
        help="do not write bench/results/segmentation-<database>.json",
    )
    args = parser.parse_args(argv)
    if min(args.customers) < 1_000:
        parser.error("--customers must be at least 1000 each")
    return args


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)
    load_at_start = [round(value, 2) for value in os.getloadavg()]
    folder = Path(tempfile.mkdtemp(prefix="cockpit-bench-segmentation-"))
    database = Database(args.database, args.pg_dsn, folder)
    log(
        f"segmentation benchmark: customers={args.customers}, database={args.database}, "
        f"seed={args.seed}, load average at start {load_at_start}"
    )
    results = []
    try:
        for customers in args.customers:
            result = bench_size(customers, args, database)
            with_targets(result)
            results.append(result)
        log("\nBG/NBD fit on CDNOW ...")
        cdnow = compare_with_lifetimes()
    except BenchError as error:
        log(f"\nFAILED: {error}")
        return 1
    except KeyboardInterrupt:
        log("\ninterrupted; cleaning up")
        return 130
    finally:
        try:
            database.drop()
        except psycopg.Error as error:
            log(f"could not drop the benchmark database {database.name}: {error}")
        shutil.rmtree(folder, ignore_errors=True)
    log("")
    log(render(results, cdnow))
    if not args.skip_save:
        document = {
            "benchmark": "segmentation",
            "database": args.database,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "memory_gib": round(
                    os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / GIB, 1
                ),
                "python": platform.python_version(),
                "numpy": np.__version__,
            },
            "seed": args.seed,
            "targets": {
                f"{n}": {"seconds": s, "peak_rss_gib": m and m / GIB}
                for n, (s, m) in TARGETS.items()
            },
            "sizes": results,
            "cdnow": {**cdnow, "lifetimes_installed": BetaGeoFitter is not None},
        }
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / f"segmentation-{args.database}.json"
        save(path, document)
        log(f"\nwritten to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
