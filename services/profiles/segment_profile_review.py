"""The figures recorded when a version of a segment's profile becomes active, and the review
flag of a profile whose figures drifted beyond a threshold since."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.profiles.parts_repository import PartsRepository
from services.profiles.segment_figure_rules import Drift, drifts
from services.profiles.segment_figure_schemas import (
    ApprovedFigures,
    DriftRead,
    ReviewRead,
    SegmentationRunRead,
    SegmentFigures,
    SegmentFiguresRead,
)
from services.profiles.segment_figure_views import for_caller, headline
from services.profiles.segment_figures import FigureCalculator
from services.profiles.segment_profile_repository import SegmentProfileRepository

Row = dict[str, Any]
MONEY_HEADLINES = frozenset({"revenue_12m", "contribution_margin_3_12m", "average_clv"})


@dataclass(frozen=True)
class DriftWatch:
    """Which figures are watched, and how far they may move before a profile is flagged."""

    threshold: float
    figures: Sequence[str]


def record_figures(session: Session, segment: str, version: int, now: datetime) -> None:
    """Record the segment's figures as the ones `version` of its profile was approved with."""
    figures = FigureCalculator(session, now).figures([segment])[segment]
    SegmentProfileRepository(session).insert_figures(
        {
            "segment": segment,
            "version": version,
            "computed_at": now,
            "figures": {
                "headline": headline(figures),
                "figures": figures.model_dump(mode="json"),
            },
        }
    )


def _drifts(watch: DriftWatch, snapshot: Row, current: SegmentFigures) -> list[Drift]:
    approved = snapshot["figures"]["headline"]
    return drifts(approved, headline(current), watch.figures, watch.threshold)


def _review(watch: DriftWatch, snapshot: Row, found: list[Drift]) -> ReviewRead:
    return ReviewRead(
        flagged=any(d.beyond_threshold for d in found),
        threshold=watch.threshold,
        approved_version=snapshot["version"],
        figures_approved_at=snapshot["computed_at"],
        drifted=[d.figure for d in found if d.beyond_threshold],
    )


def _drift_read(drift: Drift, financials: bool) -> DriftRead:
    hidden = not financials and drift.figure in MONEY_HEADLINES
    return DriftRead(
        figure=drift.figure,
        approved=None if hidden else drift.approved,
        current=None if hidden else drift.current,
        change=drift.change,
        beyond_threshold=drift.beyond_threshold,
    )


class ProfileReviews:
    def __init__(self, watch: DriftWatch) -> None:
        self.watch = watch

    def reviews(self, session: Session, states: Sequence[Row]) -> dict[str, ReviewRead | None]:
        """The review of each profile state's active version; None without figures
        recorded at its approval."""
        active = [(s["segment"], s["active"]["version"]) for s in states if s["active"]]
        snapshots = SegmentProfileRepository(session).figures_of(active)
        found: dict[str, ReviewRead | None] = {s["segment"]: None for s in states}
        if not snapshots:
            return found
        segments = sorted({segment for segment, _ in snapshots})
        current = FigureCalculator(session, datetime.now(UTC)).figures(segments)
        for (segment, _), snapshot in snapshots.items():
            found[segment] = _review(
                self.watch, snapshot, _drifts(self.watch, snapshot, current[segment])
            )
        return found

    def figures(
        self, session: Session, segment: str, state: Row | None, financials: bool
    ) -> SegmentFiguresRead:
        """The segment's figures now, at its active version's approval, and the drift."""
        now = datetime.now(UTC)
        current = FigureCalculator(session, now).figures([segment])[segment]
        snapshot = None
        if state is not None and state["active"] is not None:
            key = (segment, state["active"]["version"])
            snapshot = SegmentProfileRepository(session).figures_of([key]).get(key)
        run = PartsRepository(session).latest_run()
        found = [] if snapshot is None else _drifts(self.watch, snapshot, current)
        return SegmentFiguresRead(
            segment=segment,
            computed_at=now,
            current=for_caller(current, financials),
            approved=None
            if snapshot is None
            else ApprovedFigures(
                version=snapshot["version"],
                computed_at=snapshot["computed_at"],
                figures=for_caller(
                    SegmentFigures.model_validate(snapshot["figures"]["figures"]), financials
                ),
            ),
            review=None if snapshot is None else _review(self.watch, snapshot, found),
            drifts=[_drift_read(drift, financials) for drift in found],
            latest_run=None if run is None else SegmentationRunRead.model_validate(run),
        )
