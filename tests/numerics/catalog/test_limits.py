"""Every element-wise activation at x = -inf and +inf: each output is its limit there.

The limit is mpmath's, from the entry's reference (mp_references.py) evaluated at
+-10^400, +-10^800 and +-10^1600, beyond the float range. Every function of the catalog is,
that far out, either within a rounding of its limit (its tails are exponential, polynomial
or algebraic: sigma(10^400) - 1 is e^(-10^400), 1/(1 + 10^400) is 10^-400) or oscillating
(sin, snake's f' and f''): where the three values round to the same float, with the same
sign, that float is the limit; where they do not, there is none, and the answer must be
NaN. A limit of 0 is signed as the function approaches it (gelu's -0.0 at -inf); a
function that is exactly 0 out there (relu) may answer either zero.

Both paths, float32 and float64, each output, the defaults and the declared variants, and
the parameter values that move a limit (EXTRA). A NaN x gives NaN, for every output.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import pytest
from mpmath import mpf

from service import numerics
from service.numerics.types import OutputName, ParamValue
from tests.conftest import parameter_sets
from tests.numerics.catalog.mp_references import REFERENCES

OUTPUTS = ("value", "gradient", "second_derivative")
# Where a limit changes with a parameter: a slope or scale of 0 or of the other sign, a
# gate switched off (silu's beta = 0 is x/2), a frequency of 0 (sin is 0 then).
EXTRA: dict[str, list[dict[str, ParamValue]]] = {
    "celu": [{"alpha": 1e-100}],
    "elu": [{"alpha": -1.0}, {"alpha": 0.0}],
    "leaky_relu": [{"negative_slope": 0.0}],
    "prelu": [{"weight": -0.5}, {"weight": 0.0}],
    "relu": [{"negative_slope": -0.3}, {"max_value": 6.0}],
    "rrelu": [{"lower": -0.5, "upper": 0.5}],
    "silu": [{"beta": 0.0}],
    "sin": [{"w0": 0.0}, {"w0": -2.0}],
    "snake": [{"a": 1e-6}],
    "softplus": [{"beta": 1e-4}],
    "squareplus": [{"b": 1e-300}],
    "xielu": [{"alpha_n": 0.0}, {"beta": -0.5}, {"alpha_p": 0.0}, {"alpha_p": 0.0, "beta": 0.0}],
}
_FAR = [mpf(10) ** exponent for exponent in (400, 800, 1600)]

ELEMENTWISE = [name for name, entry in numerics.ACTIVATIONS.items() if not entry.axiswise]
CASES = [
    pytest.param(
        name, params, id=f"{name}-{'-'.join(f'{k}={v}' for k, v in params.items()) or 'defaults'}"
    )
    for name in ELEMENTWISE
    for params in [*parameter_sets(numerics.get(name)), *EXTRA.get(name, [])]
]


def limit(function: Callable[[Any], Any], sign: int) -> tuple[float, bool]:
    """The float64 limit of ``function`` at sign * inf (NaN if none), and whether the function
    is exactly 0 out there (then either zero is right)."""
    far = [function(sign * x) for x in _FAR]
    if all(value == 0 for value in far):
        return 0.0, True
    rounded = [float(value) for value in far]
    if len({np.float64(value).tobytes() for value in rounded}) == 1:
        return rounded[0], False
    return float("nan"), False


def _agrees(got: Any, want: Any, *, any_zero: bool) -> bool:
    if np.isnan(want):
        return bool(np.isnan(got))
    if want == 0:
        return bool(got == 0 and (any_zero or np.signbit(got) == np.signbit(want)))
    return bool(got == want)


@pytest.mark.parametrize(("name", "params"), CASES)
def test_every_output_at_an_infinity_is_its_limit(name: str, params: dict[str, Any]) -> None:
    entry = numerics.get(name)
    resolved = entry.resolve(params)
    references = dict(zip(OUTPUTS, REFERENCES[name](**resolved), strict=True))
    limits = {
        (output, sign): limit(references[output], sign) for output in OUTPUTS for sign in (-1, 1)
    }
    failures = []
    for dtype in (np.float32, np.float64):
        x = np.array([-np.inf, np.inf], dtype)
        for kernels in (True, False):
            results = numerics.evaluate(entry, x, params=resolved, outputs=OUTPUTS, kernels=kernels)
            for (output, sign), (want, any_zero) in limits.items():
                got = results[output][0 if sign < 0 else 1]
                with np.errstate(over="ignore"):
                    expected = dtype(want)
                if not _agrees(got, expected, any_zero=any_zero):
                    path = "kernels" if kernels else "numpy"
                    failures.append(
                        f"{np.dtype(dtype).name} {path} {output} at {'-' if sign < 0 else '+'}inf:"
                        f" got {got!r}, the limit is {expected!r}"
                    )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_nan_in_nan_out(name: str) -> None:
    entry = numerics.get(name)
    for params in parameter_sets(entry):
        resolved = entry.resolve(params)
        for dtype in (np.float32, np.float64):
            x = np.array([np.nan, 1.0, np.nan], dtype)
            for kernels in (True, False):
                results = numerics.evaluate(
                    entry, x, params=resolved, outputs=OUTPUTS, kernels=kernels
                )
                for output, result in results.items():
                    assert np.isnan(result[[0, 2]]).all(), (params, dtype, kernels, output, result)
                    assert not np.isnan(result[1]), (params, dtype, kernels, output, result)


AXISWISE = [name for name, entry in numerics.ACTIVATIONS.items() if entry.axiswise]
NORMALIZING = [name for name in AXISWISE if not numerics.get(name).halves_axis]


@pytest.mark.parametrize("name", NORMALIZING)
def test_a_nan_makes_its_row_nan(name: str) -> None:
    """Each output of a normalizing entry depends on its whole row: a NaN in x makes the row's
    value and gradient NaN, a NaN in grad_output the row's gradient, on both paths, along
    either axis; the other rows are as they are without it."""
    entry = numerics.get(name)
    outputs: list[OutputName] = ["value", "gradient"]
    for params in parameter_sets(entry):
        for dtype in (np.float32, np.float64):
            clean = np.array(
                [[0.5, 1.5, 1.0, -0.25], [1.0, 2.0, 3.0, 0.5], [2.0, -1.0, 0.0, 0.5]], dtype
            )
            g = np.linspace(-1.0, 1.0, clean.size, dtype=dtype).reshape(clean.shape)
            x, holed = clean.copy(), g.copy()
            x[0, 1] = holed[2, 3] = np.nan
            for kernels, axis in itertools.product((True, False), (-1, 0)):
                resolved = entry.resolve({**params, "axis": axis})
                turn = (lambda a: a) if axis == -1 else np.transpose  # rows along the axis
                want, got = (
                    numerics.evaluate(
                        entry,
                        turn(at),
                        params=resolved,
                        outputs=outputs,
                        grad_output=turn(upstream),
                        kernels=kernels,
                    )
                    for at, upstream in ((clean, g), (x, holed))
                )
                case = (params, np.dtype(dtype).name, kernels, axis)
                assert np.isnan(turn(got["value"])[0]).all(), case
                np.testing.assert_array_equal(
                    turn(got["value"])[1:], turn(want["value"])[1:], str(case)
                )
                assert np.isnan(turn(got["gradient"])[[0, 2]]).all(), case
                np.testing.assert_array_equal(
                    turn(got["gradient"])[1], turn(want["gradient"])[1], str(case)
                )


@pytest.mark.parametrize("name", [name for name in AXISWISE if numerics.get(name).halves_axis])
def test_a_gated_units_nan_stays_in_its_pair(name: str) -> None:
    """a g(b) pair by pair: a NaN in a or b makes its pair's value NaN and leaves every other
    pair's outputs as they are without it, on both paths."""
    entry = numerics.get(name)
    outputs: list[OutputName] = ["value", "gradient"]
    for params, dtype, kernels in itertools.product(
        parameter_sets(entry), (np.float32, np.float64), (True, False)
    ):
        clean = np.array([[0.5, 1.5, -1.0, -0.25, 2.0, 0.75]], dtype)  # a = x[:3], b = x[3:]
        g = np.array([[1.0, -0.5, 2.0]], dtype)
        resolved = entry.resolve(params)
        want = numerics.evaluate(
            entry, clean, params=resolved, outputs=outputs, grad_output=g, kernels=kernels
        )
        for hole in (1, 4):  # a[1], then b[1]
            x = clean.copy()
            x[0, hole] = np.nan
            got = numerics.evaluate(
                entry, x, params=resolved, outputs=outputs, grad_output=g, kernels=kernels
            )
            case = (params, np.dtype(dtype).name, kernels, hole)
            assert np.isnan(got["value"][0, 1]), case
            others = [0, 2, 3, 5]
            np.testing.assert_array_equal(got["value"][0, [0, 2]], want["value"][0, [0, 2]])
            np.testing.assert_array_equal(got["gradient"][0, others], want["gradient"][0, others])


