"""A formula as the client sends it, and what the service says of one (POST /api/v1/formulas).

``Formula("x * tanh(softplus(beta * x))", {"beta": 1.0})`` goes wherever an operation takes an
activation's name; a parameter is its default alone or a ``FormulaParameter`` with bounds. The
service parses it (the client checks nothing of its grammar: the service's refusal, an
``InvalidFormula`` with the column, says what is wrong and where).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from service.client.results import Parameter, ParamValue, build

__all__ = [
    "Accuracy",
    "Formula",
    "FormulaAnalysis",
    "FormulaParameter",
    "OutputAccuracy",
    "Region",
    "Rewrite",
    "formula_of",
]


@dataclass(frozen=True, slots=True)
class FormulaParameter:
    """A parameter a formula declares: its default and inclusive bounds."""

    default: float
    min: float | None = None
    max: float | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Formula:
    """An activation given by its expression over x and the declared ``parameters``."""

    expression: str
    parameters: Mapping[str, FormulaParameter | float] = field(default_factory=dict)
    stable_forms: bool = True

    def to_json(self) -> dict[str, Any]:
        """The formula object of a request body."""
        declared = {}
        for name, spec in self.parameters.items():
            if not isinstance(spec, FormulaParameter):
                spec = FormulaParameter(default=float(spec))
            declared[name] = {
                key: value
                for key, value in (
                    ("default", spec.default),
                    ("min", spec.min),
                    ("max", spec.max),
                    ("description", spec.description),
                )
                if value is not None and value != ""
            }
        document: dict[str, Any] = {"expression": self.expression, "parameters": declared}
        if not self.stable_forms:
            document["stable_forms"] = False
        return document


def formula_of(
    expression: str | Formula, parameters: Mapping[str, FormulaParameter | float] | None
) -> Formula:
    """``expression`` as a Formula declaring ``parameters`` (a Formula declares its own)."""
    if isinstance(expression, Formula):
        if parameters is not None:
            raise TypeError("a Formula declares its parameters: give them to it, not here")
        return expression
    return Formula(expression, parameters or {})


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A subexpression served in a stable form, and why."""

    found: str
    stable: str
    why: str


@dataclass(frozen=True, slots=True)
class Region:
    """An interval of x where an output fails: ``non-finite`` (an overflow) or ``inaccurate``."""

    low: float
    high: float
    failure: str
    points: int


@dataclass(frozen=True, slots=True)
class OutputAccuracy:
    """One output's measured error: the worst in ULP, where, and the condition number there."""

    within_bound: bool
    worst_ulp: float
    worst_ulp_per_condition: float
    worst_at: float | None
    condition: float
    failing_points: int
    regions: list[Region]

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> OutputAccuracy | None:
        if data is None:
            return None
        return build(cls, data, regions=[build(Region, r) for r in data["regions"]])


@dataclass(frozen=True, slots=True)
class Accuracy:
    """f and f' in float64 against the formula in mpmath over the whole float range, as
    served and (where stable forms were substituted) as written."""

    bound: int
    points: int
    undefined_points: int
    value: OutputAccuracy
    gradient: OutputAccuracy
    written_value: OutputAccuracy | None
    written_gradient: OutputAccuracy | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Accuracy:
        outputs = ("value", "gradient", "written_value", "written_gradient")
        return build(cls, data, **{o: OutputAccuracy.from_json(data[o]) for o in outputs})


@dataclass(frozen=True, slots=True)
class FormulaAnalysis:
    """A formula as the service reads it: its normal form, what it serves, f' and f'' (as
    expressions and in LaTeX), and its accuracy (None when not asked for)."""

    expression: str
    served: str
    rewrites: list[Rewrite]
    gradient: str
    second_derivative: str
    formula: str
    derivative_formula: str
    second_derivative_formula: str
    kink: str
    parameters: list[Parameter]
    params: dict[str, ParamValue]
    accuracy: Accuracy | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FormulaAnalysis:
        return build(
            cls,
            data,
            rewrites=[build(Rewrite, r) for r in data["rewrites"]],
            parameters=[build(Parameter, p) for p in data["parameters"]],
            accuracy=None if data["accuracy"] is None else Accuracy.from_json(data["accuracy"]),
        )
