"""The compiled float32 axis-wise kernels against the numpy path, and how requests reach them.

test_axiswise holds both paths to mpmath on a few short rows. Here each kernel meets the numpy
path, given the same values in float64 and its result rounded to float32, on many rows of
every shape: along the last, the first and a middle axis, a length-1 axis, rows of extremes
and of ties, long rows and short ones. The two compute the same float64 quantities, so once
rounded they differ by at most one float32 ULP (where a value lies near a rounding boundary),
except where a result is a difference whose terms cancel; see CANCELLATION.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from scipy.special import expit, ndtr

from service import numerics
from service.numerics.compiled import AxisKernel
from service.numerics.evaluation import output_shape
from service.numerics.types import OUTPUTS, Array

# Where a result is a difference of terms that cancel (a vector-Jacobian product's g_i - <g, s>,
# sparsemax's z_i - tau, silu's or gelu's slope near its root), each path's errors in float64,
# a few ULP of the terms and of sums over the row (2^-53 each, up to the row's length of them;
# vmath's Phi 1e-13), are magnified relative to the result, and the two paths round and sum in
# different orders. They then agree within one float32 ULP plus CANCELLATION times the terms'
# magnitudes: about 8000 float64 ULP of them, room for rows of thousands, and still 2^-16 of a
# float32 ULP of the terms, far below any error a kernel could make in its formula.
CANCELLATION = 2.0**-40
# softmax's and softmin's float32 products take exponentials within 2.6e-9 (their docstring):
# those errors reach 1.1e-8 of the terms, 0.18 of a float32 ULP of them, which the contract
# allows where they cancel (the terms over the result are its condition number in g).
SHORT_EXPONENTIALS = {"softmax", "softmin"}
SHORT_CANCELLATION = 2.0**-26
QUICK_GELU_BETA = 1.702  # geglu's sigmoid form: b sigma(1.702 b)
SQRT_8_OVER_PI = np.sqrt(8 / np.pi)  # geglu's tanh form

CASES = [
    pytest.param(name, {}, id=name)
    for name in ("softmax", "log_softmax", "softmin", "sparsemax", "entmax15", "glu", "swiglu")
] + [
    pytest.param("geglu", {"approximate": approximate}, id=f"geglu-{approximate}")
    for approximate in ("none", "tanh", "sigmoid")
]
SIMPLEX = ("softmax", "softmin", "sparsemax", "entmax15")
SPARSE = ("sparsemax", "entmax15")

# Rows of four (two pairs for a gated unit): far apart, tied, at the float32 extremes, at
# sparsemax's and 1.5-entmax's boundaries (x_i = tau exactly), and subnormal.
EXTREMES = [
    [1000.0, -1000.0, 0.0, 2.0],
    [0.0, 0.0, 0.0, 0.0],
    [0.5, 0.5, -0.25, 1.0],
    [3.0e38, -3.0e38, 1.0, 0.0],
    [-3.0e38, -3.0e38, 3.0e38, 3.0e38],
    [1.0, 0.0, 0.0, -3.0],
    [2.0, 0.0, 0.0, 0.0],
    [1.0, 1.0, -1.0, -1.0],
    [1.0e-40, -1.0e-38, 0.0, 5.0e-45],
    [-40.0, 0.0, 1.0e-30, 3.0],
    [-89.0, 88.0, 104.0, -104.0],
    [1.0e30, 3.0e38, -16.0, -19.0],  # a x Phi(x) in float32's range where Phi is below 1e-54
]


def _samples(halves: bool) -> Iterator[tuple[Array, int]]:
    """(x, axis) pairs: float32 arrays of several shapes, scales and axes."""
    rng = np.random.default_rng(23)
    shapes = [((7, 34), -1), ((6, 5, 4), 0), ((3, 8, 5), 1), ((2, 3, 6, 4), 2)]
    shapes += [((512, 1000), -1), ((1000, 256), 0), ((20, 100), -1), ((2, 3), 0)]
    if not halves:  # a gated unit splits its axis in halves: it has no length-1 axis
        shapes += [((5, 1), -1), ((1, 6), 0)]
    for scale in (3.0, 30.0, 1 / 64):  # 1/64: rows all within sparsemax's and entmax's reach
        for shape, axis in shapes:
            yield (scale * rng.standard_normal(shape)).astype(np.float32), axis
    yield np.array(EXTREMES, dtype=np.float32), -1
    yield np.array(EXTREMES, dtype=np.float32).T.copy(), 0


def _both_paths(
    name: str, params: dict[str, Any], x: Array, axis: int, rng: np.random.Generator
) -> tuple[dict[str, Array], dict[str, Array], Array]:
    """The kernel's value and gradient, the numpy path's (in float64), and grad_output."""
    entry = numerics.get(name)
    resolved = entry.resolve(params | {"axis": axis})
    g = rng.standard_normal(output_shape(entry, x.shape, resolved)).astype(np.float32)
    outputs = ["value", "gradient"]
    compiled = numerics.evaluate(entry, x, params=resolved, outputs=outputs, grad_output=g)
    wide = numerics.evaluate(
        entry, x.astype(np.float64), params=resolved, outputs=outputs, grad_output=g
    )
    return compiled, wide, g


def _along(function: Callable[..., Array], a: Array, axis: int) -> Array:
    return function(a, axis=axis, keepdims=True)


def _terms(
    name: str, params: dict[str, Any], x: Array, g: Array, value: Array, axis: int
) -> dict[str, Array]:
    """For each output that is a difference, the magnitude of its terms (see CANCELLATION)."""
    x, g = x.astype(np.float64), g.astype(np.float64)
    if name in ("softmax", "softmin"):
        # s_i (d_i - <d, s>), d = g - g_k, k the largest of sign x.
        signed = x if name == "softmax" else -x
        top = np.take_along_axis(g, np.argmax(signed, axis=axis, keepdims=True), axis=axis)
        d = np.abs(g - top)
        return {"gradient": value * (d + _along(np.sum, value * d, axis))}
    if name == "log_softmax":  # g_i - s_i sum g
        return {"gradient": np.abs(g) + np.exp(value) * _along(np.sum, np.abs(g), axis)}
    if name == "sparsemax":
        # z_i - tau, with tau in [-1, 0) a mean over the support of z in (-1, 0]; and
        # g_i - (the mean of g over the support).
        z = x - _along(np.max, x, axis)
        support = value > 0
        mean = _along(np.sum, support * np.abs(g), axis) / _along(np.sum, support, axis)
        return {"value": np.abs(z) + 2, "gradient": support * (np.abs(g) + mean)}
    if name == "entmax15":
        # r_i^2 with r_i = z_i - tau (z = x/2 - max/2, tau within 1 of the support's mean in
        # (-1, 0]); and r_i (g_i - share), share = <r, g> / sum r, r itself carrying its error.
        z = (x - _along(np.max, x, axis)) / 2
        root = np.sqrt(value)
        share = _along(np.sum, root * np.abs(g), axis) / _along(np.sum, root, axis)
        reach = np.abs(z) + 2
        return {
            "value": 2 * root * reach,
            "gradient": (root > 0) * ((np.abs(g) + share) * (root + reach)),
        }
    if name in ("swiglu", "geglu"):  # (g gate(b), g a slope(b)), the slope a sum that cancels
        a, b = np.split(x, 2, axis=axis)
        slope = _slope_terms(name, params, b)
        return {"gradient": np.concatenate([np.zeros_like(a), np.abs(g * a) * slope], axis=axis)}
    return {}  # glu: products alone


def _slope_terms(name: str, params: dict[str, Any], b: Array) -> Array:
    """The magnitude of the terms of the gate's slope: silu' = sigma(u) + u sigma'(u), gelu' =
    Phi(b) + b phi(b), and the tanh form's sigma(v) + b v' sigma'(v)."""
    approximate = params.get("approximate", "none")
    if name == "swiglu" or approximate == "sigmoid":
        u = b * (1.0 if name == "swiglu" else QUICK_GELU_BETA)
        return expit(u) + np.abs(u) * expit(u) * expit(-u)
    if approximate == "none":
        return ndtr(b) + np.abs(b) * np.exp(-b * b / 2) / np.sqrt(2 * np.pi)
    near = np.clip(b, -100, 100)
    v = SQRT_8_OVER_PI * (near + 0.044715 * near**3)
    dv = SQRT_8_OVER_PI * (1 + 3 * 0.044715 * near**2)
    return expit(v) + np.abs(near * dv) * expit(v) * expit(-v)


