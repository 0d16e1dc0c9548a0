"""Shared fixtures: a real broker, real databases, API keys."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.api.auth import dev_key_specs, write_key_file
from shared.broker import EmbeddedBroker
from tests.fixtures.databases import PostgresDatabases, postgres_available, postgres_databases


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    with EmbeddedBroker(log_file=log) as running:
        yield running


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """A broker of the module's own, for tests that count everything the services hold.

    On the session's broker, services also consume what earlier tests published to the
    same topics, so totals over a period would include other tests' events.
    """
    log = tmp_path_factory.mktemp("own-broker") / "tansu.log"
    with EmbeddedBroker(log_file=log) as running:
        yield running


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    reason = postgres_available()
    if reason is not None:
        pytest.skip(reason)
    with postgres_databases() as databases:
        yield databases


@pytest.fixture(params=["sqlite", "postgresql"])
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_factory(database_kind: str, tmp_path: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Returns a function label -> fresh database URL of the parametrised kind."""
    if database_kind == "postgresql":
        databases: PostgresDatabases = request.getfixturevalue("postgres")
        return databases.create
    return lambda label: f"sqlite:///{tmp_path / f'{label}.db'}"


@pytest.fixture(scope="session")
def api_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("keys") / "api-keys.json"
    plain = write_key_file(path, dev_key_specs())
    return path, plain
