"""The gradient-flow experiment: a random network's forward and backward pass, theory beside it.

One call draws the input and the network from one seeded generator, runs the pass (and,
if asked, a few SGD steps of a synthetic regression task), and returns the per-layer
statistics of service.numerics.networks.propagation next to the predictions of
service.numerics.networks.meanfield for the same sigma_w^2 and sigma_b^2.

Losses, per example (L is their mean over the batch), y = a^L the output:
- "random_projection" (the default): l = sum_i r_i y_i with r_i ~ N(0, 1) drawn once, a random
  linear readout. Its gradient is independent of the forward pass, which is what mean-field
  theory assumes of the backward pass, so the measured gradients follow the predicted ones;
- "sum": l = sum_i y_i, so dl/dy = 1;
- "mse": l = 1/2 sum_i (y_i - t_i)^2 to targets t ~ N(0, 1) drawn independently of x.
The last two seed the backward pass with a vector aligned with the forward one. For an
activation whose slope is not even (the relu family), W^T (phi'(h) * 1) then has a mean along
the layer's input and the gradients grow faster than theory says: about 1.06x per layer in
rms for relu with He init, 3.5x over 20 layers where theory predicts 1. For tanh and
sigmoid (even slopes) the three agree within a few percent.
Training (service.numerics.networks.training) fits the targets t = x T of a random linear teacher
T ~ N(0, 1 / (n_0 E[x^2])) (targets of unit variance), with a fresh batch at every step.

The verdict compares the gradient at the first layer with the last one, r = rms(dl/dh^1) /
rms(dl/dh^L): "vanishing" when r < 0.1, "exploding" when r > 10 or a gradient overflowed,
"stable" in between; a forward signal that overflowed is "exploding" too, and no gradient
at all (every unit of the last layer dead) is "vanishing".
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Final, Literal

import numpy as np

from service.numerics.analysis.quadrature import expectation
from service.numerics.catalog.entry import Activation
from service.numerics.deadline import Deadline
from service.numerics.exceptions import InvalidInput, LimitExceeded
from service.numerics.networks import meanfield
from service.numerics.networks.initialisation import Init, ResolvedInit, draw, resolve
from service.numerics.networks.propagation import (
    LayerStats,
    Network,
    backward,
    forward,
    max_slope,
    require_elementwise,
)
from service.numerics.networks.training import Training, TrainingStep, train
from service.numerics.types import DTYPES, Array, ParamValue

__all__ = [
    "EXPLODING_ABOVE",
    "VANISHING_BELOW",
    "Experiment",
    "GradientFlow",
    "JacobianReport",
    "LayerReport",
    "Limits",
    "Loss",
    "Summary",
    "Training",
    "TrainingStep",
    "Verdict",
    "layer_widths",
    "simulate",
]

Loss = Literal["random_projection", "sum", "mse"]
InputDistribution = Literal["normal", "uniform"]
Verdict = Literal["vanishing", "stable", "exploding"]

VANISHING_BELOW: Final = 0.1
EXPLODING_ABOVE: Final = 10.0


@dataclass(frozen=True, slots=True)
class Limits:
    """What one experiment or training run may cost; each is a setting of the service."""

    max_depth: int = 256
    max_width: int = 2048
    max_batch: int = 2048
    max_activations: int = 2**25
    max_weights: int = 2**25
    max_multiply_adds: int = 2**34
    max_jacobian_width: int = 512
    max_training_steps: int = 100
    max_run_steps: int = 20_000
    max_trials: int = 64
    max_entrants: int = 8
    max_examples: int = 20_000
    max_records: int = 501
    max_training_multiply_adds: int = 2**35
    max_element_ops: int = 2**33
    max_layer_steps: int = 200_000
    max_training_floats: int = 2**27


@dataclass(frozen=True, slots=True)
class Experiment:
    activation: Activation
    params: Mapping[str, ParamValue]
    widths: tuple[int, ...]
    batch: int
    seed: int
    init: Init = field(default_factory=Init)
    input_distribution: InputDistribution = "normal"
    input_scale: float = 1.0
    dtype: Literal["float32", "float64"] = "float32"
    loss: Loss = "random_projection"
    jacobian: bool = False
    training: Training | None = None

    @property
    def weights(self) -> int:
        """The sum of fan_in x fan_out (the input layer is as wide as the first)."""
        widths = self.widths
        return widths[0] ** 2 + sum(a * b for a, b in pairwise(widths))

    @property
    def multiply_adds(self) -> int:
        """Forward multiply-adds: batch x weights x passes, one pass plus steps + 1 if training."""
        passes = 1 if self.training is None else self.training.steps + 2
        return self.batch * self.weights * passes


@dataclass(frozen=True, slots=True)
class LayerReport:
    layer: int
    width: int
    sigma_w2: float
    sigma_b2: float
    measured: LayerStats
    theory_preact_second_moment: float
    theory_grad_preact_rms: float
    theory_chi: float


@dataclass(frozen=True, slots=True)
class Summary:
    gradient_ratio: float
    theory_gradient_ratio: float
    verdict: Verdict
    scheme: str
    gain: float | None
    sigma_w2: float
    sigma_b2: float
    max_slope: float


@dataclass(frozen=True, slots=True)
class JacobianReport:
    """Singular values of d a^L / d x at the batch's first example, largest first."""

    singular_values: list[float]
    mean_squared: float
    theory_mean_squared: float


