"""Request and response models: what the API accepts and returns, with its bounds and examples."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType

from service.numerics import Activation, Parameter

__all__ = [
    "ActivationList",
    "ActivationSummary",
    "BinaryOptions",
    "DtypeName",
    "EquivalentSpec",
    "EvaluateOptions",
    "EvaluateRequest",
    "EvaluateResponse",
    "Health",
    "OutputName",
    "ParameterSpec",
    "Problem",
]

DtypeName = Literal["float32", "float64"]
OutputName = Literal["value", "gradient", "second_derivative"]
ParamValue = float | int | bool | str

NestedNumbers = TypeAliasType("NestedNumbers", "float | list[NestedNumbers]")
"""A number, or a rectangular nested list of numbers (one level per dimension)."""


class EvaluateOptions(BaseModel):
    """Everything in an evaluation request but the arrays, which are decoded without pydantic."""

    model_config = ConfigDict(extra="forbid")

    params: dict[str, ParamValue] = Field(
        default_factory=dict,
        description="Parameters of the activation; those left out take their defaults.",
        examples=[{"negative_slope": 0.2}],
    )
    dtype: DtypeName = Field(
        "float64", description="Precision of the computation and of the result."
    )
    outputs: Annotated[list[OutputName], Field(min_length=1, max_length=3)] = Field(
        default_factory=lambda: list[OutputName](["value"]),
        description="What to return: the value f(x), the gradient and, for element-wise"
        " activations, the second derivative.",
    )


class BinaryOptions(BaseModel):
    """The query-string options of a .npy or .npz evaluation."""

    outputs: Annotated[list[OutputName], Field(min_length=1, max_length=3)] = Field(
        default_factory=lambda: list[OutputName](["value"])
    )
    dtype: DtypeName | None = None


class EvaluateRequest(EvaluateOptions):
    x: NestedNumbers = Field(
        description="A number or a rectangular nested list of finite numbers.",
        examples=[[[-2.0, -0.5, 0.0], [0.5, 1.0, 2.0]]],
    )
    grad_output: NestedNumbers | None = Field(
        None,
        description="Upstream gradient, shaped like the value. Element-wise activations:"
        " gradient = grad_output * f'(x) and second_derivative = grad_output * f''(x), f'(x) and"
        " f''(x) themselves without it. Axis-wise ones (softmax, glu, ...): required for the"
        " gradient, which is the vector-Jacobian product.",
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"x": [[-2.0, -0.5, 0.0], [0.5, 1.0, 2.0]], "outputs": ["value", "gradient"]},
                {"x": 1.5, "params": {"approximate": "tanh"}, "dtype": "float32"},
            ]
        },
    )


class EvaluateResponse(BaseModel):
    activation: str = Field(description="Canonical name of the activation (aliases resolved).")
    params: dict[str, ParamValue] = Field(description="Every parameter, defaults included.")
    dtype: DtypeName
    shape: list[int]
    value: NestedNumbers | None = Field(
        None,
        description='f(x), nested like x. Non-finite results are "Infinity", "-Infinity" or "NaN".',
    )
    gradient: NestedNumbers | None = Field(
        None, description="grad_output * f'(x), or the vector-Jacobian product; nested like x."
    )
    second_derivative: NestedNumbers | None = Field(
        None, description="grad_output * f''(x), nested like x (element-wise activations)."
    )


class ParameterSpec(BaseModel):
    name: str
    type: Literal["float", "int", "bool", "choice"]
    default: ParamValue
    description: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    choices: list[str] | None = None

    @classmethod
    def of(cls, parameter: Parameter) -> ParameterSpec:
        return cls(
            name=parameter.name,
            type=parameter.kind,
            default=parameter.default,
            description=parameter.description,
            minimum=parameter.minimum,
            maximum=parameter.maximum,
            exclusive_minimum=parameter.exclusive_minimum,
            exclusive_maximum=parameter.exclusive_maximum,
            choices=list(parameter.choices) or None,
        )


class EquivalentSpec(BaseModel):
    library: Literal["torch", "keras", "jax"]
    call: str = Field(description="The exact equivalent call, with our defaults spelled out.")
    differs: str = Field(description="Where its defaults or conventions differ from ours.")


class ActivationSummary(BaseModel):
    name: str
    aliases: list[str]
    family: str
    kind: Literal["elementwise", "axiswise"] = Field(
        description="axiswise functions (softmax, glu, ...) take an axis; their gradient is a"
        " vector-Jacobian product and they have no second_derivative output."
    )
    halves_axis: bool = Field(description="Whether the value is half as long as x along axis.")
    formula: str = Field(description="f(x) in LaTeX.")
    derivative_formula: str = Field(
        description="f'(x), or the vector-Jacobian product of an axis-wise function, in LaTeX."
    )
    second_derivative_formula: str = Field(description="f''(x) in LaTeX; empty if axis-wise.")
    kink: str = Field(
        description="Values chosen for f' and f'' where f is not differentiable; empty if smooth."
    )
    reference: str
    follows: str = Field(description="Whose defaults and conventions this entry follows.")
    equivalents: list[EquivalentSpec] = Field(
        description="The same function in PyTorch, Keras 3 and jax.nn, where they have it."
    )
    parameters: list[ParameterSpec]

    @classmethod
    def of(cls, entry: Activation, aliases: list[str]) -> ActivationSummary:
        return cls(
            name=entry.name,
            aliases=aliases,
            family=entry.family,
            kind="axiswise" if entry.axiswise else "elementwise",
            halves_axis=entry.halves_axis,
            formula=entry.formula,
            derivative_formula=entry.derivative_formula,
            second_derivative_formula=entry.second_derivative_formula,
            kink=entry.kink,
            reference=entry.reference,
            follows=entry.follows,
            equivalents=[
                EquivalentSpec(library=e.library, call=e.call, differs=e.differs)
                for e in entry.equivalents
            ],
            parameters=[ParameterSpec.of(p) for p in entry.parameters],
        )


class ActivationList(BaseModel):
    activations: list[ActivationSummary]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:activation-service:problem:invalid-parameter"])
    title: str = Field(examples=["Unprocessable Content"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["parameter 'alpha' must be >= -1000000.0, got -1e9"])
    errors: list[dict[str, Any]] | None = Field(
        None, description="Each problem with its location: {loc: [...], msg: ...}."
    )
    suggestions: list[str] | None = Field(None, description="Known names close to an unknown one.")