def _float32_errors(
    got: Array, want: Array, terms: Array | None, cancellation: float = CANCELLATION
) -> Array:
    """|got - want|, want rounded to float32, in units of what is allowed (<= 1 passes)."""
    with np.errstate(over="ignore"):  # beyond float32's range both are infinite
        rounded = want.astype(np.float32)
    same_infinity = np.isinf(got) & (got == rounded)
    allowed = np.spacing(np.abs(rounded)).astype(np.float64)
    if terms is not None:
        allowed = allowed + cancellation * terms
    with np.errstate(invalid="ignore"):
        error = np.abs(got.astype(np.float64) - rounded.astype(np.float64)) / allowed
    return np.where(same_infinity, 0.0, error)


@pytest.mark.parametrize(("name", "params"), CASES)
def test_kernel_agrees_with_the_numpy_path(name: str, params: dict[str, Any]) -> None:
    rng = np.random.default_rng(5)
    halves = numerics.get(name).halves_axis
    for x, axis in _samples(halves):
        compiled, wide, g = _both_paths(name, params, x, axis, rng)
        terms = _terms(name, params, x, g, wide["value"], axis)
        for output in ("value", "gradient"):
            got, want = compiled[output], wide[output]
            assert got.dtype == np.float32
            assert got.shape == want.shape
            short = name in SHORT_EXPONENTIALS and output == "gradient"
            cancellation = SHORT_CANCELLATION if short else CANCELLATION
            error = _float32_errors(got, want, terms.get(output), cancellation)
            worst = np.unravel_index(int(np.argmax(error)), error.shape)
            assert error[worst] <= 1, (
                f"{output}, x of shape {x.shape} along {axis}, at {worst}: kernel"
                f" {got[worst]!r}, numpy path {want[worst]!r} ({error[worst]:.3g} of allowed)"
            )


