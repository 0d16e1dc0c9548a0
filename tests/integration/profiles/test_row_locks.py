"""Ingestion and the parts consumer lock a customer without waiting for each other; a merge
still waits for the parts consumer (PostgreSQL row locks)."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from services.profiles.parts_repository import PartsRepository
from services.profiles.repository import CustomerRepository
from tests.fixtures.events import customer_upserted
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
