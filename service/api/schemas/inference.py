"""The Open Inference Protocol's JSON objects (KServe v2, Triton), as the service speaks them.

Names and shapes follow the protocol's REST specification (kserve/open-inference-protocol,
``open_inference_rest.yaml``); what the service adds is said in each description. Tensor data
is decoded by the codec (service.api.codecs.tensors), not by these models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.api.schemas.common import Length, either
from service.numerics import OUTPUTS, OutputName

__all__ = [
    "InferenceError",
    "InferenceRequest",
    "InferenceResponse",
    "Live",
    "MetadataTensor",
    "ModelMetadata",
    "ModelReady",
    "Ready",
    "RequestInput",
    "RequestOutput",
    "ResponseOutput",
    "ServerMetadata",
]

Datatype = Literal["FP32", "FP64"]
Parameters = dict[
    str, Annotated[str | bool | int | float | None, either("a string, a boolean, a number or null")]
]
"""Parameters as the protocol carries them; null for an infinite default (relu's max_value)."""
_INPUT_DATA: dict[str, Any] = {
    "type": "array",
    "items": {"$ref": "#/components/schemas/NestedNumbers"},
    "description": "The elements in row-major order, flat or nested by the shape.",
}
_OUTPUT_DATA: dict[str, Any] = {
    "type": "array",
    "items": {"$ref": "#/components/schemas/NestedResults"},
    "description": "The elements in row-major order, flat. Non-finite results are written"
    ' "Infinity", "-Infinity" or "NaN".',
}


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServerMetadata(BaseModel):
    name: str = Field(examples=["activation-service"])
    version: str = Field(examples=["0.1.0"])
    extensions: list[str] = Field(
        description="binary_tensor_data: tensors may travel as raw bytes after the JSON.",
        examples=[["binary_tensor_data"]],
    )


class Live(BaseModel):
    live: bool = True


class Ready(BaseModel):
    ready: bool = True


class ModelReady(BaseModel):
    name: str
    ready: bool = True


class MetadataTensor(BaseModel):
    name: str
    datatype: Datatype = Field(
        description="FP32, the datatype most clients send; FP64 is accepted as well (see"
        " parameters.datatypes), and outputs take the datatype of x."
    )
    shape: list[int] = Field(
        description="-1: any length. An element-wise activation takes any shape of up to"
        " max_dims dimensions (parameters.max_dims), an axis-wise one at least one dimension."
    )
    parameters: Parameters = Field(
        default_factory=dict,
        description="datatypes accepted, optional (grad_output), max_dims, max_elements.",
    )


class ModelMetadata(BaseModel):
    name: str = Field(description="The activation's canonical name (aliases resolved).")
    versions: list[str] = Field(description="The service's version, the one version it serves.")
    platform: str = Field(examples=["activation-service"])
    inputs: list[MetadataTensor]
    outputs: list[MetadataTensor] = Field(
        description="value, gradient and, for element-wise activations, second_derivative."
    )
    parameters: Parameters = Field(
        description="The activation's parameters with their defaults; an inference request may"
        " set any of them in its parameters.",
        examples=[{"approximate": "none"}],
    )


class RequestInput(_Closed):
    """A tensor: its data in the JSON, or (the binary extension) its byte length in
    parameters.binary_data_size and its bytes after the JSON; one of the two."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["data"]},
                {
                    "required": ["parameters"],
                    "properties": {
                        "parameters": {
                            "type": "object",
                            "required": ["binary_data_size"],
                            "properties": {"binary_data_size": {"type": "integer", "minimum": 0}},
                        }
                    },
                },
            ]
        }
    )

    name: Literal["x", "grad_output"] = Field(
        description="x, or grad_output (the upstream gradient, shaped like the value)."
    )
    shape: list[Length] = Field(
        description="Each dimension's length (at most 2**53 - 1, so that every JSON parser reads it"
        " exactly)."
    )
    datatype: Datatype
    parameters: Parameters | None = Field(
        None, description="binary_data_size: the input's data follows the JSON, in this many bytes."
    )
    data: Any = Field(None, json_schema_extra=_INPUT_DATA)


class RequestOutput(_Closed):
    name: OutputName
    parameters: Parameters | None = Field(
        None, description="binary_data: true to receive this output as raw bytes after the JSON."
    )


class InferenceRequest(BaseModel):
    """An inference request; ``model_name`` and ``model_version``, which some clients repeat
    from the path, are accepted and ignored."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "42",
                    "parameters": {"approximate": "tanh"},
                    "inputs": [
                        {"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [-1, 0, 1, 2]}
                    ],
                    "outputs": [{"name": "value"}, {"name": "gradient"}],
                }
            ]
        },
    )

    id: str | None = Field(None, description="Echoed in the response.")
    parameters: Parameters | None = Field(
        None,
        description="The activation's parameters (e.g. approximate, alpha), and two of the"
        " protocol's: outputs, a comma-separated list (each output once) used when the request"
        " lists no outputs, and binary_data_output, true for every output in binary unless it"
        " says otherwise.",
    )
    inputs: list[RequestInput] = Field(
        min_length=1,
        max_length=2,
        description="x, once, and optionally grad_output.",
        json_schema_extra={
            "contains": {"properties": {"name": {"const": "x"}}},
            "minContains": 1,
            "maxContains": 1,
        },
    )
    outputs: list[RequestOutput] | None = Field(
        None,
        max_length=3,
        description="Which outputs to return, each once. Without them (and without"
        " parameters.outputs), every output the activation gives for these inputs: the value,"
        " the gradient (for an axis-wise activation only with grad_output) and the second"
        " derivative (element-wise).",
        # Each name at most once: contains it 0 or 1 times (uniqueItems would let two differ
        # in their parameters alone).
        json_schema_extra={
            "allOf": [
                {
                    "contains": {"properties": {"name": {"const": name}}},
                    "minContains": 0,
                    "maxContains": 1,
                }
                for name in OUTPUTS
            ]
        },
    )
    model_name: str | None = None
    model_version: str | None = None


class ResponseOutput(BaseModel):
    name: str
    shape: list[int]
    datatype: Datatype
    parameters: Parameters | None = Field(
        None, description="binary_data_size, when the data follows the JSON as raw bytes."
    )
    data: Any = Field(None, json_schema_extra=_OUTPUT_DATA)


class InferenceResponse(BaseModel):
    model_name: str
    model_version: str
    id: str | None = None
    parameters: Parameters = Field(description="Every activation parameter, defaults included.")
    outputs: list[ResponseOutput]


class InferenceError(BaseModel):
    """The protocol's error object: every /v2 error, whatever its status."""

    error: str = Field(examples=["unknown activation 'gelo'; did you mean gelu?"])
