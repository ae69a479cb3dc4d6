"""Forward and backward passes through a deep random network, with what each layer does to them.

Layer l computes h^l = a^{l-1} W^l + b^l and a^l = phi(h^l), for a batch stored as rows:
a^0 is the input (as many features as the first layer has units), a^L the output. The
backward pass carries the per-example gradient delta^l = dl/dh^l of the per-example loss l,
and dL/dW^l = (a^{l-1})^T delta^l / batch of the batch's mean loss L. Both passes are BLAS
matrix products in the network's dtype, and so are the statistics' sums (pairwise or BLAS
blocked, good to ~1e-6 in float32, far below the sampling noise they measure).

A network may end in a linear readout (``readout=True``: its last layer has no activation),
and may be a stack of independent networks of one shape, trained side by side: weights
(trials, fan_in, fan_out), biases (trials, 1, fan_out), activations (trials, batch, units),
an input shared by every trial (batch, features) or its own per trial. numpy's matmul runs
one BLAS product per trial, so a stack costs what its networks cost one by one, less the
interpreter's overhead per layer, which it pays once.

Per-layer statistics (over the batch and the layer's units unless said otherwise):

- preact_mean, preact_std, preact_second_moment: of h (the last is what theory calls q^l);
  act_mean, act_std: of a = phi(h);
- saturated_fraction: share of h with |phi'(h)| < 1% of the largest |phi'| the activation
  takes anywhere (measured on a dense grid from 1e-8 to 1e8 in |x|, once per parameter set);
  for rectifiers this counts the flat side;
- inactive_fraction: share of h with phi'(h) = 0 exactly (the unit passes no gradient for
  that example); dead_fraction: share of units whose delta is zero for every example;
- grad_preact_rms: root mean square of delta^l; grad_weight_rms: of dL/dW^l;
  grad_weight_to_weight_norm: ||dL/dW^l||_F / ||W^l||_F;
- sign_coherence: for each unit, the share of its nonzero incoming weight gradients that share
  the majority sign, averaged over units with any (1 when every input is positive, the
  zig-zag of non-zero-centred activations; about 1/2 + 0.4/sqrt(fan_in) for signs at random).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

import numpy as np

from service.numerics.catalog.entry import Activation, ElementwiseFn
from service.numerics.deadline import Deadline
from service.numerics.evaluation import evaluate
from service.numerics.exceptions import InvalidInput
from service.numerics.types import Array, OutputName, ParamValue

__all__ = [
    "SATURATION_FRACTION",
    "LayerStats",
    "Network",
    "backward",
    "forward",
    "max_slope",
    "require_elementwise",
]

_BOTH: Final[tuple[OutputName, OutputName]] = ("value", "gradient")
SATURATION_FRACTION: Final = 0.01
"""A unit is saturated where |phi'(h)| is below this share of the largest |phi'|."""

_SLOPE_GRID: Final = np.concatenate(
    [np.linspace(-10, 10, 20001), -np.logspace(-8, 8, 4001), np.logspace(-8, 8, 4001)]
)


def require_elementwise(activation: Activation) -> ElementwiseFn:
    """phi', of an element-wise activation: an axis-wise one mixes its inputs and cannot make a
    layer of independent units, nor have the Gaussian pre-activations of mean-field theory."""
    if activation.axiswise or activation.derivative is None:
        raise InvalidInput(
            ("activation",), f"{activation.name} is not element-wise; a layer needs one that is"
        )
    return activation.derivative


@lru_cache(maxsize=256)
def _max_slope(activation: Activation, params: tuple[tuple[str, ParamValue], ...]) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        slopes = np.abs(require_elementwise(activation)(_SLOPE_GRID, **dict(params)))
    return float(np.max(slopes[np.isfinite(slopes)], initial=0.0))


def max_slope(activation: Activation, params: Mapping[str, ParamValue]) -> float:
    """The largest |phi'(x)| over a dense grid of x: 0 and +-[1e-8, 1e8], linear within +-10."""
    return _max_slope(activation, tuple(sorted(params.items())))


