"""Answers of training runs and comparisons: curves and per-layer statistics across trials,
final values with confidence intervals, the ranking and what the request cost.

The definitions of every measurement live in service.numerics.networks.runs (what a run
records), .trials (distributions and confidence intervals) and .comparison (the ranking and
the cost model); the descriptions here repeat them for the API's readers.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import Field

from service.api.schemas.common import Result, spelled
from service.api.schemas.networks import OptimizerSpec, optimizer_spec
from service.api.schemas.training import (
    EntrantSpec,
    TaskSpec,
    TrainingComparisonRequest,
    TrainingRequest,
    TrainingRunRequest,
)
from service.numerics import DtypeName, ParamJSON, networks
from service.numerics.networks import Metric, OptimizerName
from service.numerics.types import Array

__all__ = [
    "CurvesResult",
    "DistributionResult",
    "EstimateResult",
    "RunResult",
    "TrainingComparisonResponse",
    "TrainingRunResponse",
]


class _Result(Result):
    """Diverged runs give inf and nan: written "Infinity", "-Infinity", "NaN", as everywhere in
    the service, and declared so."""


class DistributionResult(_Result):
    """Across trials, one value per element (step or layer): mean, sample std (0 for one
    trial), minimum, quantiles, maximum."""

    mean: list[float]
    std: list[float]
    min: list[float]
    q10: list[float]
    q25: list[float]
    median: list[float]
    q75: list[float]
    q90: list[float]
    max: list[float]

    @classmethod
    def of(cls, values: Array) -> DistributionResult:
        return cls(**asdict(networks.distribution(values)))


class EstimateResult(_Result):
    """A mean over trials with its Student-t confidence interval (null with one trial or a
    value that is not finite)."""

    mean: float
    std: float
    low: float | None
    high: float | None
    trials: int

    @classmethod
    def of(cls, estimate: networks.Estimate) -> EstimateResult:
        return cls(**asdict(estimate))


class CurvesResult(_Result):
    steps: list[int] = Field(description="The recorded steps (updates made before each).")
    learning_rate: list[float | None] = Field(
        description="The rate of each recorded step's update (null at the last step)."
    )
    train_loss: DistributionResult = Field(description="On the whole training split.")
    test_loss: DistributionResult
    train_accuracy: DistributionResult | None = Field(description="Null for regression.")
    test_accuracy: DistributionResult | None
    dead_fraction: DistributionResult = Field(
        description="Share of hidden units with phi'(h) = 0 on every training example."
    )
    grad_norm: DistributionResult = Field(
        description="Global 2-norm of the gradient on the step's batch, before clipping."
    )


class TrainingLayerResult(_Result):
    """Per layer, across trials."""

    dead_fraction: DistributionResult = Field(
        description="Per hidden layer: share of units with phi'(h) = 0 on every training example."
    )
    saturated_fraction: DistributionResult = Field(
        description="Per hidden layer: share of phi'(h) below 1% of the largest |phi'|, over"
        " units and training examples."
    )
    grad_rms: DistributionResult = Field(
        description="Per layer, the readout last: RMS of dL/dW on the step's batch."
    )

    @classmethod
    def of(cls, history: networks.History, at: int) -> TrainingLayerResult:
        return cls(
            dead_fraction=DistributionResult.of(history.layer_dead_fraction[:, at]),
            saturated_fraction=DistributionResult.of(history.layer_saturated_fraction[:, at]),
            grad_rms=DistributionResult.of(history.layer_grad_rms[:, at]),
        )


class LayersResult(_Result):
    initial: TrainingLayerResult = Field(description="At step 0, the networks as drawn.")
    final: TrainingLayerResult = Field(description="At the last step.")


class FinalResult(_Result):
    """At the last step, with confidence intervals."""

    train_loss: EstimateResult
    test_loss: EstimateResult
    train_accuracy: EstimateResult | None
    test_accuracy: EstimateResult | None


class InitResult(_Result):
    scheme: str = Field(description="The scheme used, 'gaussian' for explicit sigma_w.")
    gain: float | None
    sigma_w2: list[float] = Field(description="fan_in Var(W) per hidden layer.")
    sigma_b2: list[float] = Field(description="Var(b) per hidden layer.")
    bias_mean: float


class RunResult(_Result):
    label: str
    activation: str
    params: dict[str, ParamJSON]
    widths: list[int] = Field(description="Inputs, hidden layers, outputs.")
    optimizer: OptimizerSpec = Field(description="With every hyper-parameter.")
    learning_rate: float = Field(description="The base rate.")
    batch: int = Field(description="Examples per step.")
    init: InitResult
    curves: CurvesResult
    layers: LayersResult
    final: FinalResult
    born_dead_fraction: float = Field(
        description="Share of trials born with a hidden layer dead on every training example."
    )
    died_fraction: float = Field(
        description="Share of trials born alive that have such a layer at the last step."
    )
    diverged_fraction: float = Field(description="Share of trials whose final loss is not finite.")

    @classmethod
    def of(
        cls,
        entrant: networks.Entrant,
        optimizer: OptimizerName,
        history: networks.History,
        confidence: float,
    ) -> RunResult:
        def final(values: Array) -> EstimateResult:
            return EstimateResult.of(networks.estimate(values[:, -1], confidence))

        train_accuracy, test_accuracy = history.train_accuracy, history.test_accuracy
        training, init = entrant.training, history.init
        return cls(
            label=entrant.label,
            activation=entrant.activation.name,
            params=spelled(entrant.params),
            widths=list(history.widths),
            optimizer=optimizer_spec(optimizer, training.optimizer),
            learning_rate=training.rate,
            batch=history.batch,
            init=InitResult(
                scheme=init.scheme,
                gain=init.gain,
                sigma_w2=[layer.sigma_w2 for layer in init.layers],
                sigma_b2=[layer.sigma_b2 for layer in init.layers],
                bias_mean=entrant.init.bias_mean,
            ),
            curves=CurvesResult(
                steps=list(history.steps),
                learning_rate=history.learning_rate,
                train_loss=DistributionResult.of(history.train_loss),
                test_loss=DistributionResult.of(history.test_loss),
                train_accuracy=None
                if train_accuracy is None
                else DistributionResult.of(train_accuracy),
                test_accuracy=None
                if test_accuracy is None
                else DistributionResult.of(test_accuracy),
                dead_fraction=DistributionResult.of(history.dead_fraction),
                grad_norm=DistributionResult.of(history.grad_norm),
            ),
            layers=LayersResult(
                initial=TrainingLayerResult.of(history, 0),
                final=TrainingLayerResult.of(history, -1),
            ),
            final=FinalResult(
                train_loss=final(history.train_loss),
                test_loss=final(history.test_loss),
                train_accuracy=None if train_accuracy is None else final(train_accuracy),
                test_accuracy=None if test_accuracy is None else final(test_accuracy),
            ),
            born_dead_fraction=float(history.born_dead.mean()),
            died_fraction=float(history.died.mean()),
            diverged_fraction=float(history.diverged.mean()),
        )


class CostResult(_Result):
    """What the request cost, in the units of the limits of the same names."""

    multiply_adds: int
    element_ops: int
    layer_steps: int
    floats: int


class _Answer(_Result):
    task: TaskSpec = Field(description="The task with every setting.")
    train_examples: int
    test_examples: int
    trials: int
    seed: int
    dtype: DtypeName
    steps: int
    confidence: float
    cost: CostResult


def _shared(request: TrainingRequest, cost: networks.Cost) -> dict[str, Any]:
    task = request.task_spec()
    held_out = round(task.size * task.test_fraction)
    return {
        "task": task,
        "train_examples": task.size - held_out,
        "test_examples": held_out,
        "trials": request.trials,
        "seed": request.seed,
        "dtype": request.dtype,
        "steps": request.training.steps,
        "confidence": request.confidence,
        "cost": CostResult(**asdict(cost)),
    }


class TrainingRunResponse(_Answer):
    run: RunResult

    @classmethod
    def of(
        cls, request: TrainingRunRequest, entrant: networks.Entrant, result: networks.Comparison
    ) -> TrainingRunResponse:
        run = RunResult.of(
            entrant, request.optimizer_name(), result.histories[0], request.confidence
        )
        return cls(run=run, **_shared(request, result.cost))


class StandingResult(_Result):
    label: str
    rank: int
    estimate: EstimateResult = Field(description="The metric's mean over trials.")
    versus_best: EstimateResult | None = Field(
        description="Mean difference to the best, trial by trial (null for the best)."
    )
    distinguishable: bool | None = Field(
        description="Whether versus_best's interval excludes 0 (null without one)."
    )


class RankingResult(_Result):
    metric: Metric
    step: int
    confidence: float
    standings: list[StandingResult] = Field(description="Best first.")


class TrainingComparisonResponse(_Answer):
    entrants: list[RunResult]
    ranking: RankingResult

    @classmethod
    def of(
        cls,
        request: TrainingComparisonRequest,
        entrants: list[networks.Entrant],
        result: networks.Comparison,
    ) -> TrainingComparisonResponse:
        specs: list[EntrantSpec] = request.entrants
        ranking = result.ranking
        return cls(
            entrants=[
                RunResult.of(entrant, request.optimizer_name(spec), history, request.confidence)
                for entrant, spec, history in zip(entrants, specs, result.histories, strict=True)
            ],
            ranking=RankingResult(
                metric=ranking.metric,
                step=ranking.step,
                confidence=ranking.confidence,
                standings=[
                    StandingResult(
                        label=standing.label,
                        rank=standing.rank,
                        estimate=EstimateResult.of(standing.estimate),
                        versus_best=None
                        if standing.versus_best is None
                        else EstimateResult.of(standing.versus_best),
                        distinguishable=standing.distinguishable,
                    )
                    for standing in ranking.standings
                ],
            ),
            **_shared(request, result.cost),
        )
