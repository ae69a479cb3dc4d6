"""Give freed memory back to the system once the service falls quiet.

A large request allocates its body, its arrays and its answer from glibc's heaps, which keep
what is freed for the next allocation: after a load the process stayed 280 MiB above its warm
size, idle. When no request has been in flight for ``quiet`` seconds, malloc_trim(0) returns
the free pages of every heap (a few milliseconds, in a worker thread); it runs once per quiet
spell, not between the requests of a busy one. Where the C library has no malloc_trim (musl,
macOS) this does nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
from collections.abc import Callable
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["TrimWhenIdle", "malloc_trim", "map_large_allocations"]


def _find(name: str) -> Callable[..., int] | None:
    try:
        function: Callable[..., int] = getattr(ctypes.CDLL(ctypes.util.find_library("c")), name)
    except (OSError, AttributeError, TypeError):
        return None
    return function


_MALLOC_TRIM = _find("malloc_trim")
_MALLOPT = _find("mallopt")
_M_MMAP_THRESHOLD: Final = -3  # glibc's malloc.h
MAPPED_FROM: Final = 16 << 20


def map_large_allocations() -> None:
    """Fix glibc's mapping threshold at MAPPED_FROM bytes: larger blocks get mappings of their
    own, returned to the system when freed, and the top of a heap is returned when more than
    128 KiB of it is free.

    Left to itself, glibc raises the threshold to the size of each mapped block freed (up to
    32 MiB) and the heaps' trim threshold to twice that, and malloc_trim does not return the
    free top of a heap other than the main thread's, where the worker threads allocate: the
    float64 buffers and answer parts of a JSON request stayed resident after it, 1.6 times its
    body. Fixed, both thresholds stay where they are set. Lower, every megabyte-sized buffer
    would be a fresh mapping, and its page faults made a 1e6-element JSON request 1.5 times
    slower; at 16 MiB a request of that size is as fast as before."""
    if _MALLOPT is not None:
        _MALLOPT(_M_MMAP_THRESHOLD, MAPPED_FROM)


def malloc_trim() -> None:
    """Return the free memory at the top and in the middle of every heap to the system."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


class TrimWhenIdle:
    """Pure ASGI middleware: counts the requests in flight, and trims after a quiet spell.

    One timer serves every quiet spell: armed when the last request in flight ends and none is
    pending, and when it fires early (a request ran since) armed again for the rest of the
    spell. Arming and cancelling a timer per request would cost more than the rest of this
    layer, and than much of a small request.
    """

    def __init__(self, app: ASGIApp, *, quiet: float) -> None:
        self.app = app
        self.quiet = quiet
        self.in_flight = 0
        self.dirty = False  # a request has run since the last trim
        self.last_end = 0.0  # loop time at which the last request ended
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the timer's

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            self.dirty = True
            if not self.in_flight:
                loop = asyncio.get_running_loop()
                self.last_end = loop.time()
                if self._timer is None or self._loop is not loop:  # none, or a replaced loop's
                    self._timer, self._loop = loop.call_later(self.quiet, self._trim, loop), loop

    def _trim(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop is not self._loop:
            return
        self._timer = None
        if self.in_flight or not self.dirty:
            return  # the request in flight arms the timer again when it ends
        quiet_for = loop.time() - self.last_end
        if quiet_for < self.quiet:
            self._timer = loop.call_later(self.quiet - quiet_for, self._trim, loop)
            return
        self.dirty = False
        loop.run_in_executor(None, malloc_trim)