@pytest.mark.parametrize("name", SPARSE)
def test_exact_zeros_stay_exact(name: str) -> None:
    """sparsemax's and 1.5-entmax's zeros, and their gradients' zeros outside the support."""
    rng = np.random.default_rng(9)
    for x, axis in _samples(halves=False):
        compiled, wide, _ = _both_paths(name, {}, x, axis, rng)
        zeros = wide["value"] == 0
        assert np.array_equal(compiled["value"] == 0, zeros)
        assert np.all(compiled["gradient"][zeros] == 0)


@pytest.mark.parametrize("name", SIMPLEX)
def test_values_lie_on_the_simplex(name: str) -> None:
    entry = numerics.get(name)
    for x, axis in _samples(halves=False):
        value = numerics.evaluate(entry, x, params=entry.resolve({"axis": axis}))["value"]
        assert np.all((value >= 0) & (value <= 1))
        # Each element is rounded once, by at most 2^-24 of itself: the sum by 2^-24 of 1.
        total = np.sum(value.astype(np.float64), axis=axis)
        assert np.max(np.abs(total - 1)) <= 2.0**-23


def test_log_softmax_is_the_log_of_a_distribution() -> None:
    entry = numerics.get("log_softmax")
    for x, axis in _samples(halves=False):
        value = numerics.evaluate(entry, x, params=entry.resolve({"axis": axis}))["value"]
        assert np.all(value <= 0)
        total = np.sum(np.exp(value.astype(np.float64)), axis=axis)
        assert np.max(np.abs(total - 1)) <= 2.0**-23 * x.shape[axis]