def test_the_limits_are_found_and_told_apart() -> None:
    """The reference limit itself: a limit, a signed zero, an exact zero, none."""
    assert limit(lambda x: 1 / (1 + mpmath.exp(-x)), 1) == (1.0, False)
    assert limit(lambda x: x / (1 + abs(x)), -1) == (-1.0, False)
    assert limit(lambda x: x * mpmath.exp(x), -1) == (-0.0, False)
    assert np.signbit(limit(lambda x: x * mpmath.exp(x), -1)[0])
    assert limit(lambda x: mpf(0), -1) == (0.0, True)
    assert limit(lambda x: x * x, -1) == (float("inf"), False)
    assert np.isnan(limit(mpmath.sin, 1)[0])


# Rows with infinities, and what each normalizing entry gives for them (the entries at +inf
# share the weight, those at -inf have none), value and vector-Jacobian product with g.
_G = [2.0, 1.0, 1.0, 1.0]
ROWS = {
    "softmax": [
        ([np.inf, 1.0, -2.0, 0.5], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]),
        ([np.inf, -np.inf, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]),
        ([np.inf, 1.0, np.inf, 0.5], [0.5, 0.0, 0.5, 0.0], [0.25, 0.0, -0.25, 0.0]),
        ([-np.inf] * 4, [0.25] * 4, [0.1875, -0.0625, -0.0625, -0.0625]),
    ],
    "softmin": [
        ([-np.inf, 1.0, -2.0, 0.5], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]),
        ([np.inf, -np.inf, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]),
    ],
    "log_softmax": [
        ([np.inf, 1.0, -2.0, 0.5], [0.0, -np.inf, -np.inf, -np.inf], [-3.0, 1.0, 1.0, 1.0]),
        ([-np.inf, 0.0, 0.0, 0.0], [-np.inf, *[-np.log(3)] * 3], None),
    ],
    "sparsemax": [
        ([np.inf, 1.0, -2.0, 0.5], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]),
        ([-np.inf, 1.0, -2.0, 0.5], [0.0, 0.75, 0.0, 0.25], [0.0, 0.0, 0.0, 0.0]),
        ([np.inf, 1.0, np.inf, 0.5], [0.5, 0.0, 0.5, 0.0], [0.5, 0.0, -0.5, 0.0]),
    ],
    "entmax15": [
        ([np.inf, 1.0, -2.0, 0.5], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]),
        ([np.inf, -np.inf, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]),
    ],
}
ROW_CASES = [
    pytest.param(name, x, value, gradient, id=f"{name}-{i}")
    for name, rows in ROWS.items()
    for i, (x, value, gradient) in enumerate(rows)
]


