"""A formula as an activation: parsed, differentiated, and declared like a catalog entry.

``formula(...)`` parses an expression over x and declared parameters, substitutes the stable
forms (unless asked not to), differentiates twice, and wraps it all in an ``Activation``, so
that evaluation, measured properties, mean-field theory, the simulator and the plots take it
by the same code as a catalog entry. What a catalog entry declares and a formula cannot, it
measures: the range and continuity class come from the measured properties for the
parameters asked, the cost class from the costliest function it calls. A formula that is
NaN somewhere in [-1000, 1000] or infinite in [-16, 16] (log(x), 1/x) is "undefined": it is
evaluated and differentiated, but has no properties to measure; its range is then stated
as the real line and its continuity as C^-1, nothing being established.

Formulas are cached by their normal text, parameters and options: the same formula is the
same entry, whose measurements the analysis caches hold. Its evaluation takes numpy, then
the compiled kernels once asked for again (``kernels``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from service.numerics.analysis.properties import (
    Properties,
    measure,
    measurement_grid,
    unmeasurable,
)
from service.numerics.analysis.smoothness import detected_class
from service.numerics.catalog import (
    ACTIVATIONS,
    SMOOTH,
    Activation,
    CostClass,
    Facts,
    Initialisation,
    Parameter,
    declared,
)
from service.numerics.compiled import Kernel
from service.numerics.exceptions import InvalidInput, InvalidParameter
from service.numerics.formula import kernels as compiled_kernels
from service.numerics.formula.derivative import NotDifferentiable, derivative
from service.numerics.formula.functions import BUILTINS, COSTS
from service.numerics.formula.grammar import FormulaLimits, check_parameter_names, parse_expression
from service.numerics.formula.latex import latex
from service.numerics.formula.numeric import compile_numpy
from service.numerics.formula.stable import Rewrite, stabilise
from service.numerics.formula.tree import Binary, Call, Node, Num, Where, children, size, text
from service.numerics.types import REAL_LINE, Interval, ParamValue

__all__ = ["FAMILY", "Formula", "FormulaActivation", "ParameterSpec", "formula"]

FAMILY = "formula"
_KINK = (
    "Where a branch switches the derivative is the branch that holds there: max(a, b) is b at a"
    " tie, so max(x, 0) has slope 0 at 0; abs has slope 0 at 0."
)
# A derivative may be this many times the formula's size before it is refused.
_GROWTH = 40
# What is measured of f needs f and f' free of NaN where the measurement looks closely, and
# finite where the normal law has its mass (1/x at 0 has no Gaussian moments). Past 1000,
# NaN is rather 0 * inf of an overflow than a point outside the formula's domain.
_NAN_FREE = 1000.0
_FINITE = 16.0


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """A formula's parameter: its default and inclusive bounds (None: unbounded)."""

    default: float
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FormulaActivation(Activation):
    """A formula's entry: a catalog entry whose kernel is compiled on demand (``kernels``)
    from ``compilable`` (f, f', f'' as served, the parameters in declared order)."""

    compilable: compiled_kernels.Compilable

    def kernel(self, params: Mapping[str, ParamValue]) -> tuple[Kernel, tuple[float, ...]] | None:
        return compiled_kernels.bound(self.compilable, params)


@dataclass(frozen=True, slots=True, eq=False)
class Formula:
    """A parsed formula: as written, as served (stable forms substituted), its derivatives and
    the activation entry that serves it."""

    written: Node
    served: Node
    rewrites: tuple[Rewrite, ...]
    first: Node
    second: Node
    activation: Activation

    @property
    def expression(self) -> str:
        """The normal text of the formula as written."""
        return text(self.written)


def formula(
    expression: str,
    parameters: Mapping[str, ParameterSpec],
    *,
    limits: FormulaLimits,
    stable_forms: bool = True,
    loc: Sequence[str | int] = (),
) -> Formula:
    """The formula ``expression`` over x and ``parameters``; InvalidInput (InvalidFormula,
    LimitExceeded, InvalidParameter) says what is wrong and where."""
    loc = tuple(loc)
    check_parameter_names(parameters, limits=limits, loc=(*loc, "parameters"))
    declared_ = tuple(_parameter(name, spec, loc) for name, spec in parameters.items())
    tree = parse_expression(expression, parameters, limits=limits, loc=(*loc, "expression"))
    try:
        return _build(tree, declared_, stable_forms, limits.nodes * _GROWTH)
    except NotDifferentiable as error:
        raise InvalidInput((*loc, "expression"), str(error)) from None


