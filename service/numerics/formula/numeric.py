"""A formula tree as numpy: compiled once into nested closures, then called on arrays.

Each node becomes one vectorised numpy or scipy call, so an evaluation costs one pass over
the array per node. ``where`` evaluates both branches (the one not taken may overflow or be
NaN there; it is discarded), as ``np.where`` does. The result has x's dtype and shape, a
constant formula included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from service.numerics.catalog import ACTIVATIONS
from service.numerics.formula.functions import BUILTINS
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
from service.numerics.types import Array, ParamValue

__all__ = ["Compiled", "compile_numpy"]

Compiled = Callable[[Array, Mapping[str, ParamValue]], Any]

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "**": np.power,
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def compile_numpy(node: Node) -> Callable[..., Array]:
    """``f(x, **params)`` for the formula ``node``, in x's dtype and shape."""
    inner = _compile(node)

    def function(x: Array, **params: ParamValue) -> Array:
        with np.errstate(all="ignore"):
            result = inner(x, params)
        result = np.asarray(result, dtype=x.dtype)
        if result.shape != x.shape:
            return np.broadcast_to(result, x.shape).copy()
        return result

    return function


def _compile(node: Node) -> Compiled:
    match node:
        case Num(value):
            return lambda x, p: value
        case X():
            return lambda x, p: x
        case Param(name):
            return lambda x, p: p[name]
        case Neg(operand):
            inner = _compile(operand)
            return lambda x, p: np.negative(inner(x, p))
        case Binary(op, left, right):
            return _binary(_BINARY[op], _compile(left), _compile(right))
        case Compare(op, left, right):
            return _binary(_COMPARE[op], _compile(left), _compile(right))
        case Where(condition, then, otherwise):
            test, yes, no = _compile(condition), _compile(then), _compile(otherwise)
            return lambda x, p: np.where(test(x, p), yes(x, p), no(x, p))
        case Call("max", (left, right)):
            return _extremum(np.greater, _compile(left), _compile(right))
        case Call("min", (left, right)):
            return _extremum(np.less, _compile(left), _compile(right))
        case Call(function, (argument,), _, _) if function in BUILTINS:
            apply, inner = BUILTINS[function].numpy, _compile(argument)
            return lambda x, p: apply(np.asarray(inner(x, p), dtype=np.result_type(x, 0.0)))
        case Call(function, (argument,), options, order):
            return _catalog(function, _compile(argument), options, order)
    raise TypeError(f"not a formula node: {node!r}")


def _binary(op: Callable[[Any, Any], Any], left: Compiled, right: Compiled) -> Compiled:
    return lambda x, p: op(left(x, p), right(x, p))


def _extremum(wins: Callable[[Any, Any], Any], left: Compiled, right: Compiled) -> Compiled:
    # a where a wins, else b: the branch derivative.py differentiates, and NaN-free for finite a, b.
    def choose(x: Array, p: Mapping[str, ParamValue]) -> Any:
        u, v = left(x, p), right(x, p)
        return np.where(wins(u, v), u, v)

    return choose


def _catalog(
    name: str, argument: Compiled, options: tuple[tuple[str, Node | str | bool], ...], order: int
) -> Compiled:
    entry = ACTIVATIONS[name]
    function = (entry.forward, entry.derivative, entry.second_derivative)[order]
    assert function is not None, "formulas call only entries with f' and f''"
    values = [
        (key, value if isinstance(value, str | bool) else _compile(value)) for key, value in options
    ]

    def call(x: Array, p: Mapping[str, ParamValue]) -> Any:
        given = {
            key: value if isinstance(value, str | bool) else float(value(x, p))
            for key, value in values
        }
        u = np.asarray(argument(x, p), dtype=np.result_type(x, 0.0))
        return function(u, **entry.resolve(given))

    return call
