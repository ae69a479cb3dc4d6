"""What many trials say together: distributions across seeds, and means with confidence intervals.

A ``Distribution`` summarises values along the trial axis, element by element: mean, standard
deviation (with Bessel's correction; 0 for one trial), minimum, the 10%, 25%, 50%, 75% and 90%
quantiles (linear interpolation between order statistics, numpy's default) and maximum.

An ``Estimate`` is the mean of one number per trial with its Student-t confidence interval,
mean +- t_{(1 + c)/2, k - 1} s / sqrt(k) for k trials of standard deviation s: the interval
that covers the mean over seeds with probability c if the values are roughly normal (k >= 2;
with one trial, or a value that is not finite, there is no interval). ``paired`` estimates the
mean difference of two entrants trial by trial: the trials share their seeds, so the
difference cancels what the seed alone decides and is sharper than two separate intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy.stats import t as student

from service.numerics.types import Array

__all__ = ["QUANTILES", "Distribution", "Estimate", "distribution", "estimate", "paired"]

QUANTILES: Final = (0.1, 0.25, 0.5, 0.75, 0.9)


@dataclass(frozen=True, slots=True)
class Distribution:
    """Across trials, per element of the rest of the shape (as nested lists)."""

    mean: list[float]
    std: list[float]
    min: list[float]
    q10: list[float]
    q25: list[float]
    median: list[float]
    q75: list[float]
    q90: list[float]
    max: list[float]


def distribution(values: Array) -> Distribution:
    """The distribution of ``values`` (trials, ...) across its first axis."""
    trials = values.shape[0]
    with np.errstate(invalid="ignore", over="ignore"):
        mean = values.mean(axis=0)
        std = values.std(axis=0, ddof=1) if trials > 1 else np.zeros_like(mean)
        quantiles = np.quantile(values, QUANTILES, axis=0)
    q10, q25, median, q75, q90 = (q.tolist() for q in quantiles)
    return Distribution(
        mean=mean.tolist(),
        std=std.tolist(),
        min=values.min(axis=0).tolist(),
        q10=q10,
        q25=q25,
        median=median,
        q75=q75,
        q90=q90,
        max=values.max(axis=0).tolist(),
    )


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean over trials and its confidence interval (None where there is none)."""

    mean: float
    std: float
    low: float | None
    high: float | None
    trials: int


def estimate(values: Array, confidence: float) -> Estimate:
    """The mean of one value per trial, with its ``confidence`` interval."""
    trials = values.shape[0]
    with np.errstate(invalid="ignore", over="ignore"):
        mean = float(values.mean())
        std = float(values.std(ddof=1)) if trials > 1 else 0.0
    if trials < 2 or not np.isfinite(values).all():
        return Estimate(mean, std, None, None, trials)
    half = float(student.ppf((1 + confidence) / 2, trials - 1)) * std / math.sqrt(trials)
    return Estimate(mean, std, mean - half, mean + half, trials)


def paired(values: Array, baseline: Array, confidence: float) -> Estimate:
    """The mean of values - baseline, trial by trial, with its ``confidence`` interval."""
    with np.errstate(invalid="ignore"):
        return estimate(values - baseline, confidence)
