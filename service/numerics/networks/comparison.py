"""Training runs and comparisons: what they cost, running them, and ranking the entrants.

A comparison trains each entrant (service.numerics.networks.runs) on the same data with the
same seeds, then ranks them by one metric at the last step: by the mean over trials, best
first (lowest loss, highest accuracy), each mean with its confidence interval and, against
the best, the paired difference trial by trial with its interval
(service.numerics.networks.trials). An entrant is distinguishable from the best when that
interval excludes 0.

The cost model, checked before any work starts:

- multiply-adds, what BLAS does (forward-pass equivalents: a backward pass costs about twice
  its forward pass again): per entrant, trials x ((steps + 1) x batch x weights for the
  training steps + records x examples x weights for the measurements on both splits), plus
  the task's teacher over its data set once;
- element-wise operations, what numpy and the activation's kernel do outside BLAS, memory-bound
  and some ten times dearer each than a multiply-add: per entrant, trials x ((steps + 1) x
  batch x units x (6 + a) for the training steps, + records x examples x units x (4 + a) for
  the measurements, + steps x parameters x the optimizer's operations per parameter), a being
  what the activation's value and slope cost per element (``ACTIVATION_OPS``);
- layer steps, what the interpreter pays whatever the sizes: per entrant, (steps + 1 +
  records x blocks of the measurement passes) x layers;
- floats held at once: the data set, and for the largest entrant its stacked trials'
  parameters, gradients and optimizer state (parameters x (2 + the optimizer's buffers)), a
  batch's activations and slopes, and a measurement block.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from types import MappingProxyType
from typing import Final, Literal

import numpy as np

from service.numerics.catalog.facts import CostClass, declared
from service.numerics.deadline import Deadline
from service.numerics.exceptions import InvalidInput, LimitExceeded
from service.numerics.networks.runs import (
    EVALUATION_FLOATS,
    Entrant,
    History,
    Study,
    study_data,
    train_entrant,
)
from service.numerics.networks.simulation import Limits
from service.numerics.networks.tasks import NonlinearTeacher, Plane
from service.numerics.networks.trials import Estimate, estimate, paired
from service.numerics.types import DtypeName

__all__ = [
    "ACTIVATION_OPS",
    "Comparison",
    "Cost",
    "Metric",
    "Ranking",
    "Standing",
    "compare",
    "cost",
    "default_metric",
    "rank",
]

Metric = Literal["test_loss", "test_accuracy", "train_loss", "train_accuracy"]
_STEP_OPS: Final = 6
"""Element-wise operations per unit and example of a training step besides the activation:
the bias, the slope times the gradient, the copies, the losses' share."""
_MEASURE_OPS: Final = 4
"""Per unit and example of a measurement, besides the activation: the bias and the tests for
dead and saturated units."""
ACTIVATION_OPS: Final[Mapping[tuple[DtypeName, CostClass], int]] = MappingProxyType(
    {
        ("float32", "piecewise-linear"): 2,
        ("float32", "polynomial"): 1,
        ("float32", "division"): 1,
        ("float32", "sqrt"): 2,
        ("float32", "exp"): 6,
        ("float32", "log"): 4,
        ("float32", "erf"): 4,
        ("float32", "trig"): 3,
        ("float64", "piecewise-linear"): 15,
        ("float64", "polynomial"): 5,
        ("float64", "division"): 3,
        ("float64", "sqrt"): 14,
        ("float64", "exp"): 134,
        ("float64", "log"): 11,
        ("float64", "erf"): 40,
        ("float64", "trig"): 56,
    }
)
"""What the value and slope of an activation cost per element, in element-wise operations (of
about 1.1 ns on the 2-core machine this was measured on), by the cost class its entry declares:
the dearest entry of each class, timed on 10^6 elements. float32 runs the entries' compiled
kernels, float64 their numpy functions (mish's long-double slope makes float64 exp so dear)."""


@dataclass(frozen=True, slots=True)
class Cost:
    """What a request asks for, in the units of its limits."""

    multiply_adds: int
    element_ops: int
    layer_steps: int
    floats: int


@dataclass(frozen=True, slots=True)
class Standing:
    label: str
    rank: int
    estimate: Estimate
    versus_best: Estimate | None
    distinguishable: bool | None


@dataclass(frozen=True, slots=True)
class Ranking:
    metric: Metric
    step: int
    confidence: float
    standings: list[Standing]


@dataclass(frozen=True, slots=True)
class Comparison:
    histories: list[History]
    ranking: Ranking
    cost: Cost


def default_metric(study: Study) -> Metric:
    """Test accuracy for classification, test loss for regression."""
    return "test_accuracy" if isinstance(study.task, Plane) else "test_loss"


def _check(loc: Sequence[str | int], limit: str, maximum: int, value: int, what: str) -> None:
    if value > maximum:
        raise LimitExceeded(loc, limit=limit, maximum=maximum, value=value, what=what)


