"""Learning-rate schedules: PyTorch's (torch.optim.lr_scheduler) in their closed forms.

The rate of update t = 0, 1, ..., steps - 1, from the base rate lr:

- ``Constant``: lr;
- ``StepDecay`` (StepLR): lr gamma^floor(t / step_size);
- ``Cosine`` (CosineAnnealingLR): min + (lr - min) (1 + cos(pi t / cycle)) / 2, with cycle the
  steps after the warm-up unless given (past a cycle the cosine rises again, as PyTorch's does).

Each may start with a linear warm-up of ``warmup_steps`` updates, as LinearLR followed by the
schedule in SequentialLR: lr (f + (1 - f) t / warmup_steps) from the start factor f (PyTorch's
default 1/3), after which the schedule starts from its own step 0. PyTorch updates the cosine
recursively; the closed form agrees with it to rounding.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar, Literal

import numpy as np

from service.numerics.exceptions import InvalidInput
from service.numerics.types import Array

__all__ = ["SCHEDULES", "Constant", "Cosine", "Schedule", "ScheduleName", "StepDecay"]

ScheduleName = Literal["constant", "step", "cosine"]


def _require(condition: bool, field: str, reason: str) -> None:
    if not condition:
        raise InvalidInput(("training", "schedule", field), reason)


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule(ABC):
    """A schedule after an optional linear warm-up."""

    name: ClassVar[ScheduleName]

    warmup_steps: int = 0
    warmup_start_factor: float = 1 / 3

    def __post_init__(self) -> None:
        _require(self.warmup_steps >= 0, "warmup_steps", "must be >= 0")
        _require(0 < self.warmup_start_factor <= 1, "warmup_start_factor", "must be in (0, 1]")

    def check(self, learning_rate: float, steps: int) -> None:
        """InvalidInput if the schedule makes no sense for a run of ``steps`` updates."""
        _require(
            self.warmup_steps <= steps,
            "warmup_steps",
            f"is longer than the run ({steps} steps)",
        )

    def rates(self, learning_rate: float, steps: int) -> Array:
        """The learning rate of each of the ``steps`` updates."""
        t = np.arange(steps, dtype=np.float64)
        warm = min(self.warmup_steps, steps)
        rates = np.empty(steps)
        if warm:
            start = self.warmup_start_factor
            rates[:warm] = learning_rate * (start + (1 - start) * t[:warm] / self.warmup_steps)
        rates[warm:] = self._after_warmup(learning_rate, t[: steps - warm], steps - warm)
        return rates

    @abstractmethod
    def _after_warmup(self, learning_rate: float, t: Array, length: int) -> Array:
        """The rates at steps t counted from the end of the warm-up, of ``length`` steps."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Constant(Schedule):
    name: ClassVar[ScheduleName] = "constant"

    def _after_warmup(self, learning_rate: float, t: Array, length: int) -> Array:
        return np.full_like(t, learning_rate)


@dataclass(frozen=True, slots=True, kw_only=True)
class StepDecay(Schedule):
    name: ClassVar[ScheduleName] = "step"

    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        super(StepDecay, self).__post_init__()
        _require(self.step_size >= 1, "step_size", "must be >= 1")
        _require(0 < self.gamma < 1, "gamma", "must be in (0, 1): a step schedule decays")

    def check(self, learning_rate: float, steps: int) -> None:
        super(StepDecay, self).check(learning_rate, steps)
        _require(
            self.step_size < steps - self.warmup_steps,
            "step_size",
            f"is not below the {steps - self.warmup_steps} steps after the warm-up: the rate"
            " would never decay",
        )

    def _after_warmup(self, learning_rate: float, t: Array, length: int) -> Array:
        rates: Array = learning_rate * self.gamma ** np.floor(t / self.step_size)
        return rates


@dataclass(frozen=True, slots=True, kw_only=True)
class Cosine(Schedule):
    name: ClassVar[ScheduleName] = "cosine"

    min_learning_rate: float = 0.0
    cycle: int | None = None

    def __post_init__(self) -> None:
        super(Cosine, self).__post_init__()
        _require(self.min_learning_rate >= 0, "min_learning_rate", "must be >= 0")
        _require(self.cycle is None or self.cycle >= 1, "cycle", "must be >= 1")

    def check(self, learning_rate: float, steps: int) -> None:
        super(Cosine, self).check(learning_rate, steps)
        _require(
            self.min_learning_rate < learning_rate,
            "min_learning_rate",
            f"must be below the learning rate {learning_rate:g} it anneals from",
        )
        _require(
            self.cycle is not None or steps > self.warmup_steps,
            "warmup_steps",
            "leaves no steps to anneal over",
        )

    def _after_warmup(self, learning_rate: float, t: Array, length: int) -> Array:
        cycle = self.cycle or max(length, 1)
        low = self.min_learning_rate
        rates: Array = low + (learning_rate - low) * (1 + np.cos(math.pi * t / cycle)) / 2
        return rates


SCHEDULES: Mapping[ScheduleName, type[Schedule]] = MappingProxyType(
    {kind.name: kind for kind in (Constant, StepDecay, Cosine)}
)
