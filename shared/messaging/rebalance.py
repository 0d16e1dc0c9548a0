"""Rebalance listener of the consumer loop."""

import contextlib
import logging

from kafka import ConsumerRebalanceListener, TopicPartition

from shared.metrics import ServiceMetrics

log = logging.getLogger(__name__)


class DropLagOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """Offsets are committed after every batch, so a revocation loses nothing; the lag
    gauges of partitions that moved away are dropped so they do not report stale values."""

    def __init__(self, name: str, metrics: ServiceMetrics) -> None:
        self._name = name
        self._metrics = metrics

    def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        for tp in revoked:
            with contextlib.suppress(KeyError):
                self._metrics.consumer_lag.remove(tp.topic, str(tp.partition))
        if revoked:
            log.info("consumer %s gave up %d partitions", self._name, len(revoked))

    def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        log.info("consumer %s assigned %d partitions", self._name, len(assigned))
