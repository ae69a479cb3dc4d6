"""HEAD answered wherever GET is: the same status and headers, without the body.

HTTP requires a server to support HEAD wherever it supports GET (RFC 9110, 9.3.2): load
balancers probe with it, and ``curl -I`` shows an answer's headers by it. FastAPI's routes
accept the methods they declare, and a HEAD on a GET route was answered 405. ``HeadAsGet``
routes a HEAD as the GET of its path, and sends that answer's status and headers (its
Content-Length and ETag included, as the RFC allows) with an empty body. The OpenAPI document
lists the GET operations only, as most do.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet"]


class HeadAsGet:
    """Pure ASGI middleware: a HEAD request is run as a GET, and its answer's body dropped."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        inner = {**scope, "method": "GET"}
        try:
            await self.app(inner, receive, headers_only)
        finally:
            # What the router and the route added (the matched route, path parameters, notes)
            # reaches the middleware around this one; the method stays HEAD.
            scope.update({key: value for key, value in inner.items() if key != "method"})
