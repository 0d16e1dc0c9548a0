"""kafka-python clients configured the way the platform needs them."""

import logging
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.partitioner import DefaultPartitioner
from kafka.partitioner.default import murmur2

log = logging.getLogger(__name__)
KEY_HASHES_KEPT = 100_000


def key_partition(
    serialized_key: bytes, partitions: int, hash_key: Callable[[bytes], int] = murmur2
) -> int:
    """Which of `partitions` (counted in order) a producer puts the key on: the Java
    client's murmur2 of the key, as every Kafka producer and `KeyHashPartitioner` do."""
    return (hash_key(serialized_key) & 0x7FFFFFFF) % partitions


class KeyHashPartitioner(DefaultPartitioner):  # type: ignore[misc]
    """The default partitioner (the Java client's murmur2 of the key, so a key lands where
    any other producer puts it) with the hashes of recent keys kept: a relay sends the same
    customers' keys again and again, and the pure-Python hash was most of the partitioning
    time in a relay's send."""

    def __init__(self, kept: int = KEY_HASHES_KEPT) -> None:
        self._hash = lru_cache(maxsize=kept)(murmur2)

    def partition(  # noqa: PLR0917 - kafka-python calls it with these, positionally
        self,
        topic: str,
        key: Any,
        serialized_key: bytes | None,
        value: Any,
        serialized_value: bytes | None,
        cluster: Any,
    ) -> int:
        partitions = cluster.partitions_for_topic(topic)
        if serialized_key is None or not partitions:
            # Keyless, or a topic not known (yet): as the default does it.
            return int(
                super().partition(topic, key, serialized_key, value, serialized_value, cluster)
            )
        ordered = sorted(partitions)
        return int(ordered[key_partition(serialized_key, len(ordered), self._hash)])


def producer_config(bootstrap_servers: str, client_id: str, **overrides: Any) -> dict[str, Any]:
    """The settings of make_producer's producers, `overrides` applied."""
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
        "partitioner": KeyHashPartitioner(),
    }
    config.update(overrides)
    return config


def make_producer(bootstrap_servers: str, client_id: str, **overrides: Any) -> KafkaProducer:
    """An idempotent producer that waits for all in-sync replicas."""
    return KafkaProducer(**producer_config(bootstrap_servers, client_id, **overrides))


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
