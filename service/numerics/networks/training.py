"""A few SGD steps on a synthetic regression task, and what they do to each layer.

The task: inputs from the experiment's distribution, targets t = x T of a fixed linear teacher,
per-example loss l = 1/2 |y - t|^2, SGD on the batch mean L with a fresh batch at every step.
A step's record is taken on that step's batch before its update, so step 0 is the network as
initialised and step k the network after k updates; too large a rate shows as relu units
that die (dead_fraction rising towards 1) or as a loss that overflows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from service.numerics.deadline import Deadline
from service.numerics.networks.propagation import LayerStats, Network, backward, forward
from service.numerics.types import Array

__all__ = ["Training", "TrainingStep", "train"]


@dataclass(frozen=True, slots=True)
class Training:
    """SGD: ``steps`` updates of every W and b at this learning rate."""

    steps: int
    learning_rate: float


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


def train(
    network: Network,
    training: Training,
    *,
    batches: Callable[[], Array],
    teacher: Array,
    deadline: Deadline | None = None,
) -> list[TrainingStep]:
    """Trains ``network`` in place; steps + 1 records, from the initial network on."""
    steps = []
    for step in range(training.steps + 1):
        x = batches()
        stats = [LayerStats() for _ in network.weights]
        inputs, slopes = forward(network, x, stats, deadline=deadline)
        error = inputs[-1] - x @ teacher
        loss = 0.5 * float(np.square(error, dtype=np.float64).sum()) / x.shape[0]
        rate = training.learning_rate if step < training.steps else None
        backward(network, inputs, slopes, error, stats=stats, learning_rate=rate, deadline=deadline)
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
