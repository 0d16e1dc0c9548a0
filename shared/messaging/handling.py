"""What a consumer loop needs from a service: decode, prepare a batch, handle a message."""

from dataclasses import dataclass
from typing import Any, Protocol

from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy.orm import Session


class PoisonMessageError(ValueError):
    """The message can never be handled: undecodable, unknown type or invalid payload."""


@dataclass(frozen=True)
class Decoded:
    source: str
    event_id: str
    event_type: str
    body: Any


class MessageHandler(Protocol):
    def decode(self, record: ConsumerRecord) -> Decoded | None:
        """Parse a record; None means not for this consumer; raise PoisonMessageError."""

    def prepare(self, session: Session, messages: list[Decoded]) -> None:
        """Load in one go what handling `messages` will need (called once per batch)."""

    def handle(self, session: Session, message: Decoded) -> None:
        """Apply the message's effect in `session` (the caller owns the transaction)."""