@pytest.mark.parametrize(
    ("name", "params"), [case for case in CASES if case.values[0] in ("swiglu", "geglu")]
)
def test_slopes_near_their_roots(name: str, params: dict[str, Any]) -> None:
    """Every float32 b around the root of the gate's slope, with a = 1 and grad_output = 1.

    silu' and gelu' are sums whose terms cancel at b = -1.28 and -0.75: there the slope is
    smallest against its terms, and float64's roundings (and vmath's, Phi's up to 1e-13) show
    most, up to the float32 b nearest the root. Checked at every one of them.
    """
    entry = numerics.get(name)
    resolved = entry.resolve(params)

    def slopes(b: Array) -> Array:
        x = np.stack([np.ones_like(b), b], axis=-1)
        g = np.ones_like(b)[:, None]
        result = numerics.evaluate(entry, x, params=resolved, outputs=["gradient"], grad_output=g)
        return result["gradient"][:, 1]

    grid = np.linspace(-1.5, -0.5, 4097)
    crossing = int(np.flatnonzero(np.diff(np.sign(slopes(grid))))[0])
    root = np.float32(grid[crossing])
    low, high = root - np.float32(2.0**-10), root + np.float32(2.0**-10)
    # All float32 between low and high: consecutive bit patterns (both are negative).
    bits = np.arange(high.view(np.int32), low.view(np.int32) + 1, dtype=np.int32)
    b = bits.view(np.float32)
    wide = b.astype(np.float64)
    error = _float32_errors(slopes(b), slopes(wide), _slope_terms(name, params, wide))
    assert b.size > 10_000
    assert np.max(error) <= 1, f"b = {b[np.argmax(error)]!r}"


def test_geglu_far_in_phis_tail() -> None:
    """a b Phi(b) and g a Phi'(b)-terms where Phi(b) < 1e-54 but a and g make them show."""
    entry = numerics.get("geglu")
    resolved = entry.resolve({})
    b = np.linspace(-24, -15, 4001, dtype=np.float32)
    x = np.stack([np.full_like(b, 3e38), b], axis=-1)
    g = np.full((b.size, 1), 1e30, np.float32)
    outputs = ["value", "gradient"]
    compiled = numerics.evaluate(entry, x, params=resolved, outputs=outputs, grad_output=g)
    wide = numerics.evaluate(
        entry, x.astype(np.float64), params=resolved, outputs=outputs, grad_output=g
    )
    for output in outputs:
        assert np.count_nonzero(compiled[output]) > b.size // 4  # the tail does show
        assert np.max(_float32_errors(compiled[output], wide[output], None)) <= 1


@pytest.mark.parametrize(("name", "params"), CASES)
def test_requests_reach_the_kernel(name: str, params: dict[str, Any]) -> None:
    """Requests of either dtype go to the kernel of that dtype, for default parameters and
    every geglu variant; with kernels=False, to the numpy path."""
    entry = numerics.get(name)
    resolved = entry.resolve(params)
    assert entry.axis_kernel(resolved) is not None
    markers = {np.float32: np.float32(12345), np.float64: np.float64(54321)}

    def forward(x: Array, axis: int, **_: int) -> Array:
        return np.full(output_shape(entry, x.shape, resolved), markers[x.dtype.type])

    def vjp(x: Array, grad_output: Array, axis: int, **_: int) -> Array:
        return np.full(x.shape, markers[x.dtype.type])

    variant = {key: params[key] for key in params if key != "axis"}
    kernel = AxisKernel(forward, vjp, variant, forward64=forward, vjp64=vjp)
    patched = dataclasses.replace(entry, kernels=(kernel,))
    for dtype, marker in markers.items():
        x = np.zeros((3, 4), dtype)
        g = np.zeros(output_shape(entry, x.shape, resolved), dtype)
        result = numerics.evaluate(
            patched, x, params=resolved, outputs=["value", "gradient"], grad_output=g
        )
        assert np.all(result["value"] == marker)
        assert np.all(result["gradient"] == marker)
        defined = numerics.evaluate(patched, x, params=resolved, kernels=False)["value"]
        assert not np.any(defined == marker)


@pytest.mark.parametrize("name", ["softmax", "sparsemax", "glu"])
def test_empty_arrays(name: str) -> None:
    """No rows, and (for softmax and sparsemax) rows of length 0: empty results."""
    entry = numerics.get(name)
    for shape in [(0, 4), (3, 0)]:
        x = np.zeros(shape, np.float32)
        resolved = entry.resolve({})
        g = np.zeros(output_shape(entry, shape, resolved), np.float32)
        result = numerics.evaluate(
            entry, x, params=resolved, outputs=["value", "gradient"], grad_output=g
        )
        assert result["value"].shape == g.shape
        assert result["gradient"].shape == shape


