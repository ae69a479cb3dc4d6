"""POST /activations/{name}/evaluate: values and gradients over JSON, .npy or .npz bodies.

One handler answers it, ``answer``. The route is declared on the router like the others, for
its path and its OpenAPI operation, but requests reach the handler through ``EvaluateFront``, a
middleware that matches PATH as Starlette's router would and calls the handler with the body
read: FastAPI's routing, parameter binding and exception middlewares cost more than
evaluating a 10-element array. The operation's query options and bodies are documented from
the same models and codecs that decode them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Final

import numpy as np
import orjson
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import Field, TypeAdapter, ValidationError
from starlette.datastructures import QueryParams
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from service import numerics
from service.api import codecs, media_types
from service.api.dependencies import (
    NAME_LENGTH,
    PARAMS_IN_QUERY,
    ActivationName,
    query_parameters,
    repeated_query,
)
from service.api.responses import PartsResponse, StreamedResponse
from service.api.schemas import BinaryOptions, EvaluateOptions, EvaluateResponse
from service.api.schemas.common import spelled
from service.api.telemetry import note
from service.api.workloads import Workloads
from service.config import Settings
from service.errors import RequestProblem, problem_for

__all__ = ["PATH", "RESPONSES", "EvaluateFront", "answer", "answer_for", "router"]

router = APIRouter(tags=["evaluation"])
PATH = "/activations/{name}/evaluate"

_ARRAY_FIELDS = ("x", "grad_output")
_DEFAULT_OPTIONS = EvaluateOptions()  # read only: most small requests give nothing but x
_QUERY_OPTIONS = tuple(BinaryOptions.model_fields)
_DTYPE_NAMES = {np.dtype(name): name for name in numerics.DTYPES}
_NAME = TypeAdapter(Annotated[str, Field(max_length=NAME_LENGTH)])
_BINARY = {"type": "string", "format": "binary"}
_OPENAPI_EXTRA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            codecs.JSON_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/EvaluateRequest"}},
            codecs.NPY_MEDIA_TYPE: {
                "schema": _BINARY,
                "description": "x as a .npy array (numeric dtype, no pickles); options in the query."
                " Its elements may be -inf or +inf, where every output is its limit; NaN is refused.",
            },
            codecs.NPZ_MEDIA_TYPE: {
                "schema": _BINARY,
                "description": "A .npz archive with members x and, optionally, grad_output; x may"
                " hold -inf or +inf (every output is its limit there), neither may hold NaN.",
            },
        },
    },
    "parameters": [
        *query_parameters(BinaryOptions, note="Binary bodies only"),
        {
            **PARAMS_IN_QUERY,
            "description": "Binary bodies only: the activation's parameters as name=value pairs,"
            " e.g. ?alpha=2&approximate=tanh.",
        },
    ],
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": EvaluateResponse,
        "description": "The requested outputs. JSON for a JSON request; for a binary request, .npy"
        " when one output is asked for and .npz (one member per output) otherwise. An Accept header"
        " naming one of these types chooses it explicitly.",
        "content": {
            codecs.NPY_MEDIA_TYPE: {"schema": _BINARY},
            codecs.NPZ_MEDIA_TYPE: {"schema": _BINARY},
        },
    },
}


@dataclass(frozen=True, slots=True)
class _Evaluation:
    activation: numerics.Activation
    x: numerics.Array
    grad_output: numerics.Array | None
    params: dict[str, numerics.ParamValue]
    outputs: list[numerics.OutputName]
    binary: bool


@router.post(
    PATH,
    operation_id="evaluate_activation",
    summary="Evaluate an activation or its gradient on an array",
    openapi_extra=_OPENAPI_EXTRA,
    responses=RESPONSES,
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
    return await answer(request, name, await request.body())


async def answer(request: Request, name: str, body: bytes) -> Response:
    """The evaluate operation on a body already read."""
    activation = numerics.get(_activation_name(name))
    return await answer_for(request, activation, body, infinities=True)


async def answer_for(
    request: Request, activation: numerics.Activation, body: bytes, *, infinities: bool = False
) -> Response:
    """The evaluate operation for an activation already found (a catalog entry or a formula).

    ``infinities``: a binary x may hold +-inf, where the activation answers its limits (every
    catalog entry does; a formula's arithmetic there is not checked, so it is refused).
    """
    # Settings, query options and the limiter are read here rather than declared as
    # dependencies: each declared one costs more than evaluating a 10-element array.
    settings: Settings = request.app.state.settings
    workloads: Workloads = request.app.state.workloads
    handle = partial(_evaluate, activation, body, request, settings, infinities=infinities)
    return await workloads.evaluation(len(body), handle)


def _evaluate(
    activation: numerics.Activation,
    body: bytes,
    request: Request,
    settings: Settings,
    *,
    infinities: bool,
) -> Response:
    media_type = media_types.media_type(_header(request, b"content-type", codecs.JSON_MEDIA_TYPE))
    limits = codecs.ArrayLimits(settings.max_elements, settings.max_dims)
    if media_type == codecs.JSON_MEDIA_TYPE:
        if request.scope["query_string"]:  # cheaper than parsing it into query_params
            raise RequestProblem(
                400,
                "query-with-json-body",
                "With a JSON body every option goes in the body; the query string is read only for"
                f" .npy and .npz bodies (got {', '.join(request.query_params)})",
            )
        job = _from_json(activation, body, limits)
    elif media_type in (codecs.NPY_MEDIA_TYPE, codecs.NPZ_MEDIA_TYPE):
        job = _from_binary(
            activation, body, media_type, request.query_params, limits, infinities=infinities
        )
    else:
        raise RequestProblem(
            415,
            "unsupported-media-type",
            f"Content-Type {media_type!r} is not accepted; send {codecs.JSON_MEDIA_TYPE},"
            f" {codecs.NPY_MEDIA_TYPE} or {codecs.NPZ_MEDIA_TYPE}",
        )
    results = numerics.evaluate(
        job.activation,
        job.x,
        params=job.params,
        outputs=job.outputs,
        grad_output=job.grad_output,
        split_above=settings.parallel_min_elements,
    )
    note(request.scope, activation=job.activation.name, dtype=_name(job.x), elements=job.x.size)
    return _respond(job, results, _header(request, b"accept", ""), body_bytes=len(body))


def _name(x: numerics.Array) -> str:
    """The name of x's dtype: numpy's ``dtype.name`` is computed in Python on every call."""
    return _DTYPE_NAMES.get(x.dtype) or x.dtype.name


def _header(request: Request, name: bytes, default: str) -> str:
    """The first value of a header, straight from the ASGI scope (names come lowercased):
    Starlette's Headers object costs more to build than a 10-element evaluation."""
    for key, value in request.scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return default


def _from_json(
    activation: numerics.Activation, body: bytes, limits: codecs.ArrayLimits
) -> _Evaluation:
    document = codecs.load_json_arrays(body, arrays=_ARRAY_FIELDS, limits=limits)
    if document is None:  # a small body, or one that simdjson's path leaves to orjson
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            raise RequestProblem(
                400, "malformed-json", codecs.malformed_json(body, error)
            ) from None
        if not isinstance(document, dict):
            raise RequestProblem(
                422, "invalid-input", "The body must be a JSON object with at least 'x'"
            )
        twice = codecs.duplicated_key(body, parsed=document)
        if twice is not None:
            raise numerics.InvalidInput(twice, "is given twice; give each key once")
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
    decode = partial(codecs.array_from_json, dtype=dtype, limits=limits)
    grad_output = document.get("grad_output")
    return _Evaluation(
        activation=activation,
        x=decode(document["x"], loc=["x"]),
        grad_output=None if grad_output is None else decode(grad_output, loc=["grad_output"]),
        params=activation.resolve(options.params),
        outputs=options.outputs,
        binary=False,
    )


def _from_binary(
    activation: numerics.Activation,
    body: bytes,
    media_type: str,
    query: QueryParams,
    limits: codecs.ArrayLimits,
    *,
    infinities: bool,
) -> _Evaluation:
    repeated_query(query, repeatable=("outputs",))
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
    if media_type == codecs.NPY_MEDIA_TYPE:
        x, grad_output = (
            codecs.array_from_npy(
                body, loc=["body"], dtype=target, limits=limits, infinities=infinities
            ),
            None,
        )
    else:
        arrays = codecs.arrays_from_npz(
            body,
            names=_ARRAY_FIELDS,
            dtype=target,
            limits=limits,
            infinite=("x",) if infinities else (),
        )
        if "x" not in arrays:
            raise numerics.InvalidInput(["x"], "is required: the .npz archive has no member x")
        x, grad_output = arrays["x"], arrays.get("grad_output")
    return _Evaluation(activation, x, grad_output, params, options.outputs, binary=True)


_ANSWER_PER_BODY: Final = 2
_BINARY_FORMATS: Final = {  # by whether there are several results: the usual one first
    False: (codecs.NPY_MEDIA_TYPE, codecs.NPZ_MEDIA_TYPE),
    True: (codecs.NPZ_MEDIA_TYPE, codecs.NPY_MEDIA_TYPE),
}


def _respond(
    job: _Evaluation,
    results: Mapping[numerics.OutputName, numerics.Array],
    accept: str,
    *,
    body_bytes: int,
) -> Response:
    dtype_name = "float32" if job.x.dtype == np.float32 else "float64"
    # Answered in the body's format unless Accept prefers another; binary as one .npy array,
    # or an .npz archive of several.
    binary = _BINARY_FORMATS[len(results) > 1]
    offers = (*binary, codecs.JSON_MEDIA_TYPE) if job.binary else (codecs.JSON_MEDIA_TYPE, *binary)
    chosen = media_types.preferred(accept, offers)
    if chosen == codecs.JSON_MEDIA_TYPE:
        document: dict[str, Any] = {
            "activation": job.activation.name,
            "params": spelled(job.params),
            "dtype": dtype_name,
            "shape": list(job.x.shape),
        }
        elements = sum(array.size for array in results.values())
        if elements > codecs.JSON_PART_ELEMENTS and (
            elements * codecs.JSON_NUMBER_BYTES > _ANSWER_PER_BODY * body_bytes
        ):
            # An answer that may be longer than twice its body (the densest numbers' results
            # are five times it) is written while it is sent, never held whole. Sent chunked,
            # a large answer took up to twice as long: a shorter one is written at once.
            document.update({str(output): array for output, array in results.items()})
            return StreamedResponse(codecs.json_parts(document), media_type=codecs.JSON_MEDIA_TYPE)
        document.update({output: codecs.json_ready(array) for output, array in results.items()})
        return Response(
            orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY),
            media_type=codecs.JSON_MEDIA_TYPE,
        )
    headers = {
        "X-Activation": job.activation.name,
        "X-Activation-Params": orjson.dumps(spelled(job.params)).decode(),
    }
    if chosen == codecs.NPZ_MEDIA_TYPE:
        return PartsResponse(
            codecs.npz_parts({str(name): array for name, array in results.items()}),
            media_type=codecs.NPZ_MEDIA_TYPE,
            headers=headers,
        )
    if len(results) > 1:
        raise RequestProblem(
            406,
            "one-array-per-npy",
            "A .npy body holds one array: ask for one output, or accept application/x-npz",
        )
    (array,) = results.values()
    return PartsResponse(codecs.npy_parts(array), media_type=codecs.NPY_MEDIA_TYPE, headers=headers)