def cost(entrants: Sequence[Entrant], study: Study, limits: Limits) -> Cost:
    """The request's cost; LimitExceeded (naming the limit and the field) over any limit."""
    task = study.task
    _check(("trials",), "max_trials", limits.max_trials, study.trials, "trials")
    _check(("entrants",), "max_entrants", limits.max_entrants, len(entrants), "entrants")
    _check(("batch",), "max_batch", limits.max_batch, study.batch, "batch")
    _check(("task", "size"), "max_examples", limits.max_examples, task.size, "examples")
    for name in ("inputs", "outputs", "width", "features"):
        value = getattr(task, name, None)
        if isinstance(value, int):
            _check(("task", name), "max_width", limits.max_width, value, name)
    if isinstance(task, NonlinearTeacher):
        _check(("task", "depth"), "max_depth", limits.max_depth, task.depth, "depth")
    held_out = round(task.size * task.test_fraction)
    examples = task.size - held_out
    multiply_adds = task.size * task.teacher_weights
    element_ops, layer_steps, floats = 0, 0, 0
    for index, entrant in enumerate(entrants):
        hidden, training = entrant.widths, entrant.training
        where = ("entrants", index) if len(entrants) > 1 else ()
        _check((*where, "depth"), "max_depth", limits.max_depth, len(hidden), "depth")
        _check((*where, "width"), "max_width", limits.max_width, max(hidden), "width")
        steps = training.steps
        _check(("training", "steps"), "max_run_steps", limits.max_run_steps, steps, "steps")
        records = len(study.recorded_steps(steps))
        _check(("record_every",), "max_records", limits.max_records, records, "records")
        widths = (task.inputs, *hidden, task.outputs)
        kind: CostClass = declared(entrant.activation.facts.cost, entrant.params)
        activation_ops = ACTIVATION_OPS.get((study.dtype, kind), max(ACTIVATION_OPS.values()))
        weights = sum(a * b for a, b in pairwise(widths))
        parameters, units = weights + sum(widths[1:]), sum(widths[1:])
        batch = min(study.batch, examples)
        block = max(1, EVALUATION_FLOATS // (study.trials * units))
        blocks = math.ceil(examples / block) + math.ceil(held_out / block)
        optimizer = training.optimizer
        multiply_adds += study.trials * (
            (steps + 1) * batch * weights + records * task.size * weights
        )
        element_ops += study.trials * (
            (steps + 1) * batch * units * (_STEP_OPS + activation_ops)
            + records * task.size * units * (_MEASURE_OPS + activation_ops)
            + steps * parameters * optimizer.work()
        )
        layer_steps += (steps + 1 + records * blocks) * (len(widths) - 1)
        state = parameters * (2 + optimizer.buffers()) + batch * (2 * units + task.inputs)
        floats = max(floats, study.trials * state + 2 * EVALUATION_FLOATS)
    floats += task.size * (task.inputs + task.outputs)
    _check(
        ("training", "steps"),
        "max_training_multiply_adds",
        limits.max_training_multiply_adds,
        multiply_adds,
        "multiply-adds",
    )
    _check(
        ("training", "steps"),
        "max_element_ops",
        limits.max_element_ops,
        element_ops,
        "element-wise operations",
    )
    _check(
        ("training", "steps"), "max_layer_steps", limits.max_layer_steps, layer_steps, "layer steps"
    )
    _check(("trials",), "max_training_floats", limits.max_training_floats, floats, "floats")
    return Cost(multiply_adds, element_ops, layer_steps, floats)


def compare(
    entrants: Sequence[Entrant],
    study: Study,
    limits: Limits,
    *,
    metric: Metric | None = None,
    confidence: float = 0.95,
    deadline: Deadline | None = None,
) -> Comparison:
    """Trains every entrant on the same data with the same seeds, and ranks them. The same
    request gives the same numbers, bit for bit, with the same BLAS and thread count."""
    if not 0 < confidence < 1:
        raise InvalidInput(("confidence",), "must be in (0, 1)")
    metric = metric or default_metric(study)
    if metric.endswith("accuracy") and not isinstance(study.task, Plane):
        raise InvalidInput(("rank_by",), f"{metric} needs a classification task")
    labels = [entrant.label for entrant in entrants]
    if len(set(labels)) != len(labels):
        raise InvalidInput(("entrants",), "two entrants have the same label")
    spent = cost(entrants, study, limits)
    data = study_data(study)
    histories = [train_entrant(entrant, study, data, deadline=deadline) for entrant in entrants]
    return Comparison(histories, rank(histories, labels, metric, confidence), spent)


def rank(
    histories: Sequence[History], labels: Sequence[str], metric: Metric, confidence: float
) -> Ranking:
    """The entrants by their mean ``metric`` at the last step, best first."""
    finals = []
    for history in histories:
        values = getattr(history, metric)
        assert values is not None
        finals.append(np.asarray(values)[:, -1])
    sign = -1.0 if metric.endswith("accuracy") else 1.0
    # A loss that diverged is inf: last, as it should be; nan sorts after it.
    keys = [sign * float(np.mean(v)) for v in finals]
    order = sorted(range(len(finals)), key=lambda i: (math.isnan(keys[i]), keys[i]))
    best = finals[order[0]]
    standings = []
    for place, index in enumerate(order, start=1):
        versus = None if place == 1 else paired(finals[index], best, confidence)
        distinguishable = (
            None
            if versus is None or versus.low is None or versus.high is None
            else not versus.low <= 0 <= versus.high
        )
        standings.append(
            Standing(
                labels[index],
                place,
                estimate(finals[index], confidence),
                versus,
                distinguishable,
            )
        )
    return Ranking(metric, histories[0].steps[-1], confidence, standings)
