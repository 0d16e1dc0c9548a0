"""The unit of work: the one owner of a database transaction."""

import time
from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from shared.db.errors import TemporarilyUnavailableError, is_transient

T = TypeVar("T")


class UnitOfWork:
    """Opens a session and a transaction; commits only when `commit()` is called."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work is not open")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        self._session.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if session.in_transaction():
                session.rollback()
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


def run_in_transaction(
    session_factory: sessionmaker[Session], work: Callable[[Session], T], *, attempts: int = 3
) -> T:
    """Run `work` in a unit of work of its own, again when a concurrent one got in the way.

    A unique race, deadlock or lock timeout is retried up to `attempts` times; when it
    persists the caller gets TemporarilyUnavailableError (an API answers 503 Retry-After).
    """
    for attempt in range(1, attempts + 1):
        try:
            with UnitOfWork(session_factory) as uow:
                result = work(uow.session)
                uow.commit()
            return result
        except DBAPIError as error:
            if not is_transient(error):
                raise
            if attempt == attempts:
                raise TemporarilyUnavailableError("concurrent changes; retry") from error
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")