def _activation_name(name: str) -> str:
    """The path's name, checked as the declared path parameter would be (422 past 64 characters)."""
    if len(name) <= NAME_LENGTH:  # the common case, without pydantic
        return name
    try:
        return _NAME.validate_python(name)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("path", "name", *e["loc"])} for e in error.errors()]
        ) from None


class EvaluateFront:
    """Pure ASGI middleware: a POST to ``path`` (PATH under the API's prefix) goes to ``answer``
    with its body.

    Expected errors become the problem responses the exception handlers give (one table,
    errors.problem_for); an unexpected one goes on up to the server-error layer, which logs it
    and answers 500, as it does for every route. Every other request goes on to the router.
    """

    def __init__(self, app: ASGIApp, *, path: str) -> None:
        self.app = app
        self.route = Route(path, answer, methods=["POST"])  # its matcher: root_path, params
        self._prefix, self._suffix = path.split("{name}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        child = self._match(scope)
        if child is None:
            await self.app(scope, receive, send)
            return
        scope.update(child)
        scope["route"] = self.route  # its template, for the request's log line and metrics
        try:
            body = await _read_body(receive)
            if body is None:  # the client left: nobody to answer
                return
            response = await answer(Request(scope, receive), scope["path_params"]["name"], body)
        except Exception as exc:
            problem = problem_for(exc)
            if problem is None:
                raise
            response = problem
        await response(scope, receive, send)

    def _match(self, scope: Scope) -> Scope | None:
        """What the route's matcher adds to the scope of a request for it, else None.

        Without a root_path to take off first, the path is the prefix, a name without '/'
        (the str convertor's [^/]+) and the suffix: tested as such, for a tenth of the
        matcher's cost.
        """
        path: str = scope["path"]
        if not scope.get("root_path"):
            prefix, suffix = self._prefix, self._suffix
            if not (path.startswith(prefix) and path.endswith(suffix)):
                return None
            name = path[len(prefix) : len(path) - len(suffix)]
            if not name or "/" in name:
                return None
            return {
                "endpoint": self.route.endpoint,
                "path_params": {**scope.get("path_params", {}), "name": name},
            }
        match, child = self.route.matches(scope)
        return child if match is Match.FULL else None


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
