"""What a network is trained on: data sets with a held-out split, and their losses.

Regression, per-example loss l = |y - t|^2 / 2 on the network's linear readout y:

- ``LinearTeacher``: x ~ N(0, I_d), t = x T + noise z with T ~ N(0, 1 / d), so that each target
  has variance 1 + noise^2 in expectation over T;
- ``NonlinearTeacher``: t = f(x) + noise z, f a random network (``depth`` layers of ``width``
  units of its activation, xavier_normal with the activation's gain, zero biases, then a
  linear readout N(0, 1 / width)), each output scaled to unit variance over the data set.

Classification, per-example loss the softmax cross-entropy l = logsumexp(y) - y_c of the
readout's logits y for class c, accuracy the share of examples whose largest logit is their
class (a row that is not finite counts as wrong):

- ``Plane``: one of service.numerics.networks.datasets' 2-D sets. Its inputs are
  standardised with the training split's mean and standard deviation per coordinate, then,
  with ``features``, replaced by that many random Fourier features.

Each set is drawn once from its generator (``size`` examples), shuffled and split: the last
round(size * test_fraction) examples are held out for testing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from service.numerics.catalog.entry import Activation
from service.numerics.exceptions import InvalidInput
from service.numerics.networks.datasets import PlaneName, fourier_features, plane
from service.numerics.networks.initialisation import Init, draw, resolve
from service.numerics.networks.propagation import Network, forward, require_elementwise
from service.numerics.types import Array, ParamValue

__all__ = [
    "Data",
    "LinearTeacher",
    "NonlinearTeacher",
    "Plane",
    "Task",
    "build",
    "loss_gradient",
    "scores",
]


def _check_split(size: int, test_fraction: float) -> None:
    if size < 2:
        raise InvalidInput(
            ("task", "size"), "must be at least 2: one example to train, one to test"
        )
    if not 0 < test_fraction < 1:
        raise InvalidInput(("task", "test_fraction"), "must be in (0, 1)")
    held_out = round(size * test_fraction)
    if not 0 < held_out < size:
        raise InvalidInput(
            ("task", "test_fraction"),
            f"holds out {held_out} of {size} examples: both splits need at least one",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LinearTeacher:
    inputs: int = 16
    outputs: int = 1
    noise: float = 0.0
    size: int = 1000
    test_fraction: float = 0.2

    def __post_init__(self) -> None:
        _check_split(self.size, self.test_fraction)

    @property
    def teacher_weights(self) -> int:
        return self.inputs * self.outputs


@dataclass(frozen=True, slots=True, kw_only=True)
class NonlinearTeacher:
    activation: Activation
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    inputs: int = 16
    outputs: int = 1
    noise: float = 0.0
    size: int = 1000
    test_fraction: float = 0.2
    depth: int = 2
    width: int = 64

    def __post_init__(self) -> None:
        _check_split(self.size, self.test_fraction)
        require_elementwise(self.activation)

    @property
    def teacher_weights(self) -> int:
        widths = (self.inputs, *(self.width,) * self.depth, self.outputs)
        return sum(a * b for a, b in pairwise(widths))


@dataclass(frozen=True, slots=True, kw_only=True)
class Plane:
    name: PlaneName
    noise: float = 0.0
    size: int = 500
    test_fraction: float = 0.5
    features: int | None = None
    bandwidth: float = 1.0

    def __post_init__(self) -> None:
        _check_split(self.size, self.test_fraction)

    @property
    def inputs(self) -> int:
        return self.features or 2

    @property
    def outputs(self) -> int:
        return 2

    @property
    def teacher_weights(self) -> int:
        return 2 * (self.features or 0)


Task = LinearTeacher | NonlinearTeacher | Plane


@dataclass(frozen=True, slots=True)
class Data:
    """Train and test inputs (examples, inputs), and targets: (examples, outputs) values for
    regression, (examples,) classes for classification (``classes`` then counts them)."""

    x_train: Array
    y_train: npt.NDArray[Any]
    x_test: Array
    y_test: npt.NDArray[Any]
    classes: int | None


def build(task: Task, rng: np.random.Generator, dtype: type[np.floating]) -> Data:
    """The task's data set, drawn from ``rng`` (in float64, then rounded to ``dtype``)."""
    y: npt.NDArray[Any]
    if isinstance(task, Plane):
        x, y = plane(task.name, task.size, task.noise, rng)
    else:
        x = rng.standard_normal((task.size, task.inputs))
        y = _teacher(task, x, rng) + task.noise * rng.standard_normal((task.size, task.outputs))
    order = rng.permutation(task.size)
    cut = task.size - round(task.size * task.test_fraction)
    train, test = order[:cut], order[cut:]
    x_train, x_test = x[train], x[test]
    if isinstance(task, Plane):
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        std[std == 0] = 1.0
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
        if task.features:
            both = fourier_features(
                np.concatenate((x_train, x_test)), task.features, task.bandwidth, rng
            )
            x_train, x_test = both[:cut], both[cut:]
    y_train, y_test = y[train], y[test]
    classes = task.outputs if isinstance(task, Plane) else None
    if classes is None:
        y_train, y_test = y_train.astype(dtype), y_test.astype(dtype)
    return Data(x_train.astype(dtype), y_train, x_test.astype(dtype), y_test, classes)


