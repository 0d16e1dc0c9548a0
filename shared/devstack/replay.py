"""Bringing a fresh in-memory broker up to date with databases kept from an earlier run.

The embedded broker forgets everything when it stops, the SQLite files do not. Events that
were published but not yet consumed would be lost to the downstream services, so each
service's retained outbox is published again; consumers recognise what they already have
by their inbox and apply only what is new.
"""

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from shared.db.engine import make_engine
from shared.devstack.config import ServicePlan


def republish_retained_outboxes(plans: list[ServicePlan]) -> int:
    """Mark retained outbox rows of existing SQLite databases unsent; return how many."""
    total = 0
    for plan in plans:
        url = make_url(plan.database_url)
        if url.get_backend_name() != "sqlite" or not url.database:
            continue
        if not Path(url.database).exists():
            continue
        engine = make_engine(plan.database_url)
        try:
            with engine.begin() as connection:
                if inspect(connection).has_table("outbox"):
                    result = connection.execute(
                        text("UPDATE outbox SET sent_at = NULL WHERE sent_at IS NOT NULL")
                    )
                    total += result.rowcount
        finally:
            engine.dispose()
    return total
