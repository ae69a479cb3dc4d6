"""A request's body: its coding, its size limit, its share of the bytes in flight, and its
deadline.

One layer checks what bounds what a body may cost, because it all looks at the same thing:
the head's Content-Encoding and Content-Length before anything is read, then each chunk as it
arrives.

- **Size.** A declared Content-Length over ``max_body_bytes`` is answered 413 at once; an
  undeclared (chunked) body is counted as it arrives and refused as soon as it passes the
  limit. FastAPI's own ``max_body_size`` answers in text/plain from outside the exception
  handlers; this keeps the one problem+json shape and names the limit.
- **Bytes in flight.** A request's body and what is decoded from it cost several times its
  size in memory (the README states the multiples), so the process bounds the bytes of the
  bodies it holds at once: a request whose declared Content-Length would take the total past
  ``max_bytes_in_flight`` is answered 503 with Retry-After before its body is read; a chunked
  body is counted as it arrives. The bytes are given back when the answer has been sent.
- **Coding.** A body sent with a Content-Encoding other than identity is answered 415 before
  it is read, but under ``inflated`` (the inference protocol's routes, which inflate gzip and
  deflate themselves): read as it came, a gzipped body was "not valid JSON" or "not a .npy
  array", which said nothing of what was wrong.
- **Deadline.** A client that sends its body a byte a second would hold its share of the
  budget, and a slot, for as long as it liked: the body must arrive within ``body_timeout``
  seconds of the request's head, or the request is answered 408 and the connection closed.

Past any of these the app is told the client left, so that it stops reading; its answer to a
body it never got is not sent, and the 413, 503 or 408 is, whatever the route.

The deadline is kept by one watchdog for all requests (``BodyDeadlines``), not by a timer or
cancel scope per request: those cost more than answering a small request, whose body is
already in the server's buffer when the app asks for it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import problem_response

__all__ = ["BodyDeadlines", "ByteBudget", "Intake"]

_CONTENT_LENGTH = b"content-length"
_CONTENT_ENCODING = b"content-encoding"


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


class BodyDeadlines:
    """Cancels the wait of a request whose body is late: one timer for every request.

    A request waiting for its body is registered with its deadline (``watch``) and removed
    once its message arrives (``unwatch``); a registration costs a dict entry. While any are
    registered a timer wakes every ``tick`` seconds and cancels the task of each one past its
    deadline, noting it, so that the wait's CancelledError can be told from any other
    (``unwatch`` says whether it was late). A deadline is thus kept within ``tick`` seconds.
    """

    def __init__(self, *, tick: float) -> None:
        self.tick = tick
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: dict[asyncio.Task[Any], float] = {}
        self._late: set[asyncio.Task[Any]] = set()
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, task: asyncio.Task[Any], deadline: float) -> None:
        loop = task.get_loop()
        if loop is not self._loop:  # the first request, or the first on a new loop (a test's)
            self._loop, self._waiting, self._late, self._timer = loop, {}, set(), None
        self._waiting[task] = deadline
        if self._timer is None:
            self._timer = loop.call_later(self.tick, self._check)

    def unwatch(self, task: asyncio.Task[Any]) -> bool:
        """Stop watching ``task``; whether it was cancelled for being late."""
        if self._waiting.pop(task, None) is None and task in self._late:
            self._late.discard(task)
            return True
        return False

    def _check(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a timer left by a loop since replaced
            return
        self._timer = None
        now = loop.time()
        for task, deadline in list(self._waiting.items()):
            if deadline <= now:
                del self._waiting[task]
                self._late.add(task)
                task.cancel()
        if self._waiting:
            self._timer = loop.call_later(self.tick, self._check)


class Intake:
    """Pure ASGI middleware: admits a request's body in a coding the route reads, within its
    size limit, against the budget, before its deadline."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        budget: ByteBudget,
        body_timeout: float,
        retry_after: int,
        inflated: str,
    ) -> None:
        self.app = app
        self.inflated = inflated
        self.max_bytes = max_bytes
        self.budget = budget
        self.body_timeout = body_timeout
        self.retry_after = retry_after
        self.deadlines = BodyDeadlines(tick=min(0.25, max(0.01, body_timeout / 8)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: bytes | None = None
        coding: bytes | None = None
        for key, value in scope["headers"]:
            if key == _CONTENT_LENGTH:
                declared = value
            elif key == _CONTENT_ENCODING:
                coding = value
        if (
            coding is not None
            and coding.strip().lower() != b"identity"
            and not scope["path"].startswith(self.inflated)
        ):
            await self._uncoded_only(coding)(scope, receive, send)
            return
        if declared is not None and not declared.isdigit():
            response = problem_response(400, "bad-content-length", "Content-Length is not a number")
            await response(scope, receive, send)
            return
        held = 0 if declared is None else int(declared)
        if held > self.max_bytes:
            await problem_response(**self._too_large())(scope, receive, send)
            return
        if not self.budget.take(held):
            await self._refuse(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.body_timeout
        deadlines, budget, max_bytes = self.deadlines, self.budget, self.max_bytes
        # Why the app was told the client left (None while it has not been), whether the whole
        # body has arrived, the bytes read and those taken from the budget: plain locals of the
        # closures below, which cost less than a dict of them.
        refused: str | None = None
        complete, received = False, 0

        async def admitted_receive() -> Message:
            nonlocal refused, complete, received, held
            if refused is not None:
                return {"type": "http.disconnect"}
            if complete:
                return await receive()
            task = asyncio.current_task()
            assert task is not None
            cancelling = task.cancelling()
            deadlines.watch(task, deadline)
            try:
                message = await receive()
            except asyncio.CancelledError:
                if deadlines.unwatch(task) and task.uncancel() <= cancelling:
                    refused = "late"
                    return {"type": "http.disconnect"}
                raise
            finally:
                deadlines.unwatch(task)  # again after the above: it forgets a task once
            if message["type"] == "http.request":
                complete = not message.get("more_body", False)
                size = len(message.get("body", b""))
                received += size
                if received > max_bytes:
                    refused = "too-large"
                    return {"type": "http.disconnect"}
                if declared is None:
                    if not budget.take(size):
                        refused = "over"
                        return {"type": "http.disconnect"}
                    held += size
            return message

        async def guarded_send(message: Message) -> None:
            if refused is None:
                await send(message)

        try:
            try:
                await self.app(scope, admitted_receive, guarded_send)
            except Exception:
                if refused is None:
                    raise
        finally:
            budget.give_back(held)
        if refused == "too-large":
            await problem_response(**self._too_large())(scope, receive, send)
        elif refused == "over":
            await self._refuse(scope, receive, send)
        elif refused == "late":
            budget.refused["body-timeout"] += 1
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

    def _uncoded_only(self, coding: bytes) -> ASGIApp:
        return problem_response(
            415,
            "unsupported-content-encoding",
            f"Content-Encoding {coding.decode('latin-1')!r} is not accepted here; send the body"
            f" as it is (the inference protocol's routes under {self.inflated} take gzip and"
            " deflate)",
        )

    def _too_large(self) -> dict[str, Any]:
        return {
            "status": 413,
            "kind": "body-too-large",
            "detail": f"The request body is larger than {self.max_bytes} bytes; send a smaller array"
            " or split it (.npy bodies are about 2.5 times smaller than JSON)",
            "limit": self.max_bytes,
        }

    def _late(self) -> dict[str, Any]:
        return {
            "status": 408,
            "kind": "body-timeout",
            "detail": f"The request body did not arrive within {self.body_timeout} s",
            "headers": {"Connection": "close"},
            "limit": "body_timeout",
        }