@dataclass(frozen=True, slots=True)
class GradientFlow:
    layers: list[LayerReport]
    summary: Summary
    theory: meanfield.MeanField
    jacobian: JacobianReport | None
    training: list[TrainingStep] | None


def layer_widths(depth: int, width: int | Sequence[int], limits: Limits) -> tuple[int, ...]:
    """One width per layer, from a single width or a list of them."""
    _check(("depth",), "max_depth", limits.max_depth, depth, "depth")
    if isinstance(width, int):
        return (width,) * depth
    if len(width) != depth:
        raise InvalidInput(("width",), f"lists {len(width)} widths for depth {depth}")
    return tuple(width)


def simulate(
    experiment: Experiment, limits: Limits, *, deadline: Deadline | None = None
) -> GradientFlow:
    """Runs the experiment; the same experiment (seed included) gives the same numbers.

    Bit for bit with the same BLAS and thread count (concurrent calls included): OpenBLAS
    blocks its products differently for one thread and for several. Past ``deadline`` it
    stops at the next layer (DeadlineExceeded).
    """
    activation, params = experiment.activation, experiment.params
    require_elementwise(activation)
    if experiment.init.bias_mean:
        raise InvalidInput(
            ("init", "bias_mean"),
            "mean-field theory, beside the gradient flow, assumes zero-mean biases; train the"
            " networks (steps 0 measures them as drawn) to see what a bias shift does",
        )
    _check_limits(experiment, limits)
    widths = (experiment.widths[0], *experiment.widths)
    init = resolve(experiment.init, activation, params, widths)
    rng = np.random.default_rng(experiment.seed)
    dtype = DTYPES[experiment.dtype]
    x = _draw_input(experiment, rng, dtype)
    drawn = [
        draw(layer, n_in, n_out, rng, dtype)
        for layer, (n_in, n_out) in zip(init.layers, pairwise(widths), strict=True)
    ]
    network = Network(activation, params, [w for w, _ in drawn], [b for _, b in drawn])
    seed_shape = (experiment.batch, widths[-1]) if experiment.loss == "mse" else widths[-1]
    seed = rng.standard_normal(seed_shape, dtype=dtype) if experiment.loss != "sum" else None
    stats = [LayerStats() for _ in experiment.widths]
    # Exploding networks overflow: inf and nan are then the honest statistics.
    with np.errstate(all="ignore"):
        inputs, slopes = forward(network, x, stats, deadline=deadline)
        singular_values = (
            _jacobian_singular_values(network, [s for s in slopes if s is not None])
            if experiment.jacobian
            else None
        )
        grad_output = _output_gradient(experiment.loss, inputs[-1], seed)
        backward(network, inputs, slopes, grad_output, stats=stats, deadline=deadline)
        training = None
        if experiment.training is not None:
            n_in, n_out = widths[0], widths[-1]
            teacher = rng.standard_normal((n_in, n_out), dtype=dtype)
            # An input scale as small as 5e-324 has a second moment that underflows to 0; the
            # smallest normal float keeps the teacher's scale finite (and its targets tiny).
            second_moment = max(_input_second_moment(experiment), sys.float_info.min)
            teacher *= 1 / math.sqrt(n_in * second_moment)
            training = train(
                network,
                experiment.training,
                batches=lambda: _draw_input(experiment, rng, dtype),
                teacher=teacher,
                deadline=deadline,
            )
    return _report(experiment, init, stats, singular_values, training)


