"""uvicorn's HTTP/1.1 protocol (httptools, llhttp's C parser), with a deadline for a request's head.

uvicorn times out an idle keep-alive connection, but stops timing as soon as any byte arrives:
a client that opens connections and sends their request lines a byte a minute holds them, and
their sockets and buffers, for as long as it likes, and the app never hears of it (the ASGI
app is called once the head is complete; the body's deadline is Intake's). Here a head must
be complete within ``head_timeout`` seconds of the connection opening, or of its first byte on
a kept-alive connection (an idle one is the keep-alive timeout's); past it the connection gets
408 if part of a head has arrived, and is closed.

httptools rather than h11: its parser is C, and a small request costs about half as much.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["HeadDeadlineProtocol"]

_TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: 34\r\n"
    b"connection: close\r\n\r\nThe request head arrived too late."
)


class HeadDeadlineProtocol(HttpToolsProtocol):
    """HttpToolsProtocol whose connections must complete each request head within
    ``head_timeout``: timed from the connection's opening, then from each head's first byte."""

    def __init__(self, *args: Any, head_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout = head_timeout
        self._head_timer: asyncio.TimerHandle | None = None
        self._in_head = False  # a head's first byte has arrived, its end has not

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_too_late)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        if self._head_timer is None:  # a kept-alive connection's next head
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_too_late)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        super().on_headers_complete()

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self._in_head:
            self.transport.write(_TIMEOUT_ANSWER)
        self.transport.close()
