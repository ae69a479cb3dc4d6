"""The Open Inference Protocol (KServe v2, Triton's HTTP/REST API) under /v2: every activation a model.

Stock clients (tritonclient, KServe's InferenceRESTClient, MLServer's, Seldon's) evaluate an
activation here as they would run a model: ``x`` and an optional ``grad_output`` in, ``value``,
``gradient`` and ``second_derivative`` out, the activation's parameters in the request's
``parameters``. Requests reach the same call as POST /api/v1/activations/{name}/evaluate
(``numerics.evaluate``) under the same limits, so the numbers are the same bit for bit.
Tensors travel as JSON or, with the binary tensor data extension, as raw bytes after the JSON
(service.api.codecs.tensors). Errors leave as the protocol's ``{"error": ...}``
(service.api.protocol_errors). The gradient-flow simulation is no model, and stays native.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.responses import Response

from service import __version__, numerics
from service.api import codecs
from service.api.dependencies import NAME_LENGTH, ActivationName, SettingsDep
from service.api.responses import PartsResponse
from service.api.schemas.common import repeated, spelled
from service.api.schemas.inference import (
    InferenceError,
    InferenceRequest,
    InferenceResponse,
    Live,
    MetadataTensor,
    ModelMetadata,
    ModelReady,
    Ready,
    ServerMetadata,
)
from service.api.workloads import Workloads
from service.config import Settings
from service.errors import RequestProblem

__all__ = ["PREFIX", "TAG", "router"]

PREFIX = "/v2"
TAG = "open-inference-protocol"
SERVER_NAME = "activation-service"
EXTENSIONS = ["binary_tensor_data"]

router = APIRouter(prefix=PREFIX, tags=[TAG])

Version = Annotated[
    str,
    Path(
        max_length=NAME_LENGTH,
        description="The service's version (GET /v2 gives it); any other is not found.",
        examples=[__version__],
    ),
]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "Invalid request: malformed JSON or tensors, an unknown parameter or input, a value"
        " out of range, or over a limit (max_elements, max_dims); the message says which.",
        404: "Unknown model (activation) or version; the message suggests the closest names.",
        413: "Request body over max_body_bytes (after decompression, for a compressed one).",
        415: "Content-Encoding other than gzip or deflate.",
    }
    return {code: {"model": InferenceError, "description": described[code]} for code in codes}


_NOT_READY: dict[int | str, dict[str, Any]] = {
    **_errors(404),
    400: {
        "model": ModelReady | InferenceError,
        "description": "Not ready ({name, ready: false}, as GET /readyz's 503 says why), or an"
        " invalid name or version ({error}).",
    },
}


@router.get("", operation_id="v2_server_metadata", summary="Server metadata")
async def server_metadata() -> ServerMetadata:
    """The server's name, version and the protocol extensions it supports."""
    return ServerMetadata(name=SERVER_NAME, version=__version__, extensions=EXTENSIONS)


@router.get("/health/live", operation_id="v2_server_live", summary="Server live")
async def server_live() -> Live:
    return Live()


@router.get(
    "/health/ready",
    operation_id="v2_server_ready",
    summary="Server ready",
    response_model=Ready,
    responses={400: {"model": Ready, "description": "Not ready (as GET /readyz's 503 says why)."}},
)
async def server_ready(request: Request) -> Response:
    """Ready when GET /readyz is: kernels loaded, no queue full, not draining. The protocol
    answers "not ready" with a 4xx status (400, as Triton), so stock clients' ``is_server_ready``
    and probes pointed at /v2 see what /readyz says."""
    return _readiness(request, Ready)


@router.get(
    "/models/{name}",
    operation_id="v2_model_metadata",
    summary="Model metadata: an activation's inputs, outputs and parameters",
    responses=_errors(400, 404),
)
async def model_metadata(name: ActivationName, settings: SettingsDep) -> ModelMetadata:
    return _metadata(_model(name, None), settings)


@router.get(
    "/models/{name}/versions/{version}",
    operation_id="v2_model_version_metadata",
    summary="Model metadata, for a version",
    responses=_errors(400, 404),
)
async def model_version_metadata(
    name: ActivationName, version: Version, settings: SettingsDep
) -> ModelMetadata:
    return _metadata(_model(name, version), settings)


@router.get(
    "/models/{name}/ready",
    operation_id="v2_model_ready",
    summary="Model ready",
    response_model=ModelReady,
    responses=_NOT_READY,
)
async def model_ready(request: Request, name: ActivationName) -> Response:
    return _readiness(request, partial(ModelReady, name=_model(name, None).name))


@router.get(
    "/models/{name}/versions/{version}/ready",
    operation_id="v2_model_version_ready",
    summary="Model ready, for a version",
    response_model=ModelReady,
    responses=_NOT_READY,
)
async def model_version_ready(request: Request, name: ActivationName, version: Version) -> Response:
    return _readiness(request, partial(ModelReady, name=_model(name, version).name))


