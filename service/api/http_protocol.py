"""uvicorn's HTTP/1.1 protocol (h11), with a deadline for a request's head.

uvicorn times out an idle keep-alive connection, but stops timing as soon as any byte arrives:
a client that opens connections and sends their request lines a byte a minute holds them, and
their sockets and buffers, for as long as it likes, and the app never hears of it (the ASGI
app is called once the head is complete; the body's deadline is Intake's). Here a head must
be complete within ``head_timeout`` seconds of the connection opening, or of its first byte on
a kept-alive connection (an idle one is the keep-alive timeout's); past it the connection gets
408 if part of a head has arrived, and is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["HeadDeadlineProtocol"]

_TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: 34\r\n"
    b"connection: close\r\n\r\nThe request head arrived too late."
)


class HeadDeadlineProtocol(H11Protocol):
    """H11Protocol whose connections must complete each request head within ``head_timeout``."""

    def __init__(self, *args: Any, head_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout = head_timeout
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_started = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._waiting_for_head():
            self._disarm()
        elif data.strip():
            if self._head_timer is None:  # the first byte of a head on a kept-alive connection
                self._arm()
            self._head_started = True

    def _waiting_for_head(self) -> bool:
        return self.conn.their_state is h11.IDLE

    def _arm(self) -> None:
        self._disarm()
        self._head_started = False
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_too_late)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._waiting_for_head():
            return
        if self._head_started:
            self.transport.write(_TIMEOUT_ANSWER)
        self.transport.close()
