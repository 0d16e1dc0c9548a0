"""Next-best-action rules, with and without the consents their channels need."""

from decimal import Decimal

from services.steering.domain import actions as a

TREATMENT = a.Treatment(
    role="account_manager",
    communication_channel="email",
    offers=("maintenance contract",),
    retention_measures=("loyalty discount",),
)


def _situation(**fields: object) -> a.Situation:
    values: dict[str, object] = {
        "segment": "key_accounts",
        "thrust": "grow",
        "value_tier": "medium",
        "potential_tier": "medium",
        "lifecycle_stage": "loyal",
        "contribution_margin_3_12m": Decimal("1000"),
        "share_of_wallet_gap": Decimal("0"),
        "owner_rep": "anna",
        "consents": {},
    }
    values.update(fields)
    return a.Situation(**values)  # type: ignore[arg-type]


def _types(situation: a.Situation) -> list[str]:
    return [p.action_type for p in a.recommend(situation, TREATMENT)]


def test_a_high_value_customer_at_risk_gets_a_retention_call_within_five_days() -> None:
    (call,) = a.recommend(
        _situation(value_tier="high", lifecycle_stage="at_risk", consents={"phone": "granted"}),
        TREATMENT,
    )
    assert (call.action_type, call.channel, call.due_in_days, call.priority) == (
        "retention_call",
        "phone",
        5,
        1,
    )
    assert call.by_owner_rep and "loyalty discount" in call.title


def test_without_phone_consent_the_account_manager_visits_instead() -> None:
    (call,) = a.recommend(
        _situation(value_tier="high", lifecycle_stage="at_risk", consents={"phone": "revoked"}),
        TREATMENT,
    )
    assert call.channel == "field_visit"
    assert "phone not permitted by consent" in call.reason


def test_high_potential_with_a_wallet_gap_gets_a_cross_sell_offer_by_email_with_consent() -> None:
    (offer,) = a.recommend(
        _situation(
            potential_tier="high", share_of_wallet_gap=Decimal("800"), consents={"email": "granted"}
        ),
        TREATMENT,
    )
    assert (offer.action_type, offer.channel) == ("cross_sell_offer", "email")
    assert "maintenance contract" in offer.title


def test_no_email_offer_without_email_consent() -> None:
    denied = _situation(
        potential_tier="high", share_of_wallet_gap=Decimal("800"), consents={"email": "denied"}
    )
    no_record = _situation(
        potential_tier="high", share_of_wallet_gap=Decimal("800"), owner_rep=None, consents={}
    )
    (by_rep,) = a.recommend(denied, TREATMENT)
    (by_post,) = a.recommend(no_record, TREATMENT)
    assert by_rep.channel == "field_visit" and by_rep.by_owner_rep
    assert by_post.channel == "letter"  # post is usable unless the customer objected


def test_no_offer_at_all_when_every_channel_is_refused() -> None:
    refused = _situation(
        potential_tier="high",
        share_of_wallet_gap=Decimal("800"),
        owner_rep=None,
        consents={"email": "denied", "phone": "denied", "post": "revoked"},
    )
    assert _types(refused) == []


def test_negative_cm3_moves_the_customer_to_self_service() -> None:
    (move,) = a.recommend(
        _situation(value_tier="negative", contribution_margin_3_12m=Decimal("-120")), TREATMENT
    )
    assert (move.action_type, move.channel, move.by_owner_rep) == (
        "move_to_self_service",
        "letter",
        False,
    )


def test_reasons_quote_no_amounts() -> None:
    # Callers without financials:read see the reasons in the 360-degree view.
    proposals = a.recommend(
        _situation(
            value_tier="negative",
            potential_tier="high",
            lifecycle_stage="at_risk",
            contribution_margin_3_12m=Decimal("-120.50"),
            share_of_wallet_gap=Decimal("800.25"),
            consents={"email": "granted", "phone": "denied"},
        ),
        TREATMENT,
    )

    assert {p.action_type for p in proposals} >= {"cross_sell_offer", "move_to_self_service"}
    for proposal in proposals:
        assert "120" not in proposal.reason and "800" not in proposal.reason, proposal.reason


def test_rules_combine_most_urgent_first() -> None:
    situation = _situation(
        value_tier="high",
        lifecycle_stage="at_risk",
        potential_tier="high",
        share_of_wallet_gap=Decimal("100"),
        consents={"email": "granted", "phone": "granted"},
    )
    assert _types(situation) == ["retention_call", "cross_sell_offer"]


def test_a_retain_segment_at_risk_gets_its_retention_measure() -> None:
    situation = _situation(thrust="retain", lifecycle_stage="at_risk", consents={})
    (offer,) = a.recommend(situation, TREATMENT)
    assert (offer.action_type, offer.channel) == ("retention_offer", "letter")


def test_a_loyal_profitable_customer_needs_nothing() -> None:
    assert _types(_situation()) == []


def test_settled_actions_take_no_further_outcome() -> None:
    assert a.next_status("open", "no_answer") == "no_answer"
    assert a.next_status("no_answer", "done") == "done"
    assert a.next_status("done", "declined") is None
