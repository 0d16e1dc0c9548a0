"""Database plumbing: engines, metadata conventions, the unit of work, migrations."""

from shared.db.engine import make_engine, make_session_factory
from shared.db.metadata import NAMING_CONVENTION, new_metadata
from shared.db.uow import UnitOfWork

__all__ = ["NAMING_CONVENTION", "UnitOfWork", "make_engine", "make_session_factory", "new_metadata"]
