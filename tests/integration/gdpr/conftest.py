"""The four services on one database kind, with workers and profiles' API, per package."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.experience.bootstrap import DEFINITION as EXPERIENCE
from services.profiles.bootstrap import DEFINITION as PROFILES
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from services.steering.bootstrap import DEFINITION as STEERING
from shared.broker import EmbeddedBroker
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker
from tests.integration.gdpr.support import Stack

DEFINITIONS = (PROFILES, SEGMENTATION, EXPERIENCE, STEERING)


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest,
    broker: EmbeddedBroker,
    api_keys: tuple[Path, dict[str, str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    keys_file, keys = api_keys
    if request.param == "postgresql":
        databases = request.getfixturevalue("postgres")
        urls = {d.name: databases.create(f"gdpr_{d.name}") for d in DEFINITIONS}
    else:
        folder = tmp_path_factory.mktemp("gdpr")
        urls = {d.name: f"sqlite:///{folder / f'{d.name}.db'}" for d in DEFINITIONS}
    runtimes = {
        d.name: build_runtime(
            d,
            database_url=urls[d.name],
            bootstrap_servers=broker.bootstrap_servers,
            api_keys_file=keys_file,
        )
        for d in DEFINITIONS
    }
    app = PROFILES.build_app(runtimes["profiles"])
    with (
        running_worker(runtimes["profiles"], PROFILES),
        running_worker(runtimes["segmentation"], SEGMENTATION),
        running_worker(runtimes["experience"], EXPERIENCE),
        running_worker(runtimes["steering"], STEERING),
        serving(app) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield Stack(runtimes, client, keys)
    for runtime in runtimes.values():
        runtime.engine.dispose()
