"""Kernel benchmark over the whole catalog, run by hand: `.venv/bin/python bench/kernels.py`.

For every entry (default parameters) at 1e6 elements, float32 and float64, it times
  ours:  service.numerics.evaluate, value alone and gradient alone (f'(x), or the
         vector-Jacobian product of an axis-wise entry), as the service runs it (each entry's
         compiled kernels, compiled beforehand), on ONE core (split_above past the size);
  numpy: the most direct numpy/scipy expression of the same formula, in the input's dtype;
  torch: PyTorch CPU on one thread (torch.set_num_threads(1)), when it is installed: the
         forward; the backward alone (autograd on a graph built beforehand, column g/torch);
         and forward plus backward (g/t f+b), which is what the gradient of a stateless
         call costs it, as ours starts from x. Entries PyTorch has no native kernel for
         are marked *; those it lacks are written as compositions of its ops.
and prints throughputs relative to each baseline (above 1: ours is faster), then the
geometric means: float32 over the catalog and, apart, over the entries PyTorch implements
natively (its equivalent in the entry's metadata is not marked "a composition" or "not an
activation"); float64 against PyTorch's float64. An entry missing from the baseline tables
below (a new one) is timed without them. Inputs are N(0, 3^2); axis-wise entries get a
1000 x 1000 array and work along its last axis.

--dtype float32 (or float64) times that dtype alone, names the entries to time.
--cores times gelu, sigmoid and softmax at 1e7 elements, float32 and float64: ours on one
core and on every core, against PyTorch with its default thread count.
--split times a cheap and a costly kernel at sizes around compiled.cores.SPLIT_ABOVE on one
core and on every core: the threshold is where every core starts to pay.

Goals: float64 geometric mean >= 1.0x PyTorch float64 (values and gradients), no entry under
0.25x; float32 over PyTorch's native entries >= 1.0x, no entry under 0.5x for values,
gradients >= 1.0x PyTorch's forward + backward for every entry; on 2 cores >= 1.7x one core
at 1e7 elements.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy import special

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service import numerics

Fn = Callable[..., Any]
N = 1_000_000
SQRT_HALF = math.sqrt(0.5)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _sparsemax(x: np.ndarray) -> np.ndarray:
    z = np.sort(x, -1)[..., ::-1]
    k = np.arange(1, x.shape[-1] + 1)
    cumulative = np.cumsum(z, -1)
    size = np.sum(1 + k * z > cumulative, -1, keepdims=True)
    tau = (np.take_along_axis(cumulative, size - 1, -1) - 1) / size
    return np.maximum(x - tau, 0)


def _entmax15(x: np.ndarray) -> np.ndarray:
    z = x / 2 - (x / 2).max(-1, keepdims=True)
    s = np.sort(z, -1)[..., ::-1]
    k = np.arange(1, x.shape[-1] + 1)
    mean, square = np.cumsum(s, -1) / k, np.cumsum(s * s, -1) / k
    tau = mean - np.sqrt(np.maximum((1 - k * (square - mean**2)) / k, 0))
    size = np.sum(tau <= s, -1, keepdims=True)
    return np.maximum(z - np.take_along_axis(tau, size - 1, -1), 0) ** 2


def _halves(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.split(x, 2, -1)
    return a, b


# name: (forward, derivative or vjp(x, g)), the textbook numpy/scipy expression.
NUMPY: dict[str, tuple[Fn, Fn]] = {
    "identity": (lambda x: x.copy(), np.ones_like),
    "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(x.dtype)),
    "relu6": (lambda x: np.clip(x, 0, 6), lambda x: ((x > 0) & (x < 6)).astype(x.dtype)),
    "leaky_relu": (
        lambda x: np.where(x > 0, x, 0.01 * x),
        lambda x: np.where(x > 0, 1, 0.01).astype(x.dtype),
    ),
    "prelu": (
        lambda x: np.where(x > 0, x, 0.25 * x),
        lambda x: np.where(x > 0, 1, 0.25).astype(x.dtype),
    ),
    "rrelu": (
        lambda x: np.where(x > 0, x, 0.2292 * x),
        lambda x: np.where(x > 0, 1, 0.2292).astype(x.dtype),
    ),
    "threshold": (lambda x: np.where(x > 0, x, 0), lambda x: (x > 0).astype(x.dtype)),
    "hardtanh": (lambda x: np.clip(x, -1, 1), lambda x: (np.abs(x) < 1).astype(x.dtype)),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(x)), lambda x: np.where(x > 0, 1, np.exp(x))),
    "selu": (
        lambda x: 1.0507 * np.where(x > 0, x, 1.6733 * np.expm1(x)),
        lambda x: 1.0507 * np.where(x > 0, 1, 1.6733 * np.exp(x)),
    ),
    "celu": (
        lambda x: np.maximum(x, 0) + np.minimum(0, np.expm1(x)),
        lambda x: np.where(x > 0, 1, np.exp(x)),
    ),
    "relu_squared": (lambda x: np.maximum(x, 0) ** 2, lambda x: 2 * np.maximum(x, 0)),
    "sigmoid": (special.expit, lambda x: special.expit(x) * (1 - special.expit(x))),
    "hard_sigmoid": (
        lambda x: np.clip(x / 6 + 0.5, 0, 1),
        lambda x: (np.abs(x) < 3) / np.array(6, x.dtype),
    ),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2),
    "log_sigmoid": (special.log_expit, lambda x: special.expit(-x)),
    "sparse_sigmoid": (
        lambda x: np.clip((x + 1) / 2, 0, 1),
        lambda x: (np.abs(x) < 1) / np.array(2, x.dtype),
    ),
    "arctan": (np.arctan, lambda x: 1 / (1 + x * x)),
    "binary_step": (lambda x: (x >= 0).astype(x.dtype), np.zeros_like),
    "softplus": (lambda x: np.logaddexp(0, x), special.expit),
    "gelu": (
        lambda x: x * special.ndtr(x),
        lambda x: special.ndtr(x) + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi),
    ),
    "squareplus": (
        lambda x: (x + np.sqrt(x * x + 4)) / 2,
        lambda x: (1 + x / np.sqrt(x * x + 4)) / 2,
    ),
    "sparse_plus": (
        lambda x: np.where(x >= 1, x, np.clip(x + 1, 0, 2) ** 2 / 4),
        lambda x: np.clip(x + 1, 0, 2) / 2,
    ),
    "exponential": (np.exp, np.exp),
    "xielu": (
        lambda x: np.where(
            x > 0, 0.8 * x * x + 0.5 * x, 0.8 * (np.expm1(np.minimum(x, -1e-6)) - x) + 0.5 * x
        ),
        lambda x: np.where(x > 0, 1.6 * x + 0.5, 0.8 * np.expm1(np.minimum(x, -1e-6)) + 0.5),
    ),
    "silu": (
        lambda x: x * special.expit(x),
        lambda x: special.expit(x) * (1 + x * (1 - special.expit(x))),
    ),
    "hard_swish": (
        lambda x: x * np.clip(x + 3, 0, 6) / 6,
        lambda x: np.where(x < -3, 0, np.where(x > 3, 1, x / 3 + 0.5)),
    ),
    "mish": (
        lambda x: x * np.tanh(np.logaddexp(0, x)),
        lambda x: (
            np.tanh(np.logaddexp(0, x))
            + x * special.expit(x) * (1 - np.tanh(np.logaddexp(0, x)) ** 2)
        ),
    ),
    "tanhshrink": (lambda x: x - np.tanh(x), lambda x: np.tanh(x) ** 2),
    "softshrink": (
        lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
        lambda x: (np.abs(x) > 0.5).astype(x.dtype),
    ),
    "hardshrink": (
        lambda x: np.where(np.abs(x) > 0.5, x, 0),
        lambda x: (np.abs(x) > 0.5).astype(x.dtype),
    ),
    "sin": (np.sin, np.cos),
    "snake": (lambda x: x + np.sin(x) ** 2, lambda x: 1 + np.sin(2 * x)),
    "gaussian": (lambda x: np.exp(-x * x), lambda x: -2 * x * np.exp(-x * x)),
    "softmax": (
        _softmax,
        lambda x, g: _softmax(x) * (g - (g * _softmax(x)).sum(-1, keepdims=True)),
    ),
    "log_softmax": (
        lambda x: (
            x
            - x.max(-1, keepdims=True)
            - np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True))
        ),
        lambda x, g: g - _softmax(x) * g.sum(-1, keepdims=True),
    ),
    "softmin": (
        lambda x: _softmax(-x),
        lambda x, g: -_softmax(-x) * (g - (g * _softmax(-x)).sum(-1, keepdims=True)),
    ),
    "sparsemax": (
        _sparsemax,
        lambda x, g: (
            (_sparsemax(x) > 0)
            * (
                g
                - (g * (_sparsemax(x) > 0)).sum(-1, keepdims=True)
                / (_sparsemax(x) > 0).sum(-1, keepdims=True)
            )
        ),
    ),
    "entmax15": (
        _entmax15,
        lambda x, g: (
            np.sqrt(_entmax15(x)) * g
            - np.sqrt(_entmax15(x))
            * (np.sqrt(_entmax15(x)) * g).sum(-1, keepdims=True)
            / np.sqrt(_entmax15(x)).sum(-1, keepdims=True)
        ),
    ),
    "glu": (
        lambda x: _halves(x)[0] * special.expit(_halves(x)[1]),
        lambda x, g: np.concatenate(
            [
                g * special.expit(_halves(x)[1]),
                g * _halves(x)[0] * special.expit(_halves(x)[1]) * special.expit(-_halves(x)[1]),
            ],
            -1,
        ),
    ),
    "swiglu": (
        lambda x: _halves(x)[0] * _halves(x)[1] * special.expit(_halves(x)[1]),
        lambda x, g: np.concatenate(
            [
                g * _halves(x)[1] * special.expit(_halves(x)[1]),
                g * _halves(x)[0] * NUMPY["silu"][1](_halves(x)[1]),
            ],
            -1,
        ),
    ),
    "geglu": (
        lambda x: _halves(x)[0] * NUMPY["gelu"][0](_halves(x)[1]),
        lambda x, g: np.concatenate(
            [
                g * NUMPY["gelu"][0](_halves(x)[1]),
                g * _halves(x)[0] * NUMPY["gelu"][1](_halves(x)[1]),
            ],
            -1,
        ),
    ),
}


def _torch_functions() -> dict[str, tuple[Fn, bool]]:
    """name: (function of a tensor, whether PyTorch has it as such)."""
    import torch
    from torch.nn import functional as F  # noqa: N812 (PyTorch's own spelling)

    def split(t: Any) -> tuple[Any, Any]:
        a, b = t.chunk(2, dim=-1)
        return a, b

    return {
        "identity": (lambda t: t * 1, True),
        "relu": (F.relu, True),
        "relu6": (F.relu6, True),
        "leaky_relu": (F.leaky_relu, True),
        "prelu": (lambda t: F.prelu(t, torch.tensor([0.25], dtype=t.dtype)), True),
        "rrelu": (F.rrelu, True),
        "threshold": (lambda t: F.threshold(t, 0.0, 0.0), True),
        "hardtanh": (F.hardtanh, True),
        "elu": (F.elu, True),
        "selu": (F.selu, True),
        "celu": (F.celu, True),
        "relu_squared": (lambda t: torch.square(F.relu(t)), False),
        "sigmoid": (torch.sigmoid, True),
        "hard_sigmoid": (F.hardsigmoid, True),
        "tanh": (torch.tanh, True),
        "softsign": (F.softsign, True),
        "log_sigmoid": (F.logsigmoid, True),
        "sparse_sigmoid": (lambda t: torch.clamp((t + 1) / 2, 0, 1), False),
        "arctan": (torch.atan, False),
        "binary_step": (lambda t: (t >= 0).to(t.dtype), False),
        "softplus": (F.softplus, True),
        "gelu": (F.gelu, True),
        "squareplus": (lambda t: (t + torch.sqrt(t * t + 4)) / 2, False),
        "sparse_plus": (
            lambda t: torch.where(t >= 1, t, torch.clamp(t + 1, 0, 2) ** 2 / 4),
            False,
        ),
        "exponential": (torch.exp, False),
        "xielu": (
            lambda t: torch.where(
                t > 0,
                0.8 * t * t + 0.5 * t,
                0.8 * (torch.expm1(torch.clamp(t, max=-1e-6)) - t) + 0.5 * t,
            ),
            False,
        ),
        "silu": (F.silu, True),
        "hard_swish": (F.hardswish, True),
        "mish": (F.mish, True),
        "tanhshrink": (F.tanhshrink, True),
        "softshrink": (F.softshrink, True),
        "hardshrink": (F.hardshrink, True),
        "sin": (torch.sin, False),
        "snake": (lambda t: t + torch.sin(t) ** 2, False),
        "gaussian": (lambda t: torch.exp(-t * t), False),
        "softmax": (lambda t: F.softmax(t, dim=-1), True),
        "log_softmax": (lambda t: F.log_softmax(t, dim=-1), True),
        "softmin": (lambda t: F.softmin(t, dim=-1), True),
        "sparsemax": (lambda t: torch.from_numpy(_sparsemax(t.detach().numpy())), False),
        "entmax15": (lambda t: torch.from_numpy(_entmax15(t.detach().numpy())), False),
        "glu": (lambda t: F.glu(t, dim=-1), True),
        "swiglu": (lambda t: split(t)[0] * F.silu(split(t)[1]), False),
        "geglu": (lambda t: split(t)[0] * F.gelu(split(t)[1]), False),
    }


# Each baseline timing and the timing of ours it is set against: a gradient from x is ours too.
_AGAINST = {"value": "value", "gradient": "gradient", "gradient from x": "gradient"}
ONE_CORE = sys.maxsize  # split_above past any size: ours on the calling thread alone


def native(name: str) -> bool:
    """Whether PyTorch implements the entry itself, as its metadata says."""
    for equivalent in numerics.get(name).equivalents:
        if equivalent.library == "torch":
            return not any(
                mark in equivalent.differs for mark in ("a composition", "not an activation")
            )
    return False


def best(run: Callable[[], object], *, budget: float) -> float:
    """The shortest of several runs, within about ``budget`` seconds (at least 3 runs)."""
    run()
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - started < budget and len(times) < 30):
        begin = time.perf_counter()
        run()
        times.append(time.perf_counter() - begin)
    return min(times)


def _ours(name: str, x: np.ndarray, *, split_above: int, budget: float) -> float:
    """The best time of ours for the value of ``name`` at x."""
    entry = numerics.get(name)
    params = entry.resolve({})
    return best(
        lambda: numerics.evaluate(entry, x, params=params, split_above=split_above), budget=budget
    )


def _input(name: str, dtype: str, size: int) -> tuple[np.ndarray, np.ndarray | None]:
    """x ~ N(0, 9) (rows of 1000 for an axis-wise entry), and grad_output for one."""
    entry = numerics.get(name)
    rng = np.random.default_rng(0)
    shape = (size // 1000, 1000) if entry.axiswise else (size,)
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    value_shape = numerics.output_shape(entry, x.shape, entry.resolve({}))
    g = rng.standard_normal(value_shape).astype(dtype) if entry.axiswise else None
    return x, g


def measure(
    name: str, dtype: str, torch_fns: dict[str, tuple[Fn, bool]] | None, budget: float
) -> dict[str, float]:
    entry = numerics.get(name)
    params = entry.resolve({})
    x, g = _input(name, dtype, N)
    times = {
        "ours value": best(
            lambda: numerics.evaluate(entry, x, params=params, split_above=ONE_CORE),
            budget=budget,
        ),
        "ours gradient": best(
            lambda: numerics.evaluate(
                entry, x, params=params, outputs=["gradient"], grad_output=g, split_above=ONE_CORE
            ),
            budget=budget,
        ),
    }
    if name in NUMPY:
        forward, derivative = NUMPY[name]
        with np.errstate(all="ignore"):
            times["numpy value"] = best(lambda: forward(x), budget=budget)
            times["numpy gradient"] = best(
                (lambda: derivative(x, g)) if entry.axiswise else (lambda: derivative(x)),
                budget=budget,
            )
    if torch_fns is not None and name in torch_fns:
        import torch

        function, _ = torch_fns[name]
        t = torch.from_numpy(x).requires_grad_(name not in ("sparsemax", "entmax15", "binary_step"))
        with torch.no_grad():
            times["torch value"] = best(lambda: function(t), budget=budget)
        if t.requires_grad:
            y = function(t)
            upstream = torch.from_numpy(g) if g is not None else torch.ones_like(y)
            times["torch gradient"] = best(
                lambda: torch.autograd.grad(y, t, upstream, retain_graph=True), budget=budget
            )
            # What a stateless call costs PyTorch: the forward that saves what the backward uses.
            times["torch gradient from x"] = best(
                lambda: torch.autograd.grad(function(t), t, upstream), budget=budget
            )
    return times


def _geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


def summarise(ratios: dict[str, dict[str, float]]) -> None:
    """The geometric means and lowest entries of each comparison with PyTorch."""
    groups = [
        ("float32", "value", "catalog", lambda name: True),
        ("float32", "value", "PyTorch's native entries", native),
        ("float32", "gradient from x", "catalog", lambda name: True),
        ("float32", "gradient from x", "PyTorch's native entries", native),
        ("float64", "value", "catalog", lambda name: True),
        ("float64", "gradient", "catalog", lambda name: True),
        ("float64", "gradient from x", "catalog", lambda name: True),
    ]
    for dtype, kind, over, chosen in groups:
        pairs = sorted(
            (row[f"{kind}/torch"], key.split()[0])
            for key, row in ratios.items()
            if key.endswith(dtype) and f"{kind}/torch" in row and chosen(key.split()[0])
        )
        if not pairs:
            continue
        lowest = ", ".join(f"{name} {ratio:.2f}x" for ratio, name in pairs[:5])
        print(
            f"{dtype} {kind} vs torch {dtype}, {over} ({len(pairs)}): geometric mean "
            f"{_geomean([ratio for ratio, _ in pairs]):.2f}x; lowest: {lowest}"
        )


def _torch_time(function: Fn, x: np.ndarray, *, budget: float) -> float:
    import torch

    t = torch.from_numpy(x)
    return best(lambda: function(t), budget=budget)


def cores_table(torch_threads: int | None, budget: float) -> None:
    """1e7 elements of gelu, sigmoid and softmax: ours on one core and on all, and PyTorch."""
    size = 10_000_000
    print(
        f"\n1e7 elements: ours on 1 core and on {numerics.compiled.cores.count()}, PyTorch with"
        f" {torch_threads} threads (its default); ms, and ratios (above 1: ours is faster)"
    )
    titles = ("1 core", "all", "speed-up", "torch", "vs torch")
    print(f"{'entry':<10}{'dtype':<9}" + "".join(f"{title:>10}" for title in titles))
    functions = None
    if torch_threads is not None:
        import torch

        torch.set_num_threads(torch_threads)
        functions = _torch_functions()
    for name in ("gelu", "sigmoid", "softmax"):
        for dtype in ("float32", "float64"):
            x, _ = _input(name, dtype, size)
            one = _ours(name, x, split_above=ONE_CORE, budget=budget)
            every = _ours(name, x, split_above=numerics.compiled.SPLIT_ABOVE, budget=budget)
            cells = [one * 1e3, every * 1e3, one / every]
            if functions is not None:
                theirs = _torch_time(functions[name][0], x, budget=budget)
                cells += [theirs * 1e3, theirs / every]
            print(f"{name:<10}{dtype:<9}" + "".join(f"{c:>10.2f}" for c in cells), flush=True)


def split_table(budget: float) -> None:
    """One core against every core, at sizes around the threshold, for a cheap and a costly
    kernel: the threshold is the size from which every core is faster."""
    print(f"\nsplit on {numerics.compiled.cores.count()} cores: time on 1 core / time on all")
    sizes = [2**k for k in range(13, 22)]
    print(f"{'entry':<10}{'dtype':<9}" + "".join(f"{size:>9}" for size in sizes))
    cases = (("relu", "float32"), ("relu", "float64"), ("gelu", "float32"), ("gelu", "float64"))
    for name, dtype in cases:
        cells = []
        for size in sizes:
            x, _ = _input(name, dtype, size)
            one = _ours(name, x, split_above=ONE_CORE, budget=budget)
            cells.append(one / _ours(name, x, split_above=1, budget=budget))
        print(f"{name:<10}{dtype:<9}" + "".join(f"{c:>9.2f}" for c in cells), flush=True)


_DTYPES = ("float32", "float64")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--budget", type=float, default=0.5, help="seconds per timing")
    parser.add_argument("--cores", action="store_true", help="1e7 elements on every core")
    parser.add_argument("--split", action="store_true", help="measure the split threshold")
    parser.add_argument(
        "--dtype", choices=_DTYPES, action="append", help="time only this dtype (repeatable)"
    )
    parser.add_argument("names", nargs="*", help="entries to time (default: all)")
    arguments = parser.parse_args()
    try:
        import torch

        torch_threads: int | None = torch.get_num_threads()
        torch.set_num_threads(1)
        torch_fns: dict[str, tuple[Fn, bool]] | None = _torch_functions()
    except ImportError:
        torch_threads, torch_fns = None, None
        print("PyTorch is not installed: no torch columns")
    # As the service does at start-up: no timing includes a compilation.
    numerics.compile_kernels(numerics.ACTIVATIONS.values())
    if arguments.split:
        split_table(arguments.budget)
        return
    if arguments.cores:
        cores_table(torch_threads, arguments.budget)
        return
    names = arguments.names or list(numerics.ACTIVATIONS)
    ratios: dict[str, dict[str, float]] = {}
    header = f"{'entry':<15}{'dtype':<9}{'value ms':>9}{'grad ms':>9}{'v/numpy':>9}{'g/numpy':>9}"
    print(header + (f"{'v/torch':>9}{'g/torch':>9}{'g/t f+b':>9}" if torch_fns else ""))
    for name in names:
        for dtype in arguments.dtype or _DTYPES:
            times = measure(name, dtype, torch_fns, arguments.budget)
            row = {
                f"{kind}/{base}": times[f"{base} {kind}"] / times[f"ours {ours}"]
                for kind, ours in _AGAINST.items()
                for base in ("numpy", "torch")
                if f"{base} {kind}" in times
            }
            ratios[f"{name} {dtype}"] = row
            star = " " if native(name) else "*"
            cells = [times["ours value"] * 1e3, times["ours gradient"] * 1e3]
            cells += [row.get(k, math.nan) for k in ("value/numpy", "gradient/numpy")]
            if torch_fns:
                cells += [row.get(f"{kind}/torch", math.nan) for kind in _AGAINST]
            print(f"{name + star:<15}{dtype:<9}" + "".join(f"{c:>9.2f}" for c in cells), flush=True)
    if torch_fns:
        summarise(ratios)


if __name__ == "__main__":
    main()
