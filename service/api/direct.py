"""POST .../activations/{name}/evaluate answered before FastAPI's router, by the same handler.

A 10-element evaluation costs the service about 20 µs of its own work; FastAPI's path matching
over every route, dependency solving and parameter binding cost several times that. This
ASGI layer recognises the one hot path by its shape and calls the route's handler directly,
so requests get the same answers, errors included, without that overhead. Anything else (other
paths and methods, names that are not in the registry, a root_path) goes on to FastAPI, where
the route is declared and documented as usual.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service import numerics
from service.errors import problem_for, unexpected_problem

__all__ = ["DirectEvaluate"]

Handler = Callable[[Request, str, bytes], Awaitable[Response]]


class DirectEvaluate:
    """Pure ASGI middleware: a POST to ``path`` (a template holding ``{name}``) for a known name
    goes straight to ``handler(request, name, body)``. Its errors become the problem responses the
    exception handlers would give; an unexpected one is answered with 500 and re-raised for
    the server to log, as FastAPI's server-error layer does."""

    def __init__(self, app: ASGIApp, *, path: str, handler: Handler) -> None:
        self.app = app
        self.head, _, self.tail = path.partition("{name}")
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = self._name(scope)
        if name is None:
            await self.app(scope, receive, send)
            return
        try:
            body = await _read_body(receive)
            if body is None:  # the client left: nobody to answer
                return
            response = await self.handler(Request(scope, receive), name, body)
        except Exception as exc:
            problem = problem_for(exc)
            if problem is not None:
                response = problem
            else:  # as the server-error layer does for the routes: answer, then let it surface
                await unexpected_problem("POST", scope["path"], exc)(scope, receive, send)
                raise
        await response(scope, receive, send)

    def _name(self, scope: Scope) -> str | None:
        """The activation named by an evaluate request's path, or None for any other request."""
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            return None
        path: str = scope["path"]
        if not (path.startswith(self.head) and path.endswith(self.tail)):
            return None
        name = path[len(self.head) : len(path) - len(self.tail)]
        known = name in numerics.ACTIVATIONS or name in numerics.ALIASES
        return name if known else None


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
