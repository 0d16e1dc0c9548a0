"""Engines for SQLite (WAL, foreign keys, busy timeout) and PostgreSQL (psycopg 3)."""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from shared.db.buffer import install_buffer

# Batch lookups pass hundreds of keys in one IN list. A generic plan for a prepared
# statement ignores how many, and the stock random_page_cost (tuned for spinning disks)
# makes a few hundred index probes look dearer than scanning the whole table; on cached or
# SSD-backed data the probes are several times faster. Both only affect this service's
# sessions.
POSTGRES_SESSION_OPTIONS = "-c plan_cache_mode=force_custom_plan -c random_page_cost=1.1"


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


def _begin_immediate(conn: Any) -> None:
    # A deferred SQLite transaction that later writes can fail with SQLITE_BUSY without
    # waiting; taking the write lock at BEGIN makes concurrent writers queue instead.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, pool_size: int = 5, writes: bool = True) -> Engine:
    """Create an engine for the service database, creating the SQLite folder if needed.

    `writes=False` gives SQLite an engine whose transactions start deferred, for reads that
    should not queue behind writers for the write lock.
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
        )
        event.listen(engine, "connect", _configure_sqlite)
        if writes:
            event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # Errors end up in logs and dead-letter headers; bound values hold personal data.
        hide_parameters=True,
        connect_args={"options": POSTGRES_SESSION_OPTIONS},
        # psycopg's pipelined executemany beats one huge multi-row VALUES statement.
        use_insertmanyvalues=False,
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    install_buffer(factory)
    return factory
