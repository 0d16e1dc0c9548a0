"""The service engines on PostgreSQL: reading sessions, snapshot sessions, the test of
connections that sat idle in the pool, and lists as array parameters."""

from collections.abc import Callable, Iterator

import pytest
from psycopg.adapt import PyFormat
from psycopg.types.array import ListBinaryDumper
from sqlalchemy import (
    ARRAY,
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    any_,
    bindparam,
    exc,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from shared.db import engine as engines
from shared.db.engine import make_engine, make_session_factory, snapshot_engine
from tests.fixtures.databases import PostgresDatabases

pytestmark = pytest.mark.integration

metadata = MetaData()
counters = Table("counters", metadata, Column("id", Integer, primary_key=True))


@pytest.fixture
def url(postgres: PostgresDatabases) -> Iterator[str]:
    url = postgres.create("engines")
    writer = make_engine(url)
    metadata.create_all(writer)
    with Session(writer) as session, session.begin():
        session.execute(insert(counters), [{"id": 1}, {"id": 2}])
    yield url
    writer.dispose()


def _backend_pid(session: Session) -> int:
    return int(session.scalar(select(func.pg_backend_pid())) or 0)


def test_a_reading_session_runs_each_statement_on_its_own_and_refuses_writes(url: str) -> None:
    reader = make_engine(url, writes=False)
    with make_session_factory(reader)() as session:
        assert session.scalar(select(func.count()).select_from(counters)) == 2
        # No transaction is left open between statements (autocommit).
        assert session.connection().connection.dbapi_connection.info.transaction_status == 0
        with pytest.raises(exc.InternalError, match="read-only transaction"):
            session.execute(insert(counters).values(id=3))
    reader.dispose()


def test_a_snapshot_session_sees_the_database_as_at_its_first_statement(url: str) -> None:
    reader = make_engine(url, writes=False)
    writer = make_engine(url)
    with make_session_factory(snapshot_engine(reader))() as session:
        assert session.scalar(select(func.count()).select_from(counters)) == 2
        with Session(writer) as other, other.begin():
            other.execute(insert(counters).values(id=3))
        # A server-side cursor (yield_per) needs the transaction this session holds.
        streamed = session.execute(select(counters.c.id), execution_options={"yield_per": 1})
        assert sorted(streamed.scalars()) == [1, 2]
        with pytest.raises(exc.InternalError, match="read-only transaction"):
            session.execute(insert(counters).values(id=4))
    with make_session_factory(reader)() as session:
        assert session.scalar(select(func.count()).select_from(counters)) == 3
    reader.dispose()
    writer.dispose()


def _kill(engine: Engine, pid: int) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_connection_dropped_while_idle_is_replaced_before_it_is_handed_out(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(url, writes=False)
    with Session(engine) as session:
        dropped = _backend_pid(session)
    other = make_engine(url)
    _kill(other, dropped)
    # Long enough idle: every checkout is tested from now on.
    monkeypatch.setattr(engines.time, "monotonic", lambda: 1e12)
    with Session(engine) as session:
        assert _backend_pid(session) not in (0, dropped)
    engine.dispose()
    other.dispose()


def test_a_connection_in_steady_use_is_not_tested(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(engines.time, "monotonic", lambda: clock[0])
    engine = make_engine(url, pool_size=1)
    pings: list[object] = []
    original = engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return original(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    pids = set()
    for _ in range(3):
        clock[0] += engines.IDLE_PING_SECONDS / 2
        with Session(engine) as session:
            pids.add(_backend_pid(session))
    assert pings == [] and len(pids) == 1
    # The same connection, idle past the limit, is tested once and kept.
    clock[0] += engines.IDLE_PING_SECONDS + 1
    with Session(engine) as session:
        assert _backend_pid(session) in pids
    assert len(pings) == 1
    engine.dispose()


def test_a_snapshot_session_reads_one_snapshot_on_either_database(
    database_factory: Callable[[str], str],
) -> None:
    url = database_factory("snapshot")
    writer = make_engine(url)
    metadata.create_all(writer)
    reader = make_engine(url, writes=False)
    with make_session_factory(snapshot_engine(reader))() as session:
        assert session.scalar(select(func.count()).select_from(counters)) == 0
        with Session(writer) as other, other.begin():
            other.execute(insert(counters).values(id=1))
        assert session.scalar(select(func.count()).select_from(counters)) == 0
    with make_session_factory(reader)() as session:
        assert session.scalar(select(func.count()).select_from(counters)) == 1
    reader.dispose()
    writer.dispose()


@pytest.mark.parametrize("writes", [True, False])
def test_lists_travel_in_the_binary_array_format_and_mean_the_same(url: str, writes: bool) -> None:
    engine = make_engine(url, writes=writes)
    try:
        with Session(engine) as session:
            raw = session.connection().connection.dbapi_connection
            assert raw is not None
            assert raw.adapters.get_dumper(list, PyFormat.AUTO) is ListBinaryDumper
            found = session.scalars(
                select(counters.c.id).where(counters.c.id == any_(bindparam("ids", [2, 3, 2**40])))
            ).all()
            nothing = session.scalars(
                select(counters.c.id).where(
                    counters.c.id == any_(bindparam("none", [], ARRAY(Integer)))
                )
            ).all()
            words = session.scalar(
                text("SELECT array_to_string(CAST(:w AS varchar[]), '|')"),
                {"w": ["Straße", None, "a,b", "{x}", ""]},
            )
            with pytest.raises(exc.DataError, match="mixed types"):
                session.execute(text("SELECT CAST(:m AS text[])"), {"m": [1, "a"]})
    finally:
        engine.dispose()

    assert found == [2]
    assert nothing == []
    assert words == "Straße|a,b|{x}|"
