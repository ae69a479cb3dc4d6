"""Classes of work, each with its own bounded concurrency, queue and deadline.

Cheap requests must never wait behind expensive ones. So the service sorts the work a request
brings into classes, and each class has its own slots (worker threads), its own queue of
requests waiting for a slot, and its own deadline:

- ``evaluate``: evaluations whose bodies are too large to answer on the event loop (small
  ones are answered inline, and wait for nothing);
- ``simulate``: gradient-flow simulations and training runs;
- ``heavy``: those of them over ``heavy_multiply_adds``, so that a run at the cost limit (tens
  of seconds) holds no slot a small simulation needs;
- ``analyse``: measured properties, comparisons, plots and critical lines; a plot's picture
  is drawn by a child process (``service.api.rendering``) while its slot waits.

A request that finds its class's queue full is answered at once with 503 and a Retry-After
header rather than queued without end. The deadline runs from when the request gets its slot;
the work checks it between layers and steps (numerics.Deadline) and stops there, and the
request gets 503 too. When the process shuts down, ``Workloads.stop`` ends the work still
running at its next step and refuses what waits (503 ``shutting-down``, to be retried on another
replica), so that no answer is cut off. A slot is a worker thread: the numeric core releases the GIL in its
loops (numba kernels, BLAS, numpy), so the classes run side by side on the cores.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

import anyio

from service import numerics
from service.api import metrics
from service.api.rendering import Picture, Renderer
from service.config import Settings
from service.drawing import PlotFormat

__all__ = ["WORKLOADS", "Overloaded", "ShuttingDown", "Workload", "WorkloadName", "Workloads"]

WorkloadName = Literal["evaluate", "simulate", "heavy", "analyse"]
WORKLOADS: tuple[WorkloadName, ...] = ("evaluate", "simulate", "heavy", "analyse")
T = TypeVar("T")


class Overloaded(Exception):
    """A class's queue is full; ``retry_after`` is the advice, in seconds."""

    def __init__(self, workload: WorkloadName, *, waiting: int, retry_after: int) -> None:
        super().__init__(
            f"The service is busy with {workload} work ({waiting} requests already wait for"
            f" it); retry after {retry_after} s"
        )
        self.workload = workload
        self.retry_after = retry_after


class ShuttingDown(Exception):
    """The process is shutting down and stopped this work; another replica can do it."""

    def __init__(self, workload: WorkloadName, *, retry_after: int) -> None:
        super().__init__(
            f"The service is shutting down and stopped this {workload} work before it ended;"
            " retry, another instance will answer"
        )
        self.workload = workload
        self.retry_after = retry_after


@dataclass(eq=False)
class Workload:
    """One class: ``slots`` run at once, at most ``queue`` wait, each for ``deadline`` seconds."""

    name: WorkloadName
    slots: int
    queue: int
    deadline: float
    retry_after: int
    refused: int = 0  # requests answered 503 for a full queue
    _limiter: anyio.CapacityLimiter | None = field(default=None, repr=False)
    _running: set[numerics.Deadline] = field(default_factory=set, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        # anyio limiters belong to the event loop that uses them: made on first use.
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.slots)
        return self._limiter

    @property
    def running(self) -> int:
        return int(self.limiter.borrowed_tokens)

    @property
    def waiting(self) -> int:
        return self.limiter.statistics().tasks_waiting

    async def run(self, work: Callable[[numerics.Deadline], T]) -> T:
        """``work(deadline)`` in a worker thread once a slot is free; Overloaded if the queue
        is full, DeadlineExceeded (from the work) past the deadline."""
        if self.limiter.available_tokens < 1 and self.waiting >= self.queue:
            self.refused += 1
            raise Overloaded(self.name, waiting=self.waiting, retry_after=self.retry_after)
        start = time.perf_counter()
        metrics.QUEUED.labels(self.name).inc()
        try:
            handover = await anyio.to_thread.run_sync(self._start, work, limiter=self.limiter)
        finally:
            metrics.WORKLOAD_SECONDS.labels(self.name).observe(time.perf_counter() - start)
        del work  # this frame is in the traceback of an error below, the body need not be
        result, error = handover.take()
        if isinstance(error, numerics.DeadlineExceeded) and self._stopped:
            raise ShuttingDown(self.name, retry_after=self.retry_after) from None
        if error is not None:
            try:
                raise error
            finally:
                del error
        return result  # type: ignore[return-value]

    def stop(self) -> None:
        """End the running work at its next step, and any that gets a slot later at once."""
        self._stopped = True
        for deadline in list(self._running):
            deadline.expire()

    def _start(self, work: Callable[[numerics.Deadline], T]) -> _Handover[T]:
        """In the worker thread: the deadline runs from here, when the slot is had.

        The result, or an expected error without its traceback, comes back in a box that the
        caller empties: anyio's finished future, which carries it, can outlive the request
        (held in a cycle until the collector's next full pass), and with it the answer's bytes
        or, through the traceback's frames, the body and its arrays: measured, one to several
        times the body kept after each large request. An unexpected error keeps its traceback,
        for the log, and its frames until the collector runs."""
        metrics.QUEUED.labels(self.name).dec()
        metrics.RUNNING.labels(self.name).inc()
        deadline = numerics.Deadline(self.deadline)
        self._running.add(deadline)
        if self._stopped:
            deadline.expire()
        try:
            return _Handover(work(deadline), None)
        except numerics.ActivationError as error:
            return _Handover(None, error.with_traceback(None))
        finally:
            self._running.discard(deadline)
            metrics.RUNNING.labels(self.name).dec()


