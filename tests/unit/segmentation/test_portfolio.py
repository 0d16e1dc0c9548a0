"""The portfolio maps tiers and lifecycle stages to strategic segments, with reasons."""

import numpy as np
import numpy.typing as npt
import pytest

from services.segmentation.domain.portfolio import (
    DEFAULT_PORTFOLIO,
    Portfolio,
    strategic_segments,
    thrust_of,
)

TIMES = "\N{MULTIPLICATION SIGN}"
ARROW = "\N{RIGHTWARDS ARROW}"


def _strings(*values: str) -> npt.NDArray[np.str_]:
    return np.array(values, dtype=str)


def _segment(
    value: str, potential: str, stage: str = "developing", portfolio: Portfolio = DEFAULT_PORTFOLIO
) -> tuple[str, str]:
    keys, reasons = strategic_segments(
        portfolio, _strings(value), _strings(potential), _strings(stage)
    )
    return str(keys[0]), reasons[0]


@pytest.mark.parametrize(
    ("value", "potential", "segment"),
    [
        ("negative", "high", "restructure"),
        ("negative", "medium", "restructure"),
        ("negative", "low", "restructure"),
        ("high", "high", "grow"),
        ("high", "medium", "retain"),
        ("high", "low", "retain"),
        ("medium", "high", "grow"),
        ("medium", "medium", "retain"),
        ("medium", "low", "serve_efficiently"),
        ("low", "high", "develop"),
        ("low", "medium", "develop"),
        ("low", "low", "serve_efficiently"),
    ],
)
def test_default_portfolio_maps_every_cell(value: str, potential: str, segment: str) -> None:
    assert _segment(value, potential) == (
        segment,
        f"{value} value {TIMES} {potential} potential {ARROW} {segment}",
    )


def test_lapsed_valuable_customer_is_retained_by_the_lifecycle_override() -> None:
    assert _segment("high", "high", "lapsed") == (
        "retain",
        f"lapsed high-value customer {ARROW} retain (lifecycle override)",
    )


def test_lapsed_low_value_customer_keeps_its_cell() -> None:
    assert _segment("low", "high", "lapsed")[0] == "develop"


def test_prospect_is_developed_unless_its_value_is_negative() -> None:
    assert _segment("low", "low", "prospect")[0] == "develop"
    assert _segment("negative", "low", "prospect")[0] == "restructure"


def test_default_thrust_of_a_segment_is_its_key() -> None:
    keys = _strings("grow", "serve_efficiently", "restructure")

    assert thrust_of(DEFAULT_PORTFOLIO, keys).tolist() == keys.tolist()
    assert DEFAULT_PORTFOLIO.names["serve_efficiently"] == "Serve efficiently"
    assert DEFAULT_PORTFOLIO.source == "built-in"


KEY_ACCOUNT_NAMES = {
    "grow_key_accounts": "Grow key accounts",
    "serve_all": "Serve all",
    "win_back": "Win back",
}
WIN_BACK_AT_RISK = (
    ("at_risk", frozenset({"high"}), "win_back"),
    ("at_risk", frozenset({"high", "medium"}), "serve_all"),
)


def key_account_cells() -> dict[tuple[str, str], str]:
    cells = {
        (value, potential): "serve_all"
        for value in ("negative", "low", "medium", "high")
        for potential in ("low", "medium", "high")
    }
    cells[("high", "high")] = "grow_key_accounts"
    return cells


def custom_portfolio(
    cells: dict[tuple[str, str], str] | None = None,
    names: dict[str, str] = KEY_ACCOUNT_NAMES,
    overrides: tuple[tuple[str, frozenset[str], str], ...] = WIN_BACK_AT_RISK,
) -> Portfolio:
    """A published strategy: key accounts grown, everyone else served efficiently."""
    return Portfolio(
        segments={
            "grow_key_accounts": "grow",
            "serve_all": "serve_efficiently",
            "win_back": "retain",
        },
        names=names,
        cells=key_account_cells() if cells is None else cells,
        overrides=overrides,
        source="strategy s-7 v3",
    )


def test_custom_portfolio_maps_to_its_own_segments_and_thrusts() -> None:
    portfolio = custom_portfolio()
    values = _strings("high", "high", "high", "medium", "low")
    potentials = _strings("high", "high", "medium", "high", "high")
    stages = _strings("loyal", "at_risk", "at_risk", "at_risk", "at_risk")

    keys, reasons = strategic_segments(portfolio, values, potentials, stages)

    # The first matching override wins: an at-risk high-value customer is won back.
    assert keys.tolist() == ["grow_key_accounts", "win_back", "win_back", "serve_all", "serve_all"]
    assert reasons[1] == f"at-risk high-value customer {ARROW} win_back (lifecycle override)"
    assert thrust_of(portfolio, keys).tolist() == [
        "grow",
        "retain",
        "retain",
        "serve_efficiently",
        "serve_efficiently",
    ]


def test_portfolio_without_every_cell_is_refused() -> None:
    cells = key_account_cells()
    del cells[("high", "low")]

    with pytest.raises(ValueError, match=f"no segment for the cells high {TIMES} low"):
        custom_portfolio(cells=cells)


def test_portfolio_referring_to_an_undefined_segment_is_refused() -> None:
    overrides = (("lapsed", frozenset({"high"}), "rescue"),)

    with pytest.raises(ValueError, match="undefined segments rescue"):
        custom_portfolio(overrides=overrides)


def test_override_of_an_unknown_value_tier_is_refused() -> None:
    overrides = (("lapsed", frozenset({"gold"}), "win_back"),)

    with pytest.raises(ValueError, match="unknown value tiers gold"):
        custom_portfolio(overrides=overrides)


def test_segment_without_a_name_is_refused() -> None:
    with pytest.raises(ValueError, match="without a name: win_back"):
        custom_portfolio(names={"grow_key_accounts": "Grow", "serve_all": "Serve"})


def test_unknown_tier_of_a_customer_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown value tier gold"):
        _segment("gold", "high")


def test_unknown_segment_has_no_thrust() -> None:
    with pytest.raises(ValueError, match="unknown segment grow_key_accounts"):
        thrust_of(DEFAULT_PORTFOLIO, _strings("grow", "grow_key_accounts"))
