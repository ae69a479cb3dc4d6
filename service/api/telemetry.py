"""Pure ASGI middleware around every request: its id, its log line, its metrics, and the
headers every answer carries.

The request id is the client's ``X-Request-ID`` when it is 1 to 128 characters of letters,
digits and ``-_.:``, a new random one otherwise; every answer returns it, errors included, and
every log record written meanwhile carries it (service.logs.REQUEST_ID). After the answer one
log line (``request``) gives the method, route template, status, duration, body sizes, the
activation and dtype where there is one, and the client's address.

Every answer also gets ``X-Content-Type-Options: nosniff``; while the process drains for
shutdown, ``Connection: close`` too, so that clients open their next connection elsewhere
instead of reusing one about to close.

A route's handler adds what only it knows (the dtype, elements evaluated, a simulation's cost)
with ``note``.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api import metrics
from service.api.lifecycle import Lifecycle
from service.logs import REQUEST_ID
from service.numerics import ACTIVATIONS

__all__ = ["REQUEST_ID_HEADER", "Telemetry", "note"]

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER_KEY = REQUEST_ID_HEADER.lower().encode()
_VALID_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_NOTES = "activation_service.notes"
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and scrapes: debug
_REJECTED = frozenset({413, 429, 503})
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_CLOSE = (b"connection", b"close")
_log = logging.getLogger("service.request")


def note(scope: Scope, **facts: Any) -> None:
    """Add what a handler knows of its request to its log line and metrics: ``activation``,
    ``dtype``, ``elements`` (evaluated), ``multiply_adds`` (a simulation's cost)."""
    scope.setdefault(_NOTES, {}).update(facts)


class Telemetry:
    """``templates`` gives the full path template of each route by its id (routes are not
    hashable), its router's prefix included, which the route itself may not know."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        lifecycle: Lifecycle,
        templates: Mapping[int, str],
        access_log: bool = True,
    ) -> None:
        self.app = app
        self.lifecycle = lifecycle
        self.templates = templates
        self._children: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}
        self._element_counters: dict[tuple[str, str], Any] = {}
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        stamp = (_HEADER_KEY, request_id.encode())
        draining = self.lifecycle.draining
        # What the answer was, counted on the way: plain locals of the closures below, which
        # cost less than a dict of them.
        status, received, sent, problem = 500, 0, 0, b""

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
            return message

        async def stamped_send(message: Message) -> None:
            nonlocal status, sent, problem
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.setdefault("headers", [])
                headers += (stamp, _NOSNIFF)
                if draining.is_set():
                    headers.append(_CLOSE)
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                sent += len(body)
                if status in _REJECTED and len(problem) < 4096:
                    problem += body
            await send(message)

        metrics.IN_FLIGHT.inc()
        try:
            await self.app(scope, counted_receive, stamped_send)
        finally:
            metrics.IN_FLIGHT.dec()
            self._record(
                scope,
                status=status,
                received=received,
                sent=sent,
                problem=problem,
                seconds=time.perf_counter() - start,
            )
            REQUEST_ID.reset(token)

    def _series(self, route: str, method: str, status: int) -> tuple[Any, Any, Any]:
        """The request's counter, latency and body-size histograms, kept: looking labels up
        costs more than updating all three."""
        key = (route, method, status)
        series = self._children.get(key)
        if series is None:
            series = (
                metrics.REQUESTS.labels(route, method, str(status)),
                metrics.REQUEST_SECONDS.labels(route),
                metrics.BODY_BYTES.labels(route),
            )
            if len(self._children) < 4096:  # routes are templates, but methods are anything
                self._children[key] = series
        return series

    def _elements(self, activation: str, dtype: str) -> Any:
        """The counter of elements evaluated for an activation and dtype, kept likewise (by the
        name the request gave: a formula's text finds the one formula series)."""
        key = (activation, dtype)
        counter = self._element_counters.get(key)
        if counter is None:
            counter = metrics.ELEMENTS.labels(_series(activation), dtype)
            if len(self._element_counters) < 4096:  # formulas are named by their text
                self._element_counters[key] = counter
        return counter

    def _record(
        self,
        scope: Scope,
        *,
        status: int,
        received: int,
        sent: int,
        problem: bytes,
        seconds: float,
    ) -> None:
        matched = scope.get("route")
        route = self.templates.get(id(matched)) or str(getattr(matched, "path", "unmatched"))
        notes: dict[str, Any] = scope.get(_NOTES, {})
        activation = notes.get("activation") or scope.get("path_params", {}).get("name")
        count, latency, body_bytes = self._series(route, scope["method"], status)
        count.inc()
        latency.observe(seconds)
        if received:
            body_bytes.observe(received)
        if status in _REJECTED:
            metrics.REJECTED.labels(str(status), _reason(problem, status)).inc()
        if "elements" in notes:
            self._elements(activation, notes.get("dtype", "")).inc(notes["elements"])
        if "multiply_adds" in notes:
            metrics.SIMULATION_COST.labels(_series(activation)).inc(notes["multiply_adds"])
        if not self.access_log:
            return
        client = scope.get("client")
        level = logging.DEBUG if route in _QUIET_ROUTES else logging.INFO
        if not _log.isEnabledFor(level):
            return
        # Made and handled directly: Logger.log would walk the stack for the caller's line,
        # a third of the line's cost, to say what is always this line.
        _log.handle(
            _log.makeRecord(
                _log.name,
                level,
                __file__,
                0,
                "request",
                (),
                None,
                extra={
                    "method": scope["method"],
                    "route": route,
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "request_bytes": received,
                    "response_bytes": sent,
                    "activation": activation,
                    "dtype": notes.get("dtype"),
                    "client": f"{client[0]}:{client[1]}" if client else None,
                },
            )
        )


def _series(activation: str) -> str:
    """A catalog entry's name, or ``formula`` for any formula: its text would make a series of
    each formula a client sends, kept for the life of the process and in every scrape. The log
    line keeps the text."""
    return activation if ACTIVATIONS.knows(activation) else "formula"


def _request_id(scope: Scope) -> str:
    for key, value in scope["headers"]:
        if key == _HEADER_KEY:
            if _VALID_ID.fullmatch(value):
                return str(value.decode("ascii"))
            break
    return os.urandom(16).hex()


def _reason(problem: bytes, status: int) -> str:
    """The problem type's last part (``overloaded``, ``body-too-large``...), from the body."""
    try:
        kind = orjson.loads(problem).get("type", "")
    except (orjson.JSONDecodeError, AttributeError):
        return str(status)
    return str(kind).rsplit(":", 1)[-1] or str(status)