class _Handover(Generic[T]):
    """A result or an expected error, handed over once."""

    def __init__(self, result: T | None, error: numerics.ActivationError | None) -> None:
        self._contents: tuple[T | None, numerics.ActivationError | None] | None = (result, error)

    def take(self) -> tuple[T | None, numerics.ActivationError | None]:
        contents, self._contents = self._contents, None
        assert contents is not None
        return contents


class Workloads(Mapping[WorkloadName, Workload]):
    """The classes of one app, from its settings."""

    def __init__(self, settings: Settings) -> None:
        self.heavy_multiply_adds = settings.heavy_multiply_adds
        self.inline_body_bytes = settings.inline_body_bytes
        self._classes = {
            name: Workload(
                name,
                slots=getattr(settings, f"{name}_slots"),
                queue=getattr(settings, f"{name}_queue"),
                deadline=getattr(settings, f"{name}_deadline"),
                retry_after=settings.retry_after,
            )
            for name in WORKLOADS
        }
        self.renderer = Renderer(settings.analyse_slots, retry_after=settings.retry_after)

    def __getitem__(self, name: WorkloadName) -> Workload:
        return self._classes[name]

    async def evaluation(self, body_bytes: int, work: Callable[[], T]) -> T:
        """An evaluation of a body this large: done at once on the event loop up to
        ``inline_body_bytes`` (a worker thread's hand-over costs more than the work), in the
        ``evaluate`` class past it."""
        if body_bytes <= self.inline_body_bytes:
            return work()
        return await self._classes["evaluate"].run(lambda deadline: work())

    async def picture(self, make: Callable[[], Picture], fmt: PlotFormat) -> bytes:
        """A picture's bytes: its numbers made by ``make`` in the ``analyse`` class, drawn by
        the renderer's child process while the class's slot waits."""
        return await self._classes["analyse"].run(
            lambda deadline: self.renderer.draw(make(), fmt, deadline)
        )

    def simulation(self, multiply_adds: int) -> Workload:
        """The class of a simulation or training run of this cost."""
        return self._classes["heavy" if multiply_adds > self.heavy_multiply_adds else "simulate"]

    def __iter__(self) -> Iterator[WorkloadName]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def stop(self) -> None:
        """Shutting down: every class ends its running work and refuses what waits."""
        for workload in self._classes.values():
            workload.stop()

    def close(self) -> None:
        """Shut down: the drawing processes end (after the requests are answered)."""
        self.renderer.close()

    def saturated(self) -> list[WorkloadName]:
        """The classes whose queue is full: a request of theirs would get 503 now."""
        return [
            name
            for name, workload in self._classes.items()
            if workload._limiter is not None
            and workload.limiter.available_tokens < 1
            and workload.waiting >= workload.queue
        ]
