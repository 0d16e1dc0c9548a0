"""Bulk import into a running profiles API: reports, idempotent re-runs, resumption, CDNOW."""

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.profiles import models as profiles_models
from services.profiles.bootstrap import DEFINITION as PROFILES
from services.profiles.importing.cli import main
from services.profiles.importing.files import cdnow_events
from services.profiles.importing.runner import Checkpoint, import_events
from shared.broker import EmbeddedBroker
from shared.ingest_client import EventPoster, IngestAbortedError, ProgressLine
from shared.runtime import Runtime
from tests.fixtures.http import serving
from tests.fixtures.services import build_runtime
from tests.unit.segmentation.cdnow import CDNOW_SAMPLE

pytestmark = pytest.mark.integration
CUSTOMERS = (
    "time,customer_id,kind,name,email,industry,size_class\n"
    "2024-01-05T09:00:00+01:00,K-1,organization,Holz AG,info@holz.example,crafts,M\n"
    "2024-01-06T09:00:00+01:00,K-2,person,Erika Muster,erika@example.org,,\n"
    "2024-01-07T09:00:00+01:00,K-3,alien,Nobody,,,\n"
)
ORDERS = (
    "time,order_id,customer_id,channel,currency,sku,category,quantity,net_revenue,cost_of_goods\n"
    + "".join(
        f"2024-0{1 + n % 9}-10T10:00:00+00:00,O-{n},K-{1 + n % 2},web,EUR,S{n},tools,1,"
        f"{100 + n}.00,60.00\n"
        for n in range(40)
    )
)


@pytest.fixture(scope="module")
def profiles(
    broker: EmbeddedBroker, api_keys: tuple[Path, dict[str, str]], tmp_path_factory: Any
) -> Iterator[tuple[Runtime, str, str]]:
    keys_file, keys = api_keys
    folder = tmp_path_factory.mktemp("import")
    runtime = build_runtime(
        PROFILES,
        database_url=f"sqlite:///{folder / 'profiles.db'}",
        bootstrap_servers=broker.bootstrap_servers,
        api_keys_file=keys_file,
    )
    with serving(PROFILES.build_app(runtime)) as url:
        yield runtime, url, keys["integration"]
    runtime.engine.dispose()


def _count(runtime: Runtime, table: Any) -> int:
    with runtime.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _import(url: str, key: str, tmp_path: Path, *args: str) -> int:
    return main(
        [
            *args,
            "--url",
            url,
            "--api-key",
            key,
            "--report",
            str(tmp_path / "rejected.csv"),
            "--state-dir",
            str(tmp_path / "state"),
        ]
    )


def test_files_load_with_a_report_of_rejected_rows_and_load_once(
    profiles: tuple[Runtime, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runtime, url, key = profiles
    (tmp_path / "customers.csv").write_text(CUSTOMERS)
    (tmp_path / "orders.csv").write_text(ORDERS)
    orders_before = _count(runtime, profiles_models.Order.__table__)

    assert _import(url, key, tmp_path, "--kind", "customers", str(tmp_path / "customers.csv")) == 0
    assert _import(url, key, tmp_path, "--kind", "orders", str(tmp_path / "orders.csv")) == 0

    with (tmp_path / "rejected.csv").open() as handle:
        assert list(csv.reader(handle)) == [["file", "line", "reason"]]
    assert _count(runtime, profiles_models.Order.__table__) == orders_before + 40
    assert _import(url, key, tmp_path, "--kind", "customers", str(tmp_path / "customers.csv")) == 0
    with (tmp_path / "rejected.csv").open() as handle:
        [_header, rejected] = list(csv.reader(handle))
    assert rejected[:2] == ["customers.csv", "4"] and "kind" in rejected[2]
    assert "2 already there" in capsys.readouterr().out

    assert _import(url, key, tmp_path, "--kind", "orders", str(tmp_path / "orders.csv")) == 0
    assert _count(runtime, profiles_models.Order.__table__) == orders_before + 40


class _StopsAfter(EventPoster):
    """The real poster, until the connection is lost after `batches` batches."""

    def __init__(self, client: httpx.Client, batches: int) -> None:
        super().__init__(client)
        self._left = batches

    def post(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self._left == 0:
            raise IngestAbortedError("connection lost")
        self._left -= 1
        return super().post(events)


def test_an_interrupted_import_resumes_after_the_last_acknowledged_batch(
    profiles: tuple[Runtime, str, str], tmp_path: Path
) -> None:
    runtime, url, key = profiles
    sample = tmp_path / "cdnow.txt"
    sample.write_text("".join(CDNOW_SAMPLE.read_text().splitlines(keepends=True)[:300]))
    orders_before = _count(runtime, profiles_models.Order.__table__)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:

        def run(poster: EventPoster) -> Any:
            return import_events(
                sample.name,
                cdnow_events(sample),
                poster=poster,
                checkpoint=Checkpoint(tmp_path / "state", sample),
                progress=ProgressLine(sample.name, 300, "lines"),
                batch_size=50,
            )

        with pytest.raises(IngestAbortedError):
            run(_StopsAfter(client, batches=3))
        first_part = _count(runtime, profiles_models.Order.__table__) - orders_before
        resumed = run(EventPoster(client))

    assert 0 < first_part < 300
    assert resumed.skipped_lines > 0
    assert resumed.rejected == []
    assert _count(runtime, profiles_models.Order.__table__) - orders_before == 300
