"""Key file administration: `python -m shared.api.keys init --file PATH`."""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from shared.api.auth import dev_key_specs, write_key_file


def init_keys(path: Path, *, force: bool = False) -> dict[str, str] | None:
    """Create keys for admin, each department and integration unless the file exists."""
    if path.exists() and not force:
        return None
    return write_key_file(path, dev_key_specs())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.api.keys")
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create a key file with fresh keys, print them once")
    init.add_argument("--file", type=Path, required=True)
    init.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    created = init_keys(args.file, force=args.force)
    if created is None:
        print(f"{args.file} exists; keys unchanged (use --force to replace)", file=sys.stderr)
        return 0
    print(json.dumps(created, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
