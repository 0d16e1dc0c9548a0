"""Prometheus collectors of a service; one set per service name and process."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


@dataclass(frozen=True)
class ServiceMetrics:
    http_requests: Counter
    http_duration: Histogram
    events_consumed: Counter
    dlq_messages: Counter
    consumer_lag: Gauge
    batch_duration: Histogram
    events_published: Counter
    ingested_events: Counter


@cache
def metrics_for(service: str) -> ServiceMetrics:
    return ServiceMetrics(
        http_requests=Counter(
            f"{service}_http_requests_total",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
        ),
        http_duration=Histogram(
            f"{service}_http_request_duration_seconds",
            "HTTP request duration by method and route template.",
            ["method", "route"],
        ),
        events_consumed=Counter(
            f"{service}_events_consumed_total",
            "Consumed messages by topic and outcome "
            "(processed, duplicate, ignored, dead_lettered).",
            ["topic", "outcome"],
        ),
        dlq_messages=Counter(
            f"{service}_dlq_messages_total", "Messages sent to a dead-letter topic.", ["topic"]
        ),
        consumer_lag=Gauge(
            f"{service}_consumer_lag",
            "Messages not yet consumed, per topic and partition.",
            ["topic", "partition"],
        ),
        batch_duration=Histogram(
            f"{service}_consumer_batch_duration_seconds", "Time to handle one polled batch."
        ),
        events_published=Counter(
            f"{service}_events_published_total", "Outbox messages published.", ["topic"]
        ),
        ingested_events=Counter(
            f"{service}_ingested_events_total",
            "Posted events by type and outcome (accepted, duplicate, rejected).",
            ["type", "outcome"],
        ),
    )


class OutboxCollector(Collector):
    """Reads outbox depth and the age of its oldest pending row at scrape time."""

    def __init__(self, service: str, read: Callable[[], tuple[int, float]]) -> None:
        self._service = service
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            pending, oldest_age = self._read()
        except Exception:  # a scrape must not fail because the database is briefly away
            return
        yield GaugeMetricFamily(
            f"{self._service}_outbox_pending", "Outbox rows not yet published.", value=pending
        )
        yield GaugeMetricFamily(
            f"{self._service}_outbox_oldest_age_seconds",
            "Age of the oldest unpublished outbox row (0 when empty).",
            value=oldest_age,
        )


_registered_outbox_collectors: set[str] = set()


def register_outbox_collector(service: str, read: Callable[[], tuple[int, float]]) -> None:
    if service in _registered_outbox_collectors:
        return
    REGISTRY.register(OutboxCollector(service, read))
    _registered_outbox_collectors.add(service)
