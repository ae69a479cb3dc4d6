"""What an evaluation accepts and returns, beside its arrays (which the codecs decode)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType

from service.api.schemas.common import Params, repeated
from service.numerics import DtypeName, OutputName, ParamJSON

__all__ = [
    "BinaryOptions",
    "EvaluateOptions",
    "EvaluateRequest",
    "EvaluateResponse",
    "NestedNumbers",
    "NestedResults",
]

NestedNumbers = TypeAliasType("NestedNumbers", "float | list[NestedNumbers]")
"""A number, or a rectangular nested list of numbers (one level per dimension)."""
NonFinite = Literal["NaN", "Infinity", "-Infinity"]
NestedResults = TypeAliasType("NestedResults", "float | NonFinite | list[NestedResults]")
"""Results nested like x: numbers, or the strings of NonFinite where a result is not finite."""


def _each_once(outputs: list[OutputName]) -> list[OutputName]:
    """An output asked for twice is refused, not answered once: the request says two things."""
    twice = repeated(outputs)
    if twice:
        raise ValueError(f"lists {', '.join(twice)} more than once")
    return outputs


Outputs = Annotated[
    list[OutputName],
    Field(min_length=1, max_length=3, json_schema_extra={"uniqueItems": True}),
    AfterValidator(_each_once),
]


class EvaluateOptions(BaseModel):
    """Everything in an evaluation request but the arrays, which are decoded without pydantic."""

    model_config = ConfigDict(extra="forbid", strict=True)

    params: Params = Field(
        default_factory=dict,
        description="Parameters of the activation; those left out take their defaults.",
        examples=[{"negative_slope": 0.2}],
    )
    dtype: DtypeName = Field(
        "float64", description="Precision of the computation and of the result."
    )
    outputs: Outputs = Field(
        default_factory=lambda: list[OutputName](["value"]),
        description="What to return: the value f(x), the gradient and, for element-wise"
        " activations, the second derivative.",
    )


class BinaryOptions(BaseModel):
    """The query-string options of a .npy or .npz evaluation."""

    outputs: Outputs = Field(
        default_factory=lambda: list[OutputName](["value"]),
        description="outputs to return (default: value).",
    )
    dtype: DtypeName | None = Field(
        None,
        description="precision (default: float32 for an array of float16 or float32, in either"
        " byte order; float64 for the rest, integers included).",
    )


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
    params: dict[str, ParamJSON] = Field(description="Every parameter, defaults included.")
    dtype: DtypeName
    shape: list[int]
    value: NestedResults | None = Field(
        None,
        description='f(x), nested like x. Non-finite results are "Infinity", "-Infinity" or "NaN".',
    )
    gradient: NestedResults | None = Field(
        None, description="grad_output * f'(x), or the vector-Jacobian product; nested like x."
    )
    second_derivative: NestedResults | None = Field(
        None, description="grad_output * f''(x), nested like x (element-wise activations)."
    )
