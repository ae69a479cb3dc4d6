"""Initialisation schemes as PyTorch's nn.init defines them, and the sigma_w^2, sigma_b^2 they imply.

Mean-field theory sees a scheme only through sigma_w^2 = fan_in Var(W_ij) and
sigma_b^2 = Var(b_i); the simulator draws the actual distribution (normal, uniform or a
random orthogonal matrix). Weights are stored (fan_in, fan_out), so a layer is h = a @ W + b.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from types import MappingProxyType
from typing import Final, Literal

import numpy as np

from service.numerics.catalog.entry import Activation
from service.numerics.catalog.facts import declared
from service.numerics.exceptions import InvalidInput
from service.numerics.types import Array, ParamValue

__all__ = [
    "DEFAULT_SCHEME",
    "SCHEMES",
    "Init",
    "LayerInit",
    "Mode",
    "Scheme",
    "SchemeName",
    "activation_gain",
    "draw",
    "readout",
    "resolve",
]

SchemeName = Literal[
    "xavier_normal",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "orthogonal",
    "torch_default",
]
Distribution = Literal["normal", "uniform", "orthogonal"]
Fan = Literal["in", "average", "mode"]
Mode = Literal["fan_in", "fan_out"]


@dataclass(frozen=True, slots=True)
class Scheme:
    """A named scheme: Var(W) = gain^2 / fan, drawn from ``distribution``.

    ``default_gain`` None means the activation's gain (PyTorch's calculate_gain, as its facts
    declare it), 1 where PyTorch defines none. ``fan`` "average" is (fan_in + fan_out) / 2,
    "mode" the request's mode. An orthogonal scheme draws gain times a random (semi-)orthogonal
    matrix.
    """

    name: SchemeName
    distribution: Distribution
    fan: Fan
    reference: str
    default_gain: float | None = None
    takes_gain: bool = True
    pytorch_bias: bool = False


SCHEMES: Mapping[SchemeName, Scheme] = MappingProxyType(
    {
        s.name: s
        for s in (
            Scheme("xavier_normal", "normal", "average", "Glorot & Bengio 2010; xavier_normal_"),
            Scheme("xavier_uniform", "uniform", "average", "Glorot & Bengio 2010; xavier_uniform_"),
            Scheme("he_normal", "normal", "mode", "He et al. 2015; kaiming_normal_"),
            Scheme("he_uniform", "uniform", "mode", "He et al. 2015; kaiming_uniform_"),
            Scheme("lecun_normal", "normal", "in", "LeCun et al. 1998", default_gain=1.0),
            Scheme("orthogonal", "orthogonal", "in", "Saxe et al. 2014; orthogonal_"),
            # nn.Linear's reset_parameters: kaiming_uniform_(a=sqrt 5), i.e. U(+-1/sqrt(fan_in)),
            # and the bias U(+-1/sqrt(fan_in)) too.
            Scheme(
                "torch_default",
                "uniform",
                "in",
                "torch.nn.Linear",
                default_gain=1 / math.sqrt(3),
                takes_gain=False,
                pytorch_bias=True,
            ),
        )
    }
)
DEFAULT_SCHEME: Final = "xavier_normal"


@dataclass(frozen=True, slots=True)
class Init:
    """A named scheme (with optional gain and mode), or explicit sigma_w; sigma_b and bias_mean
    for the bias.

    Explicit sigma_w draws W_ij ~ N(0, sigma_w^2 / fan_in). The bias is bias_mean + N(0,
    sigma_b^2), with sigma_b = 0 by default, except for torch_default, whose default bias is
    PyTorch's U(+-1/sqrt(fan_in)) (shifted by bias_mean too). A negative bias_mean is the
    classic way to start rectifiers dead.
    """

    scheme: SchemeName | None = None
    mode: Mode | None = None
    gain: float | None = None
    sigma_w: float | None = None
    sigma_b: float | None = None
    bias_mean: float = 0.0


@dataclass(frozen=True, slots=True)
class LayerInit:
    """How one layer is drawn, and the sigma_w^2 = fan_in Var(W), sigma_b^2 = Var(b) it implies.

    ``weight_std`` is the std of W's entries, or for an orthogonal layer the gain that
    multiplies the orthogonal matrix.
    """

    distribution: Distribution
    weight_std: float
    bias_uniform: bool
    bias_std: float
    sigma_w2: float
    sigma_b2: float
    bias_mean: float = 0.0


@dataclass(frozen=True, slots=True)
class ResolvedInit:
    """Every layer's law; ``scheme`` is "gaussian" for explicit sigma_w."""

    scheme: str
    gain: float | None
    layers: tuple[LayerInit, ...]


