"""One profiles runtime and server per database kind, shared by the tests in this folder."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.profiles.bootstrap import DEFINITION as PROFILES
from shared.broker import EmbeddedBroker
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime
from tests.integration.profiles.support import Profiles


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def served_profiles(
    request: pytest.FixtureRequest,
    broker: EmbeddedBroker,
    api_keys: tuple[Path, dict[str, str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Profiles]:
    """A migrated runtime and server with the default limits (1,000 events a request)."""
    if request.param == "postgresql":
        database_url = request.getfixturevalue("postgres").create("profiles_inbound")
    else:
        folder = tmp_path_factory.mktemp("profiles_inbound")
        database_url = f"sqlite:///{folder / 'profiles.db'}"
    keys_file, keys = api_keys
    runtime = build_runtime(
        PROFILES,
        database_url=database_url,
        bootstrap_servers=broker.bootstrap_servers,
        api_keys_file=keys_file,
    )
    with serving(PROFILES.build_app(runtime)) as url, httpx.Client(base_url=url) as client:
        yield Profiles(runtime, client, keys)
    runtime.engine.dispose()


@pytest.fixture
def profiles(served_profiles: Profiles) -> Profiles:
    served_profiles.empty_tables()
    return served_profiles
