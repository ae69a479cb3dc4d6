"""Optimizers as PyTorch defines them (torch.optim, 2.x): the same update formulas, in the same
order, with the same defaults, on numpy arrays updated in place.

- ``Sgd`` (torch.optim.SGD): g <- g + wd p; with momentum mu, b <- g at the first step, then
  b <- mu b + (1 - dampening) g; g <- g + mu b (Nesterov) or g <- b; p <- p - lr g.
  "momentum" is SGD with mu = 0.9 (heavy ball), "nesterov" adds Nesterov's look-ahead.
- ``Adagrad`` (torch.optim.Adagrad): g <- g + wd p; s <- s + g^2; p <- p - clr g / (sqrt(s) + eps)
  with clr = lr / (1 + (t - 1) lr_decay); s starts at initial_accumulator_value.
- ``RMSprop`` (torch.optim.RMSprop): v <- alpha v + (1 - alpha) g^2; centred, a <- a + (1 - alpha)
  (g - a) and v - a^2 in place of v; d = sqrt(.) + eps; with momentum mu, b <- mu b + g / d and
  p <- p - lr b, else p <- p - lr g / d.
- ``Adam`` (torch.optim.Adam, Kingma & Ba 2015), betas (b1, b2): m <- m + (1 - b1)(g - m);
  v <- b2 v + (1 - b2) g^2; p <- p - lr / (1 - b1^t) m / (sqrt(v) / sqrt(1 - b2^t) + eps);
  amsgrad uses the largest v so far. weight_decay adds wd p to g (L2). ``AdamW`` (Loshchilov & Hutter 2019) instead multiplies p by
  (1 - lr wd) before the step (decoupled decay, default wd = 0.01).

Scalars meet arrays as they do in PyTorch: cast to the array's dtype. The state is kept in the
parameters' dtype, as torch keeps it; operations that PyTorch fuses (addcmul, addcdiv, lerp)
are two or three numpy operations here, so float32 results may differ from PyTorch's in the
last bit. ``clip_by_global_norm`` is torch.nn.utils.clip_grad_norm_.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any, ClassVar, Literal

import numpy as np

from service.numerics.exceptions import InvalidInput
from service.numerics.types import Array

__all__ = [
    "OPTIMIZERS",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "OptimizerName",
    "RMSprop",
    "Sgd",
    "Stepper",
    "clip_by_global_norm",
    "optimizer",
    "squared_norms",
]

OptimizerName = Literal["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]


def _require(condition: bool, field: str, reason: str) -> None:
    if not condition:
        raise InvalidInput(("training", "optimizer", field), reason)


class Stepper(ABC):
    """An optimizer's state for one set of parameters; ``step`` updates them in place."""

    @abstractmethod
    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        """One update with learning rate ``lr``; ``grads`` may be overwritten."""


class Optimizer(ABC):
    """Hyper-parameters of an update rule; ``start`` allocates its state for parameters."""

    default_learning_rate: ClassVar[float]

    @abstractmethod
    def buffers(self) -> int:
        """Arrays of state (and scratch) per parameter array: what training holds beside the
        parameters and their gradients."""

    @abstractmethod
    def work(self) -> int:
        """Element-wise operations per parameter and step, for the cost model."""

    @abstractmethod
    def start(self, params: Sequence[Array]) -> Stepper: ...

    def hyperparameters(self) -> dict[str, Any]:
        """Every hyper-parameter by name, defaults included."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


def _decay(grad: Array, param: Array, weight_decay: float) -> Array:
    """g + wd p (L2), in place: the gradient buffer is the optimizer's to use."""
    if weight_decay:
        grad += param * weight_decay
    return grad


@dataclass(frozen=True, slots=True, kw_only=True)
class Sgd(Optimizer):
    default_learning_rate: ClassVar[float] = 1e-3

    momentum: float = 0.0
    dampening: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0

    def __post_init__(self) -> None:
        _require(0 <= self.momentum < 1, "momentum", "must be in [0, 1)")
        _require(0 <= self.dampening <= 1, "dampening", "must be in [0, 1]")
        _require(self.weight_decay >= 0, "weight_decay", "must be >= 0")
        _require(
            not self.nesterov or (self.momentum > 0 and self.dampening == 0),
            "nesterov",
            "needs momentum > 0 and dampening 0, as PyTorch requires",
        )

    def buffers(self) -> int:
        return 2 if self.momentum else 0  # the momentum, and a scratch array for lr times it

    def work(self) -> int:
        return 2 + (3 if self.momentum else 0) + (2 if self.weight_decay else 0)

    def start(self, params: Sequence[Array]) -> Stepper:
        return _SgdState(self, params)


