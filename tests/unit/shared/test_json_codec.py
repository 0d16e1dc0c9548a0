"""JSON of database columns: orjson where it can, the standard library where it cannot."""

import json

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


def test_keys_that_are_not_text_are_written_as_text() -> None:
    assert json.loads(dumps({1: "a"})) == json.loads(json.dumps({1: "a"})) == {"1": "a"}


def test_integers_beyond_64_bits_are_written_by_the_standard_library() -> None:
    big = 2**70
    assert json.loads(dumps({"n": big})) == {"n": big}


def test_what_the_standard_library_wrote_is_read_back() -> None:
    assert loads(json.dumps({"n": 2**70})) == {"n": 2**70}
    assert loads('{"n": NaN}')["n"] != loads('{"n": NaN}')["n"]  # NaN, as json.loads reads it


def test_what_neither_writes_still_fails() -> None:
    with pytest.raises(TypeError):
        dumps({"when": object()})