@dataclass(slots=True)
class Network:
    """Weights (fan_in, fan_out) and biases per layer, and the activation between layers;
    with ``readout``, the last layer is linear. Stacked: (trials, fan_in, fan_out) and
    (trials, 1, fan_out).

    ``evaluated`` computes phi and phi' as service.numerics.evaluate does: for float32, in
    one compiled loop through float64, rounded once (several times faster than the numpy
    functions for most activations, up to 20x for exact gelu, and within one ULP); else the
    entry's numpy functions run in the network's dtype, as the gradient-flow experiment
    always has.
    """

    activation: Activation
    params: Mapping[str, ParamValue]
    weights: list[Array]
    biases: list[Array]
    readout: bool = False
    evaluated: bool = False


@dataclass(slots=True)
class LayerStats:
    """One layer's statistics (see the module's docstring for their definitions)."""

    preact_mean: float = 0.0
    preact_std: float = 0.0
    preact_second_moment: float = 0.0
    act_mean: float = 0.0
    act_std: float = 0.0
    saturated_fraction: float = 0.0
    inactive_fraction: float = 0.0
    dead_fraction: float = 0.0
    grad_preact_rms: float = 0.0
    grad_weight_rms: float = 0.0
    grad_weight_to_weight_norm: float = 0.0
    sign_coherence: float = field(default=float("nan"))


def _second_moment(x: Array) -> float:
    """Mean of x^2: a BLAS dot product, redone in float64 if float32 squares overflowed."""
    second = float(np.vdot(x, x)) / x.size
    if math.isinf(second) and x.dtype != np.float64:
        second = float(np.square(x, dtype=np.float64).mean())
    return second


def _moments(x: Array) -> tuple[float, float, float]:
    """Mean, standard deviation and second moment."""
    mean = float(x.mean())
    second = _second_moment(x)
    return mean, math.sqrt(max(second - mean * mean, 0.0)), second


class _Scratch:
    """Reused output buffers, one per shape: a fresh array costs page faults on every layer."""

    def __init__(self, dtype: np.dtype[Any]) -> None:
        self.dtype = dtype
        self.buffers: dict[tuple[int, ...], Array] = {}

    def get(self, shape: tuple[int, ...]) -> Array:
        buffer = self.buffers.get(shape)
        if buffer is None:
            buffer = self.buffers[shape] = np.empty(shape, self.dtype)
        return buffer


def _product_shape(left: Array, right: Array) -> tuple[int, ...]:
    """The shape of left @ right: a stack's leading (trial) axis, if either is a stack."""
    stack = right.shape[:-2] if right.ndim > left.ndim else left.shape[:-2]
    return (*stack, left.shape[-2], right.shape[-1])


def _own(result: Array, scratch: Array) -> Array:
    """``result`` itself, or a copy if it is a view of the scratch buffer that will be reused."""
    return result.copy() if np.may_share_memory(result, scratch) else result


def forward(
    network: Network,
    x: Array,
    stats: list[LayerStats] | None = None,
    *,
    deadline: Deadline | None = None,
) -> tuple[list[Array], list[Array | None]]:
    """Each layer's input a^{l-1} (a^L last) and slope phi'(h^l) (None for a linear readout);
    fills ``stats`` (of the activated layers) if given. ``deadline`` is checked before each
    layer."""
    activation, params = network.activation, network.params
    derivative = require_elementwise(activation)
    threshold = SATURATION_FRACTION * max_slope(activation, params) if stats else 0.0
    inputs: list[Array] = [x]
    slopes: list[Array | None] = []
    scratch = _Scratch(x.dtype)
    last = len(network.weights) - 1
    for layer, (weights, bias) in enumerate(zip(network.weights, network.biases, strict=True)):
        if deadline is not None:
            deadline.check()
        preact = np.matmul(
            inputs[-1], weights, out=scratch.get(_product_shape(inputs[-1], weights))
        )
        if bias.any():
            preact += bias
        if network.readout and layer == last:
            slopes.append(None)
            inputs.append(preact.copy())
            break
        if network.evaluated:
            both = evaluate(activation, preact, params=params, outputs=_BOTH)
            slope, out = _own(both["gradient"], preact), _own(both["value"], preact)
        else:
            slope = _own(derivative(preact, **params), preact)
            out = _own(activation.forward(preact, **params), preact)
        if stats is not None:
            record = stats[layer]
            record.preact_mean, record.preact_std, record.preact_second_moment = _moments(preact)
            record.act_mean, record.act_std, _ = _moments(out)
            record.saturated_fraction = (
                int(np.count_nonzero(np.abs(slope) < threshold)) / slope.size
            )
            record.inactive_fraction = int(np.count_nonzero(slope == 0)) / slope.size
        slopes.append(slope)
        inputs.append(out)
    return inputs, slopes


