"""Re-scoring the customers a batch of events touched, with the current model, at once."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.segmentation import assignment_store, config_store, models
from services.segmentation.assignment_store import AssignmentWriter
from services.segmentation.domain.model import SegmentationModel
from services.segmentation.domain.scoring import score
from services.segmentation.feature_repository import features_of
from services.segmentation.ledger import day_number

m = models.segment_models.c


class ModelCache:
    """The newest fitted model, parsed once per version."""

    def __init__(self) -> None:
        self._model: SegmentationModel | None = None

    def current(self, session: Session) -> SegmentationModel | None:
        version = session.scalar(select(func.max(m.version)))
        if version is None:
            return None
        if self._model is None or self._model.version != version:
            parameters = session.scalar(select(m.parameters).where(m.version == version))
            assert parameters is not None
            self._model = SegmentationModel.from_json(parameters)
        return self._model


class Rescorer:
    """Scores customers with the current model and publishes what changed."""

    def __init__(self, writer: AssignmentWriter, models_: ModelCache) -> None:
        self._writer = writer
        self._models = models_

    def __call__(self, session: Session, customer_ids: set[str]) -> None:
        model = self._models.current(session)
        if model is None:
            return  # nothing to score with before the first run
        config = config_store.current_config(session)
        portfolio = config_store.portfolio_of(config_store.active_strategy(session))
        now = datetime.now(UTC)
        features = features_of(
            session, sorted(customer_ids), day_number(now), config.config.window_days
        )
        if len(features) == 0:
            return
        assignments = score(model, features, config.config, portfolio)
        before = assignment_store.stored_identities(session, list(features.customer_ids))
        self._writer.write(
            session,
            assignments,
            model,
            before=before,
            score_change=config.config.score_change(),
            model_version=model.label(config.version, portfolio.source),
            run_id=None,
            as_of=now,
            now=now,
        )
