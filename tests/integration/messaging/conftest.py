"""Fixtures of the messaging backbone tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.broker import EmbeddedBroker, free_port


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A broker of the test's own on a fixed port, which the test may stop and restart."""
    broker = EmbeddedBroker(port=free_port(), log_file=tmp_path / "tansu.log")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
