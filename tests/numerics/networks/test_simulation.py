"""The simulator: Monte Carlo against mean-field theory, exact gradients, determinism, limits."""

from __future__ import annotations

import dataclasses
import math
from itertools import pairwise

import numpy as np
import pytest

from service import numerics
from service.numerics.networks import meanfield, optimizer
from service.numerics.networks.initialisation import Init, Mode, activation_gain, draw, resolve
from service.numerics.networks.propagation import LayerStats, Network, backward, forward, max_slope
from service.numerics.networks.simulation import (
    Experiment,
    Limits,
    Training,
    layer_widths,
    simulate,
)

LIMITS = Limits()
ELEMENTWISE = [entry for entry in numerics.ACTIVATIONS.values() if not entry.axiswise]
AXISWISE = [entry for entry in numerics.ACTIVATIONS.values() if entry.axiswise]
# e^x overflows by the third layer at the default init: inf and nan are then the honest answer.
OVERFLOWING = {"exponential"}


def experiment(name: str = "tanh", **fields: object) -> Experiment:
    entry = numerics.get(name)
    options: dict[str, object] = {"widths": (32,) * 4, "batch": 8, "seed": 0, **fields}
    return Experiment(entry, entry.resolve({}), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "init"),
    [
        ("tanh", Init(sigma_w=math.sqrt(1.5), sigma_b=math.sqrt(0.05))),
        ("relu", Init(scheme="he_normal")),
        ("sigmoid", Init(scheme="xavier_normal")),
    ],
)
def test_monte_carlo_agrees_with_theory_at_width_512(name: str, init: Init) -> None:
    # Each network's statistics fluctuate by O(1/sqrt(width)) per layer, and for relu, whose
    # length map is marginal, the fluctuations add up over depth (about 45% at layer 20),
    # shared by the whole batch. So the test averages independent networks and allows 4
    # standard errors of that mean (estimated from the networks' spread) plus 1/width for the
    # finite-width bias; it also checks that this tolerance stays tight enough to mean something.
    networks, width, depth = 16, 512, 20
    q_ratio, grad_ratio = [], []
    for seed in range(networks):
        result = simulate(
            experiment(name, widths=(width,) * depth, batch=16, seed=seed, init=init), LIMITS
        )
        q_ratio.append(
            [r.measured.preact_second_moment / r.theory_preact_second_moment for r in result.layers]
        )
        grad_ratio.append(
            [r.measured.grad_preact_rms / r.theory_grad_preact_rms for r in result.layers]
        )
    for ratios in (np.array(q_ratio), np.array(grad_ratio)):
        error = np.abs(ratios.mean(axis=0) - 1)
        tolerance = 4 * ratios.std(axis=0, ddof=1) / math.sqrt(networks) + 1 / width
        assert (error <= tolerance).all(), np.argmax(error - tolerance)
        assert tolerance.max() < 0.5


def test_the_same_seed_gives_the_same_numbers() -> None:
    for dtype in ("float64", "float32"):
        first = simulate(experiment(dtype=dtype, jacobian=True, loss="mse", seed=7), LIMITS)
        again = simulate(experiment(dtype=dtype, jacobian=True, loss="mse", seed=7), LIMITS)
        assert first == again
    other = simulate(experiment(dtype="float64", seed=8), LIMITS)
    assert other.layers[0].measured != first.layers[0].measured


