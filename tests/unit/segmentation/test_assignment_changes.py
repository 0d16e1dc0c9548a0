"""Which changes of an assignment are news: its parts always, its scores when they moved."""

from services.segmentation.domain.assignment import IDENTITY, ScoreChange, changed_parts

BEFORE = ("grow", "high", "high", "loyal", 2, "A", 1000.0, 0.2)
RULE = ScoreChange(clv_share=0.1, churn_risk=0.1)


def _after(**changes: object) -> tuple[object, ...]:
    values = dict(zip((*IDENTITY, "clv", "churn_risk"), BEFORE, strict=True))
    values.update(changes)
    return tuple(values.values())


def test_a_first_assignment_is_news_in_every_part() -> None:
    assert changed_parts(None, BEFORE, RULE) == list(IDENTITY)


def test_a_small_move_of_the_scores_is_no_news() -> None:
    assert changed_parts(BEFORE, _after(clv=1090.0, churn_risk=0.29), RULE) == []


def test_a_clv_moved_by_more_than_the_share_is_news() -> None:
    assert changed_parts(BEFORE, _after(clv=1101.0), RULE) == ["scores"]


def test_a_churn_risk_moved_by_more_than_the_step_is_news() -> None:
    assert changed_parts(BEFORE, _after(churn_risk=0.31), RULE) == ["scores"]


def test_a_changed_stage_is_news_with_its_name() -> None:
    assert changed_parts(BEFORE, _after(lifecycle_stage="at_risk"), RULE) == ["lifecycle_stage"]


def test_a_prospect_turning_buyer_is_news_even_at_equal_clv() -> None:
    prospect = (*BEFORE[:6], 0.0, None)

    assert "scores" in changed_parts(prospect, _after(clv=0.0, churn_risk=0.5), RULE)
