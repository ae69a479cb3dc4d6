"""A formula tree in mpmath, at whatever precision the caller sets: the truth it is measured by.

Built-ins are their textbook definitions, which mpmath evaluates to the working precision
whatever the argument (exp(1e6) has an exponent, not an overflow). A catalog activation
called inside a formula is taken from its float64 functions, at the argument rounded to a
float: the catalog's own tests hold those to a few ULP, so the truth is then as good as that.
Where a value is undefined (log of a negative number, 0/0) the result is NaN. A power past
2**(2**1100) is infinite, one below its inverse 0, and a function of an argument past 2**1100
answers its limit there (``functions.FAR_MAGNITUDE``): no tower of powers or exponentials
costs more than its floats would.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import numpy as np

from service.numerics.catalog import ACTIVATIONS
from service.numerics.formula.functions import BUILTINS, far
from service.numerics.formula.tree import (
    Binary,
    Call,
    Compare,
    Neg,
    Node,
    Num,
    Param,
    Where,
    X,
)
from service.numerics.types import ParamValue

__all__ = ["compile_mpmath"]

Precise = Callable[[Any, Mapping[str, ParamValue]], Any]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda u, v: u + v,
    "-": lambda u, v: u - v,
    "*": lambda u, v: u * v,
    "/": lambda u, v: _divide(u, v),
    "**": lambda u, v: _power(u, v),
    "<": lambda u, v: u < v,
    "<=": lambda u, v: u <= v,
    ">": lambda u, v: u > v,
    ">=": lambda u, v: u >= v,
    "==": lambda u, v: u == v,
    "!=": lambda u, v: u != v,
}


def _divide(u: Any, v: Any) -> Any:
    if v == 0:
        return mpmath.nan if u == 0 or mpmath.isnan(u) else mpmath.inf * mpmath.sign(u)
    return u / v


def _power(u: Any, v: Any) -> Any:
    if u < 0 and not mpmath.isint(v):
        return mpmath.nan
    if u == 0 and v < 0:
        return mpmath.inf
    if u == 0 or not mpmath.isfinite(u) or not mpmath.isfinite(v):
        return mpmath.power(u, v)
    digits = v * mpmath.log(abs(u), 2)  # |u**v| = 2**digits
    if far(digits):
        # Past 2**FAR_MAGNITUDE binary digits it is 0 or infinite to any precision a float can
        # tell, and computing it would cost as much as its digits.
        size = mpmath.inf if digits > 0 else mpmath.mpf(0)
    elif mpmath.isint(v) and mpmath.mag(v) > 64:
        # mpmath raises to an integer by squaring, a step per binary digit of v (1,024 for
        # 1e308, 20 ms a point); exp(v log|u|) with as many more digits as v log|u| has
        # before the point is as exact.
        with mpmath.extraprec(max(int(mpmath.mag(digits)), 0) + 16):
            size = mpmath.exp(v * mpmath.log(abs(u)))
        size = +size
    else:
        return mpmath.power(u, v)
    return -size if u < 0 and not mpmath.isint(v / 2) else size


def compile_mpmath(node: Node) -> Callable[..., Any]:
    """``f(x, **params)`` in mpmath for the formula ``node``; x is an mpf."""
    inner = _compile(node)

    def function(x: Any, **params: ParamValue) -> Any:
        try:
            value = inner(
                x,
                {
                    k: mpmath.mpf(v) if not isinstance(v, str | bool) else v
                    for k, v in params.items()
                },
            )
        except (ValueError, ZeroDivisionError, OverflowError):
            return mpmath.nan
        return _real(mpmath.mpmathify(value))

    return function


def _compile(node: Node) -> Precise:
    match node:
        case Num(value):
            # pi and e are the float nearest them in a tree, the constants themselves here.
            exact = {math.pi: lambda: +mpmath.pi, math.e: lambda: +mpmath.e}.get(value)
            if exact is not None:
                return lambda x, p: exact()
            constant = mpmath.mpf(value)
            return lambda x, p: constant
        case X():
            return lambda x, p: x
        case Param(name):
            return lambda x, p: p[name]
        case Neg(operand):
            inner = _compile(operand)
            return lambda x, p: -inner(x, p)
        case Binary(op, left, right) | Compare(op, left, right):
            apply, u, v = _OPS[op], _compile(left), _compile(right)
            return lambda x, p: apply(u(x, p), v(x, p))
        case Where(condition, then, otherwise):
            test, yes, no = _compile(condition), _compile(then), _compile(otherwise)
            return lambda x, p: yes(x, p) if test(x, p) else no(x, p)
        case Call("max" | "min" as which, (left, right)):
            u, v = _compile(left), _compile(right)
            wins = _OPS[">" if which == "max" else "<"]

            def extremum(x: Any, p: Mapping[str, ParamValue]) -> Any:
                a, b = u(x, p), v(x, p)
                return a if wins(a, b) else b

            return extremum
        case Call(function, (argument,), _, _) if function in BUILTINS:
            precise, inner = BUILTINS[function].precise, _compile(argument)
            return lambda x, p: _real(precise(inner(x, p)))
        case Call(function, (argument,), options, order):
            return _catalog(function, _compile(argument), options, order)
    raise TypeError(f"not a formula node: {node!r}")


def _real(value: Any) -> Any:
    return mpmath.nan if isinstance(value, mpmath.mpc) else value


def _catalog(
    name: str, argument: Precise, options: tuple[tuple[str, Node | str | bool], ...], order: int
) -> Precise:
    entry = ACTIVATIONS[name]
    function = (entry.forward, entry.derivative, entry.second_derivative)[order]
    assert function is not None, "formulas call only entries with f' and f''"
    values = [
        (key, value if isinstance(value, str | bool) else _compile(value)) for key, value in options
    ]

    def call(x: Any, p: Mapping[str, ParamValue]) -> Any:
        given = {
            key: value if isinstance(value, str | bool) else float(value(x, p))
            for key, value in values
        }
        u = float(argument(x, p))
        with np.errstate(all="ignore"):
            result = function(np.array([u]), **entry.resolve(given))
        return mpmath.mpf(float(result[0]))

    return call