@pytest.mark.parametrize("readout", [False, True])
@pytest.mark.parametrize("trials", [None, 2])
def test_backward_matches_finite_differences(readout: bool, trials: int | None) -> None:
    # One network, or a stack of two trained side by side (each its own weights, batch and
    # loss); with a linear readout last or without.
    rng = np.random.default_rng(3)
    widths = [3, 4, 5, 2]
    entry = numerics.get("tanh")
    stack = () if trials is None else (trials,)
    weights = [rng.standard_normal((*stack, a, b)) for a, b in pairwise(widths)]
    biases = [rng.standard_normal((*stack, 1, b) if stack else b) for b in widths[1:]]
    x = rng.standard_normal((*stack, 6, widths[0]))
    readout_weights = rng.standard_normal(widths[-1])

    def loss(ws: list[np.ndarray], bs: list[np.ndarray]) -> float:
        inputs, _ = forward(Network(entry, {}, ws, bs, readout=readout), x)
        return float(np.sum(np.mean(inputs[-1] @ readout_weights, axis=-1)))

    network = Network(entry, {}, weights, biases, readout=readout)
    inputs, slopes = forward(network, x)
    assert (slopes[-1] is None) == readout
    gradients = [(np.zeros_like(w), np.zeros_like(b)) for w, b in zip(weights, biases, strict=True)]
    grad_output = np.broadcast_to(readout_weights, inputs[-1].shape)
    backward(network, inputs, slopes, grad_output, gradients=gradients)
    step = 1e-6
    for layer in range(len(weights)):
        for kind, params in enumerate((weights, biases)):
            gradient = gradients[layer][kind]
            numeric = np.zeros_like(gradient)
            for index in np.ndindex(gradient.shape):
                plus = [p.copy() for p in params]
                minus = [p.copy() for p in params]
                plus[layer][index] += step
                minus[layer][index] -= step
                pair = (plus, biases) if kind == 0 else (weights, plus)
                pair_minus = (minus, biases) if kind == 0 else (weights, minus)
                numeric[index] = (loss(*pair) - loss(*pair_minus)) / (2 * step)
            np.testing.assert_allclose(gradient, numeric, rtol=1e-7, atol=1e-9)


def test_linear_orthogonal_network_is_an_isometry() -> None:
    result = simulate(
        experiment(
            "identity",
            widths=(48,) * 10,
            init=Init(scheme="orthogonal"),
            jacobian=True,
            dtype="float64",
        ),
        LIMITS,
    )
    assert result.jacobian is not None
    np.testing.assert_allclose(result.jacobian.singular_values, 1.0, rtol=1e-12)
    assert result.jacobian.theory_mean_squared == pytest.approx(1.0, rel=1e-14)
    assert result.summary.verdict == "stable"


@pytest.mark.parametrize(
    ("scheme", "mode"),
    [
        ("xavier_normal", None),
        ("xavier_uniform", None),
        ("he_normal", None),
        ("he_normal", "fan_out"),
        ("he_uniform", "fan_out"),
        ("lecun_normal", None),
        ("orthogonal", None),
        ("torch_default", None),
    ],
)
def test_schemes_draw_the_variance_they_promise(scheme: str, mode: Mode | None) -> None:
    widths = (300, 300, 200, 400)
    resolved = resolve(Init(scheme=scheme, mode=mode), numerics.get("relu"), {}, widths)
    rng = np.random.default_rng(0)
    for layer, (n_in, n_out) in zip(resolved.layers, pairwise(widths), strict=True):
        weights, bias = draw(layer, n_in, n_out, rng, np.float64)
        assert weights.shape == (n_in, n_out)
        assert n_in * np.mean(weights**2) == pytest.approx(layer.sigma_w2, rel=0.03)
        assert np.mean(bias**2) == pytest.approx(layer.sigma_b2, rel=0.3, abs=1e-12)
        if scheme == "orthogonal":
            gram = weights.T @ weights if n_in >= n_out else weights @ weights.T
            np.testing.assert_allclose(
                gram, np.eye(min(n_in, n_out)) * layer.weight_std**2, atol=1e-12
            )
        if scheme == "torch_default":
            assert np.abs(weights).max() <= 1 / math.sqrt(n_in)


@pytest.mark.parametrize("entry", ELEMENTWISE, ids=lambda e: e.name)
def test_default_gain_is_pytorchs_calculate_gain(entry: numerics.Activation) -> None:
    torch = pytest.importorskip("torch")
    params, call = entry.resolve({}), entry.facts.initialisation.gain_call
    # The call names the entry's parameters, e.g. calculate_gain('leaky_relu', negative_slope).
    want = eval(call, {"torch": torch, **params}) if call else 1.0
    assert activation_gain(entry, params) == pytest.approx(want, rel=1e-15)


