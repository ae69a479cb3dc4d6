"""Errors under the inference protocol's prefix leave in its shape: ``{"error": "..."}``.

The /v2 routes raise what every route raises, and the one table (service.errors.problem_for)
turns it into an RFC 9457 problem; ``ProtocolErrors`` rewrites each problem under the prefix
into the protocol's error object, keeping its status (422, which the protocol does not use,
becomes 400, the status it gives a bad request) and headers such as Retry-After. Rewriting
the response rather than raising differently reaches every error alike: the routes', the body
limit's 413, the router's 404 and 405, and an unexpected error's 500 (which the error boundary
inside answers).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import PROBLEM_MEDIA_TYPE

__all__ = ["ProtocolErrors", "drop_problem_responses"]

_PROBLEM = PROBLEM_MEDIA_TYPE.encode()
_STATUS = {422: 400}


class ProtocolErrors:
    """Pure ASGI middleware: a problem document answered under ``prefix`` leaves as
    ``{"error": detail}``; other responses, and every other path, pass untouched."""

    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        chunks: list[bytes] = []

        async def rewriting_send(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                if any(
                    k == b"content-type" and v.startswith(_PROBLEM) for k, v in message["headers"]
                ):
                    held = message
                    return
            elif held is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await _send_error(send, held, b"".join(chunks))
                return
            await send(message)

        await self.app(scope, receive, rewriting_send)


async def _send_error(send: Send, start: Message, problem: bytes) -> None:
    document: dict[str, Any] = orjson.loads(problem)
    status = _STATUS.get(start["status"], start["status"])
    body = orjson.dumps({"error": document.get("detail") or document.get("title", "")})
    headers = [
        (key, value)
        for key, value in start["headers"]
        if key not in (b"content-type", b"content-length")
    ]
    headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def drop_problem_responses(schema: dict[str, Any], *, prefix: str) -> None:
    """Remove from the operations under ``prefix`` the problem responses every operation
    inherits from the app: there, errors take the protocol's shape, which they declare."""
    for path, operations in schema["paths"].items():
        if path != prefix and not path.startswith(prefix + "/"):
            continue
        for operation in operations.values():
            responses = operation["responses"]
            for code in [
                c for c, r in responses.items() if PROBLEM_MEDIA_TYPE in r.get("content", {})
            ]:
                del responses[code]
