"""How a simulated network is trained, as requests spell it: optimizers, learning-rate
schedules, clipping, shared by the gradient-flow probe and training runs.

Each optimizer and schedule is a model of its own, chosen by ``name`` (a bare name takes the
defaults): its fields, defaults and bounds are PyTorch's, as service.numerics.networks
declares them (a test checks that the two agree). ``core`` turns a model into the core's
object; the core checks what needs several fields at once (a warm-up longer than the run,
a cosine floor above the rate it anneals from) and says where.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from service.api.schemas.common import Integer, PositiveInt, either
from service.numerics import networks
from service.numerics.networks import OptimizerName

__all__ = [
    "CLOSED",
    "AdagradSpec",
    "AdamSpec",
    "AdamWSpec",
    "ConstantSchedule",
    "CosineSchedule",
    "MomentumSpec",
    "NesterovSpec",
    "Optimization",
    "OptimizerSpec",
    "RMSpropSpec",
    "ScheduleSpec",
    "SgdSpec",
    "StepSchedule",
    "optimizer_of",
    "optimizer_spec",
]

CLOSED = ConfigDict(extra="forbid", strict=True)
"""A JSON request's part: no unknown fields, and no coercion (0 is no boolean, false no
number)."""
Decay = Annotated[float, Field(ge=0, le=1e3, description="L2 penalty added to the gradient.")]
Moment = Annotated[float, Field(ge=0, lt=1)]
Eps = Annotated[float, Field(ge=0, le=1, description="Added to the denominator.")]
# A pair arrives as a JSON array, which strict validation refuses as a tuple: lax for the
# pair alone, its numbers stay strict.
Betas = Annotated[
    tuple[Moment, Moment],
    Strict(False),
    Field(description="Decay rates of the running means of the gradient and its square."),
]


class SgdSpec(BaseModel):
    """torch.optim.SGD."""

    model_config = CLOSED

    name: Literal["sgd"]
    momentum: Moment = 0.0
    dampening: float = Field(0.0, ge=0, le=1)
    nesterov: bool = False
    weight_decay: Decay = 0.0


class MomentumSpec(BaseModel):
    """Heavy-ball momentum: torch.optim.SGD with momentum 0.9."""

    model_config = CLOSED

    name: Literal["momentum"]
    momentum: Moment = 0.9
    dampening: float = Field(0.0, ge=0, le=1)
    weight_decay: Decay = 0.0


class NesterovSpec(BaseModel):
    """Nesterov momentum: torch.optim.SGD with momentum 0.9 and nesterov=True."""

    model_config = CLOSED

    name: Literal["nesterov"]
    momentum: float = Field(0.9, gt=0, lt=1)
    weight_decay: Decay = 0.0


class AdagradSpec(BaseModel):
    """torch.optim.Adagrad (Duchi, Hazan & Singer 2011)."""

    model_config = CLOSED

    name: Literal["adagrad"]
    lr_decay: float = Field(0.0, ge=0, le=1e3)
    weight_decay: Decay = 0.0
    initial_accumulator_value: float = Field(0.0, ge=0, le=1e6)
    eps: Eps = 1e-10


class RMSpropSpec(BaseModel):
    """torch.optim.RMSprop (Hinton 2012)."""

    model_config = CLOSED

    name: Literal["rmsprop"]
    alpha: Moment = 0.99
    eps: Eps = 1e-8
    weight_decay: Decay = 0.0
    momentum: Moment = 0.0
    centered: bool = False


class AdamSpec(BaseModel):
    """torch.optim.Adam (Kingma & Ba 2015); weight_decay is an L2 penalty."""

    model_config = CLOSED

    name: Literal["adam"]
    betas: Betas = (0.9, 0.999)
    eps: Eps = 1e-8
    weight_decay: Decay = 0.0
    amsgrad: bool = False


class AdamWSpec(BaseModel):
    """torch.optim.AdamW (Loshchilov & Hutter 2019): decoupled weight decay."""

    model_config = CLOSED

    name: Literal["adamw"]
    betas: Betas = (0.9, 0.999)
    eps: Eps = 1e-8
    weight_decay: float = Field(1e-2, ge=0, le=1e3, description="p <- p (1 - lr wd) each step.")
    amsgrad: bool = False


OptimizerSpec = Annotated[
    SgdSpec | MomentumSpec | NesterovSpec | AdagradSpec | RMSpropSpec | AdamSpec | AdamWSpec,
    Field(discriminator="name"),
]
OptimizerField = Annotated[
    OptimizerName | OptimizerSpec,
    Field(
        description="A name (PyTorch's defaults) or an object with the name and hyper-parameters:"
        " sgd, momentum (heavy ball, 0.9), nesterov, adagrad, rmsprop, adam, adamw."
    ),
]
_OPTIMIZER_SPECS: dict[str, type[BaseModel]] = {
    "sgd": SgdSpec,
    "momentum": MomentumSpec,
    "nesterov": NesterovSpec,
    "adagrad": AdagradSpec,
    "rmsprop": RMSpropSpec,
    "adam": AdamSpec,
    "adamw": AdamWSpec,
}


def optimizer_of(spec: OptimizerName | BaseModel) -> networks.Optimizer:
    """The core's optimizer for a name or a spec."""
    if isinstance(spec, str):
        return networks.optimizer(spec)
    fields = spec.model_dump()
    return networks.optimizer(fields.pop("name"), **fields)