def _parameter(name: str, spec: ParameterSpec, loc: tuple[str | int, ...]) -> Parameter:
    for bound in (spec.default, spec.minimum, spec.maximum):
        if bound is not None and not math.isfinite(bound):
            raise InvalidInput((*loc, "parameters", name), "defaults and bounds must be finite")
    if spec.minimum is not None and spec.maximum is not None and spec.minimum > spec.maximum:
        raise InvalidInput((*loc, "parameters", name), "min is above max")
    parameter = Parameter(
        name,
        float(spec.default),
        spec.description or f"{name}, a parameter of the formula.",
        minimum=spec.minimum,
        maximum=spec.maximum,
    )
    try:
        parameter.validate(parameter.default)
    except InvalidParameter as error:
        raise InvalidInput((*loc, "parameters", name, "default"), error.reason) from None
    return parameter


@lru_cache(maxsize=256)
def _build(
    written: Node, parameters: tuple[Parameter, ...], stable_forms: bool, most_nodes: int
) -> Formula:
    served, rewrites = stabilise(written) if stable_forms else (written, ())
    first = derivative(served)
    second = derivative(first)
    if size(second) > most_nodes:
        raise NotDifferentiable(
            f"f'' has {size(second):,} nodes, more than the {most_nodes:,} the service computes;"
            " simplify the formula"
        )
    name = text(written)
    holder: list[Activation] = []

    def measured(**params: ParamValue) -> Properties | None:
        entry = holder[0]
        return None if unmeasurable(entry, params) else measure(entry, params)

    def measured_range(**params: ParamValue) -> Interval:
        found = measured(**params)
        return REAL_LINE if found is None else found.range

    def measured_kinks(**params: ParamValue) -> tuple[float, ...]:
        found = measured(**params)
        return () if found is None else tuple(sorted({d.x for d in found.discontinuities}))

    def measured_continuity(**params: ParamValue) -> float:
        found = measured(**params)
        return -1.0 if found is None else float(detected_class(found.discontinuities))

    def defined(**params: ParamValue) -> bool:
        entry = holder[0]
        assert entry.derivative is not None
        x = measurement_grid()
        near, nearer = x[np.abs(x) <= _NAN_FREE], x[np.abs(x) <= _FINITE]
        return not (
            np.isnan(entry.forward(near, **params)).any()
            or np.isnan(entry.derivative(near, **params)).any()
            or not np.isfinite(entry.forward(nearer, **params)).all()
            or not np.isfinite(entry.derivative(nearer, **params)).all()
        )

    piecewise = _piecewise(served)
    activation = FormulaActivation(
        compilable=compiled_kernels.Compilable(
            (served, first, second), tuple(p.name for p in parameters)
        ),
        name=name,
        forward=compile_numpy(served),
        derivative=compile_numpy(first),
        second_derivative=compile_numpy(second),
        formula=f"f(x) = {latex(written)}",
        derivative_formula=f"f'(x) = {latex(first)}",
        second_derivative_formula=f"f''(x) = {latex(second)}",
        parameters=parameters,
        kink=_KINK if piecewise else "",
        follows="the formula as given",
        family=FAMILY,
        facts=Facts(
            continuity=measured_continuity if piecewise else SMOOTH,
            range=measured_range,
            cost=_cost(served),
            kinks=measured_kinks if piecewise else (),
            initialisation=Initialisation(None),
            defined=lru_cache(maxsize=16)(defined),
        ),
    )
    holder.append(activation)
    return Formula(written, served, rewrites, first, second, activation)


def _nodes(node: Node) -> list[Node]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children(current))
    return found


def _piecewise(node: Node) -> bool:
    """Whether the formula branches (where, min, max, abs, sign, or a catalog entry that is not
    smooth): then its continuity class and kinks are measured rather than known."""
    for current in _nodes(node):
        if isinstance(current, Where):
            return True
        if isinstance(current, Call):
            if current.function in ("min", "max", "abs", "sign"):
                return True
            if current.function not in BUILTINS:
                entry = ACTIVATIONS[current.function]
                resolved = entry.resolve(
                    {k: v for k, v in current.options if isinstance(v, str | bool)}
                )
                if declared(entry.facts.continuity, resolved) != SMOOTH:
                    return True
    return False


def _cost(node: Node) -> CostClass:
    """The costliest primitive the formula calls."""
    ranks: list[CostClass] = ["piecewise-linear"]
    for current in _nodes(node):
        match current:
            case Call(function, _, options, _) if function in BUILTINS:
                ranks.append(BUILTINS[function].cost)
            case Call(function, _, options, _) if function not in ("min", "max"):
                entry = ACTIVATIONS[function]
                resolved = entry.resolve({k: v for k, v in options if isinstance(v, str | bool)})
                ranks.append(declared(entry.facts.cost, resolved))
            case Binary("/", _, _):
                ranks.append("division")
            case Binary("**", _, Num(value)) if value.is_integer() and value >= 0:
                ranks.append("polynomial")
            case Binary("**", _, _):
                ranks.append("exp")
            case Binary("*", left, right) if not isinstance(left, Num) and not isinstance(
                right, Num
            ):
                ranks.append("polynomial")
    return max(ranks, key=COSTS.index)
