"""JSON through orjson, with the standard library's results where the two differ."""

import json
import math

import pytest

from shared.json_codec import dumps, dumps_text, loads


def test_values_round_trip_as_the_standard_library_reads_them() -> None:
    value = {
        "channels": ["web", "e-mail"],
        "stage_entries": [["awareness", "2026-01-02T03:04:05+00:00"]],
        "name": "Müller",
        "count": 3,
        "share": 0.25,
        "none": None,
        "flag": True,
    }
    assert json.loads(dumps(value)) == value
    assert loads(dumps_text(value)) == value
    assert loads(json.dumps(value)) == value
    assert loads(json.dumps(value).encode()) == value


def test_keys_that_are_not_text_are_written_as_text() -> None:
    assert json.loads(dumps({1: "a"})) == json.loads(json.dumps({1: "a"})) == {"1": "a"}


@pytest.mark.parametrize("number", [2**64 + 1, -(2**63) - 1, 10**25 + 1, 2**63, -(2**63)])
def test_integers_of_any_size_are_written_and_read_exactly(number: int) -> None:
    written = dumps({"n": number})
    assert json.loads(written) == {"n": number}
    read = loads(written)["n"]
    assert isinstance(read, int) and read == number
    assert loads(json.dumps({"n": number}))["n"] == number


def test_long_decimals_read_as_the_standard_library_reads_them() -> None:
    text = '{"x": 0.12345678901234567890123}'
    assert loads(text) == json.loads(text)


def test_floats_that_are_not_finite_are_written_as_null() -> None:
    assert json.loads(dumps({"a": math.nan, "b": math.inf, "c": -math.inf})) == {
        "a": None,
        "b": None,
        "c": None,
    }


def test_what_the_standard_library_reads_is_still_read() -> None:
    assert math.isnan(loads('{"n": NaN}')["n"])


@pytest.mark.parametrize("text", [b'{"a":', b"\xff", b"[1,]", b""])
def test_malformed_text_raises_value_error(text: bytes) -> None:
    with pytest.raises(ValueError):
        loads(text)


def test_what_neither_writes_still_fails() -> None:
    with pytest.raises(TypeError):
        dumps({"when": object()})
