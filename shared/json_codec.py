"""JSON written and read through orjson: database columns, posted batches, their answers.

Consumers write and read JSON columns with nearly every row (a journey's stages and
channels, each outbox row's headers), and an ingestion request parses a thousand events and
answers with a thousand outcomes; the standard library's encoder and decoder took about a
twentieth of that time.

Where the two differ, the standard library's result is kept, except for floats that are not
finite: orjson writes NaN and the infinities as null, since JSON has no such numbers (the
standard library wrote the token NaN, which PostgreSQL's json type refuses anyway).
"""

import json
from typing import Any

import orjson

# orjson reads integers beyond 64 bits as floats, losing digits. Text with a run of 19
# digits or more may hold one and is read by the standard library, which keeps them exact;
# the runs are found by turning every digit into NUL (which JSON text cannot hold as such).
_DIGITS_TO_NUL = bytes.maketrans(b"0123456789", bytes(10))
_LONG_RUN = bytes(19)


def dumps(value: Any) -> bytes:
    """`value` as JSON (UTF-8, compact); what orjson does not take (integers beyond 64 bits,
    numpy scalars) the standard library writes, or raises TypeError for."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(value).encode()


def dumps_text(value: Any) -> str:
    """`dumps` as text."""
    return dumps(value).decode()


def loads(text: str | bytes) -> Any:
    """The value of JSON text; ValueError for malformed text, as json.loads raises it."""
    data = text.encode() if isinstance(text, str) else text
    if data.translate(_DIGITS_TO_NUL).find(_LONG_RUN) < 0:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # read again below: the standard library reads NaN, and words its errors
    return json.loads(text)
