"""The formula language: a whitelist over Python's expression grammar, parsed into a tree.

The text is length-checked and must be printable ASCII (no look-alike letters, no invisible
characters); Python's own parser (``ast``) then reads it, which is a real parser with exact
column numbers and nothing is ever executed. Its tree is walked once with a whitelist:
numbers, ``x``, the declared parameters, the constants ``pi`` and ``e``, ``+ - * / **``,
unary minus, calls of the functions in ``functions`` and of catalog activations by name, and
comparisons as the first argument of ``where(cond, a, b)``. Anything else is refused with its
column and what was expected there. The limits on length, nesting depth, node count and
parameter count are checked before the walk, so that no input costs more than its length.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from service.numerics.catalog.facts import declared
from service.numerics.exceptions import InvalidInput, InvalidParameter, LimitExceeded
from service.numerics.formula import algebra as a
from service.numerics.formula.functions import BUILTINS, catalog_function, is_builtin
from service.numerics.formula.tree import (
    Binary,
    Call,
    Compare,
    CompareOp,
    Node,
    Num,
    Option,
    Param,
    Where,
    X,
    depends_on_x,
)

__all__ = [
    "RESERVED",
    "FormulaLimits",
    "InvalidFormula",
    "check_parameter_names",
    "parse_expression",
]

_CONSTANTS: Final = {"pi": math.pi, "e": math.e}
RESERVED: Final = frozenset({"x", "where", *_CONSTANTS, *BUILTINS, "min", "max"})
"""Names a parameter may not take."""

_BINARY: Final = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_COMPARE: Final[dict[type[ast.cmpop], CompareOp]] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}
# What a refused construct is called in an error, and what to write instead where there is a way.
_REFUSED: Final[dict[type[ast.AST], str]] = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "indexing (a[i])",
    ast.Lambda: "a lambda",
    ast.IfExp: "'a if c else b' (write where(c, a, b))",
    ast.BoolOp: "'and'/'or'",
    ast.Tuple: "a tuple",
    ast.List: "a list",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.ListComp: "a comprehension",
    ast.GeneratorExp: "a generator",
    ast.JoinedStr: "an f-string",
    ast.NamedExpr: "an assignment (:=)",
    ast.Starred: "unpacking (*)",
    ast.Await: "await",
    ast.Compare: "a comparison (only as the first argument of where)",
    ast.BitXor: "^ (write ** for a power)",
    ast.FloorDiv: "// (write / and floor is not offered)",
    ast.Mod: "% (not offered)",
    ast.MatMult: "@ (not offered)",
    ast.BitAnd: "& (not offered)",
    ast.BitOr: "| (not offered)",
    ast.LShift: "<< (not offered)",
    ast.RShift: ">> (not offered)",
    ast.Invert: "~ (not offered)",
    ast.Not: "'not' (not offered)",
}
_EXPECTED: Final = "a number, x, a parameter, a function call, or an operator + - * / **"
_PRINTABLE: Final = re.compile(r"[^\x20-\x7e]")


@dataclass(frozen=True, slots=True)
class FormulaLimits:
    """How large a formula may be: characters, nesting depth, tree nodes, parameters."""

    length: int = 2000
    depth: int = 64
    nodes: int = 256
    parameters: int = 16


class InvalidFormula(InvalidInput):
    """A formula the grammar refuses; ``column`` (from 1) is where, and the reason says what
    was expected there."""

    def __init__(self, loc: Sequence[str | int], column: int, reason: str) -> None:
        super().__init__(loc, f"at column {column}: {reason}")
        self.column = column


def parse_expression(
    expression: str,
    parameters: Iterable[str],
    *,
    limits: FormulaLimits,
    loc: Sequence[str | int] = ("expression",),
) -> Node:
    """The tree of ``expression`` over x and ``parameters``, or InvalidFormula/LimitExceeded."""
    loc = tuple(loc)
    if len(expression) > limits.length:
        raise LimitExceeded(
            loc,
            limit="max_formula_length",
            maximum=limits.length,
            value=len(expression),
            what="the expression's length",
        )
    odd = _PRINTABLE.search(expression)
    if odd is not None:
        raise InvalidFormula(
            loc,
            odd.start() + 1,
            f"character {odd.group()!r} (U+{ord(odd.group()):04X}) is not allowed; formulas are"
            " written in printable ASCII",
        )
    if not expression.strip():
        raise InvalidFormula(loc, 1, f"the expression is empty; expected {_EXPECTED}")
    _check_nesting(expression, limits, loc)
    # leading blanks are stripped for ast; columns count in the text as given
    shift = len(expression) - len(expression.lstrip())
    try:
        body = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as error:
        if _ends_early(expression):
            column, message = len(expression.rstrip()) + 1, "the expression ends early"
        else:
            column, message = (error.offset or 1) + shift, error.msg
        raise InvalidFormula(loc, column, f"{message}; expected {_EXPECTED}") from None
    except (RecursionError, MemoryError, ValueError):
        raise InvalidFormula(loc, 1, "the expression is too deeply nested to parse") from None
    _check_size(body, limits, loc, shift)
    return _Builder(expression.strip(), frozenset(parameters), loc, shift).build(body)


def _ends_early(expression: str) -> bool:
    """Whether the text parses once an operand is appended: then it stopped mid-expression."""
    try:
        ast.parse(expression.strip() + " 0", mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return False
    return True


def _check_nesting(expression: str, limits: FormulaLimits, loc: tuple[str | int, ...]) -> None:
    """Parentheses deeper than the depth limit are refused before Python's parser sees them."""
    depth = 0
    for column, char in enumerate(expression, 1):
        depth += (char in "([{") - (char in ")]}")
        if depth > limits.depth:
            raise LimitExceeded(
                (*loc, column),
                limit="max_formula_depth",
                maximum=limits.depth,
                value=depth,
                what=f"the nesting depth at column {column}",
            )


