"""Refuse an oversized request body with 413 before reading it all.

FastAPI's own ``max_body_size`` answers in text/plain from outside the exception handlers;
this keeps the one problem+json shape and names the limit.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import problem_response

__all__ = ["BodySizeLimit"]


class BodySizeLimit:
    """Pure ASGI middleware: a declared Content-Length over the limit is answered at once; an
    undeclared (chunked) body is counted as it arrives and refused as soon as it passes it."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and not declared.isdigit():
            response = problem_response(400, "bad-content-length", "Content-Length is not a number")
            await response(scope, receive, send)
            return
        if declared is not None and int(declared) > self.max_bytes:
            await problem_response(**self._problem())(scope, receive, send)
            return
        received = 0
        exceeded = False

        async def counting_receive() -> Message:
            # Past the limit the app is told the client left, so that it stops reading; its
            # answer to a body it never got is not sent, and the 413 is, whatever the route.
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not exceeded:
                await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded:
            await problem_response(**self._problem())(scope, receive, send)

    def _problem(self) -> dict[str, Any]:
        return {
            "status": 413,
            "kind": "body-too-large",
            "detail": f"The request body is larger than {self.max_bytes} bytes; send a smaller array"
            " or split it (.npy bodies are about 2.5 times smaller than JSON)",
            "limit": self.max_bytes,
        }