def optimizer_spec(name: OptimizerName, optimizer: networks.Optimizer) -> BaseModel:
    """The spec of ``name`` with the optimizer's values, for an answer."""
    model = _OPTIMIZER_SPECS[name]
    values = optimizer.hyperparameters()
    return model(name=name, **{k: v for k, v in values.items() if k in model.model_fields})


class _Warmup(BaseModel):
    model_config = CLOSED

    warmup_steps: Integer = Field(
        0, ge=0, description="Updates of linear warm-up (LinearLR) before the schedule starts."
    )
    warmup_start_factor: float = Field(
        1 / 3, gt=0, le=1, description="The warm-up's first rate, as a share of learning_rate."
    )


class ConstantSchedule(_Warmup):
    name: Literal["constant"]


class StepSchedule(_Warmup):
    """StepLR: the rate times gamma every step_size updates."""

    name: Literal["step"]
    step_size: Integer = Field(ge=1)
    gamma: float = Field(0.1, gt=0, lt=1)


class CosineSchedule(_Warmup):
    """CosineAnnealingLR: from learning_rate down to min_learning_rate over cycle updates."""

    name: Literal["cosine"]
    min_learning_rate: float = Field(0.0, ge=0, le=1e6)
    cycle: PositiveInt | None = Field(None, description="Default: the updates after the warm-up.")


ScheduleName = Literal["constant", "cosine"]
ScheduleSpec = Annotated[
    ConstantSchedule | StepSchedule | CosineSchedule, Field(discriminator="name")
]


def _schedule_of(spec: Literal["constant", "cosine"] | BaseModel) -> networks.Schedule:
    if isinstance(spec, str):
        return networks.SCHEDULES[spec]()
    fields = spec.model_dump()
    return networks.SCHEDULES[fields.pop("name")](**fields)


class Optimization(BaseModel):
    """Steps, optimizer, base rate, schedule and clipping; ``core`` builds the core's."""

    model_config = CLOSED

    steps: Integer
    learning_rate: float | None = Field(
        None,
        gt=0,
        le=1e6,
        description="The base rate. Default: the optimizer's in PyTorch (1e-3 for sgd and the"
        " Adams, 1e-2 for adagrad and rmsprop).",
    )
    optimizer: OptimizerField = "sgd"
    schedule: Annotated[
        ScheduleName | ScheduleSpec,
        either(
            "a schedule's name, or an object with its name and settings",
            (str, ScheduleName),
            (dict, ScheduleSpec),
        ),
    ] = Field(
        "constant", description="How the rate varies over the updates (PyTorch's closed forms)."
    )
    clip_norm: float | None = Field(
        None,
        gt=0,
        le=1e6,
        description="Scale the gradients to this global 2-norm when it is larger"
        " (clip_grad_norm_).",
    )

    def core(
        self,
        *,
        optimizer: OptimizerName | BaseModel | None = None,
        learning_rate: float | None = None,
    ) -> networks.Training:
        """The core's training settings, the optimizer or rate replaced if given."""
        return networks.Training(
            self.steps,
            learning_rate if learning_rate is not None else self.learning_rate,
            optimizer_of(optimizer if optimizer is not None else self.optimizer),
            _schedule_of(self.schedule),
            self.clip_norm,
        )
