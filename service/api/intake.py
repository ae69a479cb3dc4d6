"""Bodies in flight: a process-wide budget of request bytes, and a deadline to read each body.

A request's body and what is decoded from it cost several times its size in memory (the
README states the multiples), so the process bounds the bytes of the bodies it holds at once:
a request whose declared Content-Length would take the total past ``max_bytes_in_flight`` is
answered 503 with Retry-After before its body is read; a chunked body is counted as it
arrives. The bytes are given back when the answer has been sent.

A client that sends its body a byte a second would hold its share of the budget, and a slot,
for as long as it liked: the body must arrive within ``body_timeout`` seconds of the request's
head, or the request is answered 408 and the connection closed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import problem_response

__all__ = ["ByteBudget", "Intake"]


class ByteBudget:
    """The bytes of the request bodies held at once, and the refusals, by reason."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.in_flight = 0
        self.refused: Counter[str] = Counter()

    def take(self, size: int) -> bool:
        if self.in_flight + size > self.max_bytes:
            return False
        self.in_flight += size
        return True

    def give_back(self, size: int) -> None:
        self.in_flight -= size


class Intake:
    """Pure ASGI middleware: admits a request's body against the budget, within the deadline."""

    def __init__(
        self, app: ASGIApp, *, budget: ByteBudget, body_timeout: float, retry_after: int
    ) -> None:
        self.app = app
        self.budget = budget
        self.body_timeout = body_timeout
        self.retry_after = retry_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        held = int(declared) if declared.isdigit() else 0  # a bad one is BodySizeLimit's 400
        if not self.budget.take(held):
            await self._refuse(scope, receive, send)
            return
        deadline = anyio.current_time() + self.body_timeout
        state = {"complete": False, "late": False, "over": False, "held": held}

        async def admitted_receive() -> Message:
            # Past the deadline or the budget the app is told the client left, so that it stops
            # reading; its answer is not sent, and the 408 or 503 is, whatever the route.
            if state["late"] or state["over"]:
                return {"type": "http.disconnect"}
            if state["complete"]:
                return await receive()
            with anyio.move_on_after(deadline - anyio.current_time()) as waiting:
                message = await receive()
            if waiting.cancelled_caught:
                state["late"] = True
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                state["complete"] = not message.get("more_body", False)
                if not declared:
                    size = len(message.get("body", b""))
                    if not self.budget.take(size):
                        state["over"] = True
                        return {"type": "http.disconnect"}
                    state["held"] += size
            return message

        async def guarded_send(message: Message) -> None:
            if not (state["late"] or state["over"]):
                await send(message)

        try:
            try:
                await self.app(scope, admitted_receive, guarded_send)
            except Exception:
                if not (state["late"] or state["over"]):
                    raise
        finally:
            self.budget.give_back(state["held"])
        if state["over"]:
            await self._refuse(scope, receive, send)
        elif state["late"]:
            self.budget.refused["body-timeout"] += 1
            await problem_response(**self._late())(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.budget.refused["bytes-in-flight"] += 1
        response = problem_response(
            503,
            "overloaded",
            f"The service holds as many request bytes as it may ({self.budget.max_bytes});"
            f" retry after {self.retry_after} s",
            headers={"Retry-After": str(self.retry_after)},
            limit="max_bytes_in_flight",
        )
        await response(scope, receive, send)

    def _late(self) -> dict[str, Any]:
        return {
            "status": 408,
            "kind": "body-timeout",
            "detail": f"The request body did not arrive within {self.body_timeout} s",
            "headers": {"Connection": "close"},
            "limit": "body_timeout",
        }
