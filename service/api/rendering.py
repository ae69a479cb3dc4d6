"""Pictures drawn in a separate process, so that matplotlib never holds the server's GIL.

matplotlib draws in Python: a plot of f and f' costs 110-130 ms of interpreter time (measured),
held the whole while. Drawn in a worker thread of the server's process, it took the
interpreter from the event loop and every request behind it waited: at 100 req/s, with the
plot cache filling, small JSON requests waited seconds (``bench/load.py --rate 100``). So the
service computes a picture's numbers itself (``service.plotting``, a few milliseconds) and a
child process, which imports only numpy and matplotlib (``service.drawing``), draws them.

The worker thread of the ``analyse`` class that asked waits for the drawing without the GIL,
so the class's slots, queue and deadline hold as before. The children are started with
``spawn`` (the server runs threads; forking it would copy their locks), on first use or by
``start``, and ignore SIGINT and SIGTERM: the server stops them at shutdown, once the requests
in flight have their pictures (and one that outlives its server, killed outright, ends within
a second). A child that dies on a picture (killed for memory) is replaced and the picture
drawn again, once; if the new one dies too, the request gets 503 ``drawing-failed``. A drawing
past the class's deadline is answered 503 at once but runs on in its child, which cannot be
interrupted; the pictures are bounded (2,001 points, layers and records within the requests'
limits) and none has come near the deadline. As with every ``spawn``, a program that builds
the app itself and plots in it must start from a guarded main (``if __name__ ==
"__main__":``); uvicorn, ``python -m service`` and pytest do.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from service import numerics
from service.drawing import PlotFormat, start_drawing_process

__all__ = ["DrawingFailed", "Picture", "Renderer"]


class Picture(Protocol):
    """A record of numbers that draws itself (service.drawing's pictures)."""

    def draw(self, fmt: PlotFormat) -> bytes: ...


class DrawingFailed(Exception):
    """The drawing process died on a picture twice (killed for memory, say): 503, to retry."""

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(
            "The process drawing this plot ended before it was drawn, twice; retry, a new one"
            " will draw it"
        )
        self.retry_after = retry_after


class Renderer:
    """``processes`` child processes that draw pictures, one at a time each; ``retry_after``
    is the advice given when a picture could not be drawn."""

    def __init__(self, processes: int, *, retry_after: int) -> None:
        self.processes = processes
        self.retry_after = retry_after
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the children now, not at the first picture (about half a second each)."""
        # int() is a task that needs nothing: each child has started once it answers.
        for future in [self._executor().submit(int) for _ in range(self.processes)]:
            future.result()

    def draw(self, picture: Picture, fmt: PlotFormat, deadline: numerics.Deadline) -> bytes:
        """The picture's bytes, drawn by a child; DeadlineExceeded past the deadline (the child
        finishes that drawing, and its result is dropped); DrawingFailed if two children died
        on it."""
        deadline.check()
        try:
            return self._draw(picture, fmt, deadline)
        except BrokenProcessPool:
            pass  # a new child draws it, once
        try:
            return self._draw(picture, fmt, deadline)
        except BrokenProcessPool:
            raise DrawingFailed(retry_after=self.retry_after) from None

    def _draw(self, picture: Picture, fmt: PlotFormat, deadline: numerics.Deadline) -> bytes:
        pool = self._executor()
        try:
            future: Future[bytes] = pool.submit(picture.draw, fmt)
            return future.result(timeout=max(deadline.remaining(), 0.0))
        except FutureTimeout:
            future.cancel()
            raise numerics.DeadlineExceeded(deadline.seconds) from None
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False)
            raise

    def close(self) -> None:
        """Stop the children once the pictures asked for are drawn."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=start_drawing_process,
                )
            return self._pool
