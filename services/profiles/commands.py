"""Running an API command in one transaction, with refusals and races answered clearly."""

from collections.abc import Callable
from typing import TypeVar

from fastapi import HTTPException
from sqlalchemy.orm import Session

from shared.db.uow import run_in_transaction
from shared.runtime import Runtime

T = TypeVar("T")


class RefusedError(Exception):
    """The command cannot be done as asked; `status` is the HTTP answer."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def run_command(runtime: Runtime, work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction; refusals become problems, races a 503 to retry."""
    try:
        return run_in_transaction(runtime.session_factory, work, attempts=1)
    except RefusedError as refusal:
        raise HTTPException(refusal.status, refusal.detail) from None