# The float64 rows against the float64 numpy path: each within 4 max(1, kappa) ULP of the
# exact value, so within 8 max(1, kappa) ULP of each other, plus what their sums and
# cancelling differences may lose, 2^-42 (2048 float64 ULP) of the terms (see CANCELLATION):
# far below what a wrong formula or branch would differ by.
CANCELLATION64 = 2.0**-42
_GATES = {"glu": ("sigmoid", {}), "swiglu": ("silu", {}), "geglu": ("gelu", None)}


def _gate_slopes(name: str, params: dict[str, Any], b: Array) -> dict[str, Array]:
    """The gate of a gated unit at b, and its first and second derivatives (numpy path)."""
    gate_name, gate_params = _GATES[name]
    gate = numerics.get(gate_name)
    resolved = gate.resolve(params if gate_params is None else gate_params)
    return numerics.evaluate(gate, b, params=resolved, outputs=OUTPUTS, kernels=False)


def _gradient_condition(name: str, params: dict[str, Any], x: Array, axis: int) -> Array | float:
    """kappa of a gated unit's gradient (g gate(b), g a gate'(b)) in x and g; 1 for others
    (their gradients' cancellation is in _terms)."""
    if name not in _GATES:
        return 1.0
    b = np.split(x, 2, axis=axis)[1]
    f, df, d2f = _gate_slopes(name, params, b).values()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.concatenate([1 + np.abs(b * df / f), 2 + np.abs(b * d2f / df)], axis=axis)


def _value_condition(
    name: str, params: dict[str, Any], x: Array, value: Array, axis: int
) -> Array | float:
    """kappa of each component of the value: sum_j |x_j dy_i/dx_j| / |y_i|."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if name in ("softmax", "softmin", "log_softmax"):
            # dy_i/dx_j = (delta_ij - s_j) for log_softmax, s_i times that for softmax.
            s = np.exp(value) if name == "log_softmax" else value
            share = _along(np.sum, np.abs(x) * s, axis)
            spread = np.abs(x) * (1 - s) + (share - np.abs(x) * s)
            result: Array = spread / np.abs(value) if name == "log_softmax" else spread
            return result
        if name in _GATES:  # a gate(b): 1 for a, |b gate'(b) / gate(b)| for b
            b = np.split(x, 2, axis=axis)[1]
            slopes = _gate_slopes(name, params, b)
            return 1 + np.abs(b * slopes["gradient"] / slopes["value"])
    return 1.0


@pytest.mark.parametrize(("name", "params"), CASES)
def test_float64_kernel_agrees_with_the_numpy_path(name: str, params: dict[str, Any]) -> None:
    rng = np.random.default_rng(15)
    entry = numerics.get(name)
    halves = entry.halves_axis
    for x32, axis in _samples(halves):
        # Every bit of a float64: the float32 samples perturbed in their low bits.
        x = x32.astype(np.float64) * (1 + rng.uniform(-(2**-30), 2**-30, x32.shape))
        resolved = entry.resolve(params | {"axis": axis})
        g = rng.standard_normal(output_shape(entry, x.shape, resolved))
        outputs = ["value", "gradient"]
        kernels = numerics.evaluate(entry, x, params=resolved, outputs=outputs, grad_output=g)
        defined = numerics.evaluate(
            entry, x, params=resolved, outputs=outputs, grad_output=g, kernels=False
        )
        terms = _terms(name, params, x, g, defined["value"], axis)
        kappa = {
            "value": _value_condition(name, params, x, defined["value"], axis),
            "gradient": _gradient_condition(name, params, x, axis),
        }
        for output in outputs:
            got, want = kernels[output], defined[output]
            assert got.dtype == np.float64 and got.shape == want.shape
            # Below 2^-1000, in ULP of 2^-1000: there the numpy path's own kappa underflows.
            floor = np.maximum(np.abs(want), 2.0**-1000)
            allowed = 8 * np.spacing(floor) * np.maximum(1, kappa.get(output, 1.0))
            allowed = allowed + CANCELLATION64 * terms.get(output, 0.0)
            with np.errstate(invalid="ignore"):
                error = np.where(got == want, 0.0, np.abs(got - want) / allowed)
            worst = np.unravel_index(int(np.argmax(error)), error.shape)
            assert error[worst] <= 1, (
                f"{output}, x of shape {x.shape} along {axis}, at {worst}: kernel"
                f" {got[worst]!r}, numpy path {want[worst]!r} ({error[worst]:.3g} of allowed)"
            )
