"""Training runs: one configuration trained from several seeds side by side, recorded as it goes.

A run trains ``trials`` networks of one shape on one task: ``widths`` hidden layers of the
activation, then a linear readout to the task's outputs (service.numerics.networks.tasks).
Every random draw comes from the request's seed through numpy's SeedSequence, by role, so
that each is the same whatever else the request asks: the data set from (seed, 0); trial t's
network from (seed, 1, t, 0) and its batch order from (seed, 1, t, 1). Entrants of a
comparison thus share the data, and trial t of each shares its seeds with the others; trial
t of a run is the same network whether the run has 2 trials or 50.

The trials are trained as one stack (service.numerics.networks.propagation), each with its
own weights, optimizer state and batches: minibatches of ``batch`` examples taken in a fresh
random order every epoch (epochs run into each other), or the whole training split at every
step when it is no larger than the batch.

At each recorded step (0, every ``record_every`` steps, and the last; by default about once
an epoch, between 10 and 100 records) the run measures the network before that step's update: loss (and accuracy) on the whole training and test
splits; per hidden layer, on the training split, the share of dead units (phi'(h) = 0 for
every example: a relu that never fires) and of saturated ones (|phi'(h)| below 1% of its
largest value, averaged over examples); per layer, the RMS of dL/dW on that step's batch, and
the global norm of the gradient before clipping. A network is born dead when some hidden
layer is dead throughout at step 0 (its output is then constant: nothing below it can
learn), dies when that happens by the last step to a network born alive, and diverges when
its final training loss is not finite.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Final

import numpy as np
import numpy.typing as npt

from service.numerics.catalog.entry import Activation
from service.numerics.deadline import Deadline
from service.numerics.networks.initialisation import Init, ResolvedInit, draw, readout, resolve
from service.numerics.networks.optimizers import clip_by_global_norm, squared_norms
from service.numerics.networks.propagation import (
    SATURATION_FRACTION,
    Network,
    backward,
    forward,
    max_slope,
    require_elementwise,
)
from service.numerics.networks.tasks import Data, Task, build, loss_gradient, scores
from service.numerics.networks.training import Training
from service.numerics.types import DTYPES, Array, DtypeName, ParamValue

__all__ = [
    "EVALUATION_FLOATS",
    "MAX_DEFAULT_RECORDS",
    "MIN_DEFAULT_RECORDS",
    "Entrant",
    "History",
    "Study",
    "generator",
    "study_data",
    "train_entrant",
]

MIN_DEFAULT_RECORDS, MAX_DEFAULT_RECORDS = 10, 100
"""Without record_every, a run records about once an epoch (each measurement passes over the
whole data set, as an epoch does), but at least and at most this many times."""
EVALUATION_FLOATS: Final = 2**22
"""Activations one block of an evaluation pass may hold: the splits are measured in blocks of
rows, so that a large test set costs time, not memory."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entrant:
    """One configuration: the activation, the hidden widths, the initialisation and training."""

    activation: Activation
    params: Mapping[str, ParamValue]
    widths: tuple[int, ...]
    training: Training
    init: Init = field(default_factory=Init)
    label: str = ""

    def __post_init__(self) -> None:
        require_elementwise(self.activation)


@dataclass(frozen=True, slots=True, kw_only=True)
class Study:
    """What every entrant shares: the task and its data, batch size, seeds, precision and when
    to record."""

    task: Task
    batch: int
    seed: int
    trials: int = 1
    dtype: DtypeName = "float32"
    record_every: int | None = None

    def recorded_steps(self, steps: int) -> tuple[int, ...]:
        """The steps a run of ``steps`` updates records: 0, every record_every, the last."""
        every = self.record_every
        if every is None:
            epochs = (steps + 1) * self.batch / self.task.size
            records = min(max(math.ceil(epochs), MIN_DEFAULT_RECORDS), MAX_DEFAULT_RECORDS)
            every = max(1, math.ceil(steps / records))
        return (*range(0, steps, every), steps)


@dataclass(frozen=True, slots=True)
class History:
    """One entrant's trials: arrays of (trials, records), per-layer ones (trials, records,
    layers); accuracies are None for regression. ``learning_rate`` is that of each recorded
    step's update (None at the last step, which has none)."""

    steps: tuple[int, ...]
    learning_rate: list[float | None]
    batch: int
    widths: tuple[int, ...]
    init: ResolvedInit
    train_loss: Array
    test_loss: Array
    train_accuracy: Array | None
    test_accuracy: Array | None
    dead_fraction: Array
    grad_norm: Array
    layer_dead_fraction: Array
    layer_saturated_fraction: Array
    layer_grad_rms: Array

    @property
    def born_dead(self) -> npt.NDArray[np.bool_]:
        """Per trial: a hidden layer dead on every training example at step 0."""
        dead: npt.NDArray[np.bool_] = (self.layer_dead_fraction[:, 0] == 1).any(axis=-1)
        return dead

    @property
    def died(self) -> npt.NDArray[np.bool_]:
        """Per trial: born alive, with such a layer at the last step."""
        dead: npt.NDArray[np.bool_] = (self.layer_dead_fraction[:, -1] == 1).any(axis=-1)
        return ~self.born_dead & dead

    @property
    def diverged(self) -> npt.NDArray[np.bool_]:
        """Per trial: a final training loss that is not finite."""
        finite: npt.NDArray[np.bool_] = np.isfinite(self.train_loss[:, -1])
        return ~finite


