"""Value types used by several event contracts."""

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
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


NUL_CHECKED = "nul_checked"
"""Validation context key: true when the caller has made sure, with `contains_nul`, that the
raw input holds no NUL character, so the per-field checks can be skipped."""


def contains_nul(value: Any) -> bool:
    """Whether any text in `value` (keys included, at any depth) holds a NUL character."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


class StrictInput(BaseModel):
    """Base of inbound payloads: unknown fields, NaN and NUL characters are rejected."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    unchecked_for_nul: ClassVar[frozenset[str]] = frozenset()
    """Fields whose content another model validates (and checks for NUL) afterwards."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any, info: ValidationInfo) -> Any:
        # Databases refuse NUL in text; refused here it is a clear rejection, not a 500.
        context = info.context
        if context is not None and context.get(NUL_CHECKED):
            return value
        if info.field_name in cls.unchecked_for_nul:
            return value
        if contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


class CustomerRef(StrictInput):
    """A customer as known to one source system."""

    system: str = Field(min_length=1, max_length=64, description="Source system, e.g. crm.")
    id: str = Field(min_length=1, max_length=200, description="Customer id in that system.")


class Consent(StrictInput):
    status: Literal["granted", "denied", "revoked"] = Field(description="Consent state.")
    date: str | None = Field(default=None, description="Date of the consent decision.")


def field_value(payload: Any, name: str) -> Any:
    """The value of a payload's field `name`; None when its model has no such field.

    `getattr(payload, name, None)` costs a raised and caught AttributeError (with its
    message built by the model) for every payload without the field: per consumed event,
    that added up.
    """
    return getattr(payload, "__dict__", {}).get(name)
