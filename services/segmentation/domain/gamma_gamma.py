"""Gamma-Gamma model of the value per purchase (Fader, Hardie & Lee 2005, "RFM and CLV")."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

FloatArray = npt.NDArray[np.float64]

MIN_CUSTOMERS = 10
# Bounds on the log-parameters keep exp() finite while the optimiser explores.
LOG_PARAMETER_BOUNDS = (-20.0, 20.0)


@dataclass(frozen=True)
class GammaGammaParameters:
    """Fitted Gamma-Gamma parameters with the log-likelihood and number of customers of the fit."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int

    def to_json(self) -> dict[str, float | int]:
        """Return the parameters as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GammaGammaParameters:
        """Build parameters from a dict written by to_json."""
        return cls(
            p=float(data["p"]),
            q=float(data["q"]),
            gamma=float(data["gamma"]),
            log_likelihood=float(data["log_likelihood"]),
            customers=int(data["customers"]),
        )


def _validated(frequency: npt.ArrayLike, monetary: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Return frequency and monetary as float arrays, or raise ValueError if they don't match."""
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary, dtype=np.float64)
    if x.shape != m.shape or x.ndim != 1:
        raise ValueError("frequency and monetary must be 1-D arrays of the same length")
    if not np.isfinite(x).all() or (x < 0).any():
        raise ValueError("frequency must be finite and not negative")
    if not np.isfinite(m[x > 0]).all():
        raise ValueError("monetary must be finite for customers with repeat purchases")
    return x, m


def _log_likelihood_terms(
    log_params: FloatArray, x: FloatArray, m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return per-row log-likelihoods of the mean values and their gradient in log-parameters."""
    p, q, gamma = np.exp(log_params)
    px = p * x
    log_gamma_mx = np.log(gamma + m * x)
    values = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_gamma_mx
    )
    psi_pxq = digamma(px + q)
    d_p = x * (psi_pxq - digamma(px) + np.log(m) + np.log(x) - log_gamma_mx)
    d_q = psi_pxq - digamma(q) + np.log(gamma) - log_gamma_mx
    d_gamma = q / gamma - (px + q) / (gamma + m * x)
    return values, np.stack([d_p * p, d_q * q, d_gamma * gamma], axis=1)


def fit_gamma_gamma(
    frequency: npt.ArrayLike,
    monetary: npt.ArrayLike,
    *,
    max_customers: int | None = None,
    seed: int = 0,
) -> GammaGammaParameters:
    """Fit Gamma-Gamma by maximum likelihood on customers with repeat purchases of positive value.

    monetary is the mean value of a customer's repeat purchases. This product fits it on the
    contribution margin per purchase, not the revenue, so the value it predicts is margin.
    Customers with frequency 0 or a mean of 0 or less carry no information for the model and
    are left out of the fit.
    """
    x, m = _validated(frequency, monetary)
    usable = (x > 0) & (m > 0)
    x, m = x[usable], m[usable]
    if x.size < MIN_CUSTOMERS:
        raise ValueError(
            f"Gamma-Gamma needs at least {MIN_CUSTOMERS} customers with repeat purchases "
            f"of positive value, got {x.size}"
        )
    if max_customers is not None and x.size > max_customers:
        sample = np.random.default_rng(seed).choice(x.size, size=max_customers, replace=False)
        x, m = x[sample], m[sample]
    rows, counts = np.unique(np.stack([x, m], axis=1), axis=0, return_counts=True)
    ux, um = rows.T
    weights = counts.astype(np.float64)
    total = float(weights.sum())

    def mean_negative_log_likelihood(log_params: FloatArray) -> tuple[float, FloatArray]:
        values, gradient = _log_likelihood_terms(log_params, ux, um)
        return -float(weights @ values) / total, -(weights @ gradient) / total

    # p = 1, q = 2 and gamma = the mean value start with a population mean p*gamma/(q-1) that
    # matches the data.
    start = np.log(np.array([1.0, 2.0, float(weights @ um) / total]))
    result = minimize(
        mean_negative_log_likelihood,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[LOG_PARAMETER_BOUNDS] * 3,
        options={"ftol": 1e-13, "gtol": 1e-9, "maxiter": 1000},
    )
    if not np.isfinite(result.fun):
        raise ValueError(f"Gamma-Gamma fit did not converge: {result.message}")
    p, q, gamma = (float(value) for value in np.exp(result.x))
    return GammaGammaParameters(
        p=p, q=q, gamma=gamma, log_likelihood=-float(result.fun) * total, customers=x.size
    )


def expected_average_value(
    params: GammaGammaParameters, frequency: npt.ArrayLike, monetary: npt.ArrayLike
) -> FloatArray:
    """Return E[M | x, m], the expected value of a customer's future purchases.

    For x = 0 this is the population mean p*gamma/(q-1). A customer with repeat purchases whose
    mean is 0 or less keeps that evidence: the mean is clipped at 0, which pulls the estimate
    below the population mean the more purchases there were, rather than resetting it.
    """
    if params.q <= 1.0:
        raise ValueError("the population mean value is infinite for q <= 1")
    x, m = _validated(frequency, monetary)
    # Without repeat purchases m is meaningless (often NaN or 0); x * m must then vanish.
    observed_total = np.maximum(np.where(x > 0, m, 0.0), 0.0) * x
    expected: FloatArray = (
        (params.gamma + observed_total) * params.p / (params.p * x + params.q - 1.0)
    )
    return expected
