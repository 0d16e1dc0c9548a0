"""Generated ids are UUID version 7, unique and ordered by creation time."""

import time
import uuid

from shared.ids import new_id


def test_ids_are_uuid_version_7_with_the_rfc_variant() -> None:
    parsed = uuid.UUID(new_id())

    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122


def test_ids_carry_their_creation_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    parsed = uuid.UUID(new_id())
    after = time.time_ns() // 1_000_000

    assert before <= parsed.int >> 80 <= after


def test_ids_are_unique_and_sort_by_creation_time() -> None:
    earlier = [new_id() for _ in range(10_000)]
    time.sleep(0.002)
    later = new_id()

    assert len(set(earlier)) == len(earlier)
    assert all(later > first for first in earlier)


def test_ids_are_written_as_uuid_writes_them() -> None:
    for _ in range(1_000):
        written = new_id()
        assert str(uuid.UUID(written)) == written
