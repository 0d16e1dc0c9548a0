"""The served profiles API these tests post to, and what it stored and staged to publish."""

import json
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Table, delete, func, select

from services.profiles.parts_repository import RUNS, STRATEGIES
from services.profiles.repository import CUSTOMERS, LINKS, ORDERS, REFERENCES, RETURNS
from shared.runtime import Runtime

TABLES: dict[str, Table] = {
    "customers": CUSTOMERS,
    "orders": ORDERS,
    "order_returns": RETURNS,
    "anonymous_links": LINKS,
}
NOTHING_STORED = {"customers": 0, "orders": 0, "order_returns": 0, "anonymous_links": 0}


@dataclass(frozen=True)
class Published:
    """One outbox row, decoded."""

    event_type: str | None
    topic: str
    key: str | None
    data: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Profiles:
    runtime: Runtime
    http: httpx.Client
    keys: dict[str, str]

    def auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[key]}"}

    def post(self, events: list[dict[str, Any]]) -> httpx.Response:
        return self.http.post("/v1/events", json=events, headers=self.auth("integration"))

    def accept(self, *events: dict[str, Any]) -> list[dict[str, Any]]:
        """Post `events`, insist every one is accepted and return the per-item results."""
        response = self.post(list(events))
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        assert [r["status"] for r in results] == ["accepted"] * len(events), results
        return results

    def view(self, customer_id: str) -> dict[str, Any]:
        response = self.http.get(f"/v1/customers/{customer_id}", headers=self.auth("sales"))
        assert response.status_code == 200, response.text
        return dict(response.json())

    def stored(self) -> dict[str, int]:
        """Row counts of profiles' own tables (outbox and inbox are checked separately)."""
        with self.runtime.session_factory() as session:
            return {
                name: session.scalar(select(func.count()).select_from(table)) or 0
                for name, table in TABLES.items()
            }

    def rows(self, table: Table) -> list[dict[str, Any]]:
        with self.runtime.session_factory() as session:
            return [dict(row._mapping) for row in session.execute(select(table))]

    def inbox_count(self) -> int:
        with self.runtime.session_factory() as session:
            inbox = self.runtime.tables.inbox
            return session.scalar(select(func.count()).select_from(inbox)) or 0

    def published(self, event_type: str | None = None) -> list[Published]:
        outbox = self.runtime.tables.outbox
        with self.runtime.session_factory() as session:
            rows = session.execute(select(outbox).order_by(outbox.c.id)).all()
        decoded = [
            Published(
                row.event_type,
                row.topic,
                row.message_key,
                json.loads(row.payload)["data"],
                row.headers,
            )
            for row in rows
        ]
        return [p for p in decoded if event_type is None or p.event_type == event_type]

    def empty_tables(self) -> None:
        tables = self.runtime.tables
        with self.runtime.session_factory() as session, session.begin():
            # Deleting the customers deletes their segment, experience and actions too.
            for table in (LINKS, RETURNS, ORDERS, REFERENCES, CUSTOMERS, STRATEGIES, RUNS):
                session.execute(delete(table))
            session.execute(delete(tables.outbox))
            session.execute(delete(tables.inbox))
