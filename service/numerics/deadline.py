"""When long work must stop: a deadline that loops check between their steps.

A simulation or a training run is a loop over layers and steps. It takes a ``Deadline`` and
calls ``check()`` once per layer or step: past the deadline that raises DeadlineExceeded, so
the work stops at the next step boundary instead of running on in a thread nobody waits for.
A check is one clock read; ``Deadline.none()`` never expires.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from service.numerics.exceptions import DeadlineExceeded

__all__ = ["Deadline"]


class Deadline:
    """``seconds`` from now (``math.inf``: never); ``check`` raises DeadlineExceeded past it."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    @classmethod
    def none(cls) -> Deadline:
        return cls(math.inf)

    def remaining(self) -> float:
        return self._end - self._clock()

    def expire(self) -> None:
        """End it now (the process is shutting down): the next ``check`` raises."""
        self._end = -math.inf

    def check(self) -> None:
        if self._clock() > self._end:
            raise DeadlineExceeded(self.seconds)