def generator(seed: int, *role: int) -> np.random.Generator:
    """The generator of one role (see the module's docstring) under the request's seed."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=role))


def study_data(study: Study) -> Data:
    """The task's data set, the same for every entrant."""
    return build(study.task, generator(study.seed, 0), DTYPES[study.dtype])


class _Batches:
    """Each trial's minibatches: its own random order of the training split every epoch."""

    def __init__(self, examples: int, batch: int, rngs: Sequence[np.random.Generator]) -> None:
        self.examples, self.batch, self.rngs = examples, batch, rngs
        self.queue = np.empty((len(rngs), 0), dtype=np.intp)

    def next(self) -> npt.NDArray[np.intp]:
        while self.queue.shape[1] < self.batch:
            epoch = np.stack([rng.permutation(self.examples) for rng in self.rngs])
            self.queue = np.concatenate((self.queue, epoch), axis=1)
        taken, self.queue = self.queue[:, : self.batch], self.queue[:, self.batch :]
        return taken


def _draw(
    entrant: Entrant, study: Study, widths: tuple[int, ...]
) -> tuple[Network, ResolvedInit, Array]:
    """The trials' networks, and their parameters as one (trials, parameters) array."""
    hidden = resolve(entrant.init, entrant.activation, entrant.params, widths[:-1])
    laws = (*hidden.layers, readout(entrant.init, widths[-2], widths[-1]))
    rngs = [generator(study.seed, 1, t, 0) for t in range(study.trials)]
    flat, shapes = _flat(study.trials, widths, DTYPES[study.dtype])
    weights, biases = _views(flat, shapes)
    for law, (n_in, n_out), w, b in zip(laws, pairwise(widths), weights, biases, strict=True):
        for trial, rng in enumerate(rngs):
            w[trial], b[trial, 0] = draw(law, n_in, n_out, rng, DTYPES[study.dtype])
    network = Network(
        entrant.activation, entrant.params, weights, biases, readout=True, evaluated=True
    )
    return network, hidden, flat


def _flat(
    trials: int, widths: tuple[int, ...], dtype: type[np.floating]
) -> tuple[Array, list[tuple[int, int]]]:
    shapes = list(pairwise(widths))
    return np.zeros((trials, sum(a * b + b for a, b in shapes)), dtype=dtype), shapes


def _views(flat: Array, shapes: list[tuple[int, int]]) -> tuple[list[Array], list[Array]]:
    """Each layer's W (trials, fan_in, fan_out) and b (trials, 1, fan_out) as views of one
    array: the optimizer then updates every parameter in a few passes over one array instead
    of a few per layer, which is what a small network's step mostly costs."""
    trials, offset = flat.shape[0], 0
    weights, biases = [], []
    for n_in, n_out in shapes:
        weights.append(flat[:, offset : offset + n_in * n_out].reshape(trials, n_in, n_out))
        offset += n_in * n_out
        biases.append(flat[:, offset : offset + n_out].reshape(trials, 1, n_out))
        offset += n_out
    return weights, biases


@dataclass(slots=True)
class _Recorder:
    """The arrays of a History, filled record by record."""

    trials: int
    records: int
    layers: int
    classes: int | None
    values: dict[str, Array] = field(init=False)

    def __post_init__(self) -> None:
        shape, layered = (self.trials, self.records), (self.trials, self.records, self.layers)
        names = ["train_loss", "test_loss", "dead_fraction", "grad_norm"]
        if self.classes is not None:
            names += ["train_accuracy", "test_accuracy"]
        self.values = {name: np.zeros(shape) for name in names}
        self.values |= {
            "layer_dead_fraction": np.zeros(layered),
            "layer_saturated_fraction": np.zeros(layered),
            "layer_grad_rms": np.zeros((self.trials, self.records, self.layers + 1)),
        }


