"""A formula tree as the source of a compiled scalar function, for its kernel.

The source is generated from a validated tree's program (``program``), never from the
formula's text: it holds only the forms written here, one assignment per distinct
subexpression, numbers as float literals (``repr``), ``x``, the parameters as ``p[i]``,
and calls to ``elementary``'s functions or to a catalog entry's own float64 kernel
functions, passed in by name in the function's namespace. Whatever the formula, the
function is ``def kernel(x, p)`` of float64s and the names it may reach are those.

Every step is computed, ``where``'s branch not taken included, as on the numpy path: its
value is discarded, and the straight-line code vectorises. A kernel declines a point (the
caller then computes it the numpy way) where it cannot be sure to agree with the numpy
path: where sin or cos of a number gives NaN (vmath64 stops at SIN_LIMIT), and where a
catalog function is given a non-finite argument (its kernel is written for finite ones) or
answers NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from service.numerics.catalog import ACTIVATIONS
from service.numerics.compiled import inline
from service.numerics.exceptions import InvalidInput, InvalidParameter
from service.numerics.formula import elementary
from service.numerics.formula.program import Program
from service.numerics.formula.tree import Binary, Call, Compare, Neg, Num, Param, Where, X

__all__ = ["Generated", "build", "generate"]

Generated = tuple[str, dict[str, Any]]
"""The source of ``kernel(x, p)`` and the namespace it runs in."""

_ELEMENTARY = {name: getattr(elementary, name) for name in elementary.__all__}
_ELEMENTARY["abs"] = abs
_DECLINING = frozenset({"sin", "cos"})


def generate(steps: Program, parameters: Sequence[str]) -> Generated | None:
    """The kernel computing ``steps``' one result, or None where it cannot be compiled (a
    catalog function whose options depend on the parameters, or that has no kernel)."""
    slot = {name: index for index, name in enumerate(parameters)}
    namespace: dict[str, Any] = {"_nan": math.nan, "_inf": math.inf}
    lines = ["def kernel(x, p):", "    bad = False"]
    for index, step in enumerate(steps.steps):
        a = [f"t{arg}" for arg in step.args]
        match step.node:
            case Num(value):
                expression = f"({value!r})"
            case X():
                expression = "x"
            case Param(name):
                expression = f"p[{slot[name]}]"
            case Neg():
                expression = f"-{a[0]}"
            case Binary("**", _, Num(2.0)):
                # A product is rounded once, as pow's square is: the same number, no call.
                expression = f"{a[0]} * {a[0]}"
            case Binary(op, _, _):
                expression = f"{a[0]} {op} {a[1]}"
            case Compare(op, _, _):
                expression = f"{a[0]} {op} {a[1]}"
            case Where():
                expression = f"{a[1]} if {a[0]} else {a[2]}"
            case Call("max", _):
                expression = f"{a[0]} if {a[0]} > {a[1]} else {a[1]}"
            case Call("min", _):
                expression = f"{a[0]} if {a[0]} < {a[1]} else {a[1]}"
            case Call(function, _, _, _) if function in _ELEMENTARY:
                namespace[f"_{function}"] = _ELEMENTARY[function]
                expression = f"_{function}({a[0]})"
                if function in _DECLINING:
                    lines.append(f"    t{index} = {expression}")
                    lines.append(f"    bad |= t{index} != t{index} and {a[0]} == {a[0]}")
                    continue
            case Call(function, _, options, order):
                found = _catalog(function, options, order)
                if found is None:
                    return None
                kernel, arguments = found
                namespace[f"_k{index}"], namespace[f"_p{index}"] = kernel, arguments
                lines.append(f"    t{index} = _k{index}({a[0]}, _p{index})")
                # The catalog's kernels are written for finite x, and NaN is how they decline.
                lines.append(f"    bad |= not abs({a[0]}) < _inf or t{index} != t{index}")
                continue
            case _:
                return None
        lines.append(f"    t{index} = {expression}")
    (result,) = steps.results
    lines.append(f"    return _nan if bad else t{result}")
    return "\n".join(lines) + "\n", namespace


def _catalog(
    name: str, options: tuple[tuple[str, object], ...], order: int
) -> tuple[Callable[..., float], tuple[float, ...]] | None:
    """The catalog's float64 kernel function for ``name``'s ``order``-th derivative with these
    (constant) options, and the numbers it takes."""
    given: dict[str, object] = {}
    for key, value in options:
        if isinstance(value, Num):
            given[key] = value.value
        elif isinstance(value, str | bool):
            given[key] = value
        else:
            return None  # an option that depends on the parameters: left to numpy
    entry = ACTIVATIONS[name]
    try:
        bound = entry.kernel(entry.resolve(given))
    except (InvalidInput, InvalidParameter):
        return None
    if bound is None:
        return None
    kernel, arguments = bound
    function = (kernel.value64, kernel.derivative64, kernel.second_derivative64)[order]
    return None if function is None else (function, arguments)


def build(generated: Generated) -> Callable[..., float]:
    """The generated kernel as a numba function, to be inlined into its loops."""
    source, namespace = generated
    scope: dict[str, Any] = dict(namespace)
    exec(compile(source, "<formula kernel>", "exec"), scope)
    return inline(scope["kernel"])  # type: ignore[no-any-return]
