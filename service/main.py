"""The application factory; ``app`` is what uvicorn serves."""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline
from pydantic.json_schema import models_json_schema

from service import __version__, numerics
from service.api.caching import Memo
from service.api.head import HeadAsGet
from service.api.idle_trim import TrimWhenIdle, map_large_allocations
from service.api.intake import ByteBudget, Intake
from service.api.lifecycle import Lifecycle, handle_sigterm
from service.api.protocol_errors import ProtocolErrors, drop_problem_responses
from service.api.routes import (
    activations,
    compare,
    evaluate,
    explorer,
    formulas,
    health,
    inference,
    metrics,
    plots,
    simulations,
)
from service.api.schemas import EvaluateRequest, Problem, declare_limits
from service.api.schemas.catalog import declare_catalog
from service.api.schemas.formulas import FormulaEvaluateRequest, declare_formula_limits
from service.api.schemas.inference import InferenceRequest
from service.api.telemetry import REQUEST_ID_HEADER, Telemetry
from service.api.workloads import Workloads
from service.config import Settings, get_settings
from service.errors import PROBLEM_MEDIA_TYPE, ErrorBoundary, install_error_handlers
from service.numerics.formula import configure as configure_formula_kernels

__all__ = ["app", "create_app"]

API_PREFIX = "/api/v1"
_DESCRIPTION = """\
Evaluates neural-network activation functions and their gradients on arrays of any shape,
exactly (checked against mpmath) and fast: JSON for small arrays, `.npy`/`.npz` for large ones.
Simulates signal and gradients through deep random networks, next to mean-field theory.

Every error is an RFC 9457 problem (`application/problem+json`) that says what was wrong and
where. The limits this instance enforces are listed under `x-limits`.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up: spare long-lived objects the garbage collector; shorten the interpreter's
    switch interval (``switch_interval``); load or compile the kernels and start the drawing
    processes. At shutdown: stop the drawing processes.

    numpy, scipy, the registry, the routes and their schemas are over a hundred thousand
    objects that the cyclic collector would otherwise walk again and again as requests
    allocate: about 7 us of the 110 us a 10-element request costs the server, measured.
    The kernels load from the on-disk cache, or compile, in a thread while requests are
    served, and /readyz waits for them; a request that needs one before its turn compiles it
    (numba holds one lock for all compilation).
    """
    gc.collect()
    gc.freeze()
    settings: Settings = app.state.settings
    sys.setswitchinterval(settings.switch_interval)
    if settings.kernel_cache_dir:
        numerics.use_kernel_cache(Path(settings.kernel_cache_dir))
    configure_formula_kernels(
        size=settings.formula_kernel_cache,
        after=settings.formula_compile_after,
        most=settings.formula_most_compiled,
    )
    if settings.compile_at_startup:
        app.state.lifecycle.compile_kernels(numerics.ACTIVATIONS.values())
        app.state.lifecycle.start_drawing()  # beside them: no plot waits for its process
    handle_sigterm(delay=settings.shutdown_delay, timeout=settings.shutdown_timeout)
    try:
        yield
    finally:
        app.state.workloads.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPIOffline(
        lifespan=_lifespan,
        telemetry=None if settings.opentelemetry else _NO_OPENTELEMETRY,
        title="Activation Service",
        version=__version__,
        description=_DESCRIPTION,
        responses={
            code: {
                "model": Problem,
                "description": description,
                "content": {PROBLEM_MEDIA_TYPE: {}},
            }
            for code, description in _ERROR_RESPONSES.items()
        },
    )
    app.state.settings = settings
    app.state.workloads = Workloads(settings)
    app.state.lifecycle = Lifecycle(app.state.workloads)
    app.state.byte_budget = ByteBudget(settings.max_bytes_in_flight)
    app.state.memos = {"describe": Memo(256), "compare": Memo(128), "plot": Memo(64)}
    for router, prefix in _ROUTERS:
        app.include_router(router, prefix=prefix)
    install_error_handlers(app)
    # Middleware added last runs first: the trimmer's count of requests in flight, the error
    # boundary, the body's size limit, byte budget and deadline, the evaluate path, then
    # FastAPI's exception handlers and router.
    app.add_middleware(evaluate.EvaluateFront, path=API_PREFIX + evaluate.PATH)
    app.add_middleware(
        Intake,
        max_bytes=settings.max_body_bytes,
        budget=app.state.byte_budget,
        body_timeout=settings.body_timeout,
        retry_after=settings.retry_after,
        inflated=inference.PREFIX + "/",
    )
    app.add_middleware(ErrorBoundary)
    app.add_middleware(TrimWhenIdle, quiet=settings.trim_after_idle)
    map_large_allocations()
    # Outermost: errors under /v2, the body limit's included, take the protocol's shape.
    app.add_middleware(ProtocolErrors, prefix=inference.PREFIX)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=settings.cors_methods,
            allow_headers=["content-type", "accept", REQUEST_ID_HEADER],
            expose_headers=[
                REQUEST_ID_HEADER,
                "Retry-After",
                "X-Activation",
                "X-Activation-Params",
            ],
        )
    # A HEAD runs as its GET through all of the above, and leaves without the body.
    app.add_middleware(HeadAsGet)
    # Around everything: the request id, log line, metrics and headers of every answer.
    app.add_middleware(
        Telemetry,
        lifecycle=app.state.lifecycle,
        templates={
            id(route): prefix + getattr(route, "path", "")
            for router, prefix in _ROUTERS
            for route in router.routes
        },
        access_log=settings.access_log,
    )
    app.openapi = lambda: _openapi(app, settings)  # type: ignore[method-assign]
    return app


