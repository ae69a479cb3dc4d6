"""Exact derivatives in x of a formula tree, by the rules of calculus, as trees again.

Kinks take one convention, stated once: where a branch switches (``where``, ``min``, ``max``)
the derivative is the branch that holds there, and max(a, b) holds a where a > b, b at a
tie, so max(x, 0) has slope 0 at 0 as relu has in PyTorch; abs has slope sign(0) = 0 at 0.
The impulses of a jump are left out: they are no function's values.
"""

from __future__ import annotations

from service.numerics.formula import algebra as a
from service.numerics.formula.functions import BUILTINS, catalog_slope
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
    depends_on_x,
)

__all__ = ["NotDifferentiable", "derivative", "expand_extrema"]


class NotDifferentiable(ValueError):
    """A derivative the rules cannot give (past a catalog activation's f'')."""


def expand_extrema(node: Call) -> Where:
    """min and max as the branches that hold: max(a, b) is a where a > b, else b."""
    left, right = node.args
    op = ">" if node.function == "max" else "<"
    return Where(Compare(op, left, right), left, right)  # type: ignore[arg-type]


def derivative(node: Node) -> Node:
    """d node / dx."""
    match node:
        case Num() | Param():
            return Num(0.0)
        case X():
            return Num(1.0)
        case Neg(operand):
            return a.neg(derivative(operand))
        case Binary("+", left, right):
            return a.add(derivative(left), derivative(right))
        case Binary("-", left, right):
            return a.sub(derivative(left), derivative(right))
        case Binary("*", left, right):
            return a.add(a.mul(derivative(left), right), a.mul(left, derivative(right)))
        case Binary("/", left, right):
            quotient = a.div(derivative(left), right)
            if not depends_on_x(right):
                return quotient
            # (u/v)' = u'/v - u v'/v^2, as (u/v)(v'/v): v^2 would overflow where v/v does not.
            return a.sub(quotient, a.mul(a.div(left, right), a.div(derivative(right), right)))
        case Binary("**", base, exponent):
            return _power(base, exponent)
        case Where(condition, then, otherwise):
            return a.where(condition, derivative(then), derivative(otherwise))
        case Call("min" | "max"):
            return derivative(expand_extrema(node))
        case Call(function, (argument,), _, _) if function in BUILTINS:
            return a.mul(BUILTINS[function].slope(argument), derivative(argument))
        case Call(function, (argument,), _, _):
            slope = catalog_slope(node)
            if slope is None:
                raise NotDifferentiable(f"{function} has no derivative past the second here")
            return a.mul(slope, derivative(argument))
    raise NotDifferentiable(f"cannot differentiate {node!r}")


def _power(base: Node, exponent: Node) -> Node:
    if not depends_on_x(exponent):
        # (u^c)' = c u^(c-1) u'
        reduced = a.power(base, a.sub(exponent, Num(1.0)))
        return a.mul(a.mul(exponent, reduced), derivative(base))
    log_base = a.call("log", base)
    if not depends_on_x(base):
        return a.mul(a.mul(Binary("**", base, exponent), log_base), derivative(exponent))
    # (u^v)' = u^v (v' log u + v u'/u)
    inner = a.add(
        a.mul(derivative(exponent), log_base), a.mul(exponent, a.div(derivative(base), base))
    )
    return a.mul(Binary("**", base, exponent), inner)
