"""A formula where a request names an activation, and what the service says of a formula."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service import numerics
from service.api.schemas.activations import ParameterSpec
from service.api.schemas.common import Params, Result, either, spelled
from service.api.schemas.evaluation import EvaluateRequest
from service.config import Settings
from service.numerics import Activation, ParamJSON, ParamValue
from service.numerics import formula as core

__all__ = [
    "AccuracyOut",
    "ActivationRef",
    "Formula",
    "FormulaAnalysis",
    "FormulaDescribeRequest",
    "FormulaEvaluateRequest",
    "FormulaParameter",
    "FormulaPlotRequest",
    "FormulaRequest",
    "OutputAccuracyOut",
    "RegionOut",
    "RewriteOut",
    "declare_formula_limits",
    "formula_limits",
    "resolve_activation",
]

_EXAMPLE: dict[str, Any] = {
    "expression": "x * tanh(softplus(beta * x))",
    "parameters": {"beta": {"default": 1.0, "min": 0, "max": 100}},
}


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class FormulaParameter(_Closed):
    """A parameter a formula declares: its default and inclusive bounds."""

    default: float = Field(allow_inf_nan=False)
    min: float | None = Field(None, allow_inf_nan=False)
    max: float | None = Field(None, allow_inf_nan=False)
    description: str = Field("", max_length=200)


class Formula(_Closed):
    """An activation given by its formula, wherever a request names an activation."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"examples": [_EXAMPLE]}
    )

    expression: str = Field(
        description="f(x) over x and the declared parameters: numbers, + - * / **, unary"
        " minus, the constants pi and e, the functions exp, expm1, log, log1p, sqrt, abs,"
        " sign, min, max, tanh, sinh, cosh, sigmoid, softplus, erf, erfc, sin, cos, atan,"
        " where(a < b, c, d) (also <=, >, >=, ==, !=), and every element-wise catalog"
        " activation by name with its parameters as keywords: gelu(x, approximate='tanh')."
        " Printable ASCII only.",
        examples=[_EXAMPLE["expression"]],
    )
    parameters: dict[
        Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=32)], FormulaParameter
    ] = Field(default_factory=dict, description="The parameters the expression names, by name.")
    stable_forms: bool = Field(
        True,
        description="Serve subexpressions that round badly in the catalog's stable forms:"
        " log(1 + exp(u)) as softplus(u), a/(1 + exp(-u)) as a sigmoid(u), 1 + erf(u) as"
        " erfc(-u), log(1 + u) as log1p(u), exp(u) - 1 as expm1(u). false serves it as written.",
    )

    def build(self, settings: Settings, *, loc: tuple[str | int, ...]) -> core.Formula:
        """The parsed formula; InvalidInput (and its kinds) says what is wrong and where."""
        return core.formula(
            self.expression,
            {
                name: core.ParameterSpec(p.default, p.min, p.max, p.description)
                for name, p in self.parameters.items()
            },
            limits=formula_limits(settings),
            stable_forms=self.stable_forms,
            loc=loc,
        )


_Name = Annotated[str, Field(max_length=64)]
ActivationRef = Annotated[
    _Name | Formula,
    either("an activation's name, or a formula object", (str, _Name), (dict, Formula)),
]
"""What a request body names an activation with: a catalog name, or a formula."""


def formula_limits(settings: Settings) -> core.FormulaLimits:
    return core.FormulaLimits(
        length=settings.max_formula_length,
        depth=settings.max_formula_depth,
        nodes=settings.max_formula_nodes,
        parameters=settings.max_formula_parameters,
    )


def resolve_activation(
    ref: str | Formula, settings: Settings, *, loc: tuple[str | int, ...] = ("activation",)
) -> Activation:
    """The catalog entry a name names, or the entry a formula makes."""
    if isinstance(ref, str):
        return numerics.get(ref)
    return ref.build(settings, loc=loc).activation


class FormulaRequest(_Closed):
    activation: Formula
    params: Params = Field(
        default_factory=dict,
        description="Values of the declared parameters; defaults fill the rest.",
    )
    accuracy: bool = Field(
        True,
        description="Measure f and f' against mpmath over the whole float range (about a"
        " second; false for the derivatives alone).",
    )

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {"activation": _EXAMPLE},
                {"activation": {"expression": "x * tanh(log(1 + exp(x)))"}},
            ]
        },
    )


class RewriteOut(BaseModel):
    found: str = Field(description="The subexpression as written.")
    stable: str = Field(description="The stable form it is served in.")
    why: str


class RegionOut(Result):
    low: float
    high: float
    failure: Literal["non-finite", "inaccurate"] = Field(
        description="non-finite: the result is inf or NaN where the true value is finite"
        " (an overflow); inaccurate: beyond the bound (a cancellation or bad rounding)."
    )
    points: int = Field(description="Grid points in the region, all failing the same way.")


