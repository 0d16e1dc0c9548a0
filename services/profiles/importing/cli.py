"""`python -m services.profiles import`: load CRM and shop history from files."""

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from services.profiles.importing.files import cdnow_events, count_rows, read_rows
from services.profiles.importing.mapping import EVENT_TYPES, load_mapping
from services.profiles.importing.records import RowReader, convert
from services.profiles.importing.runner import (
    Checkpoint,
    FileResult,
    import_events,
    write_report,
)
from shared.ingest_client import EventPoster, IngestAbortedError, ProgressLine

EXAMPLES = """examples:
  python -m services.profiles import --kind customers customers.csv
  python -m services.profiles import --kind orders --mapping shop-orders.yaml orders.csv
  python -m services.profiles import --format cdnow CDNOW_sample.txt
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.profiles import",
        description="Import customers, orders (one row per line), returns, touchpoints or "
        "visitor identifications from CSV or JSON Lines files, or CDNOW transactions, "
        "through profiles' ingestion API. Historical times are kept; rows already imported "
        "are skipped; an interrupted import resumes where it stopped.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", type=Path, help="files to import, in order")
    parser.add_argument("--kind", choices=sorted(EVENT_TYPES), help="what the files hold")
    parser.add_argument("--format", choices=("csv", "jsonl", "cdnow"), help="default: csv")
    parser.add_argument("--mapping", type=Path, help="column mapping (YAML or JSON)")
    parser.add_argument("--source", help="sending system the events come from")
    parser.add_argument(
        "--url",
        default=os.environ.get(
            "COCKPIT_PROFILES_URL", f"http://127.0.0.1:{os.environ.get('PROFILES_PORT', '8001')}"
        ),
        help="profiles' base URL (default: $COCKPIT_PROFILES_URL or the local one)",
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("COCKPIT_API_KEY"),
        help="key with events:write (default: $COCKPIT_API_KEY, else the dev stack's)",
    )
    parser.add_argument("--batch", type=int, default=500, help="events per request")
    parser.add_argument(
        "--report", type=Path, default=Path("import-rejected.csv"), help="rejected rows"
    )
    parser.add_argument(
        "--state-dir", type=Path, default=Path(".import-state"), help="resumption state"
    )
    parser.add_argument("--restart", action="store_true", help="ignore saved progress")
    return parser


def _dev_key() -> str | None:
    state = Path(os.environ.get("COCKPIT_VAR_DIR", "var")) / "devstack.json"
    if not state.exists():
        return None
    keys = json.loads(state.read_text()).get("api_keys", {})
    key = keys.get("integration")
    return str(key) if key else None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    key = args.api_key or _dev_key()
    if key is None:
        print("no API key: give --api-key or set COCKPIT_API_KEY", file=sys.stderr)
        return 2
    if args.format != "cdnow" and args.kind is None and args.mapping is None:
        print("--kind (or a mapping naming it) is required for csv and jsonl", file=sys.stderr)
        return 2
    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        print(f"no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    results: list[FileResult] = []
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=args.url, headers=headers, timeout=120) as client:
        poster = EventPoster(client)
        for path in args.files:
            checkpoint = Checkpoint(args.state_dir, path)
            if args.restart:
                checkpoint.finish()
            if args.format == "cdnow":
                events = cdnow_events(path, args.source or "cdnow")
            else:
                overrides = {"format": args.format, "source": args.source}
                try:
                    mapping = load_mapping(args.mapping, args.kind or "customers", **overrides)
                except (ValueError, OSError) as error:
                    print(f"mapping: {error}", file=sys.stderr)
                    return 2
                events = convert(RowReader(mapping), read_rows(path, mapping))
            try:
                results.append(
                    import_events(
                        path.name,
                        events,
                        poster=poster,
                        checkpoint=checkpoint,
                        progress=ProgressLine(path.name, count_rows(path), "lines"),
                        batch_size=args.batch,
                    )
                )
            except IngestAbortedError as error:
                print(f"\nimport of {path} stopped: {error}", file=sys.stderr)
                return 1
    rejected = write_report(args.report, results)
    for result in results:
        print(
            f"{result.file}: {result.events:,} events posted, {result.accepted:,} accepted, "
            f"{result.duplicates:,} already there, {len(result.rejected):,} rejected, "
            f"{result.skipped_lines:,} lines skipped as done before"
        )
    if rejected:
        print(f"rejected rows with their reasons: {args.report}")
    return 0
