"""What a full run fits and freezes, so that a re-score between runs judges alike: as data."""

import math
from dataclasses import dataclass
from typing import Any

from services.segmentation.domain.bgnbd import BgNbdParameters
from services.segmentation.domain.gamma_gamma import GammaGammaParameters
from services.segmentation.domain.needs import NeedsModel
from services.segmentation.domain.tiers import AbcCutoffs, PeerReferences, PotentialCutoffs


def _number(value: float) -> float | str:
    """JSON has no infinity; such cut-offs are written as text."""
    return value if math.isfinite(value) else str(value)


def _float(value: float | str | None) -> float:
    return math.nan if value is None else float(value)


@dataclass(frozen=True)
class SegmentationModel:
    version: int
    run_id: str
    as_of_day: int
    config_version: int
    portfolio_source: str
    bgnbd: BgNbdParameters | None
    """None when too few customers have bought to fit it; CLV then uses the fallback."""
    gamma_gamma: GammaGammaParameters | None
    mean_margin_per_purchase: float
    """Population mean margin per purchase (currency), the value a purchase is worth when the
    spend model could not be fitted."""
    needs: NeedsModel | None
    population_interval_days: float
    abc: AbcCutoffs
    value_cutoffs: tuple[float, float]
    potential: PotentialCutoffs
    peers: PeerReferences

    def label(self, config_version: int, portfolio_source: str) -> str:
        """The version recorded with an assignment: model, configuration and strategy."""
        return f"model {self.version} (config {config_version}, {portfolio_source})"

    def cluster_description(self, cluster: int | None) -> str | None:
        if cluster is None or self.needs is None or cluster >= len(self.needs.descriptions):
            return None
        return self.needs.descriptions[cluster]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "run_id": self.run_id,
            "as_of_day": self.as_of_day,
            "config_version": self.config_version,
            "portfolio_source": self.portfolio_source,
            "bgnbd": None if self.bgnbd is None else self.bgnbd.to_json(),
            "gamma_gamma": None if self.gamma_gamma is None else self.gamma_gamma.to_json(),
            "mean_margin_per_purchase": self.mean_margin_per_purchase,
            "needs": None if self.needs is None else self.needs.to_json(),
            "population_interval_days": self.population_interval_days,
            "abc": {"a_from": self.abc.a_from, "b_from": self.abc.b_from},
            "value_cutoffs": [_number(value) for value in self.value_cutoffs],
            "potential": {
                name: _number(getattr(self.potential, name))
                for name in ("clv_high_above", "clv_low_upto", "gap_high_above", "gap_low_upto")
            },
            "peers": {
                "peers": self.peers.peers,
                "clusters": {str(k): v for k, v in self.peers.clusters.items()},
                "population": self.peers.population,
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SegmentationModel":
        peers = data["peers"]
        low_medium, medium_high = (_float(value) for value in data["value_cutoffs"])
        return cls(
            version=int(data["version"]),
            run_id=str(data["run_id"]),
            as_of_day=int(data["as_of_day"]),
            config_version=int(data["config_version"]),
            portfolio_source=str(data["portfolio_source"]),
            bgnbd=None if data["bgnbd"] is None else BgNbdParameters.from_json(data["bgnbd"]),
            gamma_gamma=None
            if data["gamma_gamma"] is None
            else GammaGammaParameters.from_json(data["gamma_gamma"]),
            mean_margin_per_purchase=float(data["mean_margin_per_purchase"]),
            needs=None if data["needs"] is None else NeedsModel.from_json(data["needs"]),
            population_interval_days=float(data["population_interval_days"]),
            abc=AbcCutoffs(data["abc"]["a_from"], data["abc"]["b_from"]),
            value_cutoffs=(low_medium, medium_high),
            potential=PotentialCutoffs(
                **{name: _float(value) for name, value in data["potential"].items()}
            ),
            peers=PeerReferences(
                peers={k: float(v) for k, v in peers["peers"].items()},
                clusters={int(k): float(v) for k, v in peers["clusters"].items()},
                population=float(peers["population"]),
            ),
        )
