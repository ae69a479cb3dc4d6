"""A formula tree as numpy: compiled once into a list of steps, then called on arrays.

Each distinct subexpression (``program``) becomes one vectorised numpy or scipy call, so an
evaluation costs one pass over the array per distinct node, and holds a step's array only
until its last reader has run. ``where`` evaluates both branches (the one not taken may
overflow or be NaN there; it is discarded), as ``np.where`` does. The result has x's dtype
and shape, a constant formula included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from service.numerics.catalog import ACTIVATIONS
from service.numerics.formula.functions import BUILTINS
from service.numerics.formula.program import Step, program
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

__all__ = ["compile_numpy"]

Operation = Callable[[Array, Mapping[str, ParamValue], list[Any]], Any]

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
    steps = program(node)
    operations = [_operation(step) for step in steps.steps]
    # After step i, the values no later step reads.
    freed: list[list[int]] = [[] for _ in steps.steps]
    for index, last in enumerate(steps.last_use):
        if last < len(steps.steps):
            freed[last].append(index)
    (result,) = steps.results

    def function(x: Array, **params: ParamValue) -> Array:
        values: list[Any] = [None] * len(operations)
        with np.errstate(all="ignore"):
            for index, (operation, step) in enumerate(zip(operations, steps.steps, strict=True)):
                values[index] = operation(x, params, [values[arg] for arg in step.args])
                for done in freed[index]:
                    values[done] = None
        value = np.asarray(values[result], dtype=x.dtype)
        if value.shape != x.shape:
            return np.broadcast_to(value, x.shape).copy()
        return value

    return function


def _operation(step: Step) -> Operation:
    """How one step computes its value from x, the parameters and its arguments' values."""
    match step.node:
        case Num(value):
            return lambda x, p, a: value
        case X():
            return lambda x, p, a: x
        case Param(name):
            return lambda x, p, a: p[name]
        case Neg():
            return lambda x, p, a: np.negative(a[0])
        case Binary(op, _, _):
            binary = _BINARY[op]
            return lambda x, p, a: binary(a[0], a[1])
        case Compare(op, _, _):
            compare = _COMPARE[op]
            return lambda x, p, a: compare(a[0], a[1])
        case Where():
            return lambda x, p, a: np.where(a[0], a[1], a[2])
        # a where a wins, else b: the branch derivative.py differentiates, and NaN-free for
        # finite a, b.
        case Call("max", _):
            return lambda x, p, a: np.where(np.greater(a[0], a[1]), a[0], a[1])
        case Call("min", _):
            return lambda x, p, a: np.where(np.less(a[0], a[1]), a[0], a[1])
        case Call(function, _, _, _) if function in BUILTINS:
            apply = BUILTINS[function].numpy
            return lambda x, p, a: apply(np.asarray(a[0], dtype=np.result_type(x, 0.0)))
        case Call(function, _, options, order):
            return _catalog(function, options, order)
    raise TypeError(f"not a formula node: {step.node!r}")


def _catalog(
    name: str, options: tuple[tuple[str, Node | str | bool], ...], order: int
) -> Operation:
    entry = ACTIVATIONS[name]
    function = (entry.forward, entry.derivative, entry.second_derivative)[order]
    assert function is not None, "formulas call only entries with f' and f''"

    def call(x: Array, p: Mapping[str, ParamValue], a: list[Any]) -> Any:
        numbers = iter(a[1:])  # the options that are nodes, in order, after the argument
        given = {
            key: value if isinstance(value, str | bool) else float(next(numbers))
            for key, value in options
        }
        u = np.asarray(a[0], dtype=np.result_type(x, 0.0))
        return function(u, **entry.resolve(given))

    return call
