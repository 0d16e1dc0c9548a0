"""The committed event catalog in docs/ is what the contracts generate today."""

from pathlib import Path

from shared.events.catalog import REGISTRY
from shared.events.docs import render
from shared.events.inbound import INBOUND_PAYLOADS

DOCS = Path(__file__).resolve().parents[4] / "docs"


def test_committed_event_catalog_matches_the_contracts() -> None:
    stale = [
        path
        for path, text in render(REGISTRY, INBOUND_PAYLOADS).items()
        if not (DOCS / path).exists() or (DOCS / path).read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"run `make docs`: these files are out of date: {stale}"
