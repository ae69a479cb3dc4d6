"""The compiled element-wise kernels against the numpy path, densely, and how requests reach them.

test_accuracy holds both paths to mpmath on a few thousand points. Here each kernel meets the
numpy path on a denser grid over the whole float range, which finds a polynomial, cut-off or
branch gone wrong between the points test_accuracy tries:

- float32 (value and gradient from the float32 functions, the second derivative from the
  float64 one): the two compute the same float64 quantity, each good to a few float64 ULP
  where the function is well-conditioned, so once rounded they differ only where a value
  lies near a rounding boundary, by one float32 ULP (at 0 too: gelu at the least subnormal
  is a tie in float64, and the kernel's float64 may land on either side of it); a kernel in
  FLOAT32_CONTRACT spends the contract's budget instead (float32 arithmetic, or a shorter
  exponential where a difference cancels), and is held to it: within 2 max(1, kappa) float32
  ULP of the numpy path's float64 result before its rounding, as test_accuracy holds every
  kernel to mpmath on fewer points;
- float64: each is within 4 max(1, kappa) ULP of the exact value, so they are within twice
  that of each other, kappa estimated from the numpy path itself (x f'/f, x f''/f', and for
  the second derivative a central difference of it); below 2^-1000, where that estimate
  underflows, in ULP of 2^-1000.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import mpmath
import numpy as np
import pytest

from service import numerics
from service.numerics import compiled
from service.numerics.catalog.periodic.sin import sin_at32
from service.numerics.catalog.self_gated.silu import silu_derivative_short_at
from service.numerics.catalog.shrinkage.tanhshrink import tanhshrink_at32
from service.numerics.catalog.smooth.gelu import gelu_at32, gelu_derivative_at32
from service.numerics.compiled import loops_of
from service.numerics.types import OUTPUTS
from tests.conftest import kinks_of, parameter_sets
from tests.numerics.catalog.mp_references import FREQUENCIES
from tests.numerics.compiled.llvm import calls_the_math_library, vectorised

_POINTS = 100_000
_TINY = 2.0**-1000
FLOAT32_CONTRACT = {
    gelu_at32,
    gelu_derivative_at32,
    silu_derivative_short_at,
    sin_at32,
    tanhshrink_at32,
}
_NEXT = {"value": "gradient", "gradient": "second_derivative"}

ELEMENTWISE = [name for name, entry in numerics.ACTIVATIONS.items() if not entry.axiswise]
CASES = [
    pytest.param(name, params, id=f"{name}-{'-'.join(f'{k}={v}' for k, v in params.items())}")
    for name in ELEMENTWISE
    for params in parameter_sets(numerics.get(name))
    if numerics.get(name).kernel(numerics.get(name).resolve(params)) is not None
]
COMPILED = sorted(
    name for name, entry in numerics.ACTIVATIONS.items() if entry.kernels and not entry.axiswise
)


def _grid(name: str, dtype: type[np.floating[Any]]) -> np.ndarray:
    rng = np.random.default_rng(7)
    finfo = np.finfo(dtype)
    smallest = np.log10(float(finfo.smallest_subnormal))
    magnitudes = 10.0 ** rng.uniform(smallest, np.log10(float(finfo.max)), _POINTS // 2)
    moderate = rng.uniform(-60, 60, _POINTS // 2)
    kinks = [
        k
        for base in kinks_of(numerics.get(name))
        for k in (base, *np.linspace(base - 1, base + 1, 9))
    ]
    special = [0.0, 1.0, 3.0, 6.0, 20.0, 88.0, 89.0, 104.0, 709.0, 710.0, 745.0, 746.0]
    special += [float(finfo.max), float(finfo.tiny), float(finfo.smallest_subnormal)]
    points = np.concatenate([magnitudes, moderate, kinks, special])
    points = np.concatenate([points, -points])
    with np.errstate(over="ignore"):
        points = points.astype(dtype)
    return np.unique(points[np.isfinite(points)])


def _inside(name: str, x: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """x without the points where the phase overflows float64 (both paths give NaN there)."""
    if name not in FREQUENCIES:
        return x
    return x[np.abs(x) <= np.finfo(np.float64).max / max(1.0, abs(params[FREQUENCIES[name]]))]


def _ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """|got - want| in ULP of want, in want's dtype (beyond its range: 0 if both are inf)."""
    both_infinite = np.isinf(got) & np.isinf(want) & (np.sign(got) == np.sign(want))
    with np.errstate(invalid="ignore", over="ignore"):
        spacing = np.spacing(np.abs(want)).astype(np.float64)
        error = np.abs(got.astype(np.float64) - want.astype(np.float64)) / spacing
    return np.where(both_infinite, 0.0, error)