def resolve(
    init: Init, activation: Activation, params: Mapping[str, ParamValue], widths: Sequence[int]
) -> ResolvedInit:
    """The per-layer laws of ``init`` for a net with widths (n_0, n_1, ..., n_L)."""
    fans = list(pairwise(widths))
    if init.sigma_w is not None:
        for field in ("scheme", "gain", "mode"):
            if getattr(init, field) is not None:
                raise InvalidInput(
                    ("init", field), "cannot be combined with sigma_w: give a scheme or sigma_w"
                )
        sigma_w, sigma_b = init.sigma_w, init.sigma_b or 0.0
        return ResolvedInit(
            "gaussian",
            None,
            tuple(
                LayerInit(
                    "normal",
                    sigma_w / math.sqrt(n_in),
                    False,
                    sigma_b,
                    sigma_w**2,
                    sigma_b**2,
                    init.bias_mean,
                )
                for n_in, _ in fans
            ),
        )
    scheme = SCHEMES[init.scheme or DEFAULT_SCHEME]
    if init.gain is not None and not scheme.takes_gain:
        raise InvalidInput(("init", "gain"), f"does not apply to {scheme.name}")
    if init.mode is not None and scheme.fan != "mode":
        raise InvalidInput(
            ("init", "mode"), f"applies to he_normal and he_uniform, not {scheme.name}"
        )
    gain = init.gain if init.gain is not None else scheme.default_gain
    if gain is None:
        gain = activation_gain(activation, params)
    layers = []
    for n_in, n_out in fans:
        if scheme.distribution == "orthogonal":
            # Orthonormal columns (n_in >= n_out) or rows: E[W_ij^2] = 1 / max(n_in, n_out).
            std, variance = gain, gain**2 / max(n_in, n_out)
        else:
            variance = gain**2 / _fan(scheme.fan, init.mode, n_in, n_out)
            std = math.sqrt(variance)
        uniform_bias = scheme.pytorch_bias and init.sigma_b is None
        bias_std = 1 / math.sqrt(3 * n_in) if uniform_bias else (init.sigma_b or 0.0)
        layers.append(
            LayerInit(
                scheme.distribution,
                std,
                uniform_bias,
                bias_std,
                n_in * variance,
                bias_std**2,
                init.bias_mean,
            )
        )
    return ResolvedInit(scheme.name, gain if scheme.takes_gain else None, tuple(layers))


def readout(init: Init, n_in: int, n_out: int) -> LayerInit:
    """The law of a linear readout after the hidden layers: the same scheme with gain 1 (a
    linear unit's gain), or N(0, 1 / fan_in) beside explicit sigma_w; its bias is 0 (nn.Linear's
    for torch_default), neither shifted nor spread by the hidden layers' bias settings."""
    if init.sigma_w is not None:
        return LayerInit("normal", 1 / math.sqrt(n_in), False, 0.0, 1.0, 0.0)
    scheme = SCHEMES[init.scheme or DEFAULT_SCHEME]
    gain = 1.0 if scheme.takes_gain or scheme.default_gain is None else scheme.default_gain
    if scheme.distribution == "orthogonal":
        std, variance = gain, gain**2 / max(n_in, n_out)
    else:
        variance = gain**2 / _fan(scheme.fan, init.mode, n_in, n_out)
        std = math.sqrt(variance)
    bias_std = 1 / math.sqrt(3 * n_in) if scheme.pytorch_bias else 0.0
    return LayerInit(
        scheme.distribution, std, scheme.pytorch_bias, bias_std, n_in * variance, bias_std**2
    )


def activation_gain(activation: Activation, params: Mapping[str, ParamValue]) -> float:
    """PyTorch's calculate_gain for the activation, as its facts declare it; 1 where it has none."""
    gain = activation.facts.initialisation.gain
    return 1.0 if gain is None else declared(gain, params)


def _fan(fan: Fan, mode: Mode | None, n_in: int, n_out: int) -> float:
    if fan == "average":
        return (n_in + n_out) / 2
    return n_out if fan == "mode" and mode == "fan_out" else n_in


def draw(
    layer: LayerInit, n_in: int, n_out: int, rng: np.random.Generator, dtype: type[np.floating]
) -> tuple[Array, Array]:
    """W of shape (n_in, n_out) and b of shape (n_out,), drawn from ``rng`` in ``dtype``."""
    shape = (n_in, n_out)
    if layer.distribution == "normal":
        weights = rng.standard_normal(shape, dtype=dtype)
        weights *= layer.weight_std
    elif layer.distribution == "uniform":
        # Var of U(-c, c) is c^2 / 3.
        weights = _symmetric_uniform(rng, shape, math.sqrt(3) * layer.weight_std, dtype)
    else:
        gaussian = rng.standard_normal((max(shape), min(shape)), dtype=dtype)
        q, r = np.linalg.qr(gaussian)
        q *= np.sign(np.diagonal(r))  # makes the law Haar, as torch.nn.init.orthogonal_ does
        weights = np.ascontiguousarray(q if n_in >= n_out else q.T)
        weights *= layer.weight_std
    if layer.bias_std == 0:
        bias = np.zeros(n_out, dtype=dtype)
    elif layer.bias_uniform:
        bias = _symmetric_uniform(rng, (n_out,), math.sqrt(3) * layer.bias_std, dtype)
    else:
        bias = rng.standard_normal(n_out, dtype=dtype)
        bias *= layer.bias_std
    if layer.bias_mean:
        bias += layer.bias_mean
    return weights, bias


def _symmetric_uniform(
    rng: np.random.Generator, shape: tuple[int, ...], bound: float, dtype: type[np.floating]
) -> Array:
    values = rng.random(shape, dtype=dtype)
    values *= 2 * bound
    values -= bound
    return values
