"""The four services the GDPR tests talk to, and a search of every database for leftovers."""

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import MetaData, select

from shared.runtime import Runtime
from tests.fixtures.events import (
    customer_identified,
    customer_upserted,
    order_placed,
    order_returned,
    touchpoint_recorded,
)
from tests.fixtures.services import wait_for


@dataclass(frozen=True)
class Person:
    """A customer with distinctive personal data, as every source system sends it."""

    run: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    @property
    def name(self) -> str:
        return f"Henrike Quellmalz{self.run}"

    @property
    def email(self) -> str:
        return f"henrike.{self.run}@example.org"

    @property
    def phone(self) -> str:
        digits = str(int(self.run, 16))[-8:].rjust(8, "1")
        return f"+49 151 {digits}"

    @property
    def crm_id(self) -> str:
        return f"K-{self.run}"

    @property
    def visitor(self) -> str:
        return f"visitor-{self.run}"

    @property
    def order_id(self) -> str:
        return f"A-{self.run}"

    def needles(self) -> list[str]:
        """Strings that must not be found anywhere once the person is erased."""
        return [
            f"Quellmalz{self.run}",
            self.email,
            self.phone,
            self.phone.replace(" ", ""),
            self.crm_id,
            f"S-{self.run}",
            f"KN-{self.run}",
            f"Lindenweg {self.run}",
            f"LC-{self.run}",
            self.visitor,
            self.order_id,
        ]

    def upserted(self) -> dict[str, Any]:
        return customer_upserted(
            external_id=self.crm_id,
            name=self.name,
            email=self.email,
            phone=self.phone,
            customer_number=f"KN-{self.run}",
            external_ids=[{"system": "shop", "id": f"S-{self.run}"}],
            street=f"Lindenweg {self.run}",
            postal_code="96047",
            city="Bamberg",
            region="south",
            attributes={"loyalty_card": f"LC-{self.run}"},
            consents={"email": {"status": "granted", "date": "2024-01-02"}},
        )

    def history(self) -> list[dict[str, Any]]:
        """A web visit before login, the customer, the login, an order and a return."""
        return [
            touchpoint_recorded(anonymous_id=self.visitor),
            self.upserted(),
            customer_identified(anonymous_id=self.visitor, external_id=self.crm_id),
            order_placed(external_id=self.crm_id, order_id=self.order_id, sales_rep="rep-7"),
            order_returned(external_id=self.crm_id, order_id=self.order_id, amount="25.00"),
        ]


@dataclass
class Stack:
    runtimes: dict[str, Runtime]
    http: httpx.Client
    keys: dict[str, str]

    def auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[key]}"}

    def post(self, *events: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.http.post("/v1/events", json=list(events), headers=self.auth("integration"))
        assert response.status_code in (200, 422), response.text
        return list(response.json()["results"])

    def accept(self, *events: dict[str, Any]) -> str:
        """Post `events`, insist they are accepted, return the customer id they resolved to."""
        results = self.post(*events)
        assert [r["status"] for r in results] == ["accepted"] * len(events), results
        return str([r for r in results if r["customer_id"]][-1]["customer_id"])

    def erase(self, customer_id: str, key: str = "admin") -> httpx.Response:
        return self.http.delete(f"/v1/customers/{customer_id}", headers=self.auth(key))

    def get(self, path: str, key: str = "admin") -> httpx.Response:
        return self.http.get(path, headers=self.auth(key))

    def completed_erasure(self, erasure_id: str) -> dict[str, Any] | None:
        """The erasure's status once every service has completed it, else None."""
        response = self.get(f"/v1/erasures/{erasure_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body if body["status"] == "completed" else None

    def erase_everywhere(self, customer_id: str) -> dict[str, Any]:
        """Erase the customer and wait until every service has and every outbox is sent."""
        response = self.erase(customer_id)
        assert response.status_code == 202, response.text
        erasure_id = response.json()["erasure_id"]
        assert wait_for(lambda: self.completed_erasure(erasure_id)), self.get(
            f"/v1/erasures/{erasure_id}"
        ).text
        self.wait_until_drained()
        return dict(response.json())

    def known_downstream(self, customer_id: str) -> bool:
        """Whether segmentation, experience and steering all hold the customer."""
        return all(customer_id in self.directory(name) for name in self.downstream)

    @property
    def downstream(self) -> tuple[str, ...]:
        return ("segmentation", "experience", "steering")

    def directory(self, service: str) -> set[str]:
        runtime = self.runtimes[service]
        table = runtime.tables.outbox.metadata.tables["customers"]
        with runtime.session_factory() as session:
            return set(session.scalars(select(table.c.customer_id)))

    def drained(self) -> bool:
        """Every service's outbox is published."""
        return all(runtime.relay().pending()[0] == 0 for runtime in self.runtimes.values())

    def wait_until_drained(self) -> None:
        assert wait_for(self.drained), "an outbox was not published"

    def leftovers(self, needles: list[str]) -> list[str]:
        """Where in any of the four databases one of `needles` is still stored."""
        return [
            hit for name in self.runtimes for hit in _search(name, self.runtimes[name], needles)
        ]


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _search(service: str, runtime: Runtime, needles: list[str]) -> list[str]:
    """Every (table, column) of the database holding a needle, case-insensitively."""
    reflected = MetaData()
    reflected.reflect(runtime.engine)
    lowered = [needle.lower() for needle in needles]
    hits = []
    with runtime.engine.connect() as connection:
        for table in reflected.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in row._mapping.items():
                    text = _as_text(value).lower()
                    hits += [
                        f"{service}.{table.name}.{column}: {needle}"
                        for needle in lowered
                        if needle in text
                    ]
    return hits
