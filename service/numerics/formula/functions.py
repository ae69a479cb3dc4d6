"""The functions a formula may call: each one's numpy and mpmath forms, derivative and cost.

Built-ins are evaluated by numpy and scipy with their stable forms (softplus as
``logaddexp(0, u)``, sigmoid as the catalog's, which keeps its subnormal tail); their mpmath
forms are the textbook definitions, which mpmath evaluates to any precision. Outside its
domain (log of a negative number, sqrt of one) a function is NaN in both. Every catalog
activation that has f, f' and f'' element-wise can be called by name too, with its parameters
as keywords: ``elu(x, alpha=0.5)``, ``gelu(x, approximate='tanh')``.

mpmath's numbers have unbounded exponents, and what exp, sin or a power costs grows with the
size of its argument's: exp(exp(exp(x))) would ask for gigabytes and hours. Past
``FAR_MAGNITUDE`` (|u| > 2**1100, beyond anything one operation on floats gives) a function
answers its limit there instead (exp 0 or inf, tanh -1 or 1, erfc 2 or 0...), exact to any
precision a float can tell; sin and cos, which have none, answer NaN: no truth, and the point
is left out of the accuracy report.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import mpmath
import numpy as np
from scipy import special

from service.numerics.catalog import ACTIVATIONS, Activation, CostClass
from service.numerics.catalog.sigmoidal.sigmoid import sigmoid
from service.numerics.formula import algebra as a
from service.numerics.formula.tree import Binary, Call, Node, Num
from service.numerics.types import Array

__all__ = [
    "BUILTINS",
    "COSTS",
    "FAR_MAGNITUDE",
    "Builtin",
    "catalog_function",
    "catalog_slope",
    "far",
    "is_builtin",
]

COSTS: Final[tuple[CostClass, ...]] = (
    "piecewise-linear",
    "polynomial",
    "division",
    "sqrt",
    "exp",
    "log",
    "erf",
    "trig",
    "sort",
)
"""Cost classes from the cheapest: a formula costs what its costliest primitive costs."""

# 2/sqrt(pi) as a tree, so that mpmath evaluates it to its own precision.
_TWO_OVER_SQRT_PI: Final = Binary("/", Num(2.0), Call("sqrt", (Num(math.pi),)))
_ASYMPTOTIC: Final = mpmath.mpf("1e30")
FAR_MAGNITUDE: Final = 1100
"""Binary digits of an argument's magnitude past which a function answers its limit."""


@dataclass(frozen=True, slots=True)
class Builtin:
    """A built-in of one argument: numpy and mpmath forms, f'(u) as a tree, cost, LaTeX name."""

    numpy: Callable[[Array], Array]
    precise: Callable[[Any], Any]
    slope: Callable[[Node], Node]
    cost: CostClass
    latex: str


def far(u: Any) -> bool:
    """Whether ``u`` is finite and its magnitude past 2**FAR_MAGNITUDE."""
    return bool(mpmath.isfinite(u) and mpmath.mag(u) > FAR_MAGNITUDE)


def _limits(function: Callable[[Any], Any], below: Any, above: Any) -> Callable[[Any], Any]:
    """``function``, or its limit at -inf (``below``) or +inf (``above``) for a far argument."""
    low, high = mpmath.mpf(below), mpmath.mpf(above)
    return lambda u: (high if u > 0 else low) if far(u) else function(u)


def _real(function: Callable[[Any], Any], low: float) -> Callable[[Any], Any]:
    """``function`` where its argument is at least ``low``, NaN below (not a complex number)."""
    return lambda u: function(u) if u >= low else mpmath.nan


def _erfc(u: Any) -> Any:
    # mpmath's erfc overflows computing its own exponent past u ~ 1e77; there the asymptotic
    # series' first two terms are exact to (3/4) u^-4, below any working precision.
    if far(u):
        return mpmath.mpf(0) if u > 0 else mpmath.mpf(2)
    if u > _ASYMPTOTIC:
        return mpmath.exp(-u * u) / (u * mpmath.sqrt(mpmath.pi)) * (1 - 1 / (2 * u * u))
    return mpmath.erfc(u)


def _softplus(u: Array) -> Array:
    result: Array = np.logaddexp(0.0, u)
    return result


def _gauss(u: Node) -> Node:
    return a.call("exp", a.neg(a.power(u, Num(2.0))))


