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
# glibc's malloc.h
_M_TRIM_THRESHOLD: Final = -1
_M_MMAP_THRESHOLD: Final = -3
_M_ARENA_MAX: Final = -8
MAPPED_FROM: Final = 16 << 20
KEPT_ON_TOP: Final = 16 << 20


def map_large_allocations() -> None:
    """One heap for every thread, blocks of MAPPED_FROM bytes or more mapped on their own, and
    up to KEPT_ON_TOP bytes kept free on the heap's top between requests.

    Left to itself, glibc gives each thread that allocates a heap of its own, raises the mapping
    threshold to the size of each mapped block freed (up to 32 MiB) and the trim threshold to
    twice that, and malloc_trim cannot return the free top of a heap other than the main one:
    the float64 buffers and answer parts of a large JSON request, made in a worker thread,
    stayed resident after it, 1.6 times its body. One heap is the main one, which the idle trim
    empties; the thresholds fixed, a block under 16 MiB (a million-element array) is served
    from the heap and left there for the next request instead of mapped and faulted in afresh
    (with the top returned past 128 KiB, a 1e6-element .npy request took twice as long; at
    16 MiB it is as fast as with glibc's defaults, and every case of tests/api/test_memory.py
    keeps under 2% of its body after the request). The price is the blocks past 16 MiB, mapped
    and faulted in afresh by every request: a 1e6-element JSON request (20 MB) took 105-109 ms
    in-process against 77-79 ms with glibc's defaults, which in turn left the densest body
    at 6.03 times its size. The threads share one heap's lock: they allocate large blocks, a
    few per request, and hold the interpreter's lock for the rest."""
    if _MALLOPT is not None:
        _MALLOPT(_M_ARENA_MAX, 1)
        _MALLOPT(_M_MMAP_THRESHOLD, MAPPED_FROM)
        _MALLOPT(_M_TRIM_THRESHOLD, KEPT_ON_TOP)


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
