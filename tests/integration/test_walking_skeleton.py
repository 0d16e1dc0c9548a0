"""A customer posted to profiles reaches every downstream service's read model."""

from pathlib import Path

import httpx
import pytest

from services.experience.bootstrap import DEFINITION as EXPERIENCE
from services.profiles.bootstrap import DEFINITION as PROFILES
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from services.steering.bootstrap import DEFINITION as STEERING
from shared.broker import EmbeddedBroker
from tests.fixtures.events import customer_upserted
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker, wait_for

pytestmark = pytest.mark.integration


def test_upserted_customer_appears_in_every_service(
    broker: EmbeddedBroker, database_factory, api_keys: tuple[Path, dict[str, str]]
) -> None:
    keys_file, keys = api_keys
    runtimes = {
        d.name: (
            d,
            build_runtime(
                d,
                database_url=database_factory(d.name),
                bootstrap_servers=broker.bootstrap_servers,
                api_keys_file=keys_file,
            ),
        )
        for d in (PROFILES, SEGMENTATION, EXPERIENCE, STEERING)
    }
    apps = {name: d.build_app(rt) for name, (d, rt) in runtimes.items()}
    workers = [running_worker(rt, d) for d, rt in runtimes.values()]
    for worker in workers:
        worker.__enter__()
    try:
        with (
            serving(apps["profiles"]) as profiles_url,
            serving(apps["segmentation"]) as seg_url,
            serving(apps["experience"]) as exp_url,
            serving(apps["steering"]) as steer_url,
        ):
            event = customer_upserted(name="Bäckerei Huber KG", kind="organization", region="south")
            posted = httpx.post(
                f"{profiles_url}/v1/events",
                json=[event],
                headers={"Authorization": f"Bearer {keys['integration']}"},
            )
            assert posted.status_code == 200, posted.text
            result = posted.json()["results"][0]
            assert result["status"] == "accepted"
            customer_id = result["customer_id"]
            reader = {"X-API-Key": keys["sales"]}
            for url in (seg_url, exp_url, steer_url):
                assert wait_for(
                    lambda url=url: (
                        httpx.get(f"{url}/v1/customers/{customer_id}", headers=reader).status_code
                        == 200
                    )
                ), f"customer never reached {url}"
                seen = httpx.get(f"{url}/v1/customers/{customer_id}", headers=reader).json()
                assert seen["name"] == "Bäckerei Huber KG"
                assert seen["region"] == "south"
                assert seen["revision"] == 1
    finally:
        for worker in workers:
            worker.__exit__(None, None, None)