def _check_size(
    body: ast.expr, limits: FormulaLimits, loc: tuple[str | int, ...], shift: int
) -> None:
    count = 0
    stack: list[tuple[ast.AST, int]] = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.expr_context | ast.operator | ast.unaryop | ast.cmpop):
            continue
        count += 1
        if depth > limits.depth:
            raise LimitExceeded(
                (*loc, getattr(node, "col_offset", 0) + 1 + shift),
                limit="max_formula_depth",
                maximum=limits.depth,
                value=depth,
                what="the expression's nesting depth",
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    if count > limits.nodes:
        raise LimitExceeded(
            loc, limit="max_formula_nodes", maximum=limits.nodes, value=count, what="the node count"
        )


class _Builder:
    def __init__(
        self, source: str, parameters: frozenset[str], loc: tuple[str | int, ...], shift: int
    ) -> None:
        self.source, self.parameters, self.loc, self.shift = source, parameters, loc, shift

    def fail(self, node: ast.AST, reason: str) -> InvalidFormula:
        return InvalidFormula(self.loc, getattr(node, "col_offset", 0) + 1 + self.shift, reason)

    def build(self, node: ast.expr) -> Node:
        match node:
            case ast.Constant(value=bool() | None | str() | bytes() | complex()):
                return self._refuse(node, f"the constant {node.value!r}")
            case ast.Constant(value=int() | float() as value):
                try:
                    number = float(value)
                except OverflowError:
                    raise self.fail(node, "the number is too large for a float") from None
                if not math.isfinite(number):
                    raise self.fail(node, "the number is too large for a float")
                return Num(number)
            case ast.Name(id=name):
                return self._name(node, name)
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                return a.neg(self.build(operand))
            case ast.UnaryOp(op=ast.UAdd(), operand=operand):
                return self.build(operand)
            case ast.UnaryOp(op=op):
                return self._refuse(node, _REFUSED.get(type(op), type(op).__name__))
            case ast.BinOp(left=left, op=op, right=right) if type(op) in _BINARY:
                return Binary(_BINARY[type(op)], self.build(left), self.build(right))  # type: ignore[arg-type]
            case ast.BinOp(op=op):
                # The operator is the first non-blank character after the left operand.
                end = node.left.end_col_offset or 0
                gap = self.source[end : node.right.col_offset]
                column = end + len(gap) - len(gap.lstrip(" ()"))
                raise InvalidFormula(
                    self.loc,
                    column + 1 + self.shift,
                    f"{_REFUSED.get(type(op), type(op).__name__)} is not allowed; expected an"
                    " operator + - * / **",
                )
            case ast.Call():
                return self._call(node)
        return self._refuse(node, _REFUSED.get(type(node), type(node).__name__))

    def _refuse(self, node: ast.AST, what: str) -> Node:
        raise self.fail(node, f"{what} is not allowed; expected {_EXPECTED}")

    def _name(self, node: ast.expr, name: str) -> Node:
        if name == "x":
            return X()
        if name in self.parameters:
            return Param(name)
        if name in _CONSTANTS:
            return Num(_CONSTANTS[name])
        known = ["x", *sorted(self.parameters), *_CONSTANTS]
        near = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
        hint = f"; did you mean {' or '.join(near)}?" if near else ""
        declared_ = ", ".join(sorted(self.parameters)) or "none declared"
        raise self.fail(
            node,
            f"unknown name {name!r}; expected x, a declared parameter ({declared_}) or a constant"
            f" (pi, e){hint}",
        )

    def _call(self, node: ast.Call) -> Node:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node.func, "only functions called by name are allowed, e.g. tanh(x)")
        name = node.func.id
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise self.fail(node, f"{name}: unpacking (*) is not allowed")
        if name == "where":
            return self._where(node)
        if is_builtin(name):
            return self._builtin(node, name)
        entry = catalog_function(name)
        if entry is None:
            known = ["where", "min", "max", *BUILTINS]
            near = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            raise self.fail(
                node.func,
                f"unknown function {name!r}; expected one of {', '.join(sorted(known))}, or an"
                f" element-wise catalog activation by name{hint}",
            )
        if len(node.args) != 1:
            raise self.fail(node, f"{name} takes one argument and its parameters as keywords")
        options: list[tuple[str, Node | str | bool]] = []
        given: dict[str, object] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.fail(keyword.value, f"{name}: unpacking (**) is not allowed")
            try:
                parameter = entry.parameter(keyword.arg)
            except InvalidParameter as error:
                raise self.fail(keyword.value, str(error)) from None
            value: Option
            if parameter.kind in ("choice", "bool"):
                kind = str if parameter.kind == "choice" else bool
                if not isinstance(keyword.value, ast.Constant) or not isinstance(
                    keyword.value.value, kind
                ):
                    wanted = "a quoted choice" if kind is str else "True or False"
                    raise self.fail(keyword.value, f"{name}: {keyword.arg} takes {wanted}")
                value = keyword.value.value
            else:
                value = self.build(keyword.value)
                if depends_on_x(value):
                    raise self.fail(keyword.value, f"{name}: {keyword.arg} may not depend on x")
            if isinstance(value, str | bool | Num):
                raw = value.value if isinstance(value, Num) else value
                try:
                    given[keyword.arg] = parameter.validate(raw)
                except InvalidParameter as error:
                    raise self.fail(keyword.value, f"{name}: {error}") from None
            options.append((keyword.arg, value))
        if declared(entry.facts.random, entry.resolve(given)):
            raise self.fail(node, f"{name} draws random numbers with these parameters")
        return Call(entry.name, (self.build(node.args[0]),), tuple(options))

    def _builtin(self, node: ast.Call, name: str) -> Node:
        if node.keywords:
            raise self.fail(node.keywords[0].value, f"{name} takes no keywords")
        if name in ("min", "max"):
            if len(node.args) < 2:
                raise self.fail(node, f"{name} takes two or more arguments")
            args = [self.build(arg) for arg in node.args]
            result = args[0]
            for arg in args[1:]:
                result = Call(name, (result, arg))
            return result
        if len(node.args) != 1:
            raise self.fail(node, f"{name} takes one argument, got {len(node.args)}")
        return Call(name, (self.build(node.args[0]),))

    def _where(self, node: ast.Call) -> Node:
        if node.keywords or len(node.args) != 3:
            raise self.fail(node, "where takes three arguments: where(condition, a, b)")
        condition = node.args[0]
        if not isinstance(condition, ast.Compare):
            raise self.fail(condition, "expected a comparison such as x > 0")
        if len(condition.ops) != 1:
            raise self.fail(condition, "expected one comparison (a < b), not a chain")
        op = _COMPARE.get(type(condition.ops[0]))
        if op is None:
            raise self.fail(condition, "expected one of < <= > >= == !=")
        test = Compare(op, self.build(condition.left), self.build(condition.comparators[0]))
        return Where(test, self.build(node.args[1]), self.build(node.args[2]))


def check_parameter_names(
    names: Mapping[str, object], *, limits: FormulaLimits, loc: Sequence[str | int]
) -> None:
    """Refuse too many parameters, and names the grammar could not tell from its own."""
    if len(names) > limits.parameters:
        raise LimitExceeded(
            tuple(loc),
            limit="max_formula_parameters",
            maximum=limits.parameters,
            value=len(names),
            what="the number of parameters",
        )
    for name in names:
        if not name.isidentifier() or not name.isascii() or name.startswith("_"):
            raise InvalidInput(
                (*loc, name), "a parameter's name is a letter followed by letters, digits or _"
            )
        if name in RESERVED or catalog_function(name) is not None:
            raise InvalidInput((*loc, name), f"{name!r} is a name of the formula language")