def _readiness(request: Request, answer: Callable[..., Ready | ModelReady]) -> Response:
    ready: bool = request.app.state.lifecycle.ready
    return Response(
        answer(ready=ready).model_dump_json(),
        status_code=200 if ready else 400,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


_INFER: dict[str, Any] = {
    "summary": "Evaluate an activation as a model: value, gradient, second derivative",
    "response_model": InferenceResponse,
    "responses": {
        200: {
            "description": "JSON, or (when an output is asked for in binary) the JSON followed by"
            " the outputs' raw bytes, Inference-Header-Content-Length giving the JSON's length.",
            "content": {
                codecs.OCTET_STREAM_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}
            },
        },
        **_errors(400, 404, 413, 415),
    },
    "openapi_extra": {
        "requestBody": {
            "required": True,
            "content": {
                codecs.JSON_MEDIA_TYPE: {
                    "schema": {"$ref": "#/components/schemas/InferenceRequest"}
                },
                codecs.OCTET_STREAM_MEDIA_TYPE: {
                    "schema": {"type": "string", "format": "binary"},
                    "description": "The binary tensor data extension: the JSON request, then the"
                    " raw bytes of each input with a binary_data_size parameter, in order;"
                    " Inference-Header-Content-Length gives the JSON's length.",
                },
            },
        },
        "parameters": [
            {
                "name": "Inference-Header-Content-Length",
                "in": "header",
                "required": False,
                "schema": {"type": "integer", "minimum": 0},
                "description": "Length of the JSON at the head of the body, when binary tensor"
                " data follows it.",
            }
        ],
    },
}


@router.post("/models/{name}/infer", operation_id="v2_model_infer", **_INFER)
async def model_infer(request: Request, name: ActivationName) -> Response:
    """Evaluates the activation on input x (and grad_output), with the activation's parameters
    taken from the request's parameters: the numbers of POST /api/v1/activations/{name}/evaluate,
    bit for bit, in the input's datatype."""
    return await _infer(request, _model(name, None))


@router.post(
    "/models/{name}/versions/{version}/infer", operation_id="v2_model_version_infer", **_INFER
)
async def model_version_infer(request: Request, name: ActivationName, version: Version) -> Response:
    """As POST /v2/models/{name}/infer, for the service's version."""
    return await _infer(request, _model(name, version))


def _model(name: str, version: str | None) -> numerics.Activation:
    activation = numerics.get(name)
    if version is not None and version != __version__:
        raise RequestProblem(
            404,
            "unknown-model-version",
            f"model {activation.name!r} has no version {version!r}; this service serves"
            f" version {__version__!r}",
        )
    return activation


def _outputs_of(activation: numerics.Activation, *, grad_output: bool) -> list[numerics.OutputName]:
    """What the activation gives: the value, the gradient (an axis-wise one only as a product
    with grad_output) and the second derivative (element-wise ones that have one)."""
    outputs: list[numerics.OutputName] = ["value"]
    if grad_output or not activation.axiswise:
        outputs.append("gradient")
    if not activation.axiswise and activation.second_derivative is not None:
        outputs.append("second_derivative")
    return outputs


def _metadata(activation: numerics.Activation, settings: Settings) -> ModelMetadata:
    accepted = {"datatypes": ",".join(codecs.DATATYPES)}
    limits = {"max_dims": settings.max_dims, "max_elements": settings.max_elements}

    def tensor(name: str, **extra: str | bool | int) -> MetadataTensor:
        return MetadataTensor(name=name, datatype="FP32", shape=[-1], parameters=extra)

    return ModelMetadata(
        name=activation.name,
        versions=[__version__],
        platform=SERVER_NAME,
        inputs=[
            tensor("x", **accepted, **limits),
            tensor("grad_output", **accepted, **limits, optional=True),
        ],
        outputs=[tensor(output) for output in _outputs_of(activation, grad_output=True)],
        parameters=spelled({p.name: p.default for p in activation.parameters}),
    )


async def _infer(request: Request, activation: numerics.Activation) -> Response:
    settings: Settings = request.app.state.settings
    body = await request.body()
    handle = partial(
        _evaluate,
        activation,
        body,
        encoding=request.headers.get("content-encoding", "identity").strip().lower(),
        header_length=request.headers.get(codecs.BINARY_HEADER),
        settings=settings,
    )
    workloads: Workloads = request.app.state.workloads
    return await workloads.evaluation(len(body), handle)


