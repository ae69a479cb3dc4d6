"""A formula tree in LaTeX, for f, f' and f'' shown beside each other."""

from __future__ import annotations

import math
from typing import Final

from service.numerics.formula.functions import BUILTINS
from service.numerics.formula.tree import Binary, Call, Compare, Neg, Node, Num, Param, Where, X

__all__ = ["latex"]

_GREEK: Final = frozenset(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "rho",
        "sigma",
        "tau",
        "upsilon",
        "phi",
        "chi",
        "psi",
        "omega",
    ]
)
_RELATIONS: Final = {"<": "<", "<=": r"\le", ">": ">", ">=": r"\ge", "==": "=", "!=": r"\ne"}
_LEVEL: Final = {"+": 1, "-": 1, "*": 2, "/": 3, "neg": 2, "**": 4}


def _number(value: float) -> str:
    if value == math.pi:
        return r"\pi"
    if value == math.e:
        return "e"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    mantissa, _, exponent = f"{value:.15g}".partition("e")
    return f"{mantissa} \\cdot 10^{{{int(exponent)}}}" if exponent else mantissa


def _level(node: Node) -> int:
    match node:
        case Binary(op, _, _):
            return _LEVEL[op]
        case Neg():
            return _LEVEL["neg"]
        case Num(value) if value < 0:
            return _LEVEL["neg"]
    return 5


def _wrap(node: Node, below: int) -> str:
    shown = latex(node)
    return rf"\left({shown}\right)" if _level(node) < below else shown


def latex(node: Node) -> str:
    """LaTeX for ``node`` (the right side of f(x) = ...)."""
    match node:
        case Num(value):
            return _number(value)
        case X():
            return "x"
        case Param(name):
            return (
                f"\\{name}" if name in _GREEK else name if len(name) == 1 else rf"\mathrm{{{name}}}"
            )
        case Neg(operand):
            return "-" + _wrap(operand, 3)
        case Binary("/", left, right):
            return rf"\frac{{{latex(left)}}}{{{latex(right)}}}"
        case Binary("**", base, exponent):
            return f"{_wrap(base, 5)}^{{{latex(exponent)}}}"
        case Binary("*", left, right):
            return f"{_wrap(left, 2)}\\,{_wrap(right, 3)}"
        case Binary(op, left, right):
            return f"{latex(left)} {op} {_wrap(right, 2)}"
        case Compare(op, left, right):
            return f"{latex(left)} {_RELATIONS[op]} {latex(right)}"
        case Where(condition, then, otherwise):
            return (
                rf"\begin{{cases}} {latex(then)} & {latex(condition)} \\"
                rf" {latex(otherwise)} & \text{{otherwise}} \end{{cases}}"
            )
        case Call("abs", (argument,)):
            return rf"\left|{latex(argument)}\right|"
        case Call("sqrt", (argument,)):
            return rf"\sqrt{{{latex(argument)}}}"
        case Call("min" | "max" as which, (left, right)):
            return rf"\{which}\left({latex(left)}, {latex(right)}\right)"
        case Call(function, (argument,), _, _) if function in BUILTINS:
            return rf"{BUILTINS[function].latex}\left({latex(argument)}\right)"
        case Call(function, (argument,), options, order):
            given = ", ".join(
                f"{key}={value}" if isinstance(value, str | bool) else f"{key}={latex(value)}"
                for key, value in options
            )
            shown = rf"\operatorname{{{function}}}{chr(39) * order}"
            if given:
                shown += rf"_{{{given.replace('_', chr(92) + '_')}}}"
            return rf"{shown}\left({latex(argument)}\right)"
    raise TypeError(f"not a formula node: {node!r}")
