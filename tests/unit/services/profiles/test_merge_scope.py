"""customers:merge is an administrative scope: the admin key has it, no department key does."""

from shared.api.auth import dev_key_specs


def test_only_the_admin_key_may_merge_customers() -> None:
    mergers = {p.name for p in dev_key_specs() if p.has("customers:merge")}

    assert mergers == {"admin"}