class _SgdState(Stepper):
    def __init__(self, spec: Sgd, params: Sequence[Array]) -> None:
        self.spec = spec
        self.buffers: list[Array] | None = None
        self.scratch: list[Array] | None = None

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        # In place throughout: the gradients are the optimizer's to overwrite, and a temporary
        # the size of the parameters costs more than the update itself.
        spec = self.spec
        first = self.buffers is None
        if spec.momentum and self.buffers is None:
            self.buffers = [np.empty_like(p) for p in params]
            self.scratch = [np.empty_like(p) for p in params]
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            grad = _decay(grad, param, spec.weight_decay)
            if self.buffers is not None and self.scratch is not None:
                buf, scratch = self.buffers[i], self.scratch[i]
                if first:
                    np.copyto(buf, grad)
                else:
                    buf *= spec.momentum
                    if spec.dampening:
                        grad *= 1 - spec.dampening
                    buf += grad
                if spec.nesterov:  # dampening is 0 then: grad is still the gradient
                    np.multiply(buf, spec.momentum, out=scratch)
                    grad += scratch
                else:
                    np.copyto(scratch, buf)
                    grad = scratch
            grad *= lr
            param -= grad


@dataclass(frozen=True, slots=True, kw_only=True)
class Adagrad(Optimizer):
    default_learning_rate: ClassVar[float] = 1e-2

    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10

    def __post_init__(self) -> None:
        _require(self.lr_decay >= 0, "lr_decay", "must be >= 0")
        _require(self.weight_decay >= 0, "weight_decay", "must be >= 0")
        _require(self.initial_accumulator_value >= 0, "initial_accumulator_value", "must be >= 0")
        _require(self.eps >= 0, "eps", "must be >= 0")

    def buffers(self) -> int:
        return 2  # the sum of squares, and a scratch array for sqrt(s) + eps

    def work(self) -> int:
        return 6 + (2 if self.weight_decay else 0)

    def start(self, params: Sequence[Array]) -> Stepper:
        return _AdagradState(self, params)


class _AdagradState(Stepper):
    def __init__(self, spec: Adagrad, params: Sequence[Array]) -> None:
        self.spec = spec
        self.sums = [np.full_like(p, spec.initial_accumulator_value) for p in params]
        self.scratch = [np.empty_like(p) for p in params]
        self.t = 0

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        spec = self.spec
        self.t += 1
        clr = lr / (1 + (self.t - 1) * spec.lr_decay)
        for param, grad, total, std in zip(params, grads, self.sums, self.scratch, strict=True):
            grad = _decay(grad, param, spec.weight_decay)
            np.multiply(grad, grad, out=std)
            total += std
            np.sqrt(total, out=std)
            std += spec.eps
            np.divide(grad, std, out=std)
            std *= clr
            param -= std


@dataclass(frozen=True, slots=True, kw_only=True)
class RMSprop(Optimizer):
    default_learning_rate: ClassVar[float] = 1e-2

    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False

    def __post_init__(self) -> None:
        _require(0 <= self.alpha < 1, "alpha", "must be in [0, 1)")
        _require(self.eps >= 0, "eps", "must be >= 0")
        _require(self.weight_decay >= 0, "weight_decay", "must be >= 0")
        _require(0 <= self.momentum < 1, "momentum", "must be in [0, 1)")

    def buffers(self) -> int:
        return 2 + (1 if self.momentum else 0) + (1 if self.centered else 0)

    def work(self) -> int:
        return 8 + 3 * self.centered + 2 * (self.momentum > 0) + 2 * (self.weight_decay > 0)

    def start(self, params: Sequence[Array]) -> Stepper:
        return _RMSpropState(self, params)


class _RMSpropState(Stepper):
    def __init__(self, spec: RMSprop, params: Sequence[Array]) -> None:
        self.spec = spec
        self.squares = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]
        self.means = [np.zeros_like(p) for p in params] if spec.centered else None
        self.momenta = [np.zeros_like(p) for p in params] if spec.momentum else None

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        spec = self.spec
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            grad = _decay(grad, param, spec.weight_decay)
            square, avg = self.squares[i], self.scratch[i]
            square *= spec.alpha
            np.multiply(grad, 1 - spec.alpha, out=avg)
            avg *= grad
            square += avg
            if self.means is not None:
                mean = self.means[i]
                mean += (grad - mean) * (1 - spec.alpha)
                np.multiply(mean, mean, out=avg)
                np.subtract(square, avg, out=avg)
                np.sqrt(avg, out=avg)
            else:
                np.sqrt(square, out=avg)
            avg += spec.eps
            np.divide(grad, avg, out=avg)
            if self.momenta is not None:
                buf = self.momenta[i]
                buf *= spec.momentum
                buf += avg
                param -= buf * lr
            else:
                avg *= lr
                param -= avg


