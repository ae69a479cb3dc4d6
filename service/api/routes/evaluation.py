"""POST /activations/{name}/evaluate: values and gradients over JSON, .npy or .npz bodies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio
import numpy as np
import orjson
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import QueryParams
from starlette.responses import Response

from service import numerics
from service.api import transport
from service.api.dependencies import PARAMS_IN_QUERY, ActivationName, get_cpu_limiter
from service.api.schemas import BinaryOptions, EvaluateOptions, OutputName
from service.config import Settings
from service.errors import RequestProblem

router = APIRouter(prefix="/activations", tags=["evaluation"])
EVALUATE_PATH = "/{name}/evaluate"  # under the router's prefix; the direct path reads it too

_ARRAY_FIELDS = ("x", "grad_output")
_DEFAULT_OPTIONS = EvaluateOptions()  # read only: most small requests give nothing but x
_QUERY_OPTIONS = ("outputs", "dtype")
_BINARY = {"type": "string", "format": "binary"}
_OPENAPI_EXTRA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            transport.JSON_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/EvaluateRequest"}},
            transport.NPY_MEDIA_TYPE: {
                "schema": _BINARY,
                "description": "x as a .npy array (numeric dtype, no pickles); options in the query.",
            },
            transport.NPZ_MEDIA_TYPE: {
                "schema": _BINARY,
                "description": "A .npz archive with members x and, optionally, grad_output.",
            },
        },
    },
    "parameters": [
        {
            "name": "outputs",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": True,
            "schema": {
                "type": "array",
                "items": {"enum": ["value", "gradient", "second_derivative"]},
                "maxItems": 3,
            },
            "description": "Binary bodies only: outputs to return (default: value).",
        },
        {
            "name": "dtype",
            "in": "query",
            "required": False,
            "schema": {"enum": ["float32", "float64"]},
            "description": "Binary bodies only: precision (default: the array's own float type,"
            " float64 for integers).",
        },
        {
            **PARAMS_IN_QUERY,
            "description": "Binary bodies only: the activation's parameters as name=value pairs,"
            " e.g. ?alpha=2&approximate=tanh.",
        },
    ],
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The requested outputs. JSON for a JSON request; for a binary request, .npy"
        " when one output is asked for and .npz (one member per output) otherwise. An Accept header"
        " naming one of these types chooses it explicitly.",
        "content": {
            transport.NPY_MEDIA_TYPE: {"schema": _BINARY},
            transport.NPZ_MEDIA_TYPE: {"schema": _BINARY},
        },
    },
}


@dataclass(frozen=True, slots=True)
class _Evaluation:
    activation: numerics.Activation
    x: numerics.Array
    grad_output: numerics.Array | None
    params: dict[str, numerics.ParamValue]
    outputs: list[OutputName]
    binary: bool


@router.post(
    EVALUATE_PATH,
    operation_id="evaluate_activation",
    summary="Evaluate an activation or its gradient on an array",
    openapi_extra=_OPENAPI_EXTRA,
    responses=_RESPONSES,
)
async def evaluate_activation(request: Request, name: ActivationName) -> Response:
    """Returns f(x), the gradient and/or the second derivative for an array of any shape.

    For an element-wise activation the gradient is grad_output * f'(x) (f'(x) without
    grad_output) and the second derivative grad_output * f''(x). For an axis-wise one
    (softmax, glu, sparsemax, ...) the gradient is the vector-Jacobian product with
    grad_output, which is then required.

    A JSON body carries the array as nested lists; `.npy` and `.npz` bodies carry it in binary,
    bit for bit, with the options in the query string.
    """
    return await answer_evaluation(request, name, await request.body())


async def answer_evaluation(request: Request, name: str, body: bytes) -> Response:
    """The evaluate operation on a body already read: the route's work, and the direct path's."""
    # Settings, query options and the limiter are read here rather than declared as
    # dependencies: each declared one costs more than evaluating a 10-element array.
    activation = numerics.get(name)
    settings: Settings = request.app.state.settings
    handle = partial(_evaluate, activation, body, request, settings)
    if len(body) <= settings.inline_body_bytes:
        return handle()
    return await anyio.to_thread.run_sync(handle, limiter=await get_cpu_limiter(request, settings))


def _evaluate(
    activation: numerics.Activation, body: bytes, request: Request, settings: Settings
) -> Response:
    media_type = _header(request, b"content-type", transport.JSON_MEDIA_TYPE).split(";")[0].strip()
    limits = transport.ArrayLimits(settings.max_elements, settings.max_dims)
    if media_type == transport.JSON_MEDIA_TYPE:
        if request.scope["query_string"]:  # cheaper than parsing it into query_params
            raise RequestProblem(
                400,
                "query-with-json-body",
                "With a JSON body every option goes in the body; the query string is read only for"
                f" .npy and .npz bodies (got {', '.join(request.query_params)})",
            )
        job = _from_json(activation, body, limits)
    elif media_type in (transport.NPY_MEDIA_TYPE, transport.NPZ_MEDIA_TYPE):
        job = _from_binary(activation, body, media_type, request.query_params, limits)
    else:
        raise RequestProblem(
            415,
            "unsupported-media-type",
            f"Content-Type {media_type!r} is not accepted; send {transport.JSON_MEDIA_TYPE},"
            f" {transport.NPY_MEDIA_TYPE} or {transport.NPZ_MEDIA_TYPE}",
        )
    results = numerics.evaluate(
        job.activation, job.x, params=job.params, outputs=job.outputs, grad_output=job.grad_output
    )
    return _respond(job, results, _header(request, b"accept", ""))


def _header(request: Request, name: bytes, default: str) -> str:
    """The first value of a header, straight from the ASGI scope (names come lowercased):
    Starlette's Headers object costs more to build than a 10-element evaluation."""
    for key, value in request.scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return default


