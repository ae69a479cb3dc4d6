"""Request and response models: what the API accepts and returns, with its bounds and examples."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType

from service.numerics import Parameter

__all__ = [
    "ActivationList",
    "ActivationSummary",
    "BinaryOptions",
    "DtypeName",
    "EvaluateOptions",
    "EvaluateRequest",
    "EvaluateResponse",
    "Health",
    "OutputName",
    "ParameterSpec",
    "Problem",
]

DtypeName = Literal["float32", "float64"]
OutputName = Literal["value", "gradient"]
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
    outputs: Annotated[list[OutputName], Field(min_length=1, max_length=2)] = Field(
        default_factory=lambda: list[OutputName](["value"]),
        description="What to return: the value f(x), the gradient, or both.",
    )


class BinaryOptions(BaseModel):
    """The query-string options of a .npy or .npz evaluation."""

    outputs: Annotated[list[OutputName], Field(min_length=1, max_length=2)] = Field(
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
        description="Upstream gradient, same shape as x: gradient = grad_output * f'(x). Default: ones.",
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
    gradient: NestedNumbers | None = Field(None, description="grad_output * f'(x), nested like x.")


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


class ActivationSummary(BaseModel):
    name: str
    aliases: list[str]
    family: str
    formula: str = Field(description="f(x) in LaTeX.")
    derivative_formula: str = Field(description="f'(x) in LaTeX.")
    kink: str = Field(
        description="Value chosen for f' where f is not differentiable; empty if smooth."
    )
    reference: str
    parameters: list[ParameterSpec]


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
