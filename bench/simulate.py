"""Benchmark of the simulator's pass, run by hand: `.venv/bin/python bench/simulate.py [--quick]`.

100 layers x 512 units x 256 examples, float32, forward and backward (dL/dW of every layer),
in one run against the same computation in PyTorch on the CPU when torch is installed:
  1. the bare pass, service.numerics.networks.propagation.forward + backward, vs torch autograd;
  2. the same pass with the per-layer statistics the service reports;
  3. the whole experiment (drawing the network, the pass, the statistics and the theory).
Goal: (1) at most 1.2x PyTorch's time. Times are the median of several repeats.

Each side runs in its own process: numpy's OpenBLAS threads and torch's OpenMP threads both
spin for a while after their work, and on a small machine two spinning pools in one process
slow each other down by 10x or more, which would measure the neighbour and not the code.

Which BLAS numpy uses, and the kernel it picked, are printed (threadpoolctl). On processors
where OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are set to keep old OpenBLAS builds correct,
they also slow a current one; benchmark with both unset for that command alone:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/simulate.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import numerics  # noqa: E402
from service.numerics.networks.initialisation import Init  # noqa: E402
from service.numerics.networks.propagation import LayerStats, Network, backward, forward  # noqa: E402
from service.numerics.networks.simulation import Experiment, Limits, simulate  # noqa: E402

DEPTH, WIDTH, BATCH = 100, 512, 256


def median_time(run: Callable[[], object], repeats: int) -> float:
    run()  # warm up: caches, thread pools, first-touch of memory
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def describe_blas() -> None:
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        print(f"{name}={os.environ.get(name, '(unset)')}")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        print("threadpoolctl not installed: BLAS kernel unknown")
        return
    for pool in threadpool_info():
        print(
            f"{pool['user_api']}: {pool['internal_api']} {pool.get('version')}"
            f" kernel={pool.get('architecture')} threads={pool['num_threads']}"
        )


def numpy_pass(name: str, *, with_stats: bool) -> Callable[[], object]:
    entry = numerics.get(name)
    rng = np.random.default_rng(0)
    weights = [
        rng.standard_normal((WIDTH, WIDTH), dtype=np.float32) * np.float32(np.sqrt(2 / WIDTH))
        for _ in range(DEPTH)
    ]
    biases = [np.zeros(WIDTH, dtype=np.float32) for _ in range(DEPTH)]
    network = Network(entry, {}, weights, biases)
    x = rng.standard_normal((BATCH, WIDTH), dtype=np.float32)
    readout = rng.standard_normal(WIDTH, dtype=np.float32)

    def run() -> None:
        stats = [LayerStats() for _ in range(DEPTH)] if with_stats else None
        inputs, slopes = forward(network, x, stats)
        backward(network, inputs, slopes, np.broadcast_to(readout, inputs[-1].shape), stats=stats)

    return run


def whole_experiment(name: str) -> Callable[[], object]:
    entry = numerics.get(name)
    experiment = Experiment(
        entry, {}, (WIDTH,) * DEPTH, BATCH, seed=0, init=Init(scheme="he_normal")
    )
    return lambda: simulate(experiment, Limits())


def torch_pass(name: str) -> Callable[[], object] | None:
    try:
        import torch
    except ImportError:
        return None
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[name]
    generator = torch.Generator().manual_seed(0)
    weights = [
        (torch.randn(WIDTH, WIDTH, generator=generator) * (2 / WIDTH) ** 0.5).requires_grad_()
        for _ in range(DEPTH)
    ]
    biases = [torch.zeros(WIDTH) for _ in range(DEPTH)]
    x = torch.randn(BATCH, WIDTH, generator=generator)
    readout = torch.randn(WIDTH, generator=generator)

    def run() -> None:
        for w in weights:
            w.grad = None
        a = x
        for w, b in zip(weights, biases, strict=True):
            a = act(torch.addmm(b, a, w))
        (a @ readout).mean().backward()

    return run


def measure(side: str, name: str, repeats: int) -> dict[str, float]:
    if side == "torch":
        baseline = torch_pass(name)
        return {"torch": median_time(baseline, repeats)} if baseline else {}
    return {
        "pass": median_time(numpy_pass(name, with_stats=False), repeats),
        "stats": median_time(numpy_pass(name, with_stats=True), repeats),
        "whole": median_time(whole_experiment(name), max(3, repeats // 3)),
    }


def in_subprocess(side: str, name: str, repeats: int, threads: int | None) -> dict[str, float]:
    command = [sys.executable, __file__, "--side", side, "--activations", name]
    command += ["--repeats", str(repeats)]
    env = dict(os.environ)
    if threads:
        # Read by OpenBLAS and OpenMP (torch's intra-op pool) when they start.
        env |= {"OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    times: dict[str, float] = json.loads(output)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--activations", nargs="+", default=["relu", "tanh"])
    parser.add_argument(
        "--threads", type=int, help="BLAS and torch threads on both sides (default: theirs)"
    )
    parser.add_argument("--side", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 9)
    if args.side:
        print(json.dumps(measure(args.side, args.activations[0], repeats)))
        return
    describe_blas()
    try:
        import torch

        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    except ImportError:
        print("torch not installed: no baseline")
    threads = args.threads or "default"
    print(f"\n{DEPTH} layers x {WIDTH} units x {BATCH} examples, float32, forward + backward,")
    print(f"threads: {threads}; load average before: {os.getloadavg()[0]:.2f}")
    for name in args.activations:
        times = in_subprocess("numpy", name, repeats, args.threads)
        times |= in_subprocess("torch", name, repeats, args.threads)
        print(f"\n{name}")
        print(f"  numpy pass            {times['pass'] * 1e3:8.1f} ms")
        print(f"  numpy pass + stats    {times['stats'] * 1e3:8.1f} ms")
        print(f"  whole experiment      {times['whole'] * 1e3:8.1f} ms")
        if "torch" in times:
            reference = times["torch"]
            print(f"  torch autograd        {reference * 1e3:8.1f} ms")
            verdict = "meets" if times["pass"] <= 1.2 * reference else "misses"
            print(
                f"  pass / torch = {times['pass'] / reference:.2f}x ({verdict} the 1.2x goal);"
                f" with stats {times['stats'] / reference:.2f}x"
            )


if __name__ == "__main__":
    main()