def train_entrant(
    entrant: Entrant, study: Study, data: Data, *, deadline: Deadline | None = None
) -> History:
    """Trains the entrant's trials on ``data``; ``deadline`` is checked at every step and
    every layer (DeadlineExceeded past it)."""
    training, classes = entrant.training, data.classes
    outputs = classes or data.y_train.shape[1]
    widths = (data.x_train.shape[1], *entrant.widths, outputs)
    network, init, flat = _draw(entrant, study, widths)
    gradients = np.zeros_like(flat)
    grad_weights, grad_biases = _views(gradients, list(pairwise(widths)))
    pairs = list(zip(grad_weights, grad_biases, strict=True))
    stepper = training.optimizer.start([flat])
    rates = training.rates()
    examples = data.x_train.shape[0]
    batch = min(study.batch, examples)
    orders = [generator(study.seed, 1, t, 1) for t in range(study.trials)]
    batches = _Batches(examples, batch, orders) if batch < examples else None
    steps = study.recorded_steps(training.steps)
    at = {step: record for record, step in enumerate(steps)}
    recorder = _Recorder(study.trials, len(steps), len(entrant.widths), classes)
    values = recorder.values
    threshold = SATURATION_FRACTION * max_slope(entrant.activation, entrant.params)
    # Networks that blow up give inf and nan: the honest record of a diverged run.
    with np.errstate(all="ignore"):
        for step in range(training.steps + 1):
            if deadline is not None:
                deadline.check()
            if batches is None:
                x, y = data.x_train, data.y_train
            else:
                taken = batches.next()
                x, y = data.x_train[taken], data.y_train[taken]
            inputs, slopes = forward(network, x, deadline=deadline)
            gradient = loss_gradient(inputs[-1], y, classes)
            backward(network, inputs, slopes, gradient, gradients=pairs, deadline=deadline)
            record = at.get(step)
            if record is not None or training.clip_norm is not None:
                norms = clip_by_global_norm([gradients], training.clip_norm, stacked=True)
            if record is not None:
                values["grad_norm"][:, record] = norms
                values["layer_grad_rms"][:, record] = np.sqrt(
                    squared_norms(grad_weights, stacked=True).T / [g[0].size for g in grad_weights]
                )
                _measure(network, data, values, record, threshold, deadline)
            if step < training.steps:
                stepper.step([flat], [gradients], float(rates[step]))
    return History(
        steps,
        [float(rates[step]) if step < training.steps else None for step in steps],
        batch,
        widths,
        init,
        train_accuracy=values.get("train_accuracy"),
        test_accuracy=values.get("test_accuracy"),
        **{k: v for k, v in values.items() if not k.endswith("accuracy")},
    )


def _measure(
    network: Network,
    data: Data,
    values: dict[str, Array],
    record: int,
    threshold: float,
    deadline: Deadline | None,
) -> None:
    """Loss and accuracy on both splits; dead and saturated units on the training split."""
    for split, x, y in (("train", data.x_train, data.y_train), ("test", data.x_test, data.y_test)):
        loss, correct, dead, saturated = _evaluate(
            network, x, y, data.classes, threshold, track=split == "train", deadline=deadline
        )
        values[f"{split}_loss"][:, record] = loss
        if correct is not None:
            values[f"{split}_accuracy"][:, record] = correct
        if split == "train":
            values["layer_dead_fraction"][:, record] = dead
            values["layer_saturated_fraction"][:, record] = saturated
            widths = np.array([w.shape[-1] for w in network.weights[:-1]])
            values["dead_fraction"][:, record] = dead @ widths / widths.sum()


def _evaluate(
    network: Network,
    x: Array,
    y: Array,
    classes: int | None,
    threshold: float,
    *,
    track: bool,
    deadline: Deadline | None,
) -> tuple[Array, Array | None, Array, Array]:
    """Mean loss, accuracy, and per hidden layer the shares of dead and saturated units."""
    trials, rows = network.weights[0].shape[0], x.shape[0]
    hidden = [w.shape[-1] for w in network.weights[:-1]]
    block = max(1, EVALUATION_FLOATS // (trials * (sum(hidden) + network.weights[-1].shape[-1])))
    loss, correct = np.zeros(trials), np.zeros(trials)
    active = [np.zeros((trials, 1, n)) for n in hidden]
    saturated = np.zeros((trials, len(hidden)))
    for start in range(0, rows, block):
        part = slice(start, start + block)
        inputs, slopes = forward(network, x[part], deadline=deadline)
        part_loss, part_correct = scores(inputs[-1], y[part], classes)
        loss += part_loss
        if part_correct is not None:
            correct += part_correct
        if not track:
            continue
        # Per unit, the examples where it is active: a BLAS product with a row of ones, as
        # numpy's reductions along the middle (example) axis are several times slower.
        ones = np.ones((1, inputs[0].shape[-2]), dtype=x.dtype)
        for layer, slope in enumerate(slopes[:-1]):
            assert slope is not None
            active[layer] += np.matmul(ones, (slope != 0).astype(x.dtype))
            flat = np.abs(slope).reshape(trials, -1)
            saturated[:, layer] += np.count_nonzero(flat < threshold, axis=1)
    dead = np.column_stack([(units == 0).mean(axis=(-2, -1)) for units in active])
    return (
        loss / rows,
        correct / rows if classes is not None else None,
        dead,
        saturated / (rows * np.array(hidden)),
    )
