"""kafka-python clients configured the way the platform needs them."""

import logging
import time
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

log = logging.getLogger(__name__)


def make_producer(bootstrap_servers: str, client_id: str, **overrides: Any) -> KafkaProducer:
    """An idempotent producer that waits for all in-sync replicas."""
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers.split(","),
        "client_id": client_id,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "batch_size": 256 * 1024,
        "max_in_flight_requests_per_connection": 5,
        "max_block_ms": 5_000,
        "request_timeout_ms": 10_000,
        "retries": 5,
    }
    config.update(overrides)
    return KafkaProducer(**config)


def make_consumer(
    bootstrap_servers: str,
    group_id: str,
    *,
    max_poll_records: int,
    max_poll_interval_ms: int,
    session_timeout_ms: int,
) -> KafkaConsumer:
    """A group consumer with auto-commit off; offsets are committed after the database."""
    return KafkaConsumer(
        bootstrap_servers=bootstrap_servers.split(","),
        group_id=group_id,
        client_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=max_poll_records,
        max_poll_interval_ms=max_poll_interval_ms,
        session_timeout_ms=session_timeout_ms,
        heartbeat_interval_ms=max(500, session_timeout_ms // 4),
        request_timeout_ms=max(30_000, session_timeout_ms + 5_000),
    )


def make_admin(
    bootstrap_servers: str, client_id: str, timeout_ms: int = 10_000
) -> KafkaAdminClient:
    return KafkaAdminClient(
        bootstrap_servers=bootstrap_servers.split(","),
        client_id=client_id,
        request_timeout_ms=timeout_ms,
    )


def ensure_topics(
    bootstrap_servers: str,
    names: Iterable[str],
    *,
    partitions: int,
    replication_factor: int = 1,
    attempts: int = 20,
) -> list[str]:
    """Create the topics that do not exist yet; return the ones created."""
    wanted = sorted(set(names))
    for attempt in range(1, attempts + 1):
        try:
            admin = make_admin(bootstrap_servers, "cockpit-provisioner")
            try:
                existing = set(admin.list_topics())
                missing = [name for name in wanted if name not in existing]
                created = []
                for name in missing:
                    try:
                        admin.create_topics(
                            [NewTopic(name, partitions, replication_factor)], timeout_ms=10_000
                        )
                        created.append(name)
                    except TopicAlreadyExistsError:
                        pass
                return created
            finally:
                admin.close()
        except KafkaError as error:
            if attempt == attempts:
                raise
            log.warning("topic provisioning failed (%s), retrying", error)
            time.sleep(min(0.25 * attempt, 2.0))
    return []


def broker_reachable(bootstrap_servers: str, timeout_ms: int = 2_000) -> bool:
    try:
        admin = make_admin(bootstrap_servers, "cockpit-readiness", timeout_ms)
    except KafkaError:
        return False
    try:
        admin.list_topics()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()
