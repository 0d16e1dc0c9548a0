"""BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your customers the easy way")."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

MIN_CUSTOMERS = 10
# Bounds on the log-parameters keep exp() finite while the optimiser explores.
LOG_PARAMETER_BOUNDS = (-20.0, 20.0)
# The closed form of E[X(t) | history] is 0/0 at a = 1 and, for x = 0, at a + b = 1; its limits
# there are smooth, so parameters this close are moved just far enough away to evaluate it.
MIN_DISTANCE_FROM_SINGULAR_POINT = 1e-7


@dataclass(frozen=True)
class BgNbdParameters:
    """Fitted BG/NBD parameters with the log-likelihood and number of customers of the fit."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int

    def to_json(self) -> dict[str, float | int]:
        """Return the parameters as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BgNbdParameters:
        """Build parameters from a dict written by to_json."""
        return cls(
            r=float(data["r"]),
            alpha=float(data["alpha"]),
            a=float(data["a"]),
            b=float(data["b"]),
            log_likelihood=float(data["log_likelihood"]),
            customers=int(data["customers"]),
        )

    def as_tuple(self) -> tuple[float, float, float, float]:
        """Return (r, alpha, a, b)."""
        return (self.r, self.alpha, self.a, self.b)


def validated_history(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return the history as float arrays, or raise ValueError if it is inconsistent."""
    x, t_x, big_t = (np.asarray(values, dtype=np.float64) for values in (frequency, recency, age))
    if not x.shape == t_x.shape == big_t.shape or x.ndim != 1:
        raise ValueError("frequency, recency and age must be 1-D arrays of the same length")
    if not (np.isfinite(x).all() and np.isfinite(t_x).all() and np.isfinite(big_t).all()):
        raise ValueError("frequency, recency and age must not contain NaN or infinity")
    if (x < 0).any() or (t_x < 0).any() or (big_t < 0).any():
        raise ValueError("frequency, recency and age must not be negative")
    if (x != np.round(x)).any():
        raise ValueError("frequency counts repeat purchases and must be whole numbers")
    if (t_x > big_t).any():
        raise ValueError("recency (time of the last purchase) must not exceed age")
    if ((x == 0) & (t_x > 0)).any():
        raise ValueError("a customer without repeat purchases must have recency 0")
    return x, t_x, big_t