def _teacher(task: LinearTeacher | NonlinearTeacher, x: Array, rng: np.random.Generator) -> Array:
    if isinstance(task, LinearTeacher):
        teacher = rng.standard_normal((task.inputs, task.outputs)) / math.sqrt(task.inputs)
        targets: Array = x @ teacher
        return targets
    hidden = (task.inputs, *(task.width,) * task.depth)
    laws = resolve(Init(), task.activation, task.params, hidden)
    weights, biases = [], []
    for law, (n_in, n_out) in zip(laws.layers, pairwise(hidden), strict=True):
        w, b = draw(law, n_in, n_out, rng, np.float64)
        weights.append(w)
        biases.append(b)
    weights.append(rng.standard_normal((task.width, task.outputs)) / math.sqrt(task.width))
    biases.append(np.zeros(task.outputs))
    network = Network(task.activation, task.params, weights, biases, readout=True)
    with np.errstate(all="ignore"):
        targets = forward(network, x)[0][-1]
    scale = targets.std(axis=0)
    if not np.isfinite(targets).all() or (scale == 0).any():
        raise InvalidInput(
            ("task", "activation"),
            f"the teacher's outputs are {'not finite' if (scale != 0).all() else 'constant'}:"
            " no target to learn",
        )
    targets /= scale
    return targets


def _softmax_parts(logits: Array) -> tuple[Array, Array, Array, npt.NDArray[np.intp]]:
    """Per example: e_c = exp(y_c - max y) per class, max y, the sum of the e_c, and the first
    class of largest logit (argmax's). Class by class: there are few, and numpy's reductions
    along a short last axis cost far more per element than whole-array operations."""
    classes = logits.shape[-1]
    top, predicted = logits[..., 0].copy(), np.zeros(logits.shape[:-1], dtype=np.intp)
    for c in range(1, classes):
        better = logits[..., c] > top
        predicted[better] = c
        np.maximum(top, logits[..., c], out=top)
    exps = np.empty_like(logits)
    for c in range(classes):
        np.exp(logits[..., c] - top, out=exps[..., c])
    total = exps[..., 0].copy()
    for c in range(1, classes):
        total += exps[..., c]
    return exps, top, total, predicted


def loss_gradient(outputs: Array, targets: npt.NDArray[Any], classes: int | None) -> Array:
    """dl/dy per example: y - t, or softmax(y) - onehot(c)."""
    if classes is None:
        difference: Array = outputs - targets
        return difference
    exps, _, total, _ = _softmax_parts(outputs)
    for c in range(classes):
        exps[..., c] /= total
        exps[..., c] -= targets == c  # the one-hot of each class
    return exps


def scores(
    outputs: Array, targets: npt.NDArray[Any], classes: int | None
) -> tuple[Array, Array | None]:
    """Per trial (the leading axis), the summed loss over the examples, and for classification
    the number classified right; a non-finite loss is inf."""
    if classes is None:
        error = outputs.astype(np.float64) - targets
        losses: Array = 0.5 * np.einsum("...ij,...ij->...", error, error)
        correct = None
    else:
        logits: Array = outputs.astype(np.float64)
        _, top, total, predicted = _softmax_parts(logits)
        logsumexp = top + np.log(total)
        picked = np.zeros_like(logsumexp)
        finite = np.ones(logsumexp.shape, dtype=bool)
        for c in range(classes):
            np.copyto(picked, logits[..., c], where=targets == c)
            finite &= np.isfinite(logits[..., c])
        losses = (logsumexp - picked).sum(axis=-1)
        correct = ((predicted == targets) & finite).sum(axis=-1).astype(np.float64)
    losses[~np.isfinite(losses)] = np.inf
    return losses, correct
