"""An event too large to publish is rejected on its own; the rest of the batch goes in."""

from pathlib import Path

from services.profiles.bootstrap import DEFINITION as PROFILES
from services.profiles.customers import CustomerUpserts
from services.profiles.ingestion import InboundRoute, Ingestion
from shared.db.migrations import upgrade_to_head
from shared.events.inbound import CustomerUpserted
from shared.runtime import Runtime
from tests.fixtures.events import customer_upserted


def ingestion_with_limit(tmp_path: Path, limit: int) -> Ingestion:
    url = f"sqlite:///{tmp_path / 'profiles.db'}"
    upgrade_to_head("profiles", PROFILES.migrations_dir, url)
    runtime = Runtime.build(
        PROFILES.settings(database_url=url), PROFILES.tables, PROFILES.migrations_dir
    )
    upserts = CustomerUpserts(runtime.outbox)
    return Ingestion(
        session_factory=runtime.session_factory,
        inbox=runtime.tables.inbox,
        routes={
            "customer.upserted": InboundRoute(CustomerUpserted, upserts.apply, upserts.prepare)
        },
        metrics=runtime.metrics,
        max_event_bytes=limit,
    )


def test_oversized_event_is_rejected_and_the_others_accepted(tmp_path: Path) -> None:
    ingestion = ingestion_with_limit(tmp_path, limit=2048)
    small = customer_upserted()
    large = customer_upserted(attributes={"notes": "x" * 4000})

    results = ingestion.ingest([small, large], body_bytes=5000)

    assert [r.status for r in results] == ["accepted", "rejected"]
    assert results[1].reason == "event larger than 2048 bytes"
    assert results[1].id == large["id"]


def test_sizes_are_not_measured_when_the_whole_body_is_below_the_limit(tmp_path: Path) -> None:
    ingestion = ingestion_with_limit(tmp_path, limit=2048)
    event = customer_upserted(attributes={"notes": "x" * 4000})

    # The caller vouches for a small body; the check is skipped, so this one goes through.
    results = ingestion.ingest([event], body_bytes=1000)

    assert [r.status for r in results] == ["accepted"]
