"""JSON written and read through orjson: database columns, posted batches, their answers.

Consumers write and read JSON columns with nearly every row (a journey's stages and
channels, each outbox row's headers), and an ingestion request parses a thousand events and
answers with a thousand outcomes; the standard library's encoder and decoder took about a
twentieth of that time. What orjson does not take, the standard library still may.
"""

import json
from typing import Any

import orjson
from psycopg.types.json import set_json_dumps, set_json_loads


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        # Integers beyond 64 bits, for one; what neither takes raises TypeError as before.
        return json.dumps(value).encode()


def dumps_text(value: Any) -> str:
    return dumps(value).decode()


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # Text the standard library wrote that orjson does not read back (NaN, huge numbers).
        return json.loads(text)


def install_driver_codec() -> None:
    """psycopg's JSON dumping (Json values, COPY) and loading of json/jsonb results."""
    set_json_dumps(dumps)
    set_json_loads(loads)
