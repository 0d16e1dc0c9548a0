"""Reading a field that a payload's model may not have."""

from datetime import UTC, datetime

from shared.events.common import field_value
from shared.events.touchpoints import TouchpointRecorded


def test_a_field_of_the_model_is_read_and_one_it_lacks_is_none() -> None:
    touchpoint = TouchpointRecorded(
        customer_id=None,
        anonymous_id="v-1",
        source_system="web",
        channel="web",
        touchpoint_type="website_visit",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
    )

    assert field_value(touchpoint, "anonymous_id") == "v-1"
    assert field_value(touchpoint, "customer_id") is None
    assert field_value(touchpoint, "order_id") is None
    assert field_value(object(), "order_id") is None