@pytest.mark.parametrize(("name", "params"), CASES)
def test_float32_kernel_agrees_with_the_numpy_path(name: str, params: dict[str, Any]) -> None:
    entry = numerics.get(name)
    resolved = entry.resolve(params)
    x = _inside(name, _grid(name, np.float32), resolved)
    kernels = numerics.evaluate(entry, x, params=resolved, outputs=OUTPUTS)
    wide = numerics.evaluate(
        entry, x.astype(np.float64), params=resolved, outputs=OUTPUTS, kernels=False
    )
    kernel = entry.kernel(resolved)
    assert kernel is not None
    for output in OUTPUTS:
        with np.errstate(over="ignore"):  # past float32's range: inf, as the kernel rounds it
            want = wide[output].astype(np.float32)
        got = kernels[output]
        assert got.dtype == np.float32
        assert np.array_equal(np.isnan(got), np.isnan(want)), f"{output}: NaNs differ"
        if kernel[0].function(output, np.dtype(np.float32)) in FLOAT32_CONTRACT:
            _assert_within_the_contract(x, got, wide, output)
            continue
        error = _ulps(got, want)
        worst = int(np.nanargmax(error))
        assert error[worst] <= 1, (
            f"{output} at x={x[worst]!r}: kernel {got[worst]!r}, numpy path {want[worst]!r}"
            f" ({error[worst]:.3g} ULP)"
        )


