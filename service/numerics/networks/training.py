"""How a network is trained (``Training``: steps, optimizer, rate, schedule, clipping), and the
gradient-flow experiment's training probe: a few steps on a synthetic regression task, and
what they do to each layer.

The probe's task: inputs from the experiment's distribution, targets t = x T of a fixed linear
teacher, per-example loss l = 1/2 |y - t|^2, the optimizer on the batch mean L with a fresh
batch at every step. A step's record is taken on that step's batch before its update, so
step 0 is the network as initialised and step k the network after k updates; too large a
rate shows as relu units that die (dead_fraction rising towards 1) or as a loss that
overflows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from service.numerics.deadline import Deadline
from service.numerics.exceptions import InvalidInput
from service.numerics.networks.optimizers import Optimizer, Sgd, clip_by_global_norm
from service.numerics.networks.propagation import LayerStats, Network, backward, forward
from service.numerics.networks.schedules import Constant, Schedule
from service.numerics.types import Array

__all__ = ["Training", "TrainingStep", "flat_parameters", "train"]


@dataclass(frozen=True, slots=True)
class Training:
    """``steps`` updates of every W and b by ``optimizer`` (plain SGD by default) at
    ``learning_rate`` (the optimizer's PyTorch default if None) as ``schedule`` varies it,
    the gradients first clipped to a global 2-norm of ``clip_norm`` if given."""

    steps: int
    learning_rate: float | None = None
    optimizer: Optimizer = field(default_factory=Sgd)
    schedule: Schedule = field(default_factory=Constant)
    clip_norm: float | None = None

    def __post_init__(self) -> None:
        if self.steps < 0:
            raise InvalidInput(("training", "steps"), "must be >= 0")
        if self.learning_rate is not None and not self.learning_rate > 0:
            raise InvalidInput(("training", "learning_rate"), "must be > 0")
        if self.clip_norm is not None and not self.clip_norm > 0:
            raise InvalidInput(("training", "clip_norm"), "must be > 0")
        self.schedule.check(self.rate, self.steps)

    @property
    def rate(self) -> float:
        """The base learning rate."""
        if self.learning_rate is None:
            return self.optimizer.default_learning_rate
        return self.learning_rate

    def rates(self) -> Array:
        """The learning rate of each update."""
        return self.schedule.rates(self.rate, self.steps)


@dataclass(frozen=True, slots=True)
class TrainingStep:
    """The network after ``step`` updates, on that step's batch: one value per layer."""

    step: int
    loss: float
    dead_fraction: list[float]
    inactive_fraction: list[float]
    saturated_fraction: list[float]
    preact_std: list[float]
    grad_preact_rms: list[float]
    grad_weight_to_weight_norm: list[float]


def flat_parameters(
    network: Network,
) -> tuple[list[Array], list[Array], list[tuple[Array, Array]]]:
    """The parameters W1, b1, W2, b2, ... in one list, gradient buffers in the same order, and
    the buffers again as (dW, db) pairs per layer for ``backward``."""
    pairs = [
        (np.zeros_like(w), np.zeros_like(b))
        for w, b in zip(network.weights, network.biases, strict=True)
    ]
    params = [p for pair in zip(network.weights, network.biases, strict=True) for p in pair]
    return params, [g for pair in pairs for g in pair], pairs


def train(
    network: Network,
    training: Training,
    *,
    batches: Callable[[], Array],
    teacher: Array,
    deadline: Deadline | None = None,
) -> list[TrainingStep]:
    """Trains ``network`` in place; steps + 1 records, from the initial network on."""
    params, grads, pairs = flat_parameters(network)
    stepper = training.optimizer.start(params)
    rates = training.rates()
    steps = []
    for step in range(training.steps + 1):
        x = batches()
        stats = [LayerStats() for _ in network.weights]
        inputs, slopes = forward(network, x, stats, deadline=deadline)
        error = inputs[-1] - x @ teacher
        loss = 0.5 * float(np.square(error, dtype=np.float64).sum()) / x.shape[0]
        backward(network, inputs, slopes, error, gradients=pairs, stats=stats, deadline=deadline)
        if step < training.steps:
            if training.clip_norm is not None:
                clip_by_global_norm(grads, training.clip_norm, stacked=False)
            stepper.step(params, grads, float(rates[step]))
        steps.append(
            TrainingStep(
                step,
                loss,
                dead_fraction=[s.dead_fraction for s in stats],
                inactive_fraction=[s.inactive_fraction for s in stats],
                saturated_fraction=[s.saturated_fraction for s in stats],
                preact_std=[s.preact_std for s in stats],
                grad_preact_rms=[s.grad_preact_rms for s in stats],
                grad_weight_to_weight_norm=[s.grad_weight_to_weight_norm for s in stats],
            )
        )
    return steps
