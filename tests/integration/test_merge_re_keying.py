"""A merge in profiles reaches segmentation: its read model then holds only the survivor, and
an unmerge brings the absorbed customer back."""

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from services.profiles.bootstrap import DEFINITION as PROFILES
from services.segmentation import models as segmentation_models
from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from shared.broker import EmbeddedBroker
from shared.runtime import Runtime
from tests.fixtures.events import customer_upserted
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime, running_worker, wait_for

pytestmark = pytest.mark.integration


def _held_by_segmentation(runtime: Runtime, *customer_ids: str) -> set[str]:
    """Which of `customer_ids` segmentation's read model holds.

    The worker of profiles may also pick up what earlier tests left on the inbound topic, so
    the read model can hold other customers too.
    """
    table = segmentation_models.customers
    with runtime.session_factory() as session:
        return set(
            session.scalars(
                select(table.c.customer_id).where(table.c.customer_id.in_(customer_ids))
            )
        )


def test_after_a_merge_segmentation_holds_only_the_survivor(
    broker: EmbeddedBroker, database_factory, api_keys: tuple[Path, dict[str, str]]
) -> None:
    keys_file, keys = api_keys
    profiles, segmentation = (
        build_runtime(
            definition,
            database_url=database_factory(definition.name),
            bootstrap_servers=broker.bootstrap_servers,
            api_keys_file=keys_file,
        )
        for definition in (PROFILES, SEGMENTATION)
    )
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    reader = {"Authorization": f"Bearer {keys['sales']}"}
    with (
        running_worker(profiles, PROFILES),
        running_worker(segmentation, SEGMENTATION),
        serving(PROFILES.build_app(profiles)) as profiles_url,
        serving(SEGMENTATION.build_app(segmentation)) as segmentation_url,
    ):

        def seen(customer_id: str) -> httpx.Response:
            return httpx.get(f"{segmentation_url}/v1/customers/{customer_id}", headers=reader)

        posted = httpx.post(
            f"{profiles_url}/v1/events",
            json=[
                customer_upserted(system="crm", external_id="K-1", kind="organization"),
                customer_upserted(source="shop", system="shop", external_id="S-1"),
            ],
            headers={"Authorization": f"Bearer {keys['integration']}"},
        )
        assert posted.status_code == 200, posted.text
        survivor, absorbed = (r["customer_id"] for r in posted.json()["results"])
        both = (survivor, absorbed)
        assert wait_for(lambda: _held_by_segmentation(segmentation, *both) == set(both))

        merge = httpx.post(
            f"{profiles_url}/v1/customers/{survivor}/merge",
            json={"absorb": [absorbed], "reason": "the shop account of the CRM customer"},
            headers=admin,
        )
        assert merge.status_code == 200, merge.text

        assert wait_for(lambda: seen(survivor).json().get("revision") == 2)
        assert wait_for(lambda: _held_by_segmentation(segmentation, *both) == {survivor})
        assert seen(absorbed).status_code == 404

        unmerge = httpx.post(
            f"{profiles_url}/v1/customers/{survivor}/unmerge",
            json={"merge_id": merge.json()["merge_id"], "reason": "two companies after all"},
            headers=admin,
        )
        assert unmerge.status_code == 200, unmerge.text

        assert wait_for(lambda: seen(absorbed).status_code == 200)
        assert seen(absorbed).json()["revision"] == 3
        assert _held_by_segmentation(segmentation, *both) == set(both)
    profiles.engine.dispose()
    segmentation.engine.dispose()