@dataclass(frozen=True, slots=True, kw_only=True)
class Adam(Optimizer):
    default_learning_rate: ClassVar[float] = 1e-3
    decoupled: ClassVar[bool] = False

    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False

    def __post_init__(self) -> None:
        _require(all(0 <= beta < 1 for beta in self.betas), "betas", "must be in [0, 1)")
        _require(self.eps >= 0, "eps", "must be >= 0")
        _require(self.weight_decay >= 0, "weight_decay", "must be >= 0")

    def buffers(self) -> int:
        return 3 + (1 if self.amsgrad else 0)  # m, v, scratch; the running max of v

    def work(self) -> int:
        return 11 + (1 if self.amsgrad else 0) + (2 if self.weight_decay else 0)

    def start(self, params: Sequence[Array]) -> Stepper:
        return _AdamState(self, params)


@dataclass(frozen=True, slots=True, kw_only=True)
class AdamW(Adam):
    default_learning_rate: ClassVar[float] = 1e-3
    decoupled: ClassVar[bool] = True

    weight_decay: float = 1e-2


class _AdamState(Stepper):
    def __init__(self, spec: Adam, params: Sequence[Array]) -> None:
        self.spec = spec
        self.means = [np.zeros_like(p) for p in params]
        self.squares = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]
        self.maxima = [np.zeros_like(p) for p in params] if spec.amsgrad else None
        self.t = 0

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        spec = self.spec
        beta1, beta2 = spec.betas
        self.t += 1
        step_size = lr / (1 - beta1**self.t)
        correction = math.sqrt(1 - beta2**self.t)
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            if spec.decoupled:
                if spec.weight_decay:
                    param *= 1 - lr * spec.weight_decay
            else:
                grad = _decay(grad, param, spec.weight_decay)
            mean, square, denom = self.means[i], self.squares[i], self.scratch[i]
            np.subtract(grad, mean, out=denom)
            denom *= 1 - beta1
            mean += denom
            square *= beta2
            np.multiply(grad, 1 - beta2, out=denom)
            denom *= grad
            square += denom
            if self.maxima is not None:
                np.maximum(self.maxima[i], square, out=self.maxima[i])
                np.sqrt(self.maxima[i], out=denom)
            else:
                np.sqrt(square, out=denom)
            denom /= correction
            denom += spec.eps
            np.divide(mean, denom, out=denom)
            denom *= step_size
            param -= denom


@dataclass(frozen=True, slots=True)
class _Preset:
    kind: type[Optimizer]
    defaults: Mapping[str, Any]


OPTIMIZERS: Mapping[OptimizerName, _Preset] = MappingProxyType(
    {
        "sgd": _Preset(Sgd, {}),
        "momentum": _Preset(Sgd, {"momentum": 0.9}),
        "nesterov": _Preset(Sgd, {"momentum": 0.9, "nesterov": True}),
        "adagrad": _Preset(Adagrad, {}),
        "rmsprop": _Preset(RMSprop, {}),
        "adam": _Preset(Adam, {}),
        "adamw": _Preset(AdamW, {}),
    }
)
"""Each public name: the PyTorch class whose rule it is, and the defaults it changes."""


def optimizer(name: OptimizerName, **hyperparameters: Any) -> Optimizer:
    """The optimizer called ``name``, its preset's defaults under the ones given."""
    preset = OPTIMIZERS[name]
    build: Callable[..., Optimizer] = preset.kind
    return build(**{**preset.defaults, **hyperparameters})


def squared_norms(grads: Sequence[Array], *, stacked: bool) -> Array:
    """Each gradient's squared 2-norm (grads, trials): one per trial when ``stacked`` (a leading
    axis of independent networks), else one column."""
    return np.array(
        [
            np.einsum("ti,ti->t", flat, flat) if stacked else np.reshape(np.vdot(g, g), (1,))
            for g in grads
            for flat in (g.reshape(g.shape[0], -1),)
        ],
        dtype=np.float64,
    )


def clip_by_global_norm(
    grads: Sequence[Array],
    max_norm: float | None,
    *,
    stacked: bool,
    squares: Array | None = None,
) -> Array:
    """The 2-norm of all the gradients together (per trial when ``stacked``), before clipping,
    from their ``squared_norms`` if given; with ``max_norm``, the gradients are scaled as
    torch.nn.utils.clip_grad_norm_ does, by min(1, max_norm / (norm + 1e-6))."""
    if squares is None:
        squares = squared_norms(grads, stacked=stacked)
    norms: Array = np.sqrt(squares.sum(axis=0))
    if max_norm is not None:
        scale = np.minimum(max_norm / (norms + 1e-6), 1.0)
        if (scale < 1).any():
            for g in grads:
                shaped = scale.reshape((-1,) + (1,) * (g.ndim - 1)) if stacked else scale[0]
                g *= np.asarray(shaped, dtype=g.dtype)
    return norms
