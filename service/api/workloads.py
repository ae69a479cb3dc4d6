"""Classes of work, each with its own bounded concurrency, queue and deadline.

Cheap requests must never wait behind expensive ones. So the service sorts the work a request
brings into classes, and each class has its own slots (worker threads), its own queue of
requests waiting for a slot, and its own deadline:

- ``evaluate``: evaluations whose bodies are too large to answer on the event loop (small
  ones are answered inline, and wait for nothing);
- ``simulate``: gradient-flow simulations and training runs;
- ``analyse``: measured properties, comparisons, plots and critical lines.

A request that finds its class's queue full is answered at once with 503 and a Retry-After
header rather than queued without end. The deadline runs from when the request gets its slot;
the work checks it between layers and steps (numerics.Deadline) and stops there, and the
request gets 503 too. A slot is a worker thread: the numeric core releases the GIL in its
loops (numba kernels, BLAS, numpy), so the classes run side by side on the cores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import anyio

from service import numerics
from service.config import Settings

__all__ = ["WORKLOADS", "Overloaded", "Workload", "WorkloadName", "Workloads"]

WorkloadName = Literal["evaluate", "simulate", "analyse"]
WORKLOADS: tuple[WorkloadName, ...] = ("evaluate", "simulate", "analyse")
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


@dataclass(eq=False)
class Workload:
    """One class: ``slots`` run at once, at most ``queue`` wait, each for ``deadline`` seconds."""

    name: WorkloadName
    slots: int
    queue: int
    deadline: float
    retry_after: int
    _limiter: anyio.CapacityLimiter | None = field(default=None, repr=False)

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
            raise Overloaded(self.name, waiting=self.waiting, retry_after=self.retry_after)
        outcome = await anyio.to_thread.run_sync(self._start, work, limiter=self.limiter)
        del work  # this frame is in the traceback of the error below, the body need not be
        if isinstance(outcome, _Refused):
            error = outcome.take()
            try:
                raise error
            finally:
                del error, outcome
        return outcome

    def _start(self, work: Callable[[numerics.Deadline], T]) -> T | _Refused:
        """In the worker thread: the deadline runs from here, when the slot is had.

        An expected error comes back as a value, without its traceback: the traceback's frames
        hold the request's body and arrays, and anyio's frame that would hold the error is in
        that traceback too; the cycle kept several times the body until the collector's next
        full pass. An unexpected error keeps its traceback, for the log."""
        try:
            return work(numerics.Deadline(self.deadline))
        except numerics.ActivationError as error:
            return _Refused(error.with_traceback(None))


class _Refused:
    """An expected error, handed over once: the future that carried it may outlive it."""

    def __init__(self, error: numerics.ActivationError) -> None:
        self._error: numerics.ActivationError | None = error

    def take(self) -> numerics.ActivationError:
        error, self._error = self._error, None
        assert error is not None
        return error


class Workloads(Mapping[WorkloadName, Workload]):
    """The classes of one app, from its settings."""

    def __init__(self, settings: Settings) -> None:
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

    def __getitem__(self, name: WorkloadName) -> Workload:
        return self._classes[name]

    def __iter__(self) -> Iterator[WorkloadName]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)
