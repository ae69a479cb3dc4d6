"""The formula tree: what a parsed expression is, and its one normal text.

A tree is built of frozen nodes, so equal formulas are equal trees and hash alike: the
normal text (``text``) is the cache key of everything computed from a formula. The text is
the grammar's own syntax with the fewest parentheses, so it parses back to the same tree.
Derivatives add two nodes the grammar does not offer: a catalog activation's k-th derivative
(``Call.order``) and ``sign`` (the derivative of ``abs``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias

__all__ = [
    "Binary",
    "BinaryOp",
    "Call",
    "Compare",
    "CompareOp",
    "Neg",
    "Node",
    "Num",
    "Option",
    "Param",
    "Where",
    "X",
    "children",
    "depends_on_x",
    "size",
    "text",
]

BinaryOp = Literal["+", "-", "*", "/", "**"]
CompareOp = Literal["<", "<=", ">", ">=", "==", "!="]


@dataclass(frozen=True, slots=True)
class Num:
    value: float


@dataclass(frozen=True, slots=True)
class X:
    pass


@dataclass(frozen=True, slots=True)
class Param:
    name: str


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    op: BinaryOp
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare:
    op: CompareOp
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Call:
    """``function(args...)``: a built-in function, or a catalog activation with ``options``
    (its parameters, each a number-valued node free of x or a choice's string); ``order`` is
    the derivative taken of a catalog activation."""

    function: str
    args: tuple[Node, ...]
    options: tuple[tuple[str, Node | str | bool], ...] = ()
    order: int = 0


@dataclass(frozen=True, slots=True)
class Where:
    condition: Compare
    then: Node
    otherwise: Node


Node: TypeAlias = Num | X | Param | Neg | Binary | Call | Where | Compare
Option: TypeAlias = Node | str | bool
"""A catalog activation's parameter in a call: a node free of x, a choice, or a flag."""


def children(node: Node) -> Iterator[Node]:
    match node:
        case Neg(operand):
            yield operand
        case Binary(_, left, right) | Compare(_, left, right):
            yield left
            yield right
        case Call(_, args, options, _):
            yield from args
            for _, value in options:
                if not isinstance(value, str | bool):
                    yield value
        case Where(condition, then, otherwise):
            yield condition
            yield then
            yield otherwise


def size(node: Node) -> int:
    """The number of nodes in the tree."""
    total, stack = 0, [node]
    while stack:
        total += 1
        stack.extend(children(stack.pop()))
    return total


def depends_on_x(node: Node) -> bool:
    return isinstance(node, X) or any(depends_on_x(child) for child in children(node))


# Binding strength for printing: ** binds tighter than unary minus (-x**2 is -(x**2)).
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4, "atom": 5}


def _precedence(node: Node) -> int:
    match node:
        case Binary(op, _, _):
            return _PRECEDENCE[op]
        case Neg():
            return _PRECEDENCE["neg"]
        case Num(value) if value < 0:
            return _PRECEDENCE["neg"]
        case Compare():
            return 0
    return _PRECEDENCE["atom"]


def _number(value: float) -> str:
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def text(node: Node) -> str:
    """The normal text of ``node``: the grammar's syntax, parenthesised only where needed."""
    match node:
        case Num(value):
            return _number(value)
        case X():
            return "x"
        case Param(name):
            return name
        case Neg(operand):
            inner = text(operand)
            return f"-{inner}" if _precedence(operand) > _PRECEDENCE["neg"] else f"-({inner})"
        case Binary(op, left, right):
            mine = _PRECEDENCE[op]
            # ** is right-associative, the others left-associative.
            left_needs = _precedence(left) < mine or (op == "**" and _precedence(left) <= mine)
            right_needs = _precedence(right) < mine or (op != "**" and _precedence(right) <= mine)
            a = f"({text(left)})" if left_needs else text(left)
            b = f"({text(right)})" if right_needs else text(right)
            return f"{a} {op} {b}" if op != "**" else f"{a}**{b}"
        case Compare(op, left, right):
            return f"{text(left)} {op} {text(right)}"
        case Call(function, args, options, order):
            shown = [text(arg) for arg in args]
            shown += [
                f"{k}={v!r}" if isinstance(v, str | bool) else f"{k}={text(v)}" for k, v in options
            ]
            name = function + "'" * order
            return f"{name}({', '.join(shown)})"
        case Where(condition, then, otherwise):
            return f"where({text(condition)}, {text(then)}, {text(otherwise)})"
    raise TypeError(f"not a formula node: {node!r}")