def test_default_gain_comes_from_the_activation() -> None:
    assert simulate(experiment("tanh"), LIMITS).summary.gain == pytest.approx(5 / 3)
    assert simulate(experiment("relu"), LIMITS).summary.sigma_w2 == pytest.approx(2.0)
    leaky = simulate(
        dataclasses.replace(experiment("leaky_relu"), params={"negative_slope": 0.5}), LIMITS
    )
    assert leaky.summary.gain == pytest.approx(math.sqrt(2 / 1.25))
    assert simulate(experiment("gelu"), LIMITS).summary.gain == 1.0  # PyTorch defines none
    assert (
        simulate(
            experiment("tanh", init=Init(scheme="xavier_normal", gain=2.0)), LIMITS
        ).summary.sigma_w2
        == 4.0
    )
    torch_default = simulate(experiment("tanh", init=Init(scheme="torch_default")), LIMITS).summary
    assert torch_default.sigma_w2 == pytest.approx(
        1 / 3
    ) and torch_default.sigma_b2 == pytest.approx(1 / 96)


@pytest.mark.parametrize(
    ("init", "field"),
    [
        (Init(scheme="he_normal", sigma_w=1.0), "scheme"),
        (Init(gain=2.0, sigma_w=1.0), "gain"),
        (Init(scheme="torch_default", gain=2.0), "gain"),
        (Init(scheme="xavier_normal", mode="fan_out"), "mode"),
    ],
)
def test_contradictory_inits_are_refused(init: Init, field: str) -> None:
    with pytest.raises(numerics.InvalidInput) as caught:
        simulate(experiment(init=init), LIMITS)
    assert caught.value.loc == ("init", field)


def test_saturation_is_measured_against_the_largest_slope() -> None:
    assert max_slope(numerics.get("sigmoid"), {}) == pytest.approx(0.25)
    assert max_slope(numerics.get("relu"), {}) == 1.0
    # gelu' = Phi + x phi peaks at x = sqrt 2.
    peak = 0.5 * math.erfc(-1) + math.sqrt(2) * math.exp(-1) / math.sqrt(2 * math.pi)
    assert max_slope(numerics.get("gelu"), {"approximate": "none"}) == pytest.approx(peak, rel=1e-6)
    assert max_slope(numerics.get("elu"), {"alpha": 3.0}) == 3.0
    # Huge weights drive sigmoid units into their flat tails.
    saturated = (
        simulate(experiment("sigmoid", init=Init(sigma_w=100.0)), LIMITS).layers[-1].measured
    )
    assert saturated.saturated_fraction > 0.9


def test_relu_units_die_under_a_large_learning_rate() -> None:
    def dead_after(rate: float) -> list[float]:
        result = simulate(
            experiment(
                "relu",
                widths=(64,) * 6,
                batch=64,
                seed=3,
                init=Init(scheme="he_normal"),
                dtype="float64",
                training=Training(8, rate),
            ),
            LIMITS,
        )
        assert result.training is not None and len(result.training) == 9
        return [float(np.mean(step.dead_fraction)) for step in result.training]

    gentle, harsh = dead_after(0.001), dead_after(0.1)
    assert gentle[-1] < 0.1
    assert harsh[-1] > 0.5 > harsh[0]


def test_training_lowers_the_loss_at_a_small_rate() -> None:
    result = simulate(
        experiment("tanh", widths=(64,) * 3, batch=64, training=Training(10, 0.1)), LIMITS
    )
    assert result.training is not None
    assert result.training[-1].loss < 0.7 * result.training[0].loss


def test_sigmoid_gradients_vanish_and_relu_units_die_across_the_batch() -> None:
    sigmoid = simulate(experiment("sigmoid", widths=(128,) * 20, batch=16), LIMITS)
    assert sigmoid.summary.verdict == "vanishing"
    assert (
        sigmoid.layers[5].measured.sign_coherence > 0.99
    )  # all-positive inputs: one sign per unit
    exploding = simulate(experiment("relu", widths=(64,) * 30, init=Init(sigma_w=2.0)), LIMITS)
    assert exploding.summary.verdict == "exploding" and exploding.theory.phase == "chaotic"


