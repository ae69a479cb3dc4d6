"""Every error leaves the service in one shape: RFC 9457 problem details (application/problem+json).

The core raises domain exceptions and knows nothing of HTTP; this module maps them, in one
place, to a status and a body that says what was wrong and where.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from service.numerics import (
    InvalidInput,
    InvalidParameter,
    LimitExceeded,
    NotMeasurable,
    UnknownActivation,
)

__all__ = ["PROBLEM_MEDIA_TYPE", "RequestProblem", "install_error_handlers", "problem_response"]

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


def problem_response(status: int, kind: str, detail: str, **extensions: Any) -> Response:
    body = {
        "type": _TYPE_PREFIX + kind,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extensions,
    }
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def _error(loc: Sequence[str | int], msg: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg}


async def _request_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestProblem)
    return problem_response(exc.status, exc.kind, exc.detail, **exc.extensions)


async def _unknown_activation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UnknownActivation)
    return problem_response(404, "unknown-activation", str(exc), suggestions=exc.suggestions)


async def _invalid_parameter(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidParameter)
    return problem_response(
        422, "invalid-parameter", str(exc), errors=[_error(("params", exc.name), exc.reason)]
    )


async def _invalid_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidInput)
    return problem_response(422, "invalid-input", str(exc), errors=[_error(exc.loc, exc.reason)])


async def _not_measurable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotMeasurable)
    return problem_response(
        422, "not-measurable", str(exc), errors=[_error(exc.loc, str(exc))], reason=exc.reason
    )


async def _limit_exceeded(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LimitExceeded)
    return problem_response(
        422,
        "limit-exceeded",
        str(exc),
        errors=[_error(exc.loc, exc.reason)],
        limit=exc.limit,
        maximum=exc.maximum,
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [_error(e["loc"], e["msg"]) for e in exc.errors()]
    summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5])
    return problem_response(422, "validation-error", summary, errors=errors)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    kind = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-")
    return problem_response(exc.status_code, kind, str(exc.detail))


async def _unexpected(request: Request, exc: Exception) -> Response:
    _log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(500, "internal-error", "The service failed to answer this request.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestProblem, _request_problem)
    app.add_exception_handler(UnknownActivation, _unknown_activation)
    app.add_exception_handler(InvalidParameter, _invalid_parameter)
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(NotMeasurable, _not_measurable)
    app.add_exception_handler(LimitExceeded, _limit_exceeded)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(Exception, _unexpected)