def _check(loc: tuple[str, ...], limit: str, maximum: int, value: int, what: str) -> None:
    if value > maximum:
        raise LimitExceeded(loc, limit=limit, maximum=maximum, value=value, what=what)


def _check_limits(experiment: Experiment, limits: Limits) -> None:
    widths = experiment.widths
    if min(widths) < 1 or experiment.batch < 1:
        raise InvalidInput(("width",), "every width and the batch must be at least 1")
    _check(("depth",), "max_depth", limits.max_depth, len(widths), "depth")
    _check(("width",), "max_width", limits.max_width, max(widths), "width")
    _check(("batch",), "max_batch", limits.max_batch, experiment.batch, "batch")
    units = experiment.batch * sum(widths)
    _check(("width",), "max_activations", limits.max_activations, units, "batch x units")
    _check(("width",), "max_weights", limits.max_weights, experiment.weights, "weights")
    if experiment.training is not None:
        steps = experiment.training.steps
        _check(
            ("training", "steps"), "max_training_steps", limits.max_training_steps, steps, "steps"
        )
        # Parameters, their gradients and the optimizer's state, all held at once.
        held = (experiment.weights + sum(widths)) * (2 + experiment.training.optimizer.buffers())
        _check(
            ("training", "optimizer"),
            "max_training_floats",
            limits.max_training_floats,
            held,
            "parameters x (2 + optimizer buffers)",
        )
    _check(
        ("width",),
        "max_multiply_adds",
        limits.max_multiply_adds,
        experiment.multiply_adds,
        "batch x weights x passes",
    )
    if experiment.jacobian:
        widest = max(widths)
        _check(("jacobian",), "max_jacobian_width", limits.max_jacobian_width, widest, "width")


def _input_second_moment(experiment: Experiment) -> float:
    """E[x_i^2]: scale^2 for N(0, scale^2), scale^2 / 3 for U(-scale, scale)."""
    scale2 = experiment.input_scale**2
    return scale2 if experiment.input_distribution == "normal" else scale2 / 3


def _draw_input(
    experiment: Experiment, rng: np.random.Generator, dtype: type[np.floating]
) -> Array:
    shape = (experiment.batch, experiment.widths[0])
    if experiment.input_distribution == "normal":
        x = rng.standard_normal(shape, dtype=dtype)
        x *= experiment.input_scale
    else:
        x = rng.random(shape, dtype=dtype)
        x *= 2 * experiment.input_scale
        x -= experiment.input_scale
    return x


def _jacobian_singular_values(network: Network, slopes: list[Array]) -> Array:
    """Singular values of J = D_L W_L^T ... D_1 W_1^T at the first example (in float64); NaN
    when J has an infinite or NaN entry (an exploding network's), which no SVD can take."""
    jacobian = network.weights[0].T.astype(np.float64) * slopes[0][0, :, None]
    for weights, slope in zip(network.weights[1:], slopes[1:], strict=True):
        jacobian = weights.T.astype(np.float64) @ jacobian
        jacobian *= slope[0, :, None]
    if not np.isfinite(jacobian).all():
        return np.full(min(jacobian.shape), np.nan)
    values: Array = np.linalg.svd(jacobian, compute_uv=False)
    return values