@pytest.mark.parametrize(("name", "x", "value", "gradient"), ROW_CASES)
def test_a_row_with_infinities_gives_its_limit(
    name: str, x: list[float], value: list[float], gradient: list[float] | None
) -> None:
    for dtype in (np.float32, np.float64):
        row, g = np.array([x], dtype), np.array([_G], dtype)
        for where, results in _on_both_paths(name, row, g):
            np.testing.assert_allclose(results["value"][0], value, rtol=4e-7, err_msg=where)
            if gradient is not None:
                np.testing.assert_allclose(
                    results["gradient"][0], gradient, rtol=4e-7, atol=1e-300, err_msg=where
                )


def _on_both_paths(
    name: str, x: np.ndarray, grad_output: np.ndarray, params: dict[str, ParamValue] | None = None
) -> list[tuple[str, dict[numerics.OutputName, np.ndarray]]]:
    """An axis-wise entry's value and gradient, compiled and numpy, each with its path's name."""
    entry = numerics.get(name)
    return [
        (
            f"{x.dtype} {'kernels' if kernels else 'numpy'}",
            numerics.evaluate(
                entry,
                x,
                params=entry.resolve(params or {}),
                outputs=("value", "gradient"),
                grad_output=grad_output,
                kernels=kernels,
            ),
        )
        for kernels in (True, False)
    ]


