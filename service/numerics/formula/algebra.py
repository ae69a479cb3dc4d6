"""Building trees with the obvious simplifications, so that derivatives stay readable.

The rules are exact identities for finite operands (0 a = 0 is the one that a NaN or an
infinity would break, and it only drops terms whose factor is a derivative that vanishes
identically). Constants are folded when the result is a finite float.
"""

from __future__ import annotations

import math

from service.numerics.formula.tree import Binary, Call, Compare, Neg, Node, Num, Where

__all__ = ["add", "call", "div", "mul", "neg", "power", "sub", "where"]

ZERO, ONE = Num(0.0), Num(1.0)


def _fold(value: float) -> Num | None:
    return Num(value) if math.isfinite(value) else None


def neg(a: Node) -> Node:
    match a:
        case Num(value):
            return Num(-value)
        case Neg(inner):
            return inner
    return Neg(a)


def add(a: Node, b: Node) -> Node:
    if isinstance(a, Num) and isinstance(b, Num):
        return _fold(a.value + b.value) or Binary("+", a, b)
    if a == ZERO:
        return b
    if b == ZERO:
        return a
    if isinstance(b, Neg):
        return sub(a, b.operand)
    if isinstance(b, Num) and b.value < 0:
        return Binary("-", a, Num(-b.value))
    return Binary("+", a, b)


def sub(a: Node, b: Node) -> Node:
    if isinstance(a, Num) and isinstance(b, Num):
        return _fold(a.value - b.value) or Binary("-", a, b)
    if b == ZERO:
        return a
    if a == ZERO:
        return neg(b)
    if isinstance(b, Neg):
        return add(a, b.operand)
    if a == b:
        return ZERO
    return Binary("-", a, b)


def mul(a: Node, b: Node) -> Node:
    if isinstance(a, Num) and isinstance(b, Num):
        return _fold(a.value * b.value) or Binary("*", a, b)
    if ZERO in (a, b):
        return ZERO
    if a == ONE:
        return b
    if b == ONE:
        return a
    if a == Num(-1.0):
        return neg(b)
    if b == Num(-1.0):
        return neg(a)
    if isinstance(a, Neg):
        return neg(mul(a.operand, b))
    if isinstance(b, Neg):
        return neg(mul(a, b.operand))
    if isinstance(b, Num) and not isinstance(a, Num):
        return mul(b, a)  # constants first: 2 x, not x 2
    if isinstance(a, Num) and isinstance(b, Binary) and b.op == "*" and isinstance(b.left, Num):
        folded = _fold(a.value * b.left.value)
        if folded is not None:
            return mul(folded, b.right)
    return Binary("*", a, b)


def div(a: Node, b: Node) -> Node:
    if isinstance(a, Num) and isinstance(b, Num) and b.value != 0:
        return _fold(a.value / b.value) or Binary("/", a, b)
    if b == ONE:
        return a
    if a == ZERO:
        return ZERO
    if isinstance(a, Neg):
        return neg(div(a.operand, b))
    return Binary("/", a, b)


def power(a: Node, b: Node) -> Node:
    if b == ONE:
        return a
    if b == ZERO:
        return ONE
    if isinstance(a, Neg) and isinstance(b, Num) and b.value % 2 == 0:
        return power(a.operand, b)  # (-u)^2 = u^2
    if isinstance(a, Num) and isinstance(b, Num):
        try:
            value = a.value**b.value
        except (OverflowError, ZeroDivisionError):
            return Binary("**", a, b)
        # A negative base to a fractional power is complex in Python: not a real constant.
        return (_fold(value) if isinstance(value, float) else None) or Binary("**", a, b)
    return Binary("**", a, b)


def call(function: str, *args: Node) -> Node:
    return Call(function, args)


def where(condition: Compare, then: Node, otherwise: Node) -> Node:
    if then == otherwise:
        return then
    return Where(condition, then, otherwise)
