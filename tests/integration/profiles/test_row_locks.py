"""Ingestion and the parts consumer lock a customer without waiting for each other; a merge
still waits for the parts consumer (PostgreSQL row locks)."""

import threading
import time

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from services.profiles import bootstrap
from services.profiles.ingestion import ValidItem
from services.profiles.parts_repository import PartsRepository
from services.profiles.repository import CustomerRepository
from tests.fixtures.events import customer_upserted, order_placed
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration


@pytest.fixture
def customer_id(profiles: Profiles) -> str:
    if profiles.runtime.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    response = profiles.post([customer_upserted(external_id="K-locks")])
    assert response.status_code == 200, response.text
    return str(response.json()["results"][0]["customer_id"])


def _states_within(profiles: Profiles, customer_id: str, timeout_ms: int) -> object:
    """The parts consumer's read of the customer's state, giving up after `timeout_ms`."""
    with profiles.runtime.session_factory() as session:
        session.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
        return PartsRepository(session).customer_states([customer_id])


@pytest.mark.parametrize("identity_changes", [False, True])
def test_the_parts_consumer_waits_for_a_merge_but_not_for_an_attribute_update(
    profiles: Profiles, customer_id: str, identity_changes: bool
) -> None:
    with profiles.runtime.session_factory() as holder:
        rows = CustomerRepository(holder).customer_rows(
            [customer_id], identity_changes=identity_changes
        )
        assert list(rows) == [customer_id]

        if identity_changes:
            with pytest.raises(OperationalError, match="lock timeout"):
                _states_within(profiles, customer_id, 300)
        else:
            assert _states_within(profiles, customer_id, 2000) == {customer_id: "active"}
        holder.rollback()


def test_two_attribute_updates_of_one_customer_still_wait_for_each_other(
    profiles: Profiles, customer_id: str
) -> None:
    with profiles.runtime.session_factory() as first, profiles.runtime.session_factory() as second:
        CustomerRepository(first).customer_rows([customer_id])
        second.execute(text("SET LOCAL lock_timeout = 300"))

        with pytest.raises(OperationalError, match="lock timeout"):
            CustomerRepository(second).customer_rows([customer_id])
        first.rollback()


def test_a_batch_locks_the_customers_it_names_in_id_order_whatever_their_event_types(
    profiles: Profiles, customer_id: str
) -> None:
    """Two batches naming the same customers under event types in another order would each
    hold what the other waits for if a batch locked type by type."""
    other = profiles.accept(customer_upserted(external_id="K-locks-2"))[0]["customer_id"]
    (first, first_ref), (last, last_ref) = sorted([(customer_id, "K-locks"), (other, "K-locks-2")])
    # The order names the customer locked last, the upsert after it the one locked first.
    batch = [
        order_placed(external_id=last_ref),
        customer_upserted(external_id=first_ref, name="Renamed"),
    ]
    answers: list[httpx.Response] = []
    with (
        profiles.runtime.session_factory() as holder,
        httpx.Client(base_url=profiles.http.base_url, timeout=30) as client,
    ):
        CustomerRepository(holder).customer_rows([last])
        poster = threading.Thread(
            target=lambda: answers.append(
                client.post("/v1/events", json=batch, headers=profiles.auth("integration"))
            )
        )
        poster.start()
        try:
            _until_a_backend_waits_for_a_lock(profiles)
            # The batch holds the first customer while it waits for the second.
            with pytest.raises(OperationalError, match="lock timeout"):
                _locked_within(profiles, first, 300)
        finally:
            holder.rollback()
            poster.join(30)
    assert [r["status"] for r in answers[0].json()["results"]] == ["accepted", "accepted"]


def _locked_within(profiles: Profiles, customer_id: str, timeout_ms: int) -> object:
    with profiles.runtime.session_factory() as session:
        session.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
        return CustomerRepository(session).customer_rows([customer_id])


def _until_a_backend_waits_for_a_lock(profiles: Profiles) -> None:
    deadline = time.monotonic() + 10
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline:
        with profiles.runtime.engine.connect() as connection:
            if connection.scalar(query):
                return
        time.sleep(0.05)
    raise AssertionError("the batch never waited for a lock")


def test_a_reference_being_created_is_waited_for_and_then_joined(
    profiles: Profiles, customer_id: str
) -> None:
    """Two transactions naming the same unknown reference: the second waits for the first,
    then finds its customer instead of creating another and failing on the duplicate."""
    ingestion = bootstrap.ingestion(profiles.runtime)
    upsert = ingestion.validate(0, customer_upserted(external_id="K-claimed"))
    assert isinstance(upsert, ValidItem)
    answers: list[httpx.Response] = []
    with httpx.Client(base_url=profiles.http.base_url, timeout=30) as client:
        poster = threading.Thread(
            target=lambda: answers.append(
                client.post(
                    "/v1/events",
                    json=[order_placed(external_id="K-claimed")],
                    headers=profiles.auth("integration"),
                )
            )
        )
        with profiles.runtime.session_factory.begin() as creating:
            [created] = ingestion.apply(creating, [upsert])
            poster.start()
            # Leaving the block, also on a failure here, commits the customer and lets the
            # order's batch go on.
            _until_a_backend_waits_for_a_lock(profiles)
        poster.join(30)

    [result] = answers[0].json()["results"]
    assert result["status"] == "accepted"
    assert result["customer_id"] == created.customer_id