def _log_likelihood_terms(
    log_params: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return per-row log-likelihoods and their gradient with respect to the log-parameters."""
    r, alpha, a, b = np.exp(log_params)
    repeat = x > 0
    # For x = 0 the second term does not exist; x_safe keeps its formula finite before masking.
    x_safe = np.where(repeat, x, 1.0)
    log_alpha_t = np.log(alpha + big_t)
    log_alpha_tx = np.log(alpha + t_x)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    term_at_age = betaln(a, b + x) - betaln(a, b) - (r + x) * log_alpha_t
    term_at_last = np.where(
        repeat,
        betaln(a + 1.0, b + x_safe - 1.0) - betaln(a, b) - (r + x) * log_alpha_tx,
        -np.inf,
    )
    # log of the two-term sum, and each term's share of it, without leaving log space.
    log_sum = np.logaddexp(term_at_age, term_at_last)
    share_at_age = np.exp(term_at_age - log_sum)
    share_at_last = 1.0 - share_at_age

    psi_ab, psi_abx = digamma(a + b), digamma(a + b + x)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha)
    d_r -= share_at_age * log_alpha_t + share_at_last * log_alpha_tx
    d_alpha = r / alpha - (r + x) * (share_at_age / (alpha + big_t) + share_at_last / (alpha + t_x))
    d_a = psi_ab - psi_abx + share_at_last / a
    d_b = psi_ab - digamma(b) - psi_abx
    d_b += share_at_age * digamma(b + x) + share_at_last * digamma(b + x_safe - 1.0)
    gradient = np.stack([d_r * r, d_alpha * alpha, d_a * a, d_b * b], axis=1)
    return common + log_sum, gradient


def bgnbd_log_likelihood(
    params: BgNbdParameters | tuple[float, float, float, float],
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
) -> float:
    """Return the summed log-likelihood of the histories under (r, alpha, a, b)."""
    values = params.as_tuple() if isinstance(params, BgNbdParameters) else params
    x, t_x, big_t = validated_history(frequency, recency, age)
    log_params = np.log(np.asarray(values, dtype=np.float64))
    per_customer, _ = _log_likelihood_terms(log_params, x, t_x, big_t)
    return float(per_customer.sum())


def fit_bgnbd(
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    *,
    max_customers: int | None = None,
    seed: int = 0,
) -> BgNbdParameters:
    """Fit BG/NBD by maximum likelihood over the distinct (x, t_x, T) histories."""
    x, t_x, big_t = validated_history(frequency, recency, age)
    if x.size < MIN_CUSTOMERS:
        raise ValueError(f"BG/NBD needs at least {MIN_CUSTOMERS} customers, got {x.size}")
    if max_customers is not None and x.size > max_customers:
        sample = np.random.default_rng(seed).choice(x.size, size=max_customers, replace=False)
        x, t_x, big_t = x[sample], t_x[sample], big_t[sample]
    histories, counts = np.unique(np.stack([x, t_x, big_t], axis=1), axis=0, return_counts=True)
    ux, ut_x, ubig_t = histories.T
    weights = counts.astype(np.float64)
    total = float(weights.sum())

    def mean_negative_log_likelihood(log_params: FloatArray) -> tuple[float, FloatArray]:
        values, gradient = _log_likelihood_terms(log_params, ux, ut_x, ubig_t)
        return -float(weights @ values) / total, -(weights @ gradient) / total

    # Start at r = 1 with the observed purchase rate r/alpha, and a flat Beta(1, 1) dropout.
    rate = float(weights @ ux) / max(float(weights @ ubig_t), 1e-12)
    alpha_start = 1.0 / rate if rate > 0 else max(float(weights @ ubig_t) / total, 1.0)
    start = np.log(np.array([1.0, alpha_start, 1.0, 1.0]))
    result = minimize(
        mean_negative_log_likelihood,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[LOG_PARAMETER_BOUNDS] * 4,
        options={"ftol": 1e-13, "gtol": 1e-9, "maxiter": 1000},
    )
    if not np.isfinite(result.fun):
        raise ValueError(f"BG/NBD fit did not converge: {result.message}")
    r, alpha, a, b = (float(value) for value in np.exp(result.x))
    return BgNbdParameters(
        r=r,
        alpha=alpha,
        a=a,
        b=b,
        log_likelihood=-float(result.fun) * total,
        customers=x.size,
    )


def _log_odds_of_dropout(
    params: BgNbdParameters, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """Return log(P(dropped out) / P(alive)) given the history; -inf for x = 0."""
    repeat = x > 0
    x_safe = np.where(repeat, x, 1.0)
    log_odds = (
        np.log(params.a)
        - np.log(params.b + x_safe - 1.0)
        + (params.r + x_safe) * (np.log(params.alpha + big_t) - np.log(params.alpha + t_x))
    )
    return np.where(repeat, log_odds, -np.inf)


def _away_from_singular_points(params: BgNbdParameters) -> tuple[float, float, float, float]:
    """Return (r, alpha, a, b) with a and a + b moved off 1, where eq. 10 is 0/0."""
    a, b = params.a, params.b
    if abs(a - 1.0) < MIN_DISTANCE_FROM_SINGULAR_POINT:
        a = 1.0 + MIN_DISTANCE_FROM_SINGULAR_POINT
    if abs(a + b - 1.0) < MIN_DISTANCE_FROM_SINGULAR_POINT:
        b = 1.0 - a + MIN_DISTANCE_FROM_SINGULAR_POINT
    return params.r, params.alpha, a, b


def p_alive(
    params: BgNbdParameters, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """Return P(alive at T | x, t_x, T); 1 for x = 0, as BG/NBD drops out only after a purchase."""
    x, t_x, big_t = validated_history(frequency, recency, age)
    alive: FloatArray = expit(-_log_odds_of_dropout(params, x, t_x, big_t))
    return alive


def expected_purchases(
    params: BgNbdParameters,
    t: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
) -> FloatArray:
    """Return E[X(t) | x, t_x, T], the expected purchases in (T, T + t] (eq. 10)."""
    x, t_x, big_t = validated_history(frequency, recency, age)
    horizon = np.asarray(t, dtype=np.float64)
    if (horizon < 0).any() or not np.isfinite(horizon).all():
        raise ValueError("t must be finite and not negative")
    r, alpha, a, b = _away_from_singular_points(params)
    z, x_each = np.broadcast_arrays(horizon / (alpha + big_t + horizon), x)
    c = a + b + x_each - 1.0
    # eq. 10 holds ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; c; z), with 1 - z the base of the
    # power. When a < 1 + r + x that 2F1 grows like (1-z)^(a-1-r-x) and overflows against a
    # vanishing power for frequent buyers; Euler's transformation turns the product into
    # (1-z)^(a-1) 2F1(a-1, a+b-1-r; c; z), whose 2F1 stays bounded. Otherwise the original is.
    euler = a < 1.0 + r + x_each
    original = ~euler
    remaining = np.empty_like(z)
    remaining[euler] = np.exp((a - 1.0) * np.log1p(-z[euler])) * hyp2f1(
        a - 1.0, a + b - 1.0 - r, c[euler], z[euler]
    )
    power = r + x_each[original]
    remaining[original] = np.exp(power * np.log1p(-z[original])) * hyp2f1(
        power, b + x_each[original], c[original], z[original]
    )
    bracket = c / (a - 1.0) * (1.0 - remaining)
    expected: FloatArray = bracket * expit(-_log_odds_of_dropout(params, x, t_x, big_t))
    return expected


def expected_purchases_new_customer(params: BgNbdParameters, t: ArrayLike) -> FloatArray:
    """Return the unconditional E[X(t)] of a customer observed from time 0 (eq. 7)."""
    horizon = np.asarray(t, dtype=np.float64)
    zeros = np.zeros(1)
    return np.reshape(
        expected_purchases(params, horizon[..., None], zeros, zeros, zeros), horizon.shape
    )


def churn_risk(
    params: BgNbdParameters,
    period: float,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
) -> FloatArray:
    """Return exp(-E[X(period) | history]), the chance of no purchase in the next period.

    P(alive) is no use here: BG/NBD lets customers drop out only right after a purchase, so it
    is 1 for everyone without a repeat purchase, however long ago they bought. The expected
    number of purchases still falls with the age of a one-time buyer; read as the mean of a
    Poisson count, it gives a score in [0, 1] that ranks all customers alike.
    """
    expected = expected_purchases(params, period, frequency, recency, age)
    risk: FloatArray = np.exp(-np.maximum(expected, 0.0))
    return risk
