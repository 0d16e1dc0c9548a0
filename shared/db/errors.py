"""Telling transient database failures (retry later) from real errors."""

from sqlalchemy.exc import DBAPIError, IntegrityError

# SQLSTATE classes: 40001 serialization failure, 40P01 deadlock, 55P03 lock not available.
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


class TemporarilyUnavailableError(RuntimeError):
    """The database could not complete the work now; the caller should retry shortly."""

    def __init__(self, message: str, retry_after_seconds: int = 1) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


def is_transient(error: BaseException) -> bool:
    """A concurrent transaction got in the way (unique race, deadlock, lock timeout)."""
    if isinstance(error, IntegrityError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(error.orig)


def is_conflict(error: BaseException) -> bool:
    """Another transaction got in the way (deadlock, serialization failure, lock timeout):
    the same work, tried again at once, usually succeeds."""
    if not isinstance(error, DBAPIError) or error.connection_invalidated:
        return False
    if getattr(error.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(error.orig)
