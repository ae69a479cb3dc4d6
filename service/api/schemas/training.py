"""Requests of training runs and comparisons: the task, the networks, the entrants.

``study``, ``entrant`` and ``entrants_of`` turn a request into the core's objects
(service.numerics.networks.runs); what needs several fields at once is checked there, and
refused with the location at fault. Limits that bound a single field are published on it by
declare_limits (service.api.schemas.simulations).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from service import numerics
from service.api.schemas.common import Integer, Params, PositiveInt, PositiveInts, either
from service.api.schemas.formulas import ActivationRef, Formula, resolve_activation
from service.api.schemas.networks import CLOSED, Optimization, OptimizerField
from service.api.schemas.simulations import InitSpec
from service.config import Settings
from service.numerics import MAX_SEED, DtypeName, networks
from service.numerics.networks import Metric, OptimizerName, PlaneName

__all__ = [
    "EntrantSpec",
    "LinearTeacherTask",
    "NonlinearTeacherTask",
    "PlaneTask",
    "RunTrainingSpec",
    "TaskName",
    "TaskSpec",
    "TrainingComparisonRequest",
    "TrainingInitSpec",
    "TrainingRequest",
    "TrainingRunRequest",
]

Widths = PositiveInts


class TrainingInitSpec(InitSpec):
    """The gradient-flow init, and a bias shift: the mean-field theory beside a gradient flow
    assumes zero-mean biases, training does not."""

    bias_mean: float = Field(
        0.0,
        ge=-1e3,
        le=1e3,
        description="Added to every hidden bias, b_i ~ N(bias_mean, sigma_b^2) (a negative one"
        " starts rectifiers dead).",
    )


_SIZE = "Examples drawn, before the split."
_SPLIT = "Share of the examples held out for testing."


class LinearTeacherTask(BaseModel):
    """Regression: x ~ N(0, I), targets x T + noise z, T ~ N(0, 1/inputs)."""

    model_config = CLOSED

    name: Literal["linear_teacher"]
    inputs: PositiveInt = 16
    outputs: PositiveInt = 1
    noise: float = Field(0.0, ge=0, le=1e3, description="Std of the noise added to targets.")
    size: Integer = Field(1000, ge=2, description=_SIZE)
    test_fraction: float = Field(0.2, gt=0, lt=1, description=_SPLIT)


class NonlinearTeacherTask(BaseModel):
    """Regression on a random teacher network's outputs (unit variance) plus noise."""

    model_config = CLOSED

    name: Literal["nonlinear_teacher"]
    inputs: PositiveInt = 16
    outputs: PositiveInt = 1
    noise: float = Field(0.0, ge=0, le=1e3, description="Std of the noise added to targets.")
    size: Integer = Field(1000, ge=2, description=_SIZE)
    test_fraction: float = Field(0.2, gt=0, lt=1, description=_SPLIT)
    depth: PositiveInt = Field(2, description="The teacher's hidden layers.")
    width: PositiveInt = Field(64, description="The teacher's units per hidden layer.")
    activation: ActivationRef = Field(
        "tanh", description="The teacher's activation: a name or alias, or a formula object."
    )
    params: Params = Field(default_factory=dict)


class PlaneTask(BaseModel):
    """Classification (softmax cross-entropy) of a 2-D set: the TensorFlow Playground's circle,
    xor, gaussian and spiral, and two moons; inputs standardised on the training split."""

    model_config = CLOSED

    name: PlaneName
    noise: float = Field(
        0.0,
        ge=0,
        le=10,
        description="As the Playground means it (its percent / 100, up to 0.5 there); for"
        " moons the std of Gaussian noise on each coordinate, as scikit-learn's make_moons.",
    )
    size: Integer = Field(500, ge=2, description=_SIZE)
    test_fraction: float = Field(0.5, gt=0, lt=1, description=_SPLIT)
    features: PositiveInt | None = Field(
        None, description="Lift the 2-D inputs to this many random Fourier features."
    )
    bandwidth: float = Field(
        1.0, gt=0, le=1e6, description="Length scale of the random features' Gaussian kernel."
    )


TaskName = Literal[
    "linear_teacher", "nonlinear_teacher", "circle", "xor", "gaussian", "spiral", "moons"
]
TaskSpec = Annotated[
    LinearTeacherTask | NonlinearTeacherTask | PlaneTask, Field(discriminator="name")
]
_TASKS: dict[str, type[BaseModel]] = {
    "linear_teacher": LinearTeacherTask,
    "nonlinear_teacher": NonlinearTeacherTask,
}