# Pairs (a, b) of a gated linear unit a g(b) with one of them infinite: the product of a
# with the gate's limit, or of an infinity with g(b). (Both infinite: no limit in general.)
@pytest.mark.parametrize("name", ["glu", "swiglu", "geglu"])
def test_a_gated_pair_with_one_infinity_gives_its_limit(name: str) -> None:
    gate = {"glu": "sigmoid", "swiglu": "silu", "geglu": "gelu"}[name]
    a = [np.inf, -np.inf, 2.0, 2.0, -3.0]
    b = [1.5, -0.5, np.inf, -np.inf, np.inf]
    for dtype in (np.float32, np.float64):
        x = np.array([a + b], dtype)
        g = np.full((1, len(a)), 2.0, dtype)
        gates = numerics.evaluate(
            numerics.get(gate),
            np.array(b, dtype),
            params=numerics.get(gate).resolve({}),
            outputs=("value", "gradient"),
        )
        with np.errstate(invalid="ignore"):
            value = np.array(a, dtype) * gates["value"]
            gradient = np.concatenate(
                [2 * gates["value"], 2 * np.array(a, dtype) * gates["gradient"]]
            )
        for where, results in _on_both_paths(name, x, g):
            np.testing.assert_allclose(results["value"][0], value, rtol=4e-7, err_msg=where)
            np.testing.assert_allclose(results["gradient"][0], gradient, rtol=4e-7, err_msg=where)


# Pairs (a, b) where the product's IEEE value is 0 times infinity, and its limit as the
# infinite input goes out (the others held): a = 0 against a gate growing without bound; a
# gate exactly 0 (b = 0) or a tail too small for a float (b = -800, and sigma' at +800)
# against an infinite a; g = 0 against anything. Both infinite with the gate's (or slope's)
# limit 0: no limit, NaN. Columns: the value; the gradient's halves with g = 2; with g = 0.
_INF, _NAN = np.inf, np.nan
_PAIRS = [(0.0, _INF), (_INF, 0.0), (-_INF, 0.0), (_INF, -_INF), (_INF, -800.0)]
_PAIRS += [(-_INF, -800.0), (_INF, 800.0), (_INF, _INF), (-0.0, _INF)]
# glu's gate sigma is positive, 1 at +inf; silu and the GELUs are 0 at 0, negative below,
# infinite at +inf, with slopes tending to 1 there.
_SIGMOID_GATE = [
    [0.0, 2.0, 0.0, 0.0, 0.0],
    [_INF, 1.0, _INF, 0.0, 0.0],
    [-_INF, 1.0, -_INF, 0.0, 0.0],
    [_NAN, 0.0, _NAN, 0.0, 0.0],
    [_INF, 0.0, _INF, 0.0, 0.0],
    [-_INF, 0.0, -_INF, 0.0, 0.0],
    [_INF, 2.0, _INF, 0.0, 0.0],
    [_INF, 2.0, _NAN, 0.0, 0.0],
    [0.0, 2.0, 0.0, 0.0, 0.0],
]
_SILU_GATE = [
    [0.0, _INF, 0.0, 0.0, 0.0],
    [0.0, 0.0, _INF, 0.0, 0.0],
    [0.0, 0.0, -_INF, 0.0, 0.0],
    [_NAN, 0.0, _NAN, 0.0, 0.0],
    [-_INF, 0.0, -_INF, 0.0, 0.0],
    [_INF, 0.0, _INF, 0.0, 0.0],
    [_INF, 1600.0, _INF, 0.0, 0.0],
    [_INF, _INF, _INF, 0.0, 0.0],
    [0.0, _INF, 0.0, 0.0, 0.0],
]
_UNITS = [
    ("glu", {}, _SIGMOID_GATE),
    ("swiglu", {}, _SILU_GATE),
    *[("geglu", {"approximate": form}, _SILU_GATE) for form in ("none", "tanh", "sigmoid")],
]


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        pytest.param(*unit, id=f"{unit[0]}-{'-'.join(unit[1].values()) or 'defaults'}")
        for unit in _UNITS
    ],
)
def test_a_gated_product_of_zero_and_infinity_gives_its_limit(
    name: str, params: dict[str, ParamValue], expected: list[list[float]]
) -> None:
    for dtype in (np.float32, np.float64):
        x = np.array(_PAIRS, dtype)  # one row per pair: its halves are a and b
        twos, zeros = np.full((len(_PAIRS), 1), 2.0, dtype), np.zeros((len(_PAIRS), 1), dtype)
        for (where, results), (_, at_zero) in zip(
            _on_both_paths(name, x, twos, params),
            _on_both_paths(name, x, zeros, params),
            strict=True,
        ):
            got = np.concatenate([results["value"], results["gradient"], at_zero["gradient"]], 1)
            for pair, row, want in zip(_PAIRS, got, expected, strict=True):
                np.testing.assert_array_equal(row, want, err_msg=f"{where} at (a, b) = {pair}")
