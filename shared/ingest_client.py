"""A client of profiles' `POST /v1/events` for loaders: batches, retries, a progress line."""

import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

import httpx

RETRIES = 6


class IngestAbortedError(RuntimeError):
    """Profiles refused the load itself (e.g. a wrong key) or stayed away; stop posting."""


class EventPoster:
    """Posts batches to `POST /v1/events`, retrying while profiles is busy or away."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def post(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One outcome per event (`status` accepted, duplicate or rejected with `reason`)."""
        delay = 0.5
        for attempt in range(RETRIES):
            try:
                response = self._client.post("/v1/events", json=events)
            except httpx.TransportError:
                if attempt == RETRIES - 1:
                    raise IngestAbortedError("profiles cannot be reached") from None
            else:
                if response.status_code in (200, 422) and "results" in response.text:
                    results: list[dict[str, Any]] = response.json()["results"]
                    return results
                if response.status_code not in (429, 502, 503, 504):
                    raise IngestAbortedError(
                        f"profiles answered {response.status_code}: {response.text[:300]}"
                    )
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
        raise IngestAbortedError("profiles stayed unavailable")


class ProgressLine:
    """One status line on stderr: done of total, a bar, rate, time to go and counters."""

    def __init__(self, name: str, total: int, unit: str, stream: TextIO = sys.stderr) -> None:
        self._name, self._total, self._unit, self._stream = name, max(total, 1), unit, stream
        self._started = time.monotonic()
        self._shown = 0.0

    def update(self, done: int, counters: Mapping[str, int], *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self._shown < 0.5:
            return
        self._shown = now
        rate = done / max(now - self._started, 1e-6)
        left = max(self._total - done, 0) / rate if rate > 0 else 0.0
        bar = "#" * int(min(done / self._total, 1.0) * 30)
        counts = " ".join(f"{name} {value:,}" for name, value in counters.items())
        self._stream.write(
            f"\r{self._name} [{bar:<30}] {done:,}/{self._total:,} {self._unit} "
            f"{rate:,.0f}/s ETA {int(left) // 60}:{int(left) % 60:02d} {counts}"
        )
        if final:
            self._stream.write("\n")
        self._stream.flush()

    def finish(self, counters: Mapping[str, int]) -> None:
        self.update(self._total, counters, final=True)