def _task_spec(task: TaskName | BaseModel) -> BaseModel:
    if isinstance(task, BaseModel):
        return task
    return _TASKS.get(task, PlaneTask)(name=task)


def _task(spec: BaseModel, settings: Settings) -> networks.Task:
    fields = spec.model_dump(exclude={"activation", "params"})
    name = fields.pop("name")
    if name == "linear_teacher":
        return networks.LinearTeacher(**fields)
    if isinstance(spec, NonlinearTeacherTask):
        activation = resolve_activation(
            spec.activation, settings, loc=("body", "task", "activation")
        )
        params = activation.resolve(spec.params)
        return networks.NonlinearTeacher(activation=activation, params=params, **fields)
    return networks.Plane(name=name, **fields)


class RunTrainingSpec(Optimization):
    """How each network of a training run is trained."""

    steps: Integer = Field(
        ge=0, description="Updates of every W and b (0: measure the networks as drawn)."
    )


class TrainingRequest(BaseModel):
    """What a training run and a comparison share."""

    model_config = CLOSED

    depth: Integer = Field(ge=1, description="Hidden layers (a linear readout follows them).")
    width: Widths = Field(description="Units per hidden layer: one number, or one per layer.")
    init: TrainingInitSpec = Field(default_factory=TrainingInitSpec)
    task: Annotated[
        TaskName | TaskSpec,
        either(
            "a task's name, or an object with its name and settings",
            (str, TaskName),
            (dict, TaskSpec),
        ),
    ] = Field(description="A name (its defaults) or an object with the name and settings.")
    training: RunTrainingSpec
    batch: Integer = Field(
        32, ge=1, description="Examples per step; the whole training split if it is no larger."
    )
    trials: Integer = Field(1, ge=1, description="Networks trained from seeds 0..trials-1 of seed.")
    seed: Integer = Field(
        ge=0,
        le=MAX_SEED,
        description="Seeds the data (shared by every trial and entrant) and each trial's network"
        " and batch order: the same request gives the same response, byte for byte, from the"
        " same deployment.",
    )
    dtype: DtypeName = Field("float32", description="Precision of the networks and the data.")
    record_every: PositiveInt | None = Field(
        None,
        description="Record every this many steps (default: about once an epoch, 10 to 100"
        " records).",
    )
    confidence: float = Field(0.95, gt=0, lt=1, description="Of the confidence intervals.")

    def study(self, settings: Settings) -> networks.Study:
        return networks.Study(
            task=_task(_task_spec(self.task), settings),
            batch=self.batch,
            seed=self.seed,
            trials=self.trials,
            dtype=self.dtype,
            record_every=self.record_every,
        )

    def task_spec(self) -> LinearTeacherTask | NonlinearTeacherTask | PlaneTask:
        """The task with every setting, defaults filled in."""
        spec = _task_spec(self.task)
        assert isinstance(spec, LinearTeacherTask | NonlinearTeacherTask | PlaneTask)
        return spec

    def optimizer_name(self, entrant: EntrantSpec | None = None) -> OptimizerName:
        """The optimizer's name, the entrant's if it names one."""
        spec = entrant.optimizer if entrant and entrant.optimizer else self.training.optimizer
        return spec if isinstance(spec, str) else spec.name


class TrainingRunRequest(TrainingRequest):
    activation: ActivationRef = Field(
        description="An element-wise activation or alias, or a formula object."
    )
    params: Params = Field(default_factory=dict)

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "activation": "relu",
                    "depth": 3,
                    "width": 32,
                    "task": {"name": "spiral", "noise": 0.1},
                    "training": {"steps": 2000, "optimizer": "adam", "learning_rate": 0.01},
                    "trials": 8,
                    "seed": 0,
                }
            ]
        },
    )

    def entrant(self, settings: Settings, limits: networks.Limits) -> networks.Entrant:
        activation = resolve_activation(self.activation, settings, loc=("body", "activation"))
        return networks.Entrant(
            activation=activation,
            params=activation.resolve(self.params),
            widths=networks.layer_widths(self.depth, self.width, limits),
            training=self.training.core(),
            init=networks.Init(**self.init.model_dump()),
            label=activation.name,
        )


