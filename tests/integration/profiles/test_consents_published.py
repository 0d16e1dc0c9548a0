"""A customer's consents travel with its snapshot, so steering can respect them."""

from datetime import UTC, datetime

import pytest

from tests.fixtures.events import customer_upserted
from tests.integration.profiles.support import Profiles

pytestmark = pytest.mark.integration


def test_the_published_snapshot_carries_the_consent_status_per_channel(
    profiles: Profiles,
) -> None:
    given = datetime(2025, 3, 1, tzinfo=UTC).isoformat()
    profiles.accept(
        customer_upserted(
            external_id="K-51",
            consents={
                "email": {"status": "granted", "date": given},
                "phone": {"status": "denied", "date": given},
            },
        )
    )

    [registered] = profiles.published("customer.registered")

    assert registered.data["consents"] == {"email": "granted", "phone": "denied"}
