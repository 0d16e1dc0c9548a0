"""Engines for SQLite (WAL, foreign keys, busy timeout) and PostgreSQL (psycopg 3)."""

import time
from pathlib import Path
from typing import Any

from psycopg.types.array import ListBinaryDumper
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from shared.db.buffer import install_buffer
from shared.json_codec import dumps, dumps_text, loads

# Consumers' batch lookups pass hundreds of keys as one array (`shared.db.lookup.one_of`):
# a generic plan of a prepared statement assumes a handful, so writing sessions plan every
# statement for its own values. The stock random_page_cost (tuned for spinning disks) makes
# a few hundred index probes look dearer than scanning the whole table; on cached or
# SSD-backed data the probes are several times faster. Both only affect this service's
# sessions.
RANDOM_PAGE_COST = "-c random_page_cost=1.1"
POSTGRES_SESSION_OPTIONS = "-c plan_cache_mode=force_custom_plan " + RANDOM_PAGE_COST
# A reading engine's statements each run in a transaction of their own, read-only. They are
# mostly the API's reads, the same few statements for one customer or one view again and
# again: PostgreSQL's own plan caching (a prepared statement keeps a generic plan once it
# proves no dearer than planning each call) spares planning them every time, which was most
# of the server's time for the 360-degree view (bench/README.md, profiles.py). Segmentation
# runs read through it too (`snapshot_engine`); their large statements run once per run.
POSTGRES_READ_OPTIONS = (
    "-c plan_cache_mode=auto " + RANDOM_PAGE_COST + " -c default_transaction_read_only=on"
)
# A pooled connection idle longer than this is tested before it is handed out.
IDLE_PING_SECONDS = 10.0


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _binary_lists(dbapi_connection: Any, _record: Any) -> None:
    # Lists travel in PostgreSQL's binary array format: psycopg writes the text format
    # element by element in Python, which was 5% of the ingestion's time (a batch of a
    # thousand events passes some 8,000 keys in arrays, `shared.db.lookup.one_of`). Both
    # formats refuse lists that mix types.
    dbapi_connection.adapters.register_dumper(list, ListBinaryDumper)


def _begin_immediate(conn: Any) -> None:
    # A deferred SQLite transaction that later writes can fail with SQLITE_BUSY without
    # waiting; taking the write lock at BEGIN makes concurrent writers queue instead.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def ping_after_idle(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Test a pooled connection before handing it out if it sat unused for `idle_seconds`.

    A connection the server dropped (a restart, an idle timeout, a failover) is then replaced
    instead of failing the request that gets it. One in steady use skips the test: it costs
    a round trip, a large share of a short request, and a connection that breaks in use makes
    the pool discard all connections of that time anyway.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # Absent on a connection made for this checkout: it was just tested by connecting.
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool then discards the connection and makes a new one.
            raise exc.DisconnectionError(str(error)) from error


def make_engine(url: str, *, pool_size: int = 5, writes: bool = True) -> Engine:
    """Create an engine for the service database, creating the SQLite folder if needed.

    `writes=False` gives an engine for sessions that only read: on SQLite its transactions
    start deferred, so reads do not queue behind writers for the write lock; on PostgreSQL
    each statement is a read-only transaction of its own (no BEGIN and ROLLBACK round trips;
    under READ COMMITTED every statement saw a snapshot of its own anyway).
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None},
            hide_parameters=True,
            json_serializer=dumps_text,
            json_deserializer=loads,
        )
        event.listen(engine, "connect", _configure_sqlite)
        if writes:
            event.listen(engine, "begin", _begin_immediate)
        return engine
    engine = create_engine(
        url,
        # The dialect installs both on its connections' adapters (psycopg takes bytes).
        json_serializer=dumps,
        json_deserializer=loads,
        pool_size=pool_size,
        max_overflow=pool_size,
        # Errors end up in logs and dead-letter headers; bound values hold personal data.
        hide_parameters=True,
        connect_args={"options": POSTGRES_SESSION_OPTIONS if writes else POSTGRES_READ_OPTIONS},
        # psycopg's pipelined executemany beats one huge multi-row VALUES statement.
        use_insertmanyvalues=False,
        **({} if writes else {"isolation_level": "AUTOCOMMIT"}),
    )
    event.listen(engine, "connect", _binary_lists)
    ping_after_idle(engine)
    return engine


def _begin_deferred(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def snapshot_engine(reader: Engine) -> Engine:
    """The reading engine `reader` (make_engine's `writes=False`) with transactions that read
    one snapshot: REPEATABLE READ on PostgreSQL; on SQLite an explicit deferred transaction
    (the driver's own transaction handling is off), which in WAL mode reads from its first
    read's snapshot."""
    if is_sqlite(reader):
        snapshot = reader.execution_options()
        event.listen(snapshot, "begin", _begin_deferred)
        return snapshot
    return reader.execution_options(isolation_level="REPEATABLE READ")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    install_buffer(factory)
    return factory
