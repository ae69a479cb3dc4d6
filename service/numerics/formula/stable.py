"""Stable forms: subexpressions that round badly, and the catalog's primitives that do not.

Each rule is an exact identity whose right side is evaluated without the overflow or the
cancellation of its left side: log(1 + e^u) overflows past u = 709 and is 0 below u = -37
where softplus(u) is not; 1/(1 + e^-u) is the sigmoid, a/(1 + e^-u) is a sigmoid(u);
1 + erf(u) cancels to 0 for u < -6 where erfc(-u) does not; log(1 + u) and e^u - 1 lose
the digits of a small u that log1p and expm1 keep. ``stabilise`` applies them bottom-up and
says which it applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.numerics.formula import algebra as a
from service.numerics.formula.tree import Binary, Call, Compare, Neg, Node, Num, Where, text

__all__ = ["Rewrite", "stabilise"]

_ONE = Num(1.0)


@dataclass(frozen=True, slots=True)
class Rewrite:
    """``found`` (a subexpression as written) evaluates as ``stable``, for ``why``."""

    found: str
    stable: str
    why: str


def _exp_of(node: Node) -> Node | None:
    return node.args[0] if isinstance(node, Call) and node.function == "exp" else None


def _one_plus(node: Node) -> Node | None:
    """u where node is 1 + u or u + 1."""
    if isinstance(node, Binary) and node.op == "+":
        if node.left == _ONE:
            return node.right
        if node.right == _ONE:
            return node.left
    return None


def _rule(node: Node) -> tuple[Node, str] | None:
    match node:
        case Call("log", (argument,)):
            inner = _one_plus(argument)
            if inner is not None and (u := _exp_of(inner)) is not None:
                return Call(
                    "softplus", (u,)
                ), "overflows for large arguments and is 0 for very negative ones"
            if inner is not None:
                return Call("log1p", (inner,)), "loses the digits of a small argument"
        case Call("log1p", (argument,)) if (u := _exp_of(argument)) is not None:
            return Call("softplus", (u,)), "overflows for large arguments"
        case Binary("/", numerator, denominator):
            inner = _one_plus(denominator)
            v = None if inner is None else _exp_of(inner)
            if v is not None:
                gate = Call("sigmoid", (a.neg(v),))
                why = "overflows where exp does, giving inf/inf = NaN in its derivatives"
                if numerator == _ONE:
                    return gate, why
                if numerator == inner:
                    return Call("sigmoid", (v,)), why
                return Binary("*", numerator, gate), why
        case Binary("+", left, right) if _ONE in (left, right):
            other = right if left == _ONE else left
            if isinstance(other, Call) and other.function == "erf":
                return Call("erfc", (a.neg(other.args[0]),)), "cancels to 0 where erf is near -1"
        case Binary("-", left, right) if left == _ONE:
            if isinstance(right, Call) and right.function == "erf":
                return Call("erfc", right.args), "cancels to 0 where erf is near 1"
        case Binary("-", left, right) if right == _ONE and (u := _exp_of(left)) is not None:
            return Call("expm1", (u,)), "loses the digits of a small argument"
    return None


def stabilise(node: Node) -> tuple[Node, tuple[Rewrite, ...]]:
    """``node`` with every stable form substituted, and the rewrites made."""
    made: list[Rewrite] = []
    return _walk(node, made), tuple(made)


def _walk(node: Node, made: list[Rewrite]) -> Node:
    match node:
        case Neg(operand):
            node = Neg(_walk(operand, made))
        case Binary(op, left, right):
            node = Binary(op, _walk(left, made), _walk(right, made))
        case Compare(op, left, right):
            node = Compare(op, _walk(left, made), _walk(right, made))
        case Where(condition, then, otherwise):
            test = _walk(condition, made)
            assert isinstance(test, Compare)
            node = Where(test, _walk(then, made), _walk(otherwise, made))
        case Call(function, args, options, order):
            node = Call(function, tuple(_walk(arg, made) for arg in args), options, order)
    found = _rule(node)
    if found is None:
        return node
    stable, why = found
    made.append(Rewrite(text(node), text(stable), why))
    return stable
