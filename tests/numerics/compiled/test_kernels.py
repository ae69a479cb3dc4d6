"""The compiled float32 kernels against the numpy path, densely, and how requests reach them.

test_accuracy holds both paths to mpmath on a few thousand points. Here each kernel meets
the numpy path rounded to float32, on a denser grid over the whole float32 range: the two
compute the same float64 quantity, each good to a few float64 ULP where the function is
well-conditioned, so once rounded they may differ only where a value lies near a rounding
boundary, by one float32 ULP (at 0 too: gelu at the least subnormal is a tie in float64,
and the kernel's float64 may land on either side of it). A kernel whose polynomial, cut-off
or branch went wrong somewhere between the points test_accuracy tries differs by far more.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from service import numerics
from service.numerics import compiled
from service.numerics.compiled import loops_of
from service.numerics.types import OUTPUTS
from tests.conftest import kinks_of, parameter_sets
from tests.numerics.catalog.mp_references import FREQUENCIES
from tests.numerics.compiled.llvm import calls_the_math_library, vectorised

_POINTS = 100_000

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


def _grid(name: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    finfo = np.finfo(np.float32)
    magnitudes = 10.0 ** rng.uniform(-46, np.log10(float(finfo.max)), _POINTS // 2)
    moderate = rng.uniform(-60, 60, _POINTS // 2)
    kinks = [
        k
        for base in kinks_of(numerics.get(name))
        for k in (base, *np.linspace(base - 1, base + 1, 9))
    ]
    special = [0.0, 1.0, 3.0, 6.0, 20.0, 88.0, 89.0, 104.0, float(finfo.max), float(finfo.tiny)]
    points = np.concatenate([magnitudes, moderate, kinks, special])
    points = np.concatenate([points, -points]).astype(np.float32)
    return np.unique(points)


def _ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """|got - want| in float32 ULP of want (beyond float32's range: 0 if both are inf)."""
    both_infinite = np.isinf(got) & np.isinf(want) & (np.sign(got) == np.sign(want))
    with np.errstate(invalid="ignore", over="ignore"):
        spacing = np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)
        error = np.abs(got.astype(np.float64) - want.astype(np.float64)) / spacing
    return np.where(both_infinite, 0.0, error)


@pytest.mark.parametrize(("name", "params"), CASES)
def test_kernel_agrees_with_the_numpy_path(name: str, params: dict[str, Any]) -> None:
    entry = numerics.get(name)
    resolved = entry.resolve(params)
    x = _grid(name)
    if name in FREQUENCIES:  # the phase overflows float64 there, for both paths alike
        x = x[np.abs(x) <= np.finfo(np.float64).max / max(1.0, abs(resolved[FREQUENCIES[name]]))]
    requested = ["value", "gradient"]
    compiled = numerics.evaluate(entry, x, params=resolved, outputs=requested)
    wide = numerics.evaluate(entry, x.astype(np.float64), params=resolved, outputs=requested)
    for output in requested:
        with np.errstate(over="ignore"):  # past float32's range: inf, as the kernel rounds it
            want = wide[output].astype(np.float32)
        got = compiled[output]
        assert got.dtype == np.float32
        assert np.array_equal(np.isnan(got), np.isnan(want)), f"{output}: NaNs differ"
        error = _ulps(got, want)
        worst = int(np.nanargmax(error))
        assert error[worst] <= 1, (
            f"{output} at x={x[worst]!r}: kernel {got[worst]!r}, numpy path {want[worst]!r}"
            f" ({error[worst]:.3g} ULP)"
        )


@pytest.mark.parametrize(("name", "params"), CASES[:: max(1, len(CASES) // 8)])
def test_gradient_is_scaled_by_grad_output(name: str, params: dict[str, Any]) -> None:
    entry = numerics.get(name)
    resolved = entry.resolve(params)
    x = np.linspace(-8, 8, 1001, dtype=np.float32).reshape(7, 11, 13)[:, ::2, :]  # not contiguous
    upstream = np.random.default_rng(3).standard_normal(x.shape).astype(np.float32)
    scaled = numerics.evaluate(
        entry, x, params=resolved, outputs=["gradient"], grad_output=upstream
    )["gradient"]
    wide = numerics.evaluate(
        entry,
        x.astype(np.float64),
        params=resolved,
        outputs=["gradient"],
        grad_output=upstream.astype(np.float64),
    )["gradient"].astype(np.float32)
    assert scaled.shape == x.shape
    assert np.max(_ulps(scaled, wide)) <= 1


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


def test_second_derivative_comes_from_the_numpy_path() -> None:
    entry = numerics.get("sigmoid")
    x = np.linspace(-5, 5, 11, dtype=np.float32)
    both = numerics.evaluate(entry, x, params={}, outputs=OUTPUTS)
    alone = numerics.evaluate(entry, x, params={}, outputs=["second_derivative"])
    assert list(both) == list(OUTPUTS)
    assert np.array_equal(both["second_derivative"], alone["second_derivative"])


def test_compile_all_leaves_nothing_for_a_request_to_compile() -> None:
    numerics.compile_kernels(numerics.ACTIVATIONS.values())
    before = _signatures()
    x = np.linspace(-3, 3, 7, dtype=np.float32)
    for name in ELEMENTWISE:
        entry = numerics.get(name)
        numerics.evaluate(
            entry, x, params=entry.resolve({}), outputs=["value", "gradient"], grad_output=x
        )
        numerics.evaluate(entry, x, params=entry.resolve({}), outputs=["gradient"])
    assert _signatures() == before


def _signatures() -> dict[object, int]:
    return {
        loop: len(loop.signatures)
        for entry in numerics.ACTIVATIONS.values()
        for kernel in entry.kernels
        if isinstance(kernel, compiled.Kernel)
        for function in (kernel.value, kernel.derivative)
        for loop in loops_of(function)
    }


def test_kernels_give_the_same_numbers_from_threads_at_once() -> None:
    # The service runs large evaluations in worker threads, and the loops release the GIL.
    rng = np.random.default_rng(13)
    entry = numerics.get("gelu")
    params = entry.resolve({})
    xs = [rng.normal(scale=4, size=300_000).astype(np.float32) for _ in range(6)]

    def both(x: np.ndarray) -> dict[str, np.ndarray]:
        return numerics.evaluate(entry, x, params=params, outputs=["value", "gradient"])

    serial = [both(x) for x in xs]
    with ThreadPoolExecutor(max_workers=3) as pool:
        threaded = list(pool.map(both, xs))
    for one, other in zip(serial, threaded, strict=True):
        assert all(np.array_equal(one[output], other[output]) for output in one)


# A constant slope needs no arithmetic to vectorise: LLVM fills the array with it.
_CONSTANT = {("binary_step", "derivative")}


@pytest.mark.parametrize("name", COMPILED)
def test_every_loop_vectorises(name: str) -> None:
    """No math-library call inside, SIMD throughout: else a kernel runs many times slower."""
    entry = numerics.get(name)
    x = np.ones(16, np.float32)
    for kernel in entry.kernels:
        bound = entry.kernel(entry.resolve(dict(kernel.variant)))
        assert bound is not None and bound[0] is kernel
        arguments = bound[1]
        for output, function in (("value", kernel.value), ("derivative", kernel.derivative)):
            compiled.run(function, x, arguments)
            compiled.run(function, x, arguments, x)
            for loop in loops_of(function):
                assert not calls_the_math_library(loop), (name, output)
                assert (name, output) in _CONSTANT or vectorised(loop), (name, output)
