"""The service's problem documents (RFC 9457) as exceptions, one class per kind of problem.

Every error the service answers is a problem document whose ``type`` ends in its kind
(``urn:activation-service:problem:unknown-activation``); ``error_from`` raises the class of
that kind, carrying the document's fields, so that callers catch what they can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

__all__ = [
    "BodyTooLarge",
    "InvalidFormula",
    "InvalidInput",
    "InvalidParameter",
    "LimitExceeded",
    "NotMeasurable",
    "RequestError",
    "ServerError",
    "ServiceError",
    "ServiceUnavailable",
    "UnknownActivation",
    "error_from",
]

_TYPE_PREFIX = "urn:activation-service:problem:"


class ServiceError(Exception):
    """An error answer: ``status``, the problem's ``kind`` and ``detail``, and each located
    error (``errors``: ``{"loc": [...], "msg": ...}``); ``problem`` is the whole document."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        self.status = status
        self.problem = dict(problem)
        self.kind = str(problem.get("type", "")).removeprefix(_TYPE_PREFIX)
        self.title = str(problem.get("title", ""))
        self.detail = str(problem.get("detail", ""))
        self.errors: list[dict[str, Any]] = list(problem.get("errors") or [])
        super().__init__(f"{status} {self.kind or self.title}: {self.detail}")


class RequestError(ServiceError):
    """The request was refused (4xx): sending it again will not help."""


class UnknownActivation(RequestError):
    """No activation has that name; ``suggestions`` lists the closest known names."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        super().__init__(status, problem)
        self.suggestions: list[str] = list(problem.get("suggestions") or [])


class InvalidParameter(RequestError):
    """A parameter of the activation is unknown or out of its bounds."""


class InvalidInput(RequestError):
    """An array (or another input) cannot be evaluated; ``errors`` says where."""


class LimitExceeded(InvalidInput):
    """The request is over one of the service's limits: ``limit`` names the setting (as
    listed under ``info.x-limits`` of the OpenAPI document) and ``maximum`` its value."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        super().__init__(status, problem)
        self.limit = str(problem.get("limit", ""))
        self.maximum: int | None = problem.get("maximum")


class BodyTooLarge(LimitExceeded):
    """The request body is over ``max_body_bytes`` (413)."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        super().__init__(status, {**problem, "limit": "max_body_bytes"})
        self.maximum = problem.get("limit")


class NotMeasurable(RequestError):
    """Properties or a plot asked of an activation with no scalar f(x); ``reason`` says why
    (``axis-wise`` or ``random``)."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        super().__init__(status, problem)
        self.reason = str(problem.get("reason", ""))


class InvalidFormula(RequestError):
    """A formula the service cannot read: ``column`` (from 1) is where in the expression, and
    ``errors`` names the field (``["body", "activation", "expression"]``)."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        super().__init__(status, problem)
        self.column: int | None = problem.get("column")


class ServerError(ServiceError):
    """The service failed to answer (5xx)."""


class ServiceUnavailable(ServerError):
    """The service was overloaded or unavailable (503, or 429 too many requests) on every
    attempt; ``retry_after`` is the last wait it asked for, in seconds, if it asked."""

    def __init__(
        self, status: int, problem: Mapping[str, Any], *, retry_after: float | None = None
    ) -> None:
        super().__init__(status, problem)
        self.retry_after = retry_after


_KINDS: dict[str, type[ServiceError]] = {
    "unknown-activation": UnknownActivation,
    "invalid-parameter": InvalidParameter,
    "invalid-input": InvalidInput,
    "limit-exceeded": LimitExceeded,
    "body-too-large": BodyTooLarge,
    "not-measurable": NotMeasurable,
    "invalid-formula": InvalidFormula,
}


def error_from(response: httpx.Response, *, retry_after: float | None = None) -> ServiceError:
    """The exception for an error ``response``: its problem's kind, else its status's class."""
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        problem = {"title": response.reason_phrase, "detail": response.text[:500]}
    status = response.status_code
    if status in (429, 503):
        return ServiceUnavailable(status, problem, retry_after=retry_after)
    kind = _KINDS.get(str(problem.get("type", "")).removeprefix(_TYPE_PREFIX))
    if kind is not None:
        return kind(status, problem)
    return RequestError(status, problem) if status < 500 else ServerError(status, problem)
