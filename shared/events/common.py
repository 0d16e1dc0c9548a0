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
    field_validator,
)


def _rfc3339_text(value: Any) -> Any:
    # Lax validation would read a number as Unix seconds; an event time must be written out.
    if not isinstance(value, str | datetime):
        raise ValueError("must be an RFC 3339 date-time text with offset")
    return value


def _plausible_year(value: datetime) -> datetime:
    # Bounded so that every time converts to UTC and sorts sensibly (no year 9999).
    if not 1900 <= value.year <= 2200:
        raise ValueError("year must be between 1900 and 2200")
    return value


EventTime = Annotated[
    AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_plausible_year)
]

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


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(v) for v in value)
    return False


class StrictInput(BaseModel):
    """Base of inbound payloads: unknown fields, NaN and NUL characters are rejected."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # Databases refuse NUL in text; refused here it is a clear rejection, not a 500.
        if _contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


class CustomerRef(StrictInput):
    """A customer as known to one source system."""

    system: str = Field(min_length=1, max_length=64, description="Source system, e.g. crm.")
    id: str = Field(min_length=1, max_length=200, description="Customer id in that system.")


class Consent(StrictInput):
    status: Literal["granted", "denied", "revoked"] = Field(description="Consent state.")
    date: str | None = Field(default=None, description="Date of the consent decision.")