def backward(
    network: Network,
    inputs: list[Array],
    slopes: list[Array | None],
    grad_output: Array,
    *,
    gradients: list[tuple[Array, Array]] | None = None,
    stats: list[LayerStats] | None = None,
    deadline: Deadline | None = None,
) -> None:
    """Back-propagates dl/da^L through the layers: dL/dW and dL/db into ``gradients`` (one
    pair of buffers shaped like each layer's W and b), ``stats`` if given. ``deadline`` is
    checked before each layer.

    Works in place: each slope becomes that layer's delta (the slopes are not needed after).
    The deltas carry dL/dh = (dl/dh) / batch, so that (a^{l-1})^T delta is dL/dW^l without a
    further pass over the weights.
    """
    batch = inputs[0].shape[-2]
    top = slopes[-1]
    delta = grad_output * (1 / batch) if top is None else np.multiply(top, grad_output, out=top)
    if top is not None:
        delta *= 1 / batch
    weight_scratch, input_scratch = _Scratch(delta.dtype), _Scratch(delta.dtype)
    # A stack's bias gradients, sums over the batch axis, are a BLAS product with a row of
    # ones: numpy's reduction along a middle axis is several times slower.
    ones = np.ones((1, batch), dtype=delta.dtype) if delta.ndim > 2 else None
    for layer in range(len(network.weights) - 1, -1, -1):
        if deadline is not None:
            deadline.check()
        weights = network.weights[layer]
        below_input = np.swapaxes(inputs[layer], -1, -2)
        if gradients is not None:
            grad_weights, grad_bias = gradients[layer]
            np.matmul(below_input, delta, out=grad_weights)
            if ones is not None and grad_bias.ndim == delta.ndim:
                np.matmul(ones, delta, out=grad_bias)
            else:
                np.sum(delta, axis=-2, out=grad_bias)
        else:
            grad_weights = np.matmul(
                below_input, delta, out=weight_scratch.get(_product_shape(below_input, delta))
            )
        if stats is not None:
            _backward_stats(stats[layer], delta, grad_weights, weights, batch)
        if layer > 0:
            slope = slopes[layer - 1]
            assert slope is not None  # only the last layer may be linear
            upstream = np.matmul(
                delta,
                np.swapaxes(weights, -1, -2),
                out=input_scratch.get((*delta.shape[:-1], weights.shape[-2])),
            )
            delta = np.multiply(slope, upstream, out=slope)


def _backward_stats(
    record: LayerStats, delta: Array, grad_weights: Array, weights: Array, batch: int
) -> None:
    record.grad_preact_rms = math.sqrt(_second_moment(delta)) * batch
    record.dead_fraction = 1 - int(np.count_nonzero(delta.any(axis=0))) / delta.shape[1]
    record.grad_weight_rms = math.sqrt(_second_moment(grad_weights))
    weight_norm = math.sqrt(_second_moment(weights) * weights.size)
    grad_norm = record.grad_weight_rms * math.sqrt(grad_weights.size)
    record.grad_weight_to_weight_norm = grad_norm / weight_norm if weight_norm else math.inf
    # Per unit (column): the share of its nonzero incoming gradients with the majority sign,
    # max(pos, neg) / (pos + neg) = (1 + |pos - neg| / (pos + neg)) / 2.
    signs = np.sign(grad_weights)
    balance = np.abs(signs.sum(axis=0, dtype=np.float64))
    signed = np.abs(signs, out=signs).sum(axis=0, dtype=np.float64)
    live = signed > 0
    record.sign_coherence = (
        float(np.mean((1 + balance[live] / signed[live]) / 2)) if live.any() else math.nan
    )
