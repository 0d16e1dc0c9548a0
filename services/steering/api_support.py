"""Running API work in a transaction or a read session, refusals answered as problems."""

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException
from sqlalchemy.orm import Session, sessionmaker

from shared.api.problems import PROBLEM_CONTENT_TYPE, Problem
from shared.approvals import ApprovalRefusedError
from shared.db.uow import run_in_transaction

T = TypeVar("T")
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_CONTENT_TYPE: {}}}
    for status in (401, 403, 404, 409, 422)
}


def write(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction; refusals become problems, races a 503 to retry."""
    try:
        return run_in_transaction(sessions, work, attempts=1)
    except ApprovalRefusedError as refusal:
        raise HTTPException(refusal.status, refusal.detail) from None


def read(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    try:
        with sessions() as session:
            return work(session)
    except ApprovalRefusedError as refusal:
        raise HTTPException(refusal.status, refusal.detail) from None
