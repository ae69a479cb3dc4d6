"""A zero answer is signed as the truth: where a result too small for a float rounds to 0,
and at x = -0 and +0.

Every element-wise entry, each output, float32 and float64, both paths, the defaults and the
declared variants, at points far enough out for some outputs to underflow (tails like
e^(-x^2), x Phi(x), x sigma(x)) and at the smallest subnormals: wherever mpmath's exact value
is not 0 but below half the least subnormal, the answer must be 0 signed as that value (a
sum of two underflowed terms gives +0 by IEEE rules, a double-double pair's sum likewise).
Exact zeros (relu below 0, a root) may be either zero: the truth has no sign there.

At x = +-0, where f(0) = 0, the zero is signed as f just beside it on that side, as IEEE's
sin(-0) = -0 and expm1(-0) = -0 are (leaky_relu(-0) = -0, sigmoid''(+0) = -0; PyTorch's
answers too); where f is 0 on that whole side (relu), or jumps there (softsign'' at its kink),
either zero. Whatever they are, both paths give the same bits at +-0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import mpmath
import numpy as np
import pytest
from mpmath import mpf

from service import numerics
from service.numerics import Activation, ParamValue
from tests.conftest import parameter_sets
from tests.numerics.catalog.mp_references import REFERENCES

OUTPUTS = ("value", "gradient", "second_derivative")
_FAR = {
    np.float32: (40.0, 800.0, 1e30, 3e38, 1e-45, 1e-40),
    np.float64: (40.0, 800.0, 1e30, 1e300, 5e-324, 1e-310),
}
ELEMENTWISE = [name for name, entry in numerics.ACTIVATIONS.items() if not entry.axiswise]


Params = dict[str, ParamValue]


def _cases(name: str) -> Iterator[tuple[Activation, Params, Params, dict[str, Callable[..., Any]]]]:
    """(entry, params, resolved, each output's mpmath reference) for each parameter set."""
    entry = numerics.get(name)
    for params in parameter_sets(entry):
        resolved = entry.resolve(params)
        yield entry, params, resolved, dict(zip(OUTPUTS, REFERENCES[name](**resolved), strict=True))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_a_result_that_rounds_to_zero_keeps_the_sign_of_the_truth(name: str) -> None:
    failures = []
    for entry, params, resolved, references in _cases(name):
        for dtype, points in _FAR.items():
            x = np.array([sign * p for p in points for sign in (-1, 1)], dtype)
            half_least = mpf(float(np.finfo(dtype).smallest_subnormal)) / 2
            truths = {
                output: [references[output](mpf(float(at))) for at in x] for output in OUTPUTS
            }
            for kernels in (True, False):
                results = numerics.evaluate(
                    entry, x, params=resolved, outputs=OUTPUTS, kernels=kernels
                )
                for output in OUTPUTS:
                    for at, got, truth in zip(x, results[output], truths[output], strict=True):
                        if truth == 0 or abs(truth) > half_least:
                            continue
                        if got != 0 or np.signbit(got) != (truth < 0):
                            failures.append(
                                f"{params} {np.dtype(dtype).name}"
                                f" {'kernels' if kernels else 'numpy'} {output} at {at!r}:"
                                f" {got!r}, the truth is {mpmath.nstr(truth, 3)}"
                            )
    assert not failures, "\n".join(failures)


_BESIDE = mpf("1e-100")


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_a_zero_at_signed_zero_takes_the_sign_of_its_side(name: str) -> None:
    failures = []
    for entry, params, resolved, references in _cases(name):
        sides = {}
        for output, reference in references.items():
            if reference(mpf(0)) == 0:
                beside = [reference(side * _BESIDE) for side in (-1, 1)]
                # A sign only where f tends to 0 from that side and is not 0 all along it.
                sides[output] = [b if 0 < abs(b) < _BESIDE**0.5 else None for b in beside]
        for dtype in (np.float32, np.float64):
            x = np.array([-0.0, 0.0], dtype)
            answers = {
                kernels: numerics.evaluate(
                    entry, x, params=resolved, outputs=OUTPUTS, kernels=kernels
                )
                for kernels in (True, False)
            }
            for output in OUTPUTS:
                compiled, definition = answers[True][output], answers[False][output]
                if compiled.tobytes() != definition.tobytes():
                    failures.append(
                        f"{params} {np.dtype(dtype).name} {output} at (-0, +0): kernels"
                        f" {compiled.tolist()}, numpy {definition.tolist()}"
                    )
                for at, got, truth in zip(
                    x, definition, sides.get(output, (None, None)), strict=True
                ):
                    if truth is not None and (got != 0 or np.signbit(got) != (truth < 0)):
                        failures.append(
                            f"{params} {np.dtype(dtype).name} {output} at {at!r}: {got!r},"
                            f" beside it {mpmath.nstr(truth, 3)}"
                        )
    assert not failures, "\n".join(failures)
