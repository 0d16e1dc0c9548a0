"""Readiness: database reachable, migrations at head, broker reachable."""

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy import Engine, text

from shared.db.migrations import current_revision, head_revision
from shared.messaging.kafka import broker_reachable


class Check(BaseModel):
    ok: bool = Field(description="Whether the dependency is usable.")
    detail: str = Field(description="What was found.")


class ReadinessReport(BaseModel):
    status: str = Field(description="ready or not_ready.")
    checks: dict[str, Check] = Field(description="database, migrations and broker.")


@dataclass
class Readiness:
    service: str
    engine: Engine
    migrations_dir: Path
    bootstrap_servers: str
    broker_cache_seconds: float = 5.0
    _broker: tuple[float, bool] = field(default=(0.0, False), init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def report(self) -> ReadinessReport:
        checks = {
            "database": self._database(),
            "migrations": self._migrations(),
            "broker": self._broker_check(),
        }
        ready = all(check.ok for check in checks.values())
        return ReadinessReport(status="ready" if ready else "not_ready", checks=checks)

    def _database(self) -> Check:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return Check(ok=True, detail=self.engine.dialect.name)
        except Exception as error:
            return Check(ok=False, detail=f"unreachable: {type(error).__name__}")

    def _migrations(self) -> Check:
        try:
            current = current_revision(self.engine, self.service)
        except Exception as error:
            return Check(ok=False, detail=f"cannot read revision: {type(error).__name__}")
        head = head_revision(self.migrations_dir)
        if current != head:
            return Check(ok=False, detail=f"at {current}, head is {head}: run migrate")
        return Check(ok=True, detail=f"at head {head}")

    def _broker_check(self) -> Check:
        with self._lock:
            checked_at, ok = self._broker
            if time.monotonic() - checked_at > self.broker_cache_seconds or not ok:
                ok = broker_reachable(self.bootstrap_servers)
                self._broker = (time.monotonic(), ok)
        detail = self.bootstrap_servers if ok else f"{self.bootstrap_servers} unreachable"
        return Check(ok=ok, detail=detail)
