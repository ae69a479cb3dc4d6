"""Declared facts: what measuring the function cannot establish alone, stated in each entry.

Each fact is checked by the tests against what the function does: the continuity class
against the discontinuity detector (along random lines for an axis-wise entry), the range
against the measured one (against the outputs of many vectors for an axis-wise entry), every
identity at thousands of points. A fact that depends on the parameters is a function of
them, called like the forward is: ``continuity=lambda alpha: 1 if alpha == 1 else 0``.

This module knows nothing of the entries (they import it), so that each can declare its
facts beside its formulas.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias, TypeVar

import numpy as np

from service.numerics.types import Array, Interval, ParamValue

__all__ = [
    "SMOOTH",
    "CostClass",
    "Declared",
    "Facts",
    "Identity",
    "InitScheme",
    "Initialisation",
    "Reference",
    "declared",
    "hull",
]

T = TypeVar("T")
Declared: TypeAlias = T | Callable[..., T]
"""A fact, or a function of the activation's parameters that gives it."""

SMOOTH: Final = math.inf
"""The continuity class C^∞."""

CostClass = Literal[
    "piecewise-linear", "polynomial", "division", "sqrt", "exp", "log", "erf", "trig", "sort"
]
"""The costliest primitive per element: none but comparisons, sums and scalings; products of
x with itself; a division; sqrt, exp, log, erf or a trigonometric function; or a sort along
the axis (sparsemax, entmax)."""

InitScheme = Literal["xavier_normal", "he_normal", "lecun_normal"]


@dataclass(frozen=True, slots=True)
class Reference:
    authors: str
    title: str
    venue: str
    year: int
    url: str


@dataclass(frozen=True, slots=True)
class Identity:
    """``formula`` (LaTeX), with both sides as functions of x at fixed parameters (the
    defaults, unless the formula names others).

    An axis-wise function sees x as rows of ``width`` elements, shuffled so that a row's
    elements differ.
    """

    formula: str
    left: Callable[[Array], Array]
    right: Callable[[Array], Array]
    domain: tuple[float, float] = (-30.0, 30.0)
    width: int = 1

    def worst_error(self, points: int = 4001) -> float:
        """max |left - right| / max(1, |left|, |right|) over ``points`` points of the domain."""
        x = np.unique(np.concatenate((np.linspace(*self.domain, points), [0.0, 1e-300, -1e-300])))
        x = x[(x >= self.domain[0]) & (x <= self.domain[1])]
        if self.width > 1:
            x = np.random.default_rng(0).permutation(x)[: x.size // self.width * self.width]
        x = x.reshape(-1, self.width)
        left, right = self.left(x), self.right(x)
        scale = np.maximum(1.0, np.maximum(np.abs(left), np.abs(right)))
        return float(np.max(np.abs(left - right) / scale))


@dataclass(frozen=True, slots=True)
class Initialisation:
    """The recommended weight initialisation (None where none is established), and PyTorch's
    ``calculate_gain`` for the activation where PyTorch defines one, with the call that gives it."""

    scheme: InitScheme | None
    gain: Declared[float] | None = None
    gain_call: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """What is declared of an activation.

    ``continuity`` is the class of f (of the map x -> f(x) on vectors for an axis-wise entry);
    ``range`` the values f takes (those of each output component of an axis-wise entry, for
    vectors of two or more elements); ``kinks`` the finite points where f, f' or f'' jumps
    (those of an element-wise entry: where the kink convention applies). ``random`` is true where f draws random numbers (rrelu
    in training): it is then no one function whose properties could be measured.
    """

    continuity: Declared[float]
    range: Declared[Interval]
    cost: Declared[CostClass]
    initialisation: Initialisation
    kinks: Declared[tuple[float, ...]] = ()
    identities: tuple[Identity, ...] = ()
    references: tuple[Reference, ...] = ()
    random: Declared[bool] = False
    defined: Declared[bool] = True
    """Whether f and f' are real numbers (possibly infinite) at every real x: a formula with a
    log or a square root of a negative number is not, and has nothing to measure."""


def declared(fact: Declared[T], params: Mapping[str, ParamValue]) -> T:
    """The fact for these (resolved) parameters."""
    if callable(fact):
        value: T = fact(**params)
        return value
    return fact


def hull(attained: Iterable[float], approached: Iterable[float] = ()) -> Interval:
    """The smallest interval holding values that some x attains and limits only approached;
    an end is closed when an attained value is there."""
    reached, limits = list(attained), list(approached)
    low, high = min(reached + limits), max(reached + limits)
    return Interval(
        low, high, low in reached and math.isfinite(low), high in reached and math.isfinite(high)
    )
