"""`python -m shared.consistency`: do the four services agree on every customer's orders?"""

import argparse
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import httpx

from shared.consistency.compare import Totals, differences

SERVICES = ("profiles", "segmentation", "experience", "steering")


def fetch(client: httpx.Client) -> tuple[str, Totals]:
    """Every page of one service's totals."""
    totals: dict[str, tuple[int, Decimal | None]] = {}
    after, service = "", ""
    while True:
        response = client.get("/v1/consistency/customers", params={"after": after})
        response.raise_for_status()
        page = response.json()
        service = page["service"]
        for row in page["customers"]:
            revenue = None if row["revenue"] is None else Decimal(str(row["revenue"]))
            totals[row["customer_id"]] = (int(row["orders"]), revenue)
        if page["next_after"] is None:
            return service, totals
        after = page["next_after"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.consistency",
        description="Compare orders and revenue per customer across the services; exit 1 "
        "and list the customers they disagree on.",
    )
    parser.add_argument("--devstack", type=Path, default=Path("var/devstack.json"))
    parser.add_argument("--key", help="a key with financials:read (default: the dev admin key)")
    args = parser.parse_args(argv)
    state = json.loads(args.devstack.read_text())
    key = args.key or state["api_keys"]["admin"]
    by_service = {}
    for name in SERVICES:
        url = state["services"][name]["url"]
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
            service, totals = fetch(client)
        by_service[service] = totals
    found = differences(by_service)
    customers = len({cid for totals in by_service.values() for cid in totals})
    for difference in found[:100]:
        print(difference)
    print(f"{customers:,} customers compared across {len(by_service)} services: ", end="")
    print(f"{len(found):,} differ" if found else "all agree")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
