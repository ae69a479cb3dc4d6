"""What a training run and a training comparison answer (POST /api/v1/simulations/training and
/training-comparison), as frozen dataclasses mirroring the OpenAPI schemas of the same names
without their ``Result``/``Response`` suffix; the task and the optimizer, described in full
by the service, stay dictionaries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from service.client.results import ParamValue, build

__all__ = [
    "Cost",
    "Curves",
    "Distribution",
    "Estimate",
    "Final",
    "Layers",
    "Ranking",
    "Run",
    "RunInit",
    "Standing",
    "TrainingComparison",
    "TrainingLayer",
    "TrainingRun",
]


@dataclass(frozen=True, slots=True)
class Distribution:
    """Across trials, one value per element (recorded step or layer)."""

    mean: list[float]
    std: list[float]
    min: list[float]
    q10: list[float]
    q25: list[float]
    median: list[float]
    q75: list[float]
    q90: list[float]
    max: list[float]


def _distribution(data: Mapping[str, Any] | None) -> Distribution | None:
    return None if data is None else build(Distribution, data)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean over trials with its confidence interval (None with one trial)."""

    mean: float
    std: float
    low: float | None
    high: float | None
    trials: int


def _estimate(data: Mapping[str, Any] | None) -> Estimate | None:
    return None if data is None else build(Estimate, data)


@dataclass(frozen=True, slots=True)
class Curves:
    steps: list[int]
    learning_rate: list[float | None]
    train_loss: Distribution
    test_loss: Distribution
    train_accuracy: Distribution | None
    test_accuracy: Distribution | None
    dead_fraction: Distribution
    grad_norm: Distribution

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Curves:
        series = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
        nested = {name: _distribution(data[name]) for name in (*series, "dead_fraction")}
        return build(cls, data, **nested, grad_norm=_distribution(data["grad_norm"]))


@dataclass(frozen=True, slots=True)
class TrainingLayer:
    dead_fraction: Distribution
    saturated_fraction: Distribution
    grad_rms: Distribution

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrainingLayer:
        return cls(**{f.name: build(Distribution, data[f.name]) for f in fields(cls)})


@dataclass(frozen=True, slots=True)
class Layers:
    initial: TrainingLayer
    final: TrainingLayer


@dataclass(frozen=True, slots=True)
class Final:
    train_loss: Estimate
    test_loss: Estimate
    train_accuracy: Estimate | None
    test_accuracy: Estimate | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Final:
        return build(cls, data, **{f.name: _estimate(data[f.name]) for f in fields(cls)})


@dataclass(frozen=True, slots=True)
class RunInit:
    scheme: str
    gain: float | None
    sigma_w2: list[float]
    sigma_b2: list[float]
    bias_mean: float


@dataclass(frozen=True, slots=True)
class Run:
    """One activation (or entrant) trained from every seed: curves, layers, final values."""

    label: str
    activation: str
    params: dict[str, ParamValue]
    widths: list[int]
    optimizer: dict[str, Any]
    learning_rate: float
    batch: int
    init: RunInit
    curves: Curves
    layers: Layers
    final: Final
    born_dead_fraction: float
    died_fraction: float
    diverged_fraction: float

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Run:
        layers = data["layers"]
        return build(
            cls,
            data,
            init=build(RunInit, data["init"]),
            curves=Curves.from_json(data["curves"]),
            layers=Layers(
                TrainingLayer.from_json(layers["initial"]), TrainingLayer.from_json(layers["final"])
            ),
            final=Final.from_json(data["final"]),
        )


@dataclass(frozen=True, slots=True)
class Cost:
    multiply_adds: int
    element_ops: int
    layer_steps: int
    floats: int


@dataclass(frozen=True, slots=True)
class _Answer:
    """What a run and a comparison both answer: the task with every setting, and the cost."""

    task: dict[str, Any]
    train_examples: int
    test_examples: int
    trials: int
    seed: int
    dtype: str
    steps: int
    confidence: float
    cost: Cost


@dataclass(frozen=True, slots=True)
class TrainingRun(_Answer):
    """POST /simulations/training."""

    run: Run

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrainingRun:
        return build(cls, data, cost=build(Cost, data["cost"]), run=Run.from_json(data["run"]))


@dataclass(frozen=True, slots=True)
class Standing:
    label: str
    rank: int
    estimate: Estimate
    versus_best: Estimate | None
    distinguishable: bool | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Standing:
        return build(
            cls,
            data,
            estimate=build(Estimate, data["estimate"]),
            versus_best=_estimate(data["versus_best"]),
        )


@dataclass(frozen=True, slots=True)
class Ranking:
    metric: str
    step: int
    confidence: float
    standings: list[Standing]


@dataclass(frozen=True, slots=True)
class TrainingComparison(_Answer):
    """POST /simulations/training-comparison: every entrant's run, and their ranking."""

    entrants: list[Run]
    ranking: Ranking

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrainingComparison:
        ranking = data["ranking"]
        return build(
            cls,
            data,
            cost=build(Cost, data["cost"]),
            entrants=[Run.from_json(run) for run in data["entrants"]],
            ranking=build(
                Ranking, ranking, standings=[Standing.from_json(s) for s in ranking["standings"]]
            ),
        )
