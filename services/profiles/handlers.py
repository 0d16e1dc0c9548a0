"""Profiles' consumers: the inbound topic, handled exactly like POST /v1/events, the
erasure confirmations of the other services on the customers topic, and the parts of the
360° view that segmentation, experience and steering publish."""

import json
import logging

from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy.orm import Session

from services.profiles.gdpr_guard import SUPPRESSED_REASON
from services.profiles.gdpr_records import ErasureCompletions
from services.profiles.ingestion import Ingestion, ValidItem
from services.profiles.parts_writer import PartsWriter
from shared.events import topics
from shared.messaging.consumer import ConsumerLoop
from shared.messaging.dispatch import CloudEventDispatcher
from shared.messaging.handling import Decoded, PoisonMessageError
from shared.runtime import Runtime

log = logging.getLogger(__name__)


class InboundTopicHandler:
    """Source systems that prefer Kafka post the same event documents to the inbound topic."""

    def __init__(self, ingestion: Ingestion) -> None:
        self._ingestion = ingestion

    def decode(self, record: ConsumerRecord) -> Decoded | None:
        try:
            raw = json.loads(record.value or b"")
        except ValueError as error:
            raise PoisonMessageError(f"not JSON: {error}") from None
        checked = self._ingestion.validate(0, raw)
        if not isinstance(checked, ValidItem):
            raise PoisonMessageError(f"rejected: {checked.reason}")
        event = checked.event
        return Decoded(source=event.source, event_id=event.id, event_type=event.type, body=checked)

    def prepare(self, session: Session, messages: list[Decoded]) -> None:
        self._ingestion.prepare(session, [message.body for message in messages])

    def handle(self, session: Session, message: Decoded) -> None:
        [result] = self._ingestion.apply(session, [message.body])
        if result.status == "rejected" and result.reason == SUPPRESSED_REASON:
            # A dead letter would keep the erased customer's data: the event is dropped.
            log.info("inbound event %s/%s dropped: %s", result.source, result.id, result.reason)
        elif result.status == "rejected":
            raise PoisonMessageError(f"rejected: {result.reason}")


PART_TOPICS = (topics.SEGMENTS, topics.JOURNEYS, topics.STEERING)


def parts_dispatcher(runtime: Runtime, writer: PartsWriter) -> CloudEventDispatcher:
    """One dispatcher over the topics of the view's parts; other types there are ignored."""
    return CloudEventDispatcher(
        runtime.registry,
        {
            "segment.assigned": writer.apply_assignment,
            "segmentation.run_completed": writer.apply_run,
            "experience.summary_updated": writer.apply_experience,
            "action.recommended": writer.apply_action,
            "strategy.published": writer.apply_strategy,
        },
    )


def build_consumers(
    runtime: Runtime, ingestion: Ingestion, parts: PartsWriter
) -> list[ConsumerLoop]:
    completions = CloudEventDispatcher(
        runtime.registry, {"erasure.completed": ErasureCompletions().record}
    )
    return [
        runtime.consumer("inbound", [topics.INBOUND.name], InboundTopicHandler(ingestion)),
        runtime.consumer("erasures", [topics.CUSTOMERS.name], completions),
        runtime.consumer(
            "parts", [topic.name for topic in PART_TOPICS], parts_dispatcher(runtime, parts)
        ),
    ]