def _report(
    experiment: Experiment,
    init: ResolvedInit,
    stats: list[LayerStats],
    singular_values: Array | None,
    training: list[TrainingStep] | None,
) -> GradientFlow:
    activation, params = experiment.activation, experiment.params
    sigma_w2 = [layer.sigma_w2 for layer in init.layers]
    sigma_b2 = [layer.sigma_b2 for layer in init.layers]
    q = meanfield.length_recursion(
        activation,
        params,
        q_input=_input_second_moment(experiment),
        sigma_w2=sigma_w2,
        sigma_b2=sigma_b2,
    )
    grads = meanfield.gradient_recursion(
        activation,
        params,
        q=q,
        sigma_w2=sigma_w2,
        widths=experiment.widths,
        last=_output_gradient_moment(experiment, q[-1]),
    )
    # chi^l = sigma_w^2(l) E[phi'(sqrt(q^l) z)^2]: layer l's factor in the growth of gradient
    # second moments and of the Jacobian's squared singular values; 0 for a layer without
    # weights, whatever its slopes (an infinite moment too).
    weights = np.asarray(sigma_w2)
    slopes = meanfield.moments(activation, params, np.minimum(q, 1e30))[1]
    chi = np.multiply(weights, slopes, out=np.zeros_like(slopes), where=weights != 0)
    layers = [
        LayerReport(
            k + 1,
            width,
            sigma_w2[k],
            sigma_b2[k],
            stats[k],
            q[k],
            math.sqrt(grads[k]),
            float(chi[k]),
        )
        for k, width in enumerate(experiment.widths)
    ]
    hidden_w2, hidden_b2 = _representative(sigma_w2), _representative(sigma_b2)
    overflowed = not all(math.isfinite(s.preact_second_moment) for s in stats)
    ratio, verdict = _verdict(stats[0].grad_preact_rms, stats[-1].grad_preact_rms, overflowed)
    summary = Summary(
        gradient_ratio=ratio,
        theory_gradient_ratio=math.sqrt(grads[0] / grads[-1]) if grads[-1] > 0 else math.nan,
        verdict=verdict,
        scheme=init.scheme,
        gain=init.gain,
        sigma_w2=hidden_w2,
        sigma_b2=hidden_b2,
        max_slope=max_slope(activation, params),
    )
    theory = meanfield.analyse(
        activation, params, sigma_w2=hidden_w2, sigma_b2=hidden_b2, q_start=min(q[0], 1e300)
    )
    jacobian = None
    if singular_values is not None:
        n_in, n_out = experiment.widths[0], experiment.widths[-1]
        with np.errstate(invalid="ignore"):  # a layer's chi 0, another's inf: undefined
            predicted = n_out / min(n_in, n_out) * float(np.prod(chi))
        jacobian = JacobianReport(
            singular_values.tolist(), float(np.mean(np.square(singular_values))), predicted
        )
    return GradientFlow(layers, summary, theory, jacobian, training)


def _output_gradient(loss: Loss, output: Array, seed: Array | None) -> Array:
    """dl/dy: the readout r, ones, or y - t."""
    if seed is None:
        return np.ones_like(output)
    return output - seed if loss == "mse" else np.broadcast_to(seed, output.shape)


def _output_gradient_moment(experiment: Experiment, q: float) -> float:
    """E[(dl/dh^L)^2] at infinite width: E[phi'^2], or E[(phi phi')^2] + E[phi'^2] for "mse"."""
    activation, params = experiment.activation, experiment.params
    if math.isinf(q):
        return math.inf
    slope = float(meanfield.moments(activation, params, np.array([q]))[1][0])
    if experiment.loss != "mse":
        return slope
    derivative = require_elementwise(activation)
    with np.errstate(over="ignore", invalid="ignore"):
        product = expectation(
            lambda u: np.square(activation.forward(u, **params) * derivative(u, **params)),
            0.0,
            math.sqrt(q),
        )
    return float(product) + slope


def _representative(values: Sequence[float]) -> float:
    """The hidden layers' common value (the first layer's if there is one layer), else their mean."""
    hidden = values[1:] or values
    return hidden[0] if min(hidden) == max(hidden) else float(np.mean(hidden))


def _verdict(first: float, last: float, overflowed: bool) -> tuple[float, Verdict]:
    # An overflowed forward pass has nan pre-activations, whose slopes read as 0: the gradient
    # then looks vanished although the network exploded.
    if overflowed or not (math.isfinite(first) and math.isfinite(last)):
        return first / last if last else math.nan, "exploding"
    if last == 0:
        return math.nan, "vanishing"
    ratio = first / last
    if ratio < VANISHING_BELOW:
        return ratio, "vanishing"
    return ratio, "exploding" if ratio > EXPLODING_ABOVE else "stable"
