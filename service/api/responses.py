"""An answer sent from the memory its parts already occupy, in slices: never copied whole.

A large binary answer (a .npy array, the inference protocol's tensors after their JSON) would
otherwise be joined into one bytes object beside the result it copies, and the server's
transport may copy it once more while the socket drains: a 1e7-element answer cost three
times its size at once. Sent in slices of ``SLICE`` bytes, each awaited (the server applies
back-pressure), it costs one slice beyond the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

__all__ = ["PartsResponse", "StreamedResponse"]

SLICE: Final = 1 << 20


class PartsResponse(Response):
    """A 200 whose body is ``parts`` one after the other, with their total Content-Length."""

    def __init__(
        self,
        parts: Sequence[bytes | memoryview],
        *,
        media_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.parts = [memoryview(part).cast("B") for part in parts]
        super().__init__(b"", media_type=media_type, headers=headers)
        total = str(sum(part.nbytes for part in self.parts)).encode("latin-1")
        self.raw_headers = [
            (key, total if key == b"content-length" else value) for key, value in self.raw_headers
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        for part in self.parts:
            for start in range(0, part.nbytes, SLICE):
                chunk = bytes(part[start : start + SLICE])
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class StreamedResponse(Response):
    """A 200 whose body is made part by part while it is sent, of a length not known before:
    sent chunked. Parts are gathered into slices of about ``SLICE`` bytes, each awaited (the
    server applies back-pressure), so the answer costs a slice or two beyond what it is made
    from. Made in the event loop: a part is a few milliseconds of work, and the loop runs other
    requests between parts."""

    def __init__(
        self,
        parts: Iterable[bytes],
        *,
        media_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.parts = parts
        super().__init__(b"", media_type=media_type, headers=headers)
        self.raw_headers = [
            (key, value) for key, value in self.raw_headers if key != b"content-length"
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        pending: list[bytes] = []
        size = 0
        for part in self.parts:
            pending.append(part)
            size += len(part)
            if size >= SLICE:
                chunk = b"".join(pending)
                pending.clear()
                size = 0
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"".join(pending), "more_body": False})
