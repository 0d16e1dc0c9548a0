"""`python -m shared.demo`: load the demo company through the public APIs, then segment it.

The reps, the sales strategy and the incentive plan go to steering first (approved by every
department). Events go through profiles' ingestion API like any CRM's: a first wave of
customers (their history, a segmentation run, their last two quarters, another run), so that
the cockpit fills early, then the others and a last run; each run starts once segmentation
has consumed what was posted, and its result is summarised. A marker in the var folder keeps
a second `make run` from loading the same company again.
"""

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from shared.demo.company import DemoCompany
from shared.demo.strategy import (
    DocumentRefusedError,
    history_figures,
    incentive_plan,
    put_in_force,
    strategy_document,
)
from shared.ingest_client import EventPoster, IngestAbortedError, ProgressLine

BATCH = 1000
FIRST_WAVE = 0.2
LAG = re.compile(r"^segmentation_consumer_lag\{[^}]*\} ([0-9.e+]+)$", re.MULTILINE)


def _say(message: str) -> None:
    print(message, flush=True)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m shared.demo",
        description="Load a seeded demo distributor (customers, three years of orders, "
        "returns and contacts) through profiles' API and segment it.",
    )
    parser.add_argument("--customers", type=int, default=20_000, help="default 20000")
    parser.add_argument("--seed", type=int, default=42, help="same seed, same company")
    parser.add_argument("--devstack", type=Path, help="var/devstack.json of `make run`")
    parser.add_argument("--profiles-url", default="http://127.0.0.1:8001")
    parser.add_argument("--segmentation-url", default="http://127.0.0.1:8002")
    parser.add_argument("--steering-url", default="http://127.0.0.1:8004")
    parser.add_argument("--integration-key", default=os.environ.get("COCKPIT_API_KEY"))
    parser.add_argument("--sales-key", default=os.environ.get("COCKPIT_SALES_KEY"))
    parser.add_argument(
        "--first-wave",
        type=float,
        default=FIRST_WAVE,
        help="share of the customers loaded and segmented first, so that the cockpit fills "
        f"while the others load (default {FIRST_WAVE}; 1 loads all at once)",
    )
    parser.add_argument("--force", action="store_true", help="load even if loaded before")
    return parser.parse_args(argv)


def _from_devstack(args: argparse.Namespace) -> None:
    if args.devstack is None:
        return
    state = json.loads(args.devstack.read_text())
    services, keys = state["services"], state["api_keys"]
    args.profiles_url = services["profiles"]["url"]
    args.segmentation_url = services["segmentation"]["url"]
    args.steering_url = services.get("steering", {}).get("url", args.steering_url)
    args.department_keys = keys
    args.integration_key = args.integration_key or keys["integration"]
    args.sales_key = args.sales_key or keys["sales"]


def load(
    args: argparse.Namespace, events: list[dict[str, Any]], name: str = "demo events"
) -> dict[str, int]:
    """Post `events`; how many were accepted, duplicates or rejected."""
    counters = {"accepted": 0, "duplicates": 0, "rejected": 0}
    progress = ProgressLine(name, len(events), "events")
    headers = {"Authorization": f"Bearer {args.integration_key}"}
    with httpx.Client(base_url=args.profiles_url, headers=headers, timeout=120) as client:
        poster = EventPoster(client)
        for start in range(0, len(events), BATCH):
            for outcome in poster.post(events[start : start + BATCH]):
                status = outcome.get("status", "rejected")
                key = {"accepted": "accepted", "duplicate": "duplicates"}.get(status, "rejected")
                counters[key] += 1
            progress.update(min(start + BATCH, len(events)), counters)
    progress.finish(counters)
    return counters


def steer(args: argparse.Namespace, company: DemoCompany, events: list[dict[str, Any]]) -> None:
    """Register the reps and put the sales strategy and incentive plan in force, approved by
    every department, unless versions are in force already."""
    keys: dict[str, str] = getattr(args, "department_keys", {})
    if "sales" not in keys:
        _say("demo strategy: no department keys (give --devstack); steering left as it is")
        return
    revenue, new = history_figures(events, company.now)
    headers = {"Authorization": f"Bearer {keys['sales']}"}
    with httpx.Client(base_url=args.steering_url, timeout=60) as client:
        for rep in company.reps:
            body = {"rep_id": rep.rep_id, "name": rep.name, "team": rep.team, "region": rep.region}
            client.post("/v1/reps", json=body, headers=headers).raise_for_status()
        strategy = put_in_force(client, keys, "/v1/strategy", strategy_document(revenue, new))
        _say(f"demo strategy: {strategy}; monthly revenue target {revenue * Decimal('1.05'):,.2f}")
        plan = put_in_force(
            client, keys, "/v1/incentive-plans/demo-bonus", incentive_plan(company.reps, revenue)
        )
        _say(f"demo incentive plan: {plan}; {len(company.reps)} reps registered")


