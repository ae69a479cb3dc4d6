"""Every error leaves the service in one shape: RFC 9457 problem details (application/problem+json).

The core raises domain exceptions and knows nothing of HTTP; this module maps them, in one
place, to a status and a body that says what was wrong and where.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.rendering import DrawingFailed
from service.api.workloads import Overloaded, ShuttingDown
from service.numerics import (
    DeadlineExceeded,
    InvalidInput,
    InvalidParameter,
    LimitExceeded,
    NotMeasurable,
    UnknownActivation,
)
from service.numerics.formula import InvalidFormula

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "ErrorBoundary",
    "RequestProblem",
    "install_error_handlers",
    "problem_for",
    "problem_response",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TYPE_PREFIX = "urn:activation-service:problem:"
_log = logging.getLogger(__name__)


class RequestProblem(Exception):
    """A request the API layer refuses before the core sees it (malformed body, too large, ...)."""

    def __init__(self, status: int, kind: str, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.extensions = extensions


def problem_response(
    status: int,
    kind: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> Response:
    body = {
        "type": _TYPE_PREFIX + kind,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extensions,
    }
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def _error(loc: Sequence[str | int], msg: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg}


def _request_problem(exc: RequestProblem) -> Response:
    return problem_response(exc.status, exc.kind, exc.detail, **exc.extensions)


def _unknown_activation(exc: UnknownActivation) -> Response:
    return problem_response(404, "unknown-activation", str(exc), suggestions=exc.suggestions)


def _invalid_parameter(exc: InvalidParameter) -> Response:
    return problem_response(
        422, "invalid-parameter", str(exc), errors=[_error(("params", exc.name), exc.reason)]
    )


def _invalid_input(exc: InvalidInput) -> Response:
    return problem_response(422, "invalid-input", str(exc), errors=[_error(exc.loc, exc.reason)])


def _invalid_formula(exc: InvalidFormula) -> Response:
    return problem_response(
        422,
        "invalid-formula",
        str(exc),
        errors=[_error(exc.loc, exc.reason)],
        column=exc.column,
    )


def _not_measurable(exc: NotMeasurable) -> Response:
    return problem_response(
        422, "not-measurable", str(exc), errors=[_error(exc.loc, str(exc))], reason=exc.reason
    )


def _limit_exceeded(exc: LimitExceeded) -> Response:
    return problem_response(
        422,
        "limit-exceeded",
        str(exc),
        errors=[_error(exc.loc, exc.reason)],
        limit=exc.limit,
        maximum=exc.maximum,
    )


def _overloaded(exc: Overloaded) -> Response:
    return problem_response(
        503,
        "overloaded",
        str(exc),
        headers={"Retry-After": str(exc.retry_after)},
        workload=exc.workload,
    )


def _shutting_down(exc: ShuttingDown) -> Response:
    return problem_response(
        503,
        "shutting-down",
        str(exc),
        headers={"Retry-After": str(exc.retry_after)},
        workload=exc.workload,
    )


def _drawing_failed(exc: DrawingFailed) -> Response:
    return problem_response(
        503, "drawing-failed", str(exc), headers={"Retry-After": str(exc.retry_after)}
    )


def _deadline_exceeded(exc: DeadlineExceeded) -> Response:
    return problem_response(
        503,
        "deadline-exceeded",
        f"{exc}; ask for less work (fewer layers, steps or points), or retry when the service"
        " is less busy",
        deadline=exc.seconds,
    )


def _validation_error(exc: RequestValidationError) -> Response:
    for error in exc.errors():
        if error.get("type") == "json_invalid":  # the body, not its fields (api.routing)
            return problem_response(400, "malformed-json", error["ctx"]["error"])
    errors = [_error(e["loc"], e["msg"]) for e in exc.errors()]
    summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5])
    return problem_response(422, "validation-error", summary, errors=errors)


def _http_exception(exc: HTTPException) -> Response:
    kind = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-")
    # The router's 405 names the methods that are allowed in an Allow header: keep it.
    return problem_response(exc.status_code, kind, str(exc.detail), headers=exc.headers)


_PROBLEMS: dict[type[Exception], Callable[[Any], Response]] = {
    RequestProblem: _request_problem,
    UnknownActivation: _unknown_activation,
    InvalidParameter: _invalid_parameter,
    InvalidInput: _invalid_input,
    InvalidFormula: _invalid_formula,
    NotMeasurable: _not_measurable,
    LimitExceeded: _limit_exceeded,
    Overloaded: _overloaded,
    DeadlineExceeded: _deadline_exceeded,
    ShuttingDown: _shutting_down,
    DrawingFailed: _drawing_failed,
    RequestValidationError: _validation_error,
    HTTPException: _http_exception,
}


def problem_for(exc: Exception) -> Response | None:
    """The problem response for an exception the service expects, None for any other."""
    for kind in type(exc).__mro__:
        build = _PROBLEMS.get(kind)
        if build is not None:
            return build(exc)
    return None


async def _handle(request: Request, exc: Exception) -> Response:
    response = problem_for(exc)
    assert response is not None  # registered for the types problem_for knows only
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        allowed = _methods_of(request)
        if allowed:
            response.headers["Allow"] = allowed
    return response


def _methods_of(request: Request) -> str | None:
    """Every method the published document has for the request's path, and HEAD wherever GET
    is (api.head answers it). The router's 405 names those of the one route it matched first:
    GET alone, where POST is allowed too."""
    path = request.url.path
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\\{[^}/]+\\}", "[^/]+", re.escape(template)), path):
            methods = {method.upper() for method in operations}
            if "GET" in methods:
                methods.add("HEAD")
            return ", ".join(sorted(methods))
    return None


class ErrorBoundary:
    """Pure ASGI middleware around everything the service does: an exception that reaches it
    is answered here, a known one with its problem, any other with a 500 problem, logged once
    with its traceback. It is not raised further: the server would then close a keep-alive
    connection without saying so, and the client's next request on it would fail. Only an
    error after the response has started, which no answer can follow, goes on up."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            response = problem_for(exc)
            if response is None:
                _log.error("unhandled error on %s %s", scope["method"], scope["path"], exc_info=exc)
                response = problem_response(
                    500, "internal-error", "The service failed to answer this request."
                )
            if started:
                raise
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Map the expected exceptions to their problems where FastAPI catches them (inside its
    exception middleware); ErrorBoundary catches what gets past it."""
    for kind in _PROBLEMS:
        app.add_exception_handler(kind, _handle)