@pytest.mark.parametrize(
    ("fields", "limit"),
    [
        ({"widths": (8,) * 5}, "max_depth"),
        ({"widths": (65, 8)}, "max_width"),
        ({"batch": 65}, "max_batch"),
        ({"widths": (60, 60), "batch": 60}, "max_activations"),
        ({"widths": (64, 64), "batch": 2}, "max_weights"),
        ({"widths": (50, 50), "batch": 8, "training": Training(3, 0.1)}, "max_multiply_adds"),
        ({"widths": (33,), "jacobian": True}, "max_jacobian_width"),
        ({"training": Training(11, 0.1)}, "max_training_steps"),
    ],
)
def test_over_limit_experiments_name_the_limit(fields: dict[str, object], limit: str) -> None:
    small = Limits(
        max_depth=4,
        max_width=64,
        max_batch=64,
        max_activations=6000,
        max_weights=6000,
        max_multiply_adds=60_000,
        max_jacobian_width=32,
        max_training_steps=10,
    )
    with pytest.raises(numerics.LimitExceeded) as caught:
        simulate(experiment(**{"widths": (8,), "batch": 8, **fields}), small)
    assert caught.value.limit == limit
    assert limit in str(caught.value)


def test_widths_come_one_per_layer() -> None:
    assert layer_widths(3, 16, LIMITS) == (16, 16, 16)
    assert layer_widths(2, [4, 8], LIMITS) == (4, 8)
    with pytest.raises(numerics.InvalidInput):
        layer_widths(3, [4, 8], LIMITS)
    with pytest.raises(numerics.LimitExceeded):
        layer_widths(10**9, 16, LIMITS)


@pytest.mark.parametrize("entry", AXISWISE, ids=lambda e: e.name)
def test_axis_wise_activations_are_refused(entry: numerics.Activation) -> None:
    params = entry.resolve({})
    with pytest.raises(numerics.InvalidInput, match="not element-wise"):
        simulate(dataclasses.replace(experiment(), activation=entry, params=params), LIMITS)
    with pytest.raises(numerics.InvalidInput, match="not element-wise"):
        meanfield.critical_line(entry, params, [0.0])


def test_stats_record_defaults_are_unmeasured() -> None:
    assert math.isnan(LayerStats().sign_coherence)


def test_each_layer_reports_its_chi() -> None:
    relu = simulate(experiment("relu", init=Init(scheme="he_normal")), LIMITS)
    assert [r.theory_chi for r in relu.layers] == pytest.approx([1.0] * 4)
    tanh = simulate(experiment("tanh", init=Init(sigma_w=1.0)), LIMITS)
    chis = [r.theory_chi for r in tanh.layers]
    assert chis == sorted(chis) and chis[-1] < 1  # q shrinks towards 0, where chi -> 1


@pytest.mark.parametrize("entry", ELEMENTWISE, ids=lambda e: e.name)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_activation_simulates_in_its_dtype(entry: numerics.Activation, dtype: str) -> None:
    result = simulate(
        Experiment(entry, entry.resolve({}), (16,) * 3, 8, seed=0, dtype=dtype, jacobian=True),  # type: ignore[arg-type]
        LIMITS,
    )
    rms = [(r.measured.grad_preact_rms, r.theory_grad_preact_rms) for r in result.layers]
    if entry.name in OVERFLOWING:
        assert not all(math.isfinite(value) for pair in rms for value in pair)
        assert result.summary.verdict == "exploding" and result.theory.phase == "chaotic"
    else:
        assert all(math.isfinite(value) for pair in rms for value in pair)
        assert result.theory.phase in {"ordered", "critical", "chaotic"}
    line = meanfield.critical_line(entry, entry.resolve({}), [0.0, 0.5])
    assert all(p.sigma_w2 is None or 0 < p.sigma_w2 < 1e6 for p in line)


def test_the_probe_counts_its_optimizers_state() -> None:
    # 32 x 32 x 4 weights and biases: SGD holds them and their gradients, Adam three more.
    widths, limits = (32,) * 4, Limits(max_training_floats=3 * 33 * 32 * 4)
    simulate(experiment(widths=widths, training=Training(1, 0.1)), limits)
    with pytest.raises(numerics.LimitExceeded) as caught:
        simulate(experiment(widths=widths, training=Training(1, 0.1, optimizer("adam"))), limits)
    assert caught.value.limit == "max_training_floats"
    assert caught.value.loc == ("training", "optimizer")
