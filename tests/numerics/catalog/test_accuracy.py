"""Every element-wise activation's value and derivatives against mpmath, over the whole float range.

An output passes when its error is at most BOUND * max(1, kappa) units in the last place,
where kappa is the condition number at that point (|x f'/f| for the value, |x f''/f'| for
the first derivative, |x f'''/f''| for the second): no algorithm can beat the rounding of
its input by more than that. Where the true value is exactly 0 the result must be exactly
0, and where it is finite the result must be finite. Both paths are held to it, each output,
float32 and float64: the compiled kernels (what a request gets) and the numpy functions (the
definition the kernels are tested against), the exact values computed once for both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import pytest
from mpmath import mpf

from service import numerics
from tests.conftest import kinks_of, parameter_sets
from tests.numerics.catalog.mp_references import FREQUENCIES, REFERENCES, third_derivative

ULP_BOUND = {"float64": 4, "float32": 2}
OUTPUTS = ("value", "gradient", "second_derivative")
_FIXED = [0.0, 1e-300, 1e-8, 0.5, 1.0, 5.0, 20.0, 40.0, 700.0, 1e4, 1e300]
# Where float64 results turn subnormal for exp-like tails: sigma, gelu and their kin.
_TAILS = np.concatenate([np.linspace(700, 750, 101), np.linspace(18, 40, 89)])
_RANDOM_POINTS = 1500

ELEMENTWISE = [name for name, entry in numerics.ACTIVATIONS.items() if not entry.axiswise]
CASES = [
    pytest.param(
        name, params, id=f"{name}-{'-'.join(f'{k}={v}' for k, v in params.items()) or 'defaults'}"
    )
    for name in ELEMENTWISE
    for params in parameter_sets(numerics.get(name))
]


def _grid(name: str, dtype: type[np.floating[Any]]) -> np.ndarray:
    rng = np.random.default_rng(20261127)
    kinks = [
        k
        for base in kinks_of(numerics.get(name))
        for k in np.nextafter(base, [-np.inf, base, np.inf])
    ]
    magnitudes = 10.0 ** rng.uniform(-310, 308, _RANDOM_POINTS // 2)
    moderate = rng.uniform(-50, 50, _RANDOM_POINTS // 2)
    points = np.concatenate([_FIXED, _TAILS, kinks, magnitudes, moderate])
    points = np.concatenate([points, -points])
    finfo = np.finfo(dtype)
    points = points[np.abs(points) <= finfo.max]
    return np.unique(points.astype(dtype))


def _ulps(computed: float, exact: Any, dtype: type[np.floating[Any]]) -> Any:
    rounded = dtype(float(exact)) if abs(exact) <= np.finfo(dtype).max else np.finfo(dtype).max
    return abs(mpf(float(computed)) - exact) / mpf(float(np.spacing(np.abs(rounded))))


def _condition(x: Any, value: Any, slope: Callable[[], Any]) -> Any:
    return abs(x * slope() / value) if value != 0 else mpf(0)


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize(("name", "params"), CASES)
def test_matches_mpmath(
    name: str, params: dict[str, Any], dtype_name: str, accuracy_report: list[str]
) -> None:
    """Both paths, each output: the compiled kernels and the numpy definition."""
    entry = numerics.get(name)
    resolved = entry.resolve(params)
    f, df, d2f = REFERENCES[name](**resolved)
    d3f = third_derivative(d2f)
    dtype = numerics.DTYPES[dtype_name]
    x = _grid(name, dtype)
    if name in FREQUENCIES:  # where the phase overflows, so does its sine: NaN by design
        frequency = max(1.0, abs(resolved[FREQUENCIES[name]]))
        x = x[np.abs(x) <= np.finfo(np.float64).max / frequency]
    paths = {
        path: numerics.evaluate(entry, x, params=resolved, outputs=OUTPUTS, kernels=kernels)
        for path, kernels in (("kernels", True), ("numpy", False))
    }
    for outputs in paths.values():
        assert all(out.dtype == dtype and out.shape == x.shape for out in outputs.values())

    bound = ULP_BOUND[dtype_name]
    worst = {(path, output): (mpf(0), 0.0, mpf(0)) for path in paths for output in OUTPUTS}
    failures = []
    for i, xi in enumerate(x.tolist()):
        xm = mpf(xi)
        exact = {"value": f(xm), "gradient": df(xm), "second_derivative": d2f(xm)}
        # The next derivative of each output, for its condition number; only asked for when
        # an error exceeds the bound at kappa = 1.
        slopes = {
            "value": lambda exact=exact: exact["gradient"],
            "gradient": lambda exact=exact: exact["second_derivative"],
            "second_derivative": lambda xm=xm: d3f(xm),
        }
        kappas: dict[str, Any] = {}
        for (path, output), (worst_ratio, _, _) in list(worst.items()):
            got, want, kappa = paths[path][output][i], exact[output], mpf(0)
            if want == 0:
                ok, err = got == 0, mpf(0) if got == 0 else mpmath.inf
            elif abs(want) > np.finfo(dtype).max:
                # Beyond the range: the rounding is the largest float or infinity, signed.
                ok = abs(got) >= np.finfo(dtype).max and (got > 0) == (want > 0)
                err = mpf(0) if ok else mpmath.inf
            elif not np.isfinite(got):
                ok, err = False, mpmath.inf
            else:
                err = _ulps(got, want, dtype)
                if err > bound:
                    if output not in kappas:
                        kappas[output] = _condition(xm, want, slopes[output])
                    kappa = kappas[output]
                ok = err <= bound * max(1, kappa)
            ratio = err / max(1, kappa)
            if ratio > worst_ratio:
                worst[path, output] = (ratio, xi, err)
            if not ok:
                failures.append(
                    f"{path} {output} at x={xi!r}: got {got!r}, exact {mpmath.nstr(want, 20)}, "
                    f"{mpmath.nstr(err, 4)} ULP, kappa {mpmath.nstr(kappa, 4)}"
                )
    for (path, output), (ratio, xi, err) in worst.items():
        accuracy_report.append(
            f"{name:<14} {params!s:<40} {dtype_name:<8} {path:<8} {output:<17} worst "
            f"{float(ratio):6.3f} ULP/max(1,kappa) at x={xi:.6g} ({float(err):.3g} ULP)"
        )
    assert not failures, f"{len(failures)} points out of bounds:\n" + "\n".join(failures[:20])


def test_every_entry_has_a_reference() -> None:
    assert set(ELEMENTWISE) <= set(REFERENCES)
