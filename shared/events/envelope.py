"""CloudEvents 1.0 envelope (JSON format), as every service publishes and consumes it."""

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.common import EventTime
from shared.ids import new_id


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event; `source` + `id` identify it, `subject` is the customer id."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    specversion: Literal["1.0"] = Field(default="1.0", description="CloudEvents version.")
    id: str = Field(min_length=1, max_length=200, description="Unique per source.")
    source: str = Field(
        min_length=1, max_length=200, description="Producer of the event, e.g. /profiles."
    )
    type: str = Field(min_length=1, description="Event type, e.g. customer.registered.")
    subject: str | None = Field(default=None, description="Customer id the event is about.")
    time: EventTime = Field(description="When it happened, RFC 3339 with offset.")
    datacontenttype: Literal["application/json"] = Field(default="application/json")
    dataschema: str | None = Field(default=None, description="URI of the payload schema.")
    dataversion: int = Field(
        default=1, ge=1, description="Version of the payload model (extension attribute)."
    )
    correlationid: str | None = Field(
        default=None, description="Id of the event or request that caused this one."
    )
    data: dict[str, Any] = Field(description="The payload, validated by the type's model.")

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


def new_event(
    *,
    source: str,
    type: str,
    subject: str | None,
    data: BaseModel,
    version: int = 1,
    time: datetime | None = None,
    correlation_id: str | None = None,
) -> CloudEvent:
    when = time or datetime.now(UTC)
    if when.tzinfo is None:
        raise ValueError("event time must be timezone-aware")
    # Validating the envelope (its own fields, and `data` only as a mapping) costs less than
    # pydantic's unvalidated `model_construct`, which sets the fields one by one in Python.
    return CloudEvent.model_validate(
        {
            "id": new_id(),
            "source": source,
            "type": type,
            "subject": subject,
            "time": when,
            "dataversion": version,
            "dataschema": f"urn:kundencockpit:schema:{type}:v{version}",
            "correlationid": correlation_id,
            "data": data.model_dump(mode="json"),
        }
    )
