"""What every route shares: the liveness status, the problem document of an error, and how a
result writes numbers JSON has no spelling for."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from service.numerics import ParamJSON, ParamValue, number_from_text

__all__ = [
    "NON_FINITE",
    "QUERY_NUMBER",
    "Health",
    "Integer",
    "Length",
    "Params",
    "PositiveInt",
    "PositiveInts",
    "Problem",
    "Result",
    "allow_non_finite",
    "either",
    "repeated",
    "spelled",
]


def repeated(items: Sequence[str]) -> list[str]:
    """The items given more than once, sorted: what a refusal of repeats names."""
    return sorted({item for item in items if items.count(item) > 1})


def _integral(value: object) -> object:
    """3.0 is the integer 3, as JSON Schema has it; 3.5, true or "3" are no integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Integer = Annotated[int, Strict(), BeforeValidator(_integral)]
"""An integer of a JSON request: integral numbers only, never a boolean or a string."""
PositiveInt = Annotated[int, Strict(), Ge(1), BeforeValidator(_integral)]
"""Likewise, at least 1 (the bound inside, so that the schema states it as a minimum)."""
Length = Annotated[int, Strict(), Ge(0), Le(2**53 - 1), BeforeValidator(_integral)]
"""Likewise, 0 to 2**53 - 1: a dimension's length that every JSON parser reads exactly."""


def either(expected: str, *members: tuple[type | tuple[type, ...], Any]) -> WrapValidator:
    """For a union in a request: one error where it is, not one per member under pydantic's
    names for them ("body.width.function-before[_integral(), constrained-int]: ...", and four
    such for a parameter's value). A value of a member's JSON type that fails is validated as
    that member alone, so that its errors lie where they are (``members``: the Python types of
    the value, a bool before an int, and the member's type); any other value is ``expected``."""
    adapters = [(kinds, TypeAdapter(member)) for kinds, member in members]

    def validate(value: object, handler: ValidatorFunctionWrapHandler) -> object:
        try:
            return handler(value)
        except ValidationError:
            for kinds, adapter in adapters:
                if isinstance(value, kinds):
                    adapter.validate_python(value, strict=True)  # raises, its errors located
                    break  # (what the union refused is refused, whatever its member says)
            raise PydanticCustomError(
                "union_type", "Input should be {expected}", {"expected": expected}
            ) from None

    return WrapValidator(validate)


Params = dict[
    str, Annotated[ParamJSON, either("a number, a boolean, a string or null (for infinity)")]
]
"""A request's activation parameters by name."""
PositiveInts = Annotated[
    PositiveInt | list[PositiveInt],
    either(
        "a positive integer, or a list of them",
        ((int, float), PositiveInt),  # a bool too (an int to Python), which strictness refuses
        (list, list[PositiveInt]),
    ),
]
"""One positive integer, or one for each of several (a network's layers)."""


def _decimal(value: object) -> object:
    """A number in a query string as the service reads one (numerics.number_from_text)."""
    return number_from_text(value) if isinstance(value, str) else value


QUERY_NUMBER = BeforeValidator(_decimal)
"""Last in a query parameter's ``Annotated``: a float from the query string as the service
reads one. "0_5", " 1" or another script's digits are no number, where pydantic's lax parsing
took the first for 5."""

NON_FINITE = ("NaN", "Infinity", "-Infinity")
"""How a result writes a number that is not finite (JSON has none), as protobuf's JSON does."""


def allow_non_finite(schema: dict[str, Any], model: type | None = None) -> None:
    """Declare, wherever the schema says number, that the number may also be written as one of
    NON_FINITE: an exploding network's statistics overflow, a depth scale is infinite at the
    edge of chaos, a ratio of two zero gradients is no number."""
    for node in _number_nodes(schema):
        node.pop("type")
        node["anyOf"] = [{"type": "number"}, {"type": "string", "enum": list(NON_FINITE)}]


def _number_nodes(node: Any) -> list[dict[str, Any]]:
    if not isinstance(node, dict):
        return []
    if node.get("type") == "number":
        return [node]
    children = [*node.get("properties", {}).values(), *node.get("anyOf", [])]
    if "items" in node:
        children.append(node["items"])
    if isinstance(node.get("additionalProperties"), dict):
        children.append(node["additionalProperties"])
    return [found for child in children for found in _number_nodes(child)]


def spelled(params: Mapping[str, ParamValue]) -> dict[str, ParamJSON]:
    """Resolved parameters as answers write them: null for an infinite default (no cap)."""
    return {
        name: None if isinstance(value, float) and math.isinf(value) else value
        for name, value in params.items()
    }


class Result(BaseModel):
    """A response whose numbers may not be finite: written "NaN", "Infinity", "-Infinity",
    and declared so in its schema."""

    model_config = ConfigDict(ser_json_inf_nan="strings", json_schema_extra=allow_non_finite)


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """Whether this process should get traffic now, and what says so."""

    status: Literal["ready", "not-ready"]
    kernels: Literal["on-demand", "compiling", "ready", "failed"] = Field(
        description="The float32 kernels: loaded or compiled at start-up (`ready`), still"
        " `compiling`, compiled on each one's first request (`on-demand`), or `failed`."
    )
    drawing: Literal["on-demand", "starting", "ready", "failed"] = Field(
        description="The processes that draw plots: started at start-up (`ready`), still"
        " `starting`, started by the first plot (`on-demand`), or `failed`."
    )
    shutting_down: bool = Field(description="SIGTERM was received: the process is draining.")
    saturated: list[Literal["evaluate", "simulate", "heavy", "analyse"]] = Field(
        description="Workload classes whose queue is full (their requests get 503 now)."
    )


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
