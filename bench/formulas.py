"""Benchmark of formula-defined activations, run by hand: `.venv/bin/python bench/formulas.py`.

In one run, in-process (ratios, not absolute times, are the result):
  1. a formula silu, `x / (1 + exp(-x))` (served as x * sigmoid(x)), against the catalog's
     silu through numerics.evaluate: value, gradient and second derivative, float64 and
     float32, at 1e3, 1e5 and 1e6 elements. The catalog's float32 value and gradient run its
     compiled kernel; a formula always takes numpy, one pass over the array per tree node.
  2. what a new formula costs once: parsing, differentiating and compiling to numpy (cached
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


def run(entry: numerics.Activation, x: np.ndarray, output: numerics.OutputName) -> object:
    return numerics.evaluate(entry, x, params=entry.resolve({}), outputs=[output])


def main() -> None:
    catalog = numerics.get("silu")
    mine = formula.formula("x / (1 + exp(-x))", {}, limits=LIMITS).activation
    numerics.compile_kernels([catalog])
    rng = np.random.default_rng(0)
    print("1. formula silu vs catalog silu (time ratio formula / catalog; lower is better)")
    print(
        f"{'elements':>9} {'dtype':>8} {'output':>18} {'catalog':>10} {'formula':>10} {'ratio':>6}"
    )
    for size in (1_000, 100_000, 1_000_000):
        for dtype in (np.float64, np.float32):
            x = rng.normal(scale=4, size=size).astype(dtype)
            for output in numerics.OUTPUTS:
                theirs = best_of(partial(run, catalog, x, output))
                ours = best_of(partial(run, mine, x, output))
                print(
                    f"{size:>9} {np.dtype(dtype).name:>8} {output:>18} {theirs * 1e3:>8.3f}ms"
                    f" {ours * 1e3:>8.3f}ms {ours / theirs:>6.2f}"
                )
    print("\n2. one-time costs of a new formula")
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
