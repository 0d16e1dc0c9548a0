"""The relays' partitioner puts every key where kafka-python's default (the Java client's)
puts it, with the key hashes kept."""

import pytest
from kafka.partitioner import DefaultPartitioner

from shared.messaging.kafka import KeyHashPartitioner, producer_config


class Cluster:
    """The two things a partitioner asks of the cluster metadata."""

    def __init__(self, partitions: dict[str, set[int]]) -> None:
        self._partitions = partitions

    def topics(self) -> set[str]:
        return set(self._partitions)

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        return self._partitions.get(topic)

    def available_partitions_for_topic(self, topic: str) -> set[int] | None:
        return self._partitions.get(topic)


@pytest.mark.parametrize("count", [1, 3, 6, 12])
def test_every_key_lands_where_the_default_partitioner_puts_it(count: int) -> None:
    cluster = Cluster({"cockpit.orders.v1": set(range(count))})
    ours, default = KeyHashPartitioner(kept=100), DefaultPartitioner()
    keys = [f"01a21f10-{i:04x}-7c6c-8efc-0e7e9fd8825f".encode() for i in range(2_000)]
    keys += [b"", b"a", "Müller".encode()]
    # Twice: the second pass is answered from the kept hashes (more keys than are kept).
    for key in keys + keys:
        expected = default.partition("cockpit.orders.v1", None, key, None, b"v", cluster)
        assert ours.partition("cockpit.orders.v1", None, key, None, b"v", cluster) == expected


def test_partitions_that_are_not_numbered_from_zero_are_taken_in_order() -> None:
    cluster = Cluster({"t": {7, 3, 5}})
    ours, default = KeyHashPartitioner(), DefaultPartitioner()
    for i in range(200):
        key = f"customer-{i}".encode()
        assert ours.partition("t", None, key, None, b"v", cluster) == default.partition(
            "t", None, key, None, b"v", cluster
        )


def test_a_keyless_message_goes_to_one_of_the_topics_partitions() -> None:
    cluster = Cluster({"t": {0, 1, 2}})
    assert {KeyHashPartitioner().partition("t", None, None, None, b"v", cluster)} <= {0, 1, 2}


def test_producers_are_made_with_it() -> None:
    config = producer_config("127.0.0.1:9092", "test")
    assert isinstance(config["partitioner"], KeyHashPartitioner)
    assert config["enable_idempotence"] is True and config["acks"] == "all"
