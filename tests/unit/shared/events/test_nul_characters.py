"""Text with NUL characters is refused, however deep it sits in an inbound payload."""

import pytest
from pydantic import ValidationError

from shared.events.common import NUL_CHECKED, contains_nul
from shared.events.inbound import CustomerUpserted

CUSTOMER = {"customer": {"system": "crm", "id": "K-1"}, "kind": "person", "name": "Ada"}


@pytest.mark.parametrize(
    "value",
    [
        "a\x00b",
        {"key": "a\x00"},
        {"a\x00": "key"},
        ["ok", ["deeper", {"deepest": ("x", "\x00")}]],
    ],
)
def test_nul_anywhere_is_found(value: object) -> None:
    assert contains_nul(value)


@pytest.mark.parametrize(
    "value", ["plain", {"key": ["list", 1, 2.5, None, True]}, [], {}, 0, None, ("a", "b")]
)
def test_text_without_nul_passes(value: object) -> None:
    assert not contains_nul(value)


def test_a_nul_in_a_nested_field_is_rejected_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        CustomerUpserted.model_validate({**CUSTOMER, "attributes": {"note": "x\x00"}})

    [error] = caught.value.errors()
    assert error["loc"] == ("attributes",)
    assert "must not contain NUL" in error["msg"]


def test_a_caller_that_checked_the_raw_input_skips_the_field_checks() -> None:
    checked = {**CUSTOMER, "name": "Ada Lovelace"}
    assert not contains_nul(checked)

    validated = CustomerUpserted.model_validate(checked, context={NUL_CHECKED: True})

    assert validated.name == "Ada Lovelace"