def _from_json(
    activation: numerics.Activation, body: bytes, limits: transport.ArrayLimits
) -> _Evaluation:
    document = transport.load_json_arrays(body, arrays=_ARRAY_FIELDS)
    if document is None:
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            raise RequestProblem(400, "malformed-json", _json_error_detail(body, error)) from None
    if not isinstance(document, dict):
        raise RequestProblem(
            422, "invalid-input", "The body must be a JSON object with at least 'x'"
        )
    given = {k: v for k, v in document.items() if k not in _ARRAY_FIELDS}
    try:
        options = EvaluateOptions.model_validate(given) if given else _DEFAULT_OPTIONS
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
        ) from None
    if "x" not in document:
        raise numerics.InvalidInput(["x"], "is required")
    dtype = numerics.DTYPES[options.dtype]
    decode = partial(transport.array_from_json, dtype=dtype, limits=limits)
    grad_output = document.get("grad_output")
    return _Evaluation(
        activation=activation,
        x=decode(document["x"], loc=["x"]),
        grad_output=None if grad_output is None else decode(grad_output, loc=["grad_output"]),
        params=activation.resolve(options.params),
        outputs=options.outputs,
        binary=False,
    )


def _json_error_detail(body: bytes, error: orjson.JSONDecodeError) -> str:
    detail = f"The body is not valid JSON: {error}"
    if "infinity" in str(error) or body[error.pos : error.pos + 1] in (b"N", b"I", b"-"):
        detail += "; numbers must be finite (no NaN or Infinity, magnitudes below 1.8e308)"
    return detail


def _from_binary(
    activation: numerics.Activation,
    body: bytes,
    media_type: str,
    query: QueryParams,
    limits: transport.ArrayLimits,
) -> _Evaluation:
    try:
        given: dict[str, object] = {}
        if "outputs" in query:
            given["outputs"] = query.getlist("outputs")
        if "dtype" in query:
            given["dtype"] = query["dtype"]
        options = BinaryOptions.model_validate(given)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in error.errors()]
        ) from None
    params = activation.resolve_text({k: v for k, v in query.items() if k not in _QUERY_OPTIONS})
    target = numerics.DTYPES[options.dtype] if options.dtype else None
    if media_type == transport.NPY_MEDIA_TYPE:
        x, grad_output = (
            transport.array_from_npy(body, loc=["body"], dtype=target, limits=limits),
            None,
        )
    else:
        arrays = transport.arrays_from_npz(body, names=_ARRAY_FIELDS, dtype=target, limits=limits)
        if "x" not in arrays:
            raise numerics.InvalidInput(["x"], "is required: the .npz archive has no member x")
        x, grad_output = arrays["x"], arrays.get("grad_output")
    return _Evaluation(activation, x, grad_output, params, options.outputs, binary=True)


def _respond(
    job: _Evaluation, results: Mapping[numerics.Output, numerics.Array], accept: str
) -> Response:
    dtype_name = "float32" if job.x.dtype == np.float32 else "float64"
    wants_npz = transport.NPZ_MEDIA_TYPE in accept
    wants_npy = transport.NPY_MEDIA_TYPE in accept
    binary = wants_npz or wants_npy or (job.binary and transport.JSON_MEDIA_TYPE not in accept)
    if not binary:
        document: dict[str, Any] = {
            "activation": job.activation.name,
            "params": job.params,
            "dtype": dtype_name,
            "shape": list(job.x.shape),
            **{output: transport.json_ready(array) for output, array in results.items()},
        }
        return Response(
            orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY),
            media_type=transport.JSON_MEDIA_TYPE,
        )
    headers = {
        "X-Activation": job.activation.name,
        "X-Activation-Params": orjson.dumps(job.params).decode(),
    }
    if wants_npz or (not wants_npy and len(results) > 1):
        return Response(
            transport.npz_bytes({str(name): array for name, array in results.items()}),
            media_type=transport.NPZ_MEDIA_TYPE,
            headers=headers,
        )
    if len(results) > 1:
        raise RequestProblem(
            406,
            "one-array-per-npy",
            "A .npy body holds one array: ask for one output, or accept application/x-npz",
        )
    (array,) = results.values()
    return Response(
        transport.npy_bytes(array), media_type=transport.NPY_MEDIA_TYPE, headers=headers
    )
