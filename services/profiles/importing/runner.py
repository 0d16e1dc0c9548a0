"""Posting converted events to profiles in batches, with progress, a report and resumption.

After every acknowledged batch the last file line it covered is saved; an interrupted import
started again skips to there. Events carry content-derived ids, so whatever is posted twice
(the batch in flight when the import stopped) is a duplicate with no second effect.
"""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from services.profiles.importing.records import Converted
from shared.ingest_client import EventPoster, ProgressLine


@dataclass
class FileResult:
    file: str
    events: int = 0
    accepted: int = 0
    duplicates: int = 0
    skipped_lines: int = 0
    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    """(file, lines, reason) of every row that was not imported."""

    def counters(self) -> dict[str, int]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
        }


class Checkpoint:
    """The last line of a file whose events profiles has acknowledged."""

    def __init__(self, folder: Path, source: Path) -> None:
        stat = source.stat()
        self._path = folder / f"{source.name}.import-state.json"
        self._identity = {
            "file": str(source.resolve()),
            "size": stat.st_size,
            "mtime": stat.st_mtime,
        }
        folder.mkdir(parents=True, exist_ok=True)

    def resume_after(self) -> int:
        if not self._path.exists():
            return 0
        state = json.loads(self._path.read_text())
        return int(state["line"]) if state.get("identity") == self._identity else 0

    def save(self, line: int) -> None:
        partial = self._path.with_suffix(".tmp")
        partial.write_text(json.dumps({"identity": self._identity, "line": line}))
        partial.replace(self._path)

    def finish(self) -> None:
        self._path.unlink(missing_ok=True)


def _batches(events: Iterator[Converted], size: int) -> Iterator[list[Converted]]:
    batch: list[Converted] = []
    for item in events:
        batch.append(item)
        if sum(1 for b in batch if b.event is not None) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_events(
    name: str,
    events: Iterator[Converted],
    *,
    poster: EventPoster,
    checkpoint: Checkpoint,
    progress: ProgressLine,
    batch_size: int,
) -> FileResult:
    """Post `events` after the checkpoint's line; every row ends accepted, duplicate or rejected."""
    result = FileResult(name)
    resume = checkpoint.resume_after()
    for batch in _batches(events, batch_size):
        pending = [item for item in batch if max(item.lines) > resume]
        result.skipped_lines += sum(len(item.lines) for item in batch if max(item.lines) <= resume)
        valid = [item for item in pending if item.event is not None]
        for item in pending:
            if item.event is None:
                result.rejected.append((name, _lines(item), item.reason or "invalid"))
        if valid:
            outcomes = poster.post([item.event for item in valid if item.event is not None])
            for item, outcome in zip(valid, outcomes, strict=True):
                status = outcome.get("status")
                if status == "accepted":
                    result.accepted += 1
                elif status == "duplicate":
                    result.duplicates += 1
                else:
                    reason = outcome.get("reason") or "rejected by profiles"
                    result.rejected.append((name, _lines(item), str(reason)))
        result.events += len(valid)
        last_line = max(max(item.lines) for item in batch)
        checkpoint.save(last_line)
        progress.update(last_line, result.counters())
    checkpoint.finish()
    progress.finish(result.counters())
    return result


def _lines(item: Converted) -> str:
    first, last = min(item.lines), max(item.lines)
    return str(first) if first == last else f"{first}-{last}"


def write_report(path: Path, results: list[FileResult]) -> int:
    """Write every rejected row (file, line, reason) as CSV; the number of rows written."""
    rows = [row for result in results for row in result.rejected]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "reason"])
        writer.writerows(rows)
    return len(rows)
