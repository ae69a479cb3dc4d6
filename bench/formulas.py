"""Benchmark of formula-defined activations, run by hand: `.venv/bin/python bench/formulas.py`.

In one run, in-process (ratios, not absolute times, are the result):
  1. a formula silu, `x / (1 + exp(-x))` (served as x * sigmoid(x)), against the catalog's
     silu through numerics.evaluate: value, gradient and second derivative, float64 and
     float32, at 1e3, 1e5 and 1e6 elements, the formula by its numpy path (every request
     until its kernel is compiled) and by its compiled kernel; the catalog by its kernels.
  2. what compiling a formula's kernel costs, per output and dtype (in the background,
     once per formula), for silu and mish.
  3. what a new formula costs once: parsing, differentiating and compiling to numpy (cached
     afterwards by its normal text), and the accuracy report against mpmath.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import numerics  # noqa: E402
from service.numerics import formula  # noqa: E402

LIMITS = formula.FormulaLimits()


def best_of(run: Callable[[], object], *, repeat: int = 7) -> float:
    """The fastest of ``repeat`` runs, in seconds (the others met other engineers' work)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def run(
    entry: numerics.Activation, x: np.ndarray, output: numerics.OutputName, *, kernels: bool = True
) -> object:
    return numerics.evaluate(entry, x, params=entry.resolve({}), outputs=[output], kernels=kernels)


def compile_now(made: formula.Formula, output: numerics.OutputName, dtype: type) -> float:
    """Seconds to compile one output's kernel for one dtype (0 if compiled already)."""
    activation = made.activation
    assert isinstance(activation, formula.FormulaActivation)
    found = formula.kernels().kernel(activation.compilable)
    assert found is not None
    start = time.perf_counter()
    assert found.prepare(output, np.dtype(dtype)).result(), "compiled"
    return time.perf_counter() - start


def main() -> None:
    catalog = numerics.get("silu")
    made = formula.formula("x / (1 + exp(-x))", {}, limits=LIMITS)
    mine = made.activation
    numerics.compile_kernels([catalog])
    rng = np.random.default_rng(0)
    print("1. formula silu vs catalog silu (time ratio formula / catalog; lower is better)")
    print(
        f"{'elements':>9} {'dtype':>8} {'output':>18} {'catalog':>10} {'numpy':>10}"
        f" {'compiled':>10} {'numpy/cat':>9} {'compiled/cat':>12}"
    )
    for size in (1_000, 100_000, 1_000_000):
        for dtype in (np.float64, np.float32):
            x = rng.normal(scale=4, size=size).astype(dtype)
            for output in numerics.OUTPUTS:
                compile_now(made, output, dtype)
                theirs = best_of(partial(run, catalog, x, output))
                numpy_path = best_of(partial(run, mine, x, output, kernels=False))
                compiled = best_of(partial(run, mine, x, output))
                print(
                    f"{size:>9} {np.dtype(dtype).name:>8} {output:>18} {theirs * 1e3:>8.3f}ms"
                    f" {numpy_path * 1e3:>8.3f}ms {compiled * 1e3:>8.3f}ms"
                    f" {numpy_path / theirs:>9.2f} {compiled / theirs:>12.2f}"
                )
    print("\n2. compiling a formula's kernel, once per output and dtype (in the background)")
    for expression in ("x / (1 + exp(-x)) + 0 * x", "x * tanh(softplus(x))"):
        fresh = formula.formula(expression, {}, limits=LIMITS)
        times = [
            f"{output} {np.dtype(dtype).name} {compile_now(fresh, output, dtype):4.1f} s"
            for output in numerics.OUTPUTS
            for dtype in (np.float64, np.float32)
            if not (output == "second_derivative" and dtype == np.float32)  # the float64 loop
        ]
        print(f"  {expression:<28} " + ", ".join(times))
    print("\n3. one-time costs of a new formula")
    expressions = ["x * tanh(log(1 + exp(x)))", "x * (1 + erf(x / sqrt(2))) / 2"]
    for expression in expressions:
        start = time.perf_counter()
        made = formula.formula(expression + " + 0 * x", {}, limits=LIMITS)  # not yet cached
        built = time.perf_counter() - start
        start = time.perf_counter()
        formula.accuracy(made, {})
        measured = time.perf_counter() - start
        print(
            f"  {expression:<34} parse+differentiate+compile {built * 1e3:7.2f} ms,"
            f" accuracy report {measured:5.2f} s"
        )


if __name__ == "__main__":
    main()
