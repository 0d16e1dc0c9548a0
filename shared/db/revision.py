"""Developer tool: `python -m shared.db.revision SERVICE "message"` autogenerates a migration.

It compares the service's models with a scratch SQLite database at head, so the new revision
holds exactly the model changes since the last one.
"""

import argparse
import importlib
import tempfile
from pathlib import Path

from alembic import command

from shared.db.migrations import alembic_config, upgrade_to_head


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.db.revision")
    parser.add_argument("service", choices=["profiles", "segmentation", "experience", "steering"])
    parser.add_argument("message")
    parser.add_argument("--rev-id", default=None, help="revision id, e.g. 0002")
    args = parser.parse_args()
    bootstrap = importlib.import_module(f"services.{args.service}.bootstrap")
    migrations: Path = bootstrap.MIGRATIONS
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/scratch.db"
        upgrade_to_head(args.service, migrations, url)
        command.revision(
            alembic_config(args.service, migrations, url),
            message=args.message,
            autogenerate=True,
            rev_id=args.rev_id,
        )


if __name__ == "__main__":
    main()
