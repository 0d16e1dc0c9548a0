"""Parsing the body of POST /v1/events: JSON array or NDJSON, with clear 4xx errors."""

import json

import pytest
from fastapi import HTTPException

from services.profiles.api import parse_events

JSON = "application/json"
NDJSON = "application/x-ndjson"


def _status(body: bytes, content_type: str = JSON, limit: int = 10) -> int:
    with pytest.raises(HTTPException) as raised:
        parse_events(body, content_type, limit)
    return raised.value.status_code


def test_json_array_gives_its_items() -> None:
    assert parse_events(b'[{"id": "a"}, {"id": "b"}]', JSON, 10) == [{"id": "a"}, {"id": "b"}]


@pytest.mark.parametrize("content_type", [NDJSON, "application/jsonl", f"{NDJSON}; charset=utf-8"])
def test_ndjson_gives_one_item_per_non_blank_line(content_type: str) -> None:
    body = b'{"id": "a"}\n\n{"id": "b"}\r\n'

    assert parse_events(body, content_type, 10) == [{"id": "a"}, {"id": "b"}]


@pytest.mark.parametrize("body", [b"[{", b'["\xff"]', b""])
def test_malformed_json_is_400(body: bytes) -> None:
    assert _status(body) == 400


def test_malformed_ndjson_line_is_400() -> None:
    assert _status(b'{"id": "a"}\n{"id": \n', NDJSON) == 400


@pytest.mark.parametrize("body", [b'{"id": "a"}', b'"events"', b"42"])
def test_body_that_is_not_an_array_is_422(body: bytes) -> None:
    assert _status(body) == 422


def test_empty_array_is_422() -> None:
    assert _status(b"[]") == 422


def test_more_events_than_the_limit_is_413() -> None:
    assert _status(json.dumps([{}] * 4).encode(), limit=3) == 413


def test_exactly_the_limit_is_accepted() -> None:
    assert len(parse_events(json.dumps([{}] * 3).encode(), JSON, 3)) == 3


def test_deeply_nested_json_is_400() -> None:
    assert _status(b"[" * 2000) == 400


def test_integer_too_long_to_parse_is_400() -> None:
    assert _status(b"[" + b"1" * 5000 + b"]") == 400


@pytest.mark.parametrize("content_type", [JSON, NDJSON])
def test_integers_beyond_64_bits_stay_exact(content_type: str) -> None:
    body = b'{"id": "a", "attributes": {"erp_no": 18446744073709551617}}'
    if content_type == JSON:
        body = b"[" + body + b"]"

    [item] = parse_events(body, content_type, 10)

    assert item["attributes"]["erp_no"] == 18446744073709551617