class OutputAccuracyOut(Result):
    within_bound: bool
    worst_ulp: float = Field(description="Error in units in the last place at worst_at.")
    worst_ulp_per_condition: float = Field(
        description="The largest error / max(1, kappa): what the bound limits."
    )
    worst_at: float | None
    condition: float = Field(description="kappa = |x f'/f| (|x f''/f'| for f') at worst_at.")
    failing_points: int
    regions: list[RegionOut] = Field(description="Where the output fails, in order of x.")

    @classmethod
    def of(cls, measured: core.OutputAccuracy | None) -> OutputAccuracyOut | None:
        if measured is None:
            return None
        return cls(
            within_bound=measured.within_bound,
            worst_ulp=measured.worst_ulp,
            worst_ulp_per_condition=measured.worst_ratio,
            worst_at=measured.worst_at,
            condition=measured.condition,
            failing_points=measured.failing_points,
            regions=[
                RegionOut(low=r.low, high=r.high, failure=r.failure, points=r.points)
                for r in measured.regions
            ],
        )


class AccuracyOut(Result):
    """f and f' in float64 against the formula in mpmath, over the whole float range."""

    bound: int = Field(description="An output passes within bound * max(1, kappa) ULP.")
    points: int
    undefined_points: int = Field(description="Points where the formula has no real value.")
    value: OutputAccuracyOut
    gradient: OutputAccuracyOut
    written_value: OutputAccuracyOut | None = Field(
        description="f as written, where stable forms were substituted (null otherwise)."
    )
    written_gradient: OutputAccuracyOut | None

    @classmethod
    def of(cls, report: core.AccuracyReport) -> AccuracyOut:
        value, gradient = OutputAccuracyOut.of(report.value), OutputAccuracyOut.of(report.gradient)
        assert value is not None and gradient is not None
        return cls(
            bound=core.BOUND,
            points=report.points,
            undefined_points=report.undefined_points,
            value=value,
            gradient=gradient,
            written_value=OutputAccuracyOut.of(report.written_value),
            written_gradient=OutputAccuracyOut.of(report.written_gradient),
        )


class FormulaAnalysis(Result):
    """A formula as the service reads it: normal form, what it serves, derivatives, accuracy."""

    expression: str = Field(description="The formula as written, in normal form: its name.")
    served: str = Field(description="The formula as evaluated, stable forms substituted.")
    rewrites: list[RewriteOut]
    gradient: str = Field(description="f'(x) as an expression.")
    second_derivative: str = Field(description="f''(x) as an expression.")
    formula: str = Field(description="f(x) in LaTeX.")
    derivative_formula: str = Field(description="f'(x) in LaTeX.")
    second_derivative_formula: str = Field(description="f''(x) in LaTeX.")
    kink: str
    parameters: list[ParameterSpec]
    params: dict[str, ParamJSON] = Field(description="The parameter values accuracy is for.")
    accuracy: AccuracyOut | None

    @classmethod
    def of(
        cls,
        made: core.Formula,
        params: dict[str, ParamValue],
        report: core.AccuracyReport | None,
    ) -> FormulaAnalysis:
        entry = made.activation
        return cls(
            expression=made.expression,
            served=core.text(made.served),
            rewrites=[RewriteOut(found=r.found, stable=r.stable, why=r.why) for r in made.rewrites],
            gradient=core.text(made.first),
            second_derivative=core.text(made.second),
            formula=entry.formula,
            derivative_formula=entry.derivative_formula,
            second_derivative_formula=entry.second_derivative_formula,
            kink=entry.kink,
            parameters=[ParameterSpec.of(p) for p in entry.parameters],
            params=spelled(params),
            accuracy=None if report is None else AccuracyOut.of(report),
        )


class FormulaDescribeRequest(_Closed):
    activation: Formula
    params: Params = Field(
        default_factory=dict,
        description="Values of the declared parameters; defaults fill the rest.",
    )


class FormulaPlotRequest(_Closed):
    activation: Formula
    params: Params = Field(
        default_factory=dict,
        description="Values of the declared parameters; defaults fill the rest.",
    )
    x_min: float = Field(-6.0, allow_inf_nan=False, description="Left end of the plotted range.")
    x_max: float = Field(6.0, allow_inf_nan=False, description="Right end of the plotted range.")


class FormulaEvaluateRequest(EvaluateRequest):
    """POST /formulas/evaluate as JSON: an evaluation request with the formula in it."""

    activation: Formula

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "activation": _EXAMPLE,
                    "x": [-2.0, 0.0, 2.0],
                    "params": {"beta": 1.5},
                    "outputs": ["value", "gradient", "second_derivative"],
                }
            ]
        },
    )


def declare_formula_limits(components: dict[str, Any], limits: Mapping[str, int | float]) -> None:
    """Put the formula limits into the Formula schema, with ``x-limit`` naming each setting
    (depth and node count have no JSON Schema keyword: the description states them)."""
    properties = components["Formula"]["properties"]
    expression, parameters = properties["expression"], properties["parameters"]
    expression["maxLength"] = limits["max_formula_length"]
    expression["x-limit"] = "max_formula_length"
    expression["description"] += (
        f" At most {limits['max_formula_depth']} levels deep (max_formula_depth) and"
        f" {limits['max_formula_nodes']} nodes (max_formula_nodes)."
    )
    parameters["maxProperties"] = limits["max_formula_parameters"]
    parameters["additionalProperties"] = False  # names outside the pattern are no parameters
    compared = components["CompareRequest"]["properties"]["activations"]
    compared["maxItems"] = limits["compare_max_names"]
    compared["x-limit"] = "compare_max_names"
    parameters["x-limit"] = "max_formula_parameters"