def wait_for_segmentation(client: httpx.Client, timeout: float = 900) -> None:
    """Until segmentation's consumer has no lag left (twice in a row)."""
    deadline = time.monotonic() + timeout
    calm = 0
    while time.monotonic() < deadline and calm < 2:
        lags = [float(v) for v in LAG.findall(client.get("/metrics").text)]
        lag = int(sum(lags))
        calm = calm + 1 if lags and lag == 0 else 0
        sys.stderr.write(f"\rsegmentation consuming: {lag:,} events behind   ")
        sys.stderr.flush()
        time.sleep(1.0)
    sys.stderr.write("\n")


def segment(args: argparse.Namespace) -> dict[str, Any] | None:
    headers = {"Authorization": f"Bearer {args.sales_key}"}
    with httpx.Client(base_url=args.segmentation_url, headers=headers, timeout=60) as client:
        wait_for_segmentation(client)
        started = client.post("/v1/runs", json={})
        if started.status_code == 409:
            _say("segmentation: a run is already under way; it will include the demo")
            return None
        started.raise_for_status()
        run_id = started.json()["run_id"]
        while True:
            run: dict[str, Any] = client.get(f"/v1/runs/{run_id}").json()
            progress = run["progress"]
            sys.stderr.write(f"\rsegmentation run: {progress['phase']} {progress['percent']}%   ")
            sys.stderr.flush()
            if run["status"] in ("completed", "failed"):
                sys.stderr.write("\n")
                return run
            time.sleep(1.0)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    _from_devstack(args)
    if not args.integration_key or not args.sales_key:
        _say("demo: give --devstack or the integration and sales keys")
        return 2
    var = Path(os.environ.get("COCKPIT_VAR_DIR", "var"))
    marker = (args.devstack.parent if args.devstack else var) / "demo.json"
    wanted = {"customers": args.customers, "seed": args.seed}
    if (
        marker.exists()
        and not args.force
        and json.loads(marker.read_text()).get("loaded") == wanted
    ):
        _say(f"demo data: already loaded ({marker}); --force loads it again")
        return 0
    if not 0 < args.first_wave <= 1:
        _say("demo: --first-wave is a share of the customers, more than 0 and at most 1")
        return 2
    company = DemoCompany(args.customers, args.seed)
    first, rest = company.waves(args.first_wave)
    total = len(first) + len(rest)
    _say(f"demo data: {args.customers:,} customers, {total:,} events over three years")
    try:
        steer(args, company, first + rest)
    except (httpx.HTTPError, DocumentRefusedError) as error:
        _say(f"demo strategy: not put in force: {error}")
    counters = {"accepted": 0, "duplicates": 0, "rejected": 0}

    def post(events: list[dict[str, Any]], name: str) -> None:
        for key, count in load(args, events, name).items():
            counters[key] += count

    older, recent = split_at(first, recent_from(company.now))
    who = "first customers, " if rest else ""
    try:
        if rest:
            share = round(args.customers * args.first_wave)
            _say(
                f"demo data: the first {share:,} customers first, segmented as soon as they are in"
            )
        post(older, f"demo events, {who}history")
        # Segments from the history first: steering counts the recent events under them.
        _report(segment(args))
        post(recent, f"demo events, {who}last two quarters")
        if rest:
            if _report(segment(args)):
                _say("demo data: the cockpit shows them now; the other customers follow")
            post(rest, "demo events, other customers")
    except IngestAbortedError as error:
        _say(f"demo data: loading stopped: {error}")
        return 1
    marker.write_text(json.dumps({"loaded": wanted, "counters": counters}, indent=2))
    _report(segment(args))
    return 0


def recent_from(now: datetime) -> datetime:
    """The start of the quarter before the running one (UTC)."""
    index = now.year * 12 + (now.month - 1) // 3 * 3 - 3
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def split_at(
    events: list[dict[str, Any]], moment: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The events before `moment` and those from it on, each in the order given."""
    older = [e for e in events if datetime.fromisoformat(e["time"]) < moment]
    recent = [e for e in events if datetime.fromisoformat(e["time"]) >= moment]
    return older, recent


def _report(run: dict[str, Any] | None) -> bool:
    """Say how a segmentation run ended; True when it completed."""
    if run is not None and run["status"] == "completed":
        segments = run["summary"]["segments"]
        sizes = ", ".join(f"{name} {group['customers']:,}" for name, group in segments.items())
        _say(f"segmentation: {run['summary']['customers']:,} customers assigned ({sizes})")
        return True
    if run is not None:
        _say(f"segmentation run failed: {run['error']}")
    return False


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        _say("\ndemo data: interrupted; loading it again skips what went in")
        raise SystemExit(130) from None