BUILTINS: Final[dict[str, Builtin]] = {
    "exp": Builtin(
        np.exp, _limits(mpmath.exp, 0, mpmath.inf), lambda u: a.call("exp", u), "exp", r"\exp"
    ),
    "expm1": Builtin(
        np.expm1,
        _limits(mpmath.expm1, -1, mpmath.inf),
        lambda u: a.call("exp", u),
        "exp",
        r"\operatorname{expm1}",
    ),
    "log": Builtin(np.log, _real(mpmath.log, 0.0), lambda u: a.div(Num(1.0), u), "log", r"\log"),
    "log1p": Builtin(
        np.log1p,
        _real(mpmath.log1p, -1.0),
        lambda u: a.div(Num(1.0), a.add(Num(1.0), u)),
        "log",
        r"\operatorname{log1p}",
    ),
    "sqrt": Builtin(
        np.sqrt,
        _real(mpmath.sqrt, 0.0),
        lambda u: a.div(Num(0.5), a.call("sqrt", u)),
        "sqrt",
        r"\sqrt",
    ),
    "abs": Builtin(np.abs, abs, lambda u: a.call("sign", u), "piecewise-linear", "abs"),
    "sign": Builtin(
        np.sign, mpmath.sign, lambda u: Num(0.0), "piecewise-linear", r"\operatorname{sign}"
    ),
    # 1/cosh^2 rather than 1 - tanh^2, which is 0 once tanh rounds to 1 (|u| > 19).
    "tanh": Builtin(
        np.tanh,
        _limits(mpmath.tanh, -1, 1),
        lambda u: a.power(a.call("cosh", u), Num(-2.0)),
        "exp",
        r"\tanh",
    ),
    "cosh": Builtin(
        np.cosh,
        _limits(mpmath.cosh, mpmath.inf, mpmath.inf),
        lambda u: a.call("sinh", u),
        "exp",
        r"\cosh",
    ),
    "sinh": Builtin(
        np.sinh,
        _limits(mpmath.sinh, -mpmath.inf, mpmath.inf),
        lambda u: a.call("cosh", u),
        "exp",
        r"\sinh",
    ),
    # sigma(u) sigma(-u) rather than sigma (1 - sigma), which is 0 once sigma rounds to 1.
    "sigmoid": Builtin(
        sigmoid,
        _limits(lambda u: 1 / (1 + mpmath.exp(-u)), 0, 1),
        lambda u: a.mul(a.call("sigmoid", u), a.call("sigmoid", a.neg(u))),
        "exp",
        r"\sigma",
    ),
    "softplus": Builtin(
        _softplus,
        lambda u: (u if u > 0 else mpmath.mpf(0)) if far(u) else mpmath.log1p(mpmath.exp(u)),
        lambda u: a.call("sigmoid", u),
        "log",
        r"\operatorname{softplus}",
    ),
    "erf": Builtin(
        special.erf,
        _limits(mpmath.erf, -1, 1),
        lambda u: a.mul(_TWO_OVER_SQRT_PI, _gauss(u)),
        "erf",
        r"\operatorname{erf}",
    ),
    "erfc": Builtin(
        special.erfc,
        _erfc,
        lambda u: a.neg(a.mul(_TWO_OVER_SQRT_PI, _gauss(u))),
        "erf",
        r"\operatorname{erfc}",
    ),
    "sin": Builtin(
        np.sin,
        _limits(mpmath.sin, mpmath.nan, mpmath.nan),
        lambda u: a.call("cos", u),
        "trig",
        r"\sin",
    ),
    "cos": Builtin(
        np.cos,
        _limits(mpmath.cos, mpmath.nan, mpmath.nan),
        lambda u: a.neg(a.call("sin", u)),
        "trig",
        r"\cos",
    ),
    "atan": Builtin(
        np.arctan,
        mpmath.atan,
        lambda u: a.div(Num(1.0), a.add(Num(1.0), a.power(u, Num(2.0)))),
        "trig",
        r"\arctan",
    ),
}
"""The built-in functions of one argument (``min``, ``max`` and ``where`` are the others)."""


def is_builtin(name: str) -> bool:
    return name in BUILTINS or name in ("min", "max")


def catalog_function(name: str) -> Activation | None:
    """The catalog entry a formula may call as ``name``: element-wise, with f' and f''."""
    if is_builtin(name) or not ACTIVATIONS.knows(name):
        return None
    entry = ACTIVATIONS.lookup(name)
    if entry.axiswise or entry.derivative is None or entry.second_derivative is None:
        return None
    return entry


def catalog_slope(node: Call) -> Call | None:
    """The derivative of a catalog call with respect to its argument; None past f''."""
    if node.order >= 2:
        return None
    return Call(node.function, node.args, node.options, node.order + 1)