# FastAPI's own OpenTelemetry off: a request then skips its check for a configured SDK.
_NO_OPENTELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
_ROUTERS = (
    (health.router, ""),
    (metrics.router, ""),
    (activations.router, API_PREFIX),
    (evaluate.router, API_PREFIX),
    (plots.router, API_PREFIX),
    (compare.router, API_PREFIX),
    (simulations.router, API_PREFIX),
    (formulas.router, API_PREFIX),
    (explorer.router, ""),
    (inference.router, ""),
)
_ERROR_RESPONSES = {
    400: "Malformed request (invalid JSON, bad Content-Length, query options with a JSON body).",
    404: "Unknown activation; `suggestions` lists the closest known names.",
    406: "A .npy response was asked for several outputs.",
    408: "The request body did not arrive within `body_timeout` seconds; the connection is closed.",
    413: "Request body over `max_body_bytes`.",
    415: "Content-Type other than application/json, application/x-npy, application/x-npz, or"
    " a Content-Encoding (bodies are taken as they are; the inference protocol's inflate gzip"
    " and deflate).",
    422: "Invalid parameter or input, over a limit (`limit-exceeded`: `limit` names it), or"
    " properties or a plot asked of an activation without a scalar f(x) (`not-measurable`:"
    " axis-wise, or drawing random numbers); `errors` gives each location.",
    503: "Busy: the queue of the request's workload class is full (`overloaded`, `workload`"
    " names it), the request bodies held would pass `max_bytes_in_flight` (`overloaded`,"
    " `limit` names it), the work passed its class's deadline (`deadline-exceeded`), the"
    " process is shutting down and stopped it (`shutting-down`), or the processes drawing a"
    " plot died on it twice (`drawing-failed`); all but `deadline-exceeded` carry Retry-After.",
}


def _openapi(app: FastAPI, settings: Settings) -> dict[str, Any]:
    """The generated schema, plus the JSON request model and this instance's limits."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        _, definitions = models_json_schema(
            [
                (EvaluateRequest, "validation"),
                (FormulaEvaluateRequest, "validation"),
                (InferenceRequest, "validation"),
            ],
            ref_template="#/components/schemas/{model}",
        )
        schema["components"]["schemas"].update(definitions["$defs"])
        limits = settings.limits()
        schema["info"]["x-limits"] = limits
        declare_limits(schema["components"]["schemas"], limits)
        declare_formula_limits(schema["components"]["schemas"], limits)
        declare_catalog(schema, numerics.ACTIVATIONS, most_compared=settings.compare_max_names)
        plots.declare_range(schema, settings.plot_max_abs_x)
        drop_problem_responses(schema, prefix=inference.PREFIX)
        app.openapi_schema = schema
    return app.openapi_schema


app = create_app()
