"""Value types used by several event contracts."""

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)


def _rfc3339_text(value: Any) -> Any:
    # Lax validation would read a number as Unix seconds; an event time must be written out.
    if not isinstance(value, str | datetime):
        raise ValueError("must be an RFC 3339 date-time text with offset")
    return value


EventTime = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text)]

# One @, no spaces, a dot in the domain: what a CRM export must satisfy. Deliverability is
# not this system's business, and a full RFC 5322 parser costs more than the rest of
# ingesting an event.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not an e-mail address")
    return value


Email = Annotated[str, AfterValidator(_email)]

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CustomerKind = Literal["person", "organization"]
ConsentChannel = Literal["email", "phone", "post", "messaging"]


class Contract(BaseModel):
    """Base of published payloads: consumers ignore fields they do not know."""

    model_config = ConfigDict(extra="ignore")


class StrictInput(BaseModel):
    """Base of inbound payloads: unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CustomerRef(StrictInput):
    """A customer as known to one source system."""

    system: str = Field(min_length=1, max_length=64, description="Source system, e.g. crm.")
    id: str = Field(min_length=1, max_length=200, description="Customer id in that system.")


class Consent(StrictInput):
    status: Literal["granted", "denied", "revoked"] = Field(description="Consent state.")
    date: str | None = Field(default=None, description="Date of the consent decision.")