class EntrantSpec(BaseModel):
    """What this entrant changes; the rest is the request's."""

    model_config = CLOSED

    label: str | None = Field(
        None, min_length=1, max_length=64, description="Default: what the entrant changes."
    )
    activation: ActivationRef | None = Field(
        None, description="A name or alias, or a formula object."
    )
    params: Params | None = Field(
        None, description="Default: the request's params if the activation is the request's."
    )
    depth: PositiveInt | None = None
    width: Widths | None = None
    init: TrainingInitSpec | None = Field(None, description="Replaces the request's init whole.")
    optimizer: OptimizerField | None = None
    learning_rate: float | None = Field(None, gt=0, le=1e6)

    def label_for(self, index: int, activation: numerics.Activation) -> str:
        """The label, or what the entrant changes; a formula is named by its normal form."""
        if self.label is not None:
            return self.label
        parts = []
        if self.activation is not None or self.params is not None:
            shown = ", ".join(f"{k}={v}" for k, v in (self.params or {}).items())
            # A formula often ends in a parenthesis: its values are set apart by a space.
            if isinstance(self.activation, Formula):
                name, gap = activation.name, " "
            else:
                name, gap = self.activation or "params", ""
            parts.append(f"{name}{gap}({shown})" if shown else name)
        if isinstance(self.optimizer, str):
            parts.append(self.optimizer)
        elif self.optimizer is not None:
            parts.append(_spelled(self.optimizer.name, self.optimizer))
        parts += [
            f"{field}={getattr(self, field)}"
            for field in ("learning_rate", "depth", "width")
            if getattr(self, field) is not None
        ]
        if self.init is not None:
            parts.append(_spelled("init", self.init))
        return ", ".join(parts) or f"entrant {index + 1}"


def _spelled(name: str, model: BaseModel) -> str:
    """``name(field=value, ...)`` of the fields the request set."""
    fields = model.model_dump(exclude_unset=True, exclude={"name"})
    shown = ", ".join(f"{k}={v}" for k, v in fields.items())
    return f"{name}({shown})" if shown else name


class TrainingComparisonRequest(TrainingRequest):
    activation: ActivationRef | None = Field(
        None,
        description="Each entrant's activation unless it names its own: a name or alias, or a"
        " formula object.",
    )
    params: Params = Field(default_factory=dict)
    entrants: list[EntrantSpec] = Field(
        min_length=2, description="Trained on the same data from the same seeds."
    )
    rank_by: Metric | None = Field(
        None,
        description="The metric at the last step (default test_accuracy for classification,"
        " test_loss for regression).",
    )

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "depth": 3,
                    "width": 32,
                    "task": {"name": "spiral", "noise": 0.1},
                    "training": {"steps": 2000, "optimizer": "adam", "learning_rate": 0.01},
                    "entrants": [
                        {"activation": "relu"},
                        {"activation": "tanh"},
                        {"activation": "sigmoid"},
                    ],
                    "trials": 8,
                    "seed": 0,
                }
            ]
        },
    )

    def entrants_of(self, settings: Settings, limits: networks.Limits) -> list[networks.Entrant]:
        if self.activation is None and self.params:
            raise numerics.InvalidInput(
                ("params",), "parameters with no activation beside them: name the activation"
            )
        found = []
        for index, spec in enumerate(self.entrants):
            loc: tuple[str | int, ...]
            if spec.activation is not None:
                ref, loc = spec.activation, ("body", "entrants", index, "activation")
            elif self.activation is not None:
                ref, loc = self.activation, ("body", "activation")
            else:
                raise numerics.InvalidInput(
                    ("entrants", index, "activation"), "no activation here nor in the request"
                )
            activation = resolve_activation(ref, settings, loc=loc)
            own = spec.activation is not None and spec.activation != self.activation
            params = spec.params if spec.params is not None else {} if own else self.params
            init = spec.init or self.init
            found.append(
                networks.Entrant(
                    activation=activation,
                    params=activation.resolve(params),
                    widths=networks.layer_widths(
                        spec.depth or self.depth,
                        spec.width if spec.width is not None else self.width,
                        limits,
                    ),
                    training=self.training.core(
                        optimizer=spec.optimizer, learning_rate=spec.learning_rate
                    ),
                    init=networks.Init(**init.model_dump()),
                    label=spec.label_for(index, activation),
                )
            )
        return found
