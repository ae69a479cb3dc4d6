"""A formula tree as a program: its distinct subexpressions in order, each computed once.

A derivative repeats its formula's subexpressions: the product rule copies u and v into
u' v + u v', the chain rule copies the inner function into the outer one's slope, so f''
of silu names sigmoid(x) six times. ``program`` merges equal subtrees (common-subexpression
elimination) into steps, each naming the earlier steps it reads, so that an evaluator
computes each distinct subexpression once and can free it after its last reader.

Equal subtrees are found bottom-up by a key of the node's own content and its children's
step numbers, so the work is linear in the tree's size, however deep.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.numerics.formula.tree import Binary, Call, Compare, Neg, Node, Num, Param, Where, X

__all__ = ["Program", "Step", "program"]


@dataclass(frozen=True, slots=True)
class Step:
    """One distinct subexpression: its node (for its kind, operator, function or options) and
    the steps that hold its children's values, in ``tree.children`` order."""

    node: Node
    args: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Program:
    """Steps in an order where every step comes after those it reads; ``results`` are the
    steps holding the roots' values; ``last_use[i]`` is the last step that reads step i (or
    len(steps) for a result, which is read at the end)."""

    steps: tuple[Step, ...]
    results: tuple[int, ...]
    last_use: tuple[int, ...]


def _own(node: Node) -> object:
    """What distinguishes a node from another with the same children."""
    match node:
        case Num(value):
            # -0.0 == 0.0, but 1/-0.0 is not 1/0.0: keep the sign apart.
            return ("num", value, str(value))
        case X():
            return ("x",)
        case Param(name):
            return ("param", name)
        case Neg():
            return ("neg",)
        case Binary(op, _, _):
            return ("binary", op)
        case Compare(op, _, _):
            return ("compare", op)
        case Call(function, _, options, order):
            shape = tuple((k, v if isinstance(v, str | bool) else None) for k, v in options)
            return ("call", function, shape, order)
        case Where():
            return ("where",)
    raise TypeError(f"not a formula node: {node!r}")


def _children(node: Node) -> tuple[Node, ...]:
    match node:
        case Neg(operand):
            return (operand,)
        case Binary(_, left, right) | Compare(_, left, right):
            return (left, right)
        case Call(_, args, options, _):
            return (*args, *(v for _, v in options if not isinstance(v, str | bool)))
        case Where(condition, then, otherwise):
            return (condition, then, otherwise)
    return ()


def program(*roots: Node) -> Program:
    """The steps that compute every root, each distinct subexpression once."""
    steps: list[Step] = []
    by_key: dict[tuple[object, tuple[int, ...]], int] = {}
    by_identity: dict[int, int] = {}  # derivative trees share objects: a shortcut
    keep: list[Node] = []  # keeps ids in by_identity from being reused
    results = []
    for root in roots:
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in by_identity:
                continue
            kids = _children(node)
            if not expanded:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(kids))
                continue
            args = tuple(by_identity[id(child)] for child in kids)
            key = (_own(node), args)
            index = by_key.get(key)
            if index is None:
                index = by_key[key] = len(steps)
                steps.append(Step(node, args))
            by_identity[id(node)] = index
            keep.append(node)
        results.append(by_identity[id(root)])
    last_use = [len(steps) if i in results else -1 for i in range(len(steps))]
    for position, step in enumerate(steps):
        for arg in step.args:
            if last_use[arg] < len(steps):
                last_use[arg] = max(last_use[arg], position)
    return Program(tuple(steps), tuple(results), tuple(last_use))
