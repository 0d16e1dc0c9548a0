"""inbox keyed by event id first

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 22:20:00.000000
"""

from collections.abc import Sequence

from shared.messaging.tables import rekey_inbox

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    rekey_inbox(("event_id", "consumer", "source"))


def downgrade() -> None:
    rekey_inbox(("consumer", "source", "event_id"))