def _float32_ulps_of_exact(got: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """|got - exact| in float32 ULP of exact (a float64 standing for the exact value)."""
    with np.errstate(over="ignore"):  # float32's largest: its spacing is past the range
        magnitude = np.abs(exact).astype(np.float32)
        # The float32 at most |exact|: its spacing is the ULP of every real up to the next.
        magnitude = np.where(
            magnitude.astype(np.float64) > np.abs(exact),
            np.nextafter(magnitude, np.float32(0)),
            magnitude,
        )
        spacing = np.spacing(magnitude).astype(np.float64)
    return np.abs(got.astype(np.float64) - exact) / spacing


def _assert_within_the_contract(
    x: np.ndarray, got: np.ndarray, wide: dict[str, np.ndarray], output: str
) -> None:
    exact, slope = wide[output], wide[_NEXT[output]]
    finite = np.isfinite(exact)
    with np.errstate(invalid="ignore", divide="ignore"):  # an exact 0 must be met exactly
        kappa = np.where(exact != 0, np.abs(x.astype(np.float64) * slope / exact), 1.0)
    error = np.where(finite, _float32_ulps_of_exact(got, exact), 0.0)
    excess = error / (2 * np.maximum(1.0, kappa))
    worst = int(np.argmax(excess))
    assert excess[worst] <= 1, (
        f"{output} at x={x[worst]!r}: kernel {got[worst]!r}, numpy path {exact[worst]!r}"
        f" ({error[worst]:.3g} ULP, kappa {kappa[worst]:.3g})"
    )


def _conditions(
    entry: numerics.Activation, x: np.ndarray, params: dict[str, Any], paths: dict[str, Any]
) -> dict[str, np.ndarray]:
    """kappa of each output, estimated from the numpy path (infinite where it divides by 0)."""
    f, df, d2f = (paths[output] for output in OUTPUTS)
    step = 2.0**-20
    with np.errstate(all="ignore"):
        up, down = (
            numerics.evaluate(
                entry, x * scale, params=params, outputs=["second_derivative"], kernels=False
            )["second_derivative"]
            for scale in (1 + step, 1 - step)
        )
        return {
            "value": np.abs(x * df / f),
            "gradient": np.abs(x * d2f / df),
            "second_derivative": np.abs((up - down) / (2 * step) / d2f),
        }


@pytest.mark.parametrize(("name", "params"), CASES)
def test_float64_kernel_agrees_with_the_numpy_path(name: str, params: dict[str, Any]) -> None:
    entry = numerics.get(name)
    resolved = entry.resolve(params)
    x = _inside(name, _grid(name, np.float64), resolved)
    kernels = numerics.evaluate(entry, x, params=resolved, outputs=OUTPUTS)
    defined = numerics.evaluate(entry, x, params=resolved, outputs=OUTPUTS, kernels=False)
    kappa = _conditions(entry, x, resolved, defined)
    for output in OUTPUTS:
        got, want = kernels[output], defined[output]
        assert got.dtype == np.float64
        assert np.array_equal(np.isnan(got), np.isnan(want)), f"{output}: NaNs differ"
        # Where the result is below 2^-1000, in ULP of 2^-1000: the numpy path's own estimate
        # of kappa underflows there, and test_accuracy holds both paths to mpmath anyway.
        floor = np.maximum(np.abs(want), _TINY)
        with np.errstate(invalid="ignore", over="ignore"):
            error = _ulps(got, want) * np.spacing(np.abs(want)) / np.spacing(floor)
            excess = error / (8 * np.maximum(1, np.nan_to_num(kappa[output], nan=1.0)))
        worst = int(np.nanargmax(excess))
        assert excess[worst] <= 1, (
            f"{output} at x={x[worst]!r}: kernel {got[worst]!r}, numpy path {want[worst]!r}"
            f" ({excess[worst] * 8:.3g} ULP per max(1, kappa))"
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "params"), CASES[:: max(1, len(CASES) // 8)])
def test_derivatives_are_scaled_by_grad_output(
    name: str, params: dict[str, Any], dtype: type[np.floating[Any]]
) -> None:
    entry = numerics.get(name)
    resolved = entry.resolve(params)
    x = np.linspace(-8, 8, 1001, dtype=dtype).reshape(7, 11, 13)[:, ::2, :]  # not contiguous
    upstream = np.random.default_rng(3).standard_normal(x.shape).astype(dtype)
    requested = ["gradient", "second_derivative"]
    scaled = numerics.evaluate(entry, x, params=resolved, outputs=requested, grad_output=upstream)
    plain = numerics.evaluate(entry, x, params=resolved, outputs=requested)
    for output in requested:
        assert scaled[output].shape == x.shape
        wide = plain[output].astype(np.float64) * upstream.astype(np.float64)
        assert np.max(_ulps(scaled[output], wide.astype(dtype))) <= 1


@pytest.mark.parametrize("name", COMPILED)
def test_a_kernel_accounts_for_every_parameter(name: str) -> None:
    entry = numerics.get(name)
    for kernel in entry.kernels:
        assert isinstance(kernel, compiled.Kernel)
        named = [*entry.kernel_parameters(kernel), *kernel.variant, *kernel.unused]
        assert sorted(named) == sorted(p.name for p in entry.parameters)
        assert all(
            entry.parameter(name).kind in ("float", "int")
            for name in named[: len(entry.kernel_parameters(kernel))]
        )


@pytest.mark.parametrize("name", COMPILED)
def test_every_output_and_dtype_has_a_kernel(name: str) -> None:
    entry = numerics.get(name)
    for kernel in entry.kernels:
        assert isinstance(kernel, compiled.Kernel)
        for dtype in (np.float32, np.float64):
            assert all(kernel.function(output, np.dtype(dtype)) for output in OUTPUTS)


def test_outputs_are_the_same_asked_together_or_alone() -> None:
    entry = numerics.get("sigmoid")
    for dtype in (np.float32, np.float64):
        x = np.linspace(-5, 5, 11, dtype=dtype)
        both = numerics.evaluate(entry, x, params={}, outputs=OUTPUTS)
        assert list(both) == list(OUTPUTS)
        for output in OUTPUTS:
            alone = numerics.evaluate(entry, x, params={}, outputs=[output])
            assert np.array_equal(both[output], alone[output])


_SAMPLE = ["relu", "sigmoid", "gelu", "sin", "softmax", "glu", "geglu"]


def test_compile_kernels_leaves_nothing_for_a_request_to_compile() -> None:
    # A sample: what compile_kernels does is the same for every entry.
    entries = [numerics.get(name) for name in _SAMPLE]
    numerics.compile_kernels(entries)
    before = _signatures(entries)
    for entry in entries:
        params = entry.resolve({})
        for dtype, frozen in itertools.product((np.float32, np.float64), (False, True)):
            x = np.linspace(-3, 3, 8, dtype=dtype).reshape(2, 4)
            if frozen:  # as a .npy body's array: a read-only view of the body's bytes
                x = np.frombuffer(x.tobytes(), dtype).reshape(2, 4)
            value = numerics.evaluate(entry, x, params=params)["value"]
            outputs = ["gradient"] if entry.axiswise else OUTPUTS
            numerics.evaluate(
                entry, x, params=params, outputs=outputs, grad_output=np.ones_like(value)
            )
            if not entry.axiswise:
                numerics.evaluate(entry, x, params=params, outputs=outputs)
    assert _signatures(entries) == before


def _signatures(entries: list[numerics.Activation]) -> dict[object, int]:
    return {
        loop: len(loop.signatures)
        for entry in entries
        for kernel in entry.kernels
        if isinstance(kernel, compiled.Kernel)
        for function in (
            kernel.value,
            kernel.derivative,
            kernel.value64,
            kernel.derivative64,
            kernel.second_derivative64,
        )
        if function is not None
        for loop in loops_of(function)
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernels_give_the_same_numbers_from_threads_at_once(dtype: type[Any]) -> None:
    # The service runs large evaluations in worker threads, and the loops release the GIL.
    rng = np.random.default_rng(13)
    entry = numerics.get("gelu")
    params = entry.resolve({})
    xs = [rng.normal(scale=4, size=300_000).astype(dtype) for _ in range(6)]

    def both(x: np.ndarray) -> dict[str, np.ndarray]:
        return numerics.evaluate(entry, x, params=params, outputs=["value", "gradient"])

    serial = [both(x) for x in xs]
    with ThreadPoolExecutor(max_workers=3) as pool:
        threaded = list(pool.map(both, xs))
    for one, other in zip(serial, threaded, strict=True):
        assert all(np.array_equal(one[output], other[output]) for output in one)


# A constant needs no arithmetic to vectorise: LLVM fills the array with it.
_CONSTANT = {
    ("binary_step", "derivative"),
    *((name, "second_derivative64") for name in COMPILED),
    ("binary_step", "derivative64"),
}


def _loops(entry: numerics.Activation, kernel: compiled.Kernel, arguments: Any) -> Any:
    """(label, plain loop) for each function, compiled for the dtype it serves."""
    for label, function, dtype in (
        ("value", kernel.value, np.float32),
        ("derivative", kernel.derivative, np.float32),
        ("value64", kernel.value64, np.float64),
        ("derivative64", kernel.derivative64, np.float64),
        ("second_derivative64", kernel.second_derivative64, np.float64),
    ):
        assert function is not None
        compiled.run(function, np.ones(16, dtype), arguments)
        yield label, loops_of(function)[0]


@pytest.mark.parametrize("name", COMPILED)
def test_every_loop_vectorises(name: str) -> None:
    """No math-library call inside, SIMD throughout: else a kernel runs many times slower.

    The plain loops of every function; the loops times grad_output have the same body and a
    product more, and test_scaled_loops_vectorise checks a sample of them.
    """
    entry = numerics.get(name)
    for kernel in entry.kernels:
        bound = entry.kernel(entry.resolve(dict(kernel.variant)))
        assert bound is not None and bound[0] is kernel
        for label, loop in _loops(entry, kernel, bound[1]):
            assert not calls_the_math_library(loop), (name, label)
            # A piecewise-linear f'' is 0 or a constant per piece: some are not arithmetic.
            if (name, label) not in _CONSTANT or label != "second_derivative64":
                assert (name, label) in _CONSTANT or vectorised(loop), (name, label)


@pytest.mark.parametrize("name", ["sigmoid", "gelu", "sin", "softplus"])
def test_scaled_loops_vectorise(name: str) -> None:
    entry = numerics.get(name)
    kernel, arguments = entry.kernel(entry.resolve({}))  # type: ignore[misc]
    for function, dtype in (
        (kernel.derivative, np.float32),
        (kernel.derivative64, np.float64),
        (kernel.second_derivative64, np.float64),
    ):
        assert function is not None
        x = np.ones(16, dtype)
        compiled.run(function, x, arguments, x)
        scaled = loops_of(function)[1]
        assert not calls_the_math_library(scaled) and vectorised(scaled)


@pytest.mark.parametrize("name", ["leaky_relu", "prelu", "rrelu", "hard_swish"])
def test_float32_products_that_underflow_keep_their_sign(name: str) -> None:
    """A tiny negative x times a slope rounds to -0, as the float64 product does; -0 gives
    what the numpy path gives (+0 for leaky_relu's max(0, x) + a min(0, x))."""
    entry = numerics.get(name)
    params = entry.resolve({})
    x = np.array([-0.0, 0.0, -1e-45, 1e-45, -1e-44, -3e-39], np.float32)
    compiled_value = numerics.evaluate(entry, x, params=params)["value"]
    numpy_value = numerics.evaluate(entry, x, params=params, kernels=False)["value"]
    assert np.signbit(compiled_value).tolist() == np.signbit(numpy_value).tolist()


def _share_of_budget(got: np.ndarray, x: np.ndarray, truth: Any) -> float:
    """The largest error of ``got`` (float32 results at the float32 x) over 2 max(1, kappa)
    float32 ULP, ``truth(point)`` giving the exact result and its derivative there (mpmath):
    an exact 0 must be met exactly."""
    worst = 0.0
    with mpmath.workdps(30):
        for computed, xi in zip(got.tolist(), x.tolist(), strict=True):
            point = mpmath.mpf(xi)
            exact, slope = truth(point)
            if exact == 0:
                assert computed == 0, f"x={xi!r}: {computed!r} where the truth is 0"
                continue
            kappa = float(abs(point * slope / exact))
            error = _float32_ulps_of_exact(np.array([computed]), np.array([float(exact)]))
            worst = max(worst, float(error[0]) / (2 * max(1, kappa)))
    return worst


def test_float32_gelu_within_its_budget_where_it_is_tightest() -> None:
    """Exact gelu's float32 kernels against mpmath where 2 max(1, kappa) is 2 to 4 ULP and the
    float32 roundings weigh most, and around f's minimum, where f' vanishes: |x| up to 4,
    evenly and in every binade down to the least subnormal (their docstrings have every
    float32 below 16, measured)."""
    binades = np.arange(0, int(np.float32(4.0).view(np.uint32)), 2**19, dtype=np.uint32)
    root = np.float32(-0.7517915)
    x = np.concatenate(
        [
            binades.view(np.float32),
            np.linspace(0, 4, 3001, dtype=np.float32),
            root + np.arange(-200, 201, dtype=np.float32) * np.spacing(root),
        ]
    )
    x = np.concatenate([x, -x])
    got = numerics.evaluate(
        numerics.get("gelu"), x, params={"approximate": "none"}, outputs=["value", "gradient"]
    )

    def value(point: Any) -> tuple[Any, Any]:
        cdf, pdf = mpmath.ncdf(point), mpmath.npdf(point)
        return point * cdf, cdf + point * pdf

    def gradient(point: Any) -> tuple[Any, Any]:
        cdf, pdf = mpmath.ncdf(point), mpmath.npdf(point)
        return cdf + point * pdf, pdf * (2 - point * point)

    # 0.69 and 0.70 at most over every float32 (the kernels' docstrings)
    assert _share_of_budget(got["value"], x, value) <= 0.75
    assert _share_of_budget(got["gradient"], x, gradient) <= 0.75


@pytest.mark.parametrize("beta", [1.0, 1.5, 0.25])
def test_float32_silu_slope_within_its_budget_around_its_root(beta: float) -> None:
    """silu's float32 slope on the shorter exponential against mpmath: 4,001 float32s around
    the slope's root at beta x = -1.278, where it spends the budget its condition number gives,
    and a grid over |beta x| <= 30 (its docstring: within 0.004 of the budget near the root,
    0.2 ULP away from it, so the final rounding's 0.25 at most)."""
    root = np.float32(-1.2784645427610737 / beta)
    near = root + np.arange(-2000, 2001, dtype=np.float32) * np.spacing(root)
    x = np.concatenate([near, np.linspace(-30 / beta, 30 / beta, 2001, dtype=np.float32)])
    entry = numerics.get("silu")
    got = numerics.evaluate(entry, x, params=entry.resolve({"beta": beta}), outputs=["gradient"])

    def gradient(point: Any) -> tuple[Any, Any]:
        u = point * beta
        s = 1 / (1 + mpmath.exp(-u))
        return s * (1 + u * (1 - s)), beta * s * (1 - s) * (2 - u * mpmath.tanh(u / 2))

    assert _share_of_budget(got["gradient"], x, gradient) <= 0.3


def test_float32_gelu_zeros_and_far_tail_are_the_numpy_paths() -> None:
    """Zeros signed as the numpy path has them (-0 for -0, and below where a result rounds to
    0, but +0 for the slope where the numpy path's float64 terms both underflow), and x and 1
    far above: the kernels clip y^2 at 16^2 and let the rest vanish."""
    entry = numerics.get("gelu")
    tiny = np.float32(2.0**-149)
    below = [-tiny, -3e-39, -15.0, -15.5, -16.0, -17.0, -38.6, -38.61, -1e10, -3.4e38]
    x = np.array([0.0, -0.0, *below, 16.0, 1e10, 3.4e38], np.float32)
    outputs = ["value", "gradient"]
    compiled = numerics.evaluate(entry, x, params=entry.resolve({}), outputs=outputs)
    numpy = numerics.evaluate(entry, x, params=entry.resolve({}), outputs=outputs, kernels=False)
    for output in outputs:
        assert np.signbit(compiled[output]).tolist() == np.signbit(numpy[output]).tolist()
        assert np.array_equal(compiled[output], numpy[output]), output
