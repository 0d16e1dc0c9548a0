"""The identity rules follow the settings: matching by e-mail or phone can be switched off."""

from collections.abc import Callable
from pathlib import Path

import pytest

from services.profiles.bootstrap import DEFINITION as PROFILES
from services.profiles.bootstrap import ingestion
from shared.broker import EmbeddedBroker
from tests.fixtures.events import customer_upserted
from tests.fixtures.services import build_runtime

pytestmark = pytest.mark.integration


def test_records_are_linked_only_by_the_identifiers_the_settings_enable(
    broker: EmbeddedBroker,
    database_factory: Callable[[str], str],
    api_keys: tuple[Path, dict[str, str]],
) -> None:
    runtime = build_runtime(
        PROFILES,
        database_url=database_factory("profiles_rules"),
        bootstrap_servers=broker.bootstrap_servers,
        api_keys_file=api_keys[0],
        match_on_email=False,
        default_phone_region="AT",
    )
    try:
        results = ingestion(runtime).ingest(
            [
                customer_upserted(system="crm", external_id="K-1", email="a@huber.at"),
                customer_upserted(system="shop", external_id="S-1", email="a@huber.at"),
                customer_upserted(system="crm", external_id="K-2", phone="0664 1234567"),
                customer_upserted(system="shop", external_id="S-2", phone="+43 664 1234567"),
            ]
        )
    finally:
        runtime.engine.dispose()

    ids = [r.customer_id for r in results]
    assert [r.status for r in results] == ["accepted"] * 4
    assert ids[0] != ids[1]
    assert ids[2] == ids[3]