def _evaluate(
    activation: numerics.Activation,
    body: bytes,
    *,
    encoding: str,
    header_length: str | None,
    settings: Settings,
) -> Response:
    if encoding != "identity":
        body = codecs.inflate(body, encoding=encoding, max_bytes=settings.max_body_bytes)
    document, binary = codecs.inference_body(body, header_length)
    try:
        request = InferenceRequest.model_validate(document)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
        ) from None
    x, grad_output = _inputs(
        request, binary, codecs.ArrayLimits(settings.max_elements, settings.max_dims)
    )
    given = dict(request.parameters or {})
    binary_by_default = _flag(
        given.pop("binary_data_output", False), ["parameters", "binary_data_output"]
    )
    listed = given.pop("outputs", None)
    params = activation.resolve(given)
    outputs, binary_outputs = _requested(
        request,
        listed,
        binary_by_default,
        _outputs_of(activation, grad_output=grad_output is not None),
    )
    results = numerics.evaluate(
        activation, x, params=params, outputs=outputs, grad_output=grad_output
    )
    tensors, buffers = [], []
    for output in outputs:
        tensor, buffer = codecs.output_tensor(
            output, results[output], binary=output in binary_outputs
        )
        tensors.append(tensor)
        if buffer is not None:
            buffers.append(buffer)
    answer = {
        "model_name": activation.name,
        "model_version": __version__,
        **({"id": request.id} if request.id is not None else {}),
        "parameters": params,
        "outputs": tensors,
    }
    parts = codecs.answer_parts(answer, buffers)
    if not buffers:
        return Response(parts[0], media_type=codecs.JSON_MEDIA_TYPE)
    return PartsResponse(
        parts,
        media_type=codecs.OCTET_STREAM_MEDIA_TYPE,
        headers={"Inference-Header-Content-Length": str(len(parts[0]))},
    )


def _inputs(
    request: InferenceRequest, binary: memoryview, limits: codecs.ArrayLimits
) -> tuple[numerics.Array, numerics.Array | None]:
    arrays: dict[str, numerics.Array] = {}
    for index, tensor in enumerate(request.inputs):
        loc: list[str | int] = ["inputs", index]
        if tensor.name in arrays:
            raise numerics.InvalidInput([*loc, "name"], f"{tensor.name} is given twice")
        # x may hold +-inf, where every output is its limit, as on the native API.
        arrays[tensor.name], binary = codecs.tensor_from_request(
            dict(tensor), binary, loc=loc, limits=limits, infinities=tensor.name == "x"
        )
    if len(binary):
        raise numerics.InvalidInput(
            ["body"], f"has {len(binary)} bytes after the binary data of the inputs"
        )
    if "x" not in arrays:
        raise numerics.InvalidInput(["inputs"], "has no input named x")
    x, grad_output = arrays["x"], arrays.get("grad_output")
    if grad_output is not None and grad_output.dtype != x.dtype:
        raise numerics.InvalidInput(
            ["inputs", "grad_output", "datatype"],
            f"is {codecs.datatype_of(grad_output)} but x is {codecs.datatype_of(x)}; send both"
            " in one datatype",
        )
    return x, grad_output


def _requested(
    request: InferenceRequest,
    listed: object,
    binary_by_default: bool,
    produced: list[numerics.OutputName],
) -> tuple[list[numerics.OutputName], set[numerics.OutputName]]:
    """The outputs to return, in order, and those to return in binary."""
    if request.outputs is not None:
        if listed is not None:
            raise numerics.InvalidParameter(
                "outputs", "is given both as a parameter and as the request's outputs; give one"
            )
        outputs = [output.name for output in request.outputs]
        binary: set[numerics.OutputName] = set()
        for index, output in enumerate(request.outputs):
            given = dict(output.parameters or {})
            loc: list[str | int] = ["outputs", index, "parameters"]
            if _flag(given.pop("binary_data", binary_by_default), [*loc, "binary_data"]):
                binary.add(output.name)
            for unknown in given:
                raise numerics.InvalidInput(
                    [*loc, unknown], "is not an output parameter of the service (binary_data is)"
                )
    elif listed is not None:
        if not isinstance(listed, str):
            raise numerics.InvalidParameter(
                "outputs", f"must be a string such as 'value,gradient', got {listed!r}"
            )
        names = [name.strip() for name in listed.split(",") if name.strip()]
        for name in names:
            if name not in numerics.OUTPUTS:
                raise numerics.InvalidParameter(
                    "outputs", f"names {name!r}; the outputs are {', '.join(numerics.OUTPUTS)}"
                )
        outputs = names  # type: ignore[assignment]  # checked above
        binary = set(outputs) if binary_by_default else set()
    else:
        outputs = produced
        binary = set(outputs) if binary_by_default else set()
    if not outputs:
        raise numerics.InvalidParameter("outputs", "lists no output")
    twice = repeated(outputs)
    if twice:
        raise numerics.InvalidInput(["outputs"], f"lists {', '.join(twice)} more than once")
    return outputs, binary


def _flag(value: object, loc: list[str | int]) -> bool:
    if not isinstance(value, bool):
        raise numerics.InvalidInput(loc, f"must be true or false, got {value!r}")
    return value
