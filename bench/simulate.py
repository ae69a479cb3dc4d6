"""Benchmark of the simulator, run by hand: `.venv/bin/python bench/simulate.py [--quick]`.

The gradient-flow pass: 100 layers x 512 units x 256 examples, float32, forward and backward
(dL/dW of every layer), in one run against the same computation in PyTorch on the CPU when
torch is installed:
  1. the bare pass, service.numerics.networks.propagation.forward + backward, vs torch autograd;
  2. the same pass with the per-layer statistics the service reports;
  3. the whole experiment (drawing the network, the pass, the statistics and the theory).
Goal: (1) at most 1.2x PyTorch's time. Times are the median of several repeats.

One training step (`--part training`): the same network, optimizer and batch in both, on the
spiral task, float32, softmax cross-entropy, a fresh minibatch from the training split at
every step. The service's side is its own training loop (runs.train_entrant, one trial),
timed as the difference between two runs of different lengths that measure the same number of
times, so that what is left is the steps alone; PyTorch's side is the usual loop (index a
minibatch, zero_grad, forward, cross_entropy, backward, optimizer.step). Two networks: a wide
one, where the BLAS products dominate (256 random features -> 4 x 512 -> 2, batch 256), and a
small one, where what the interpreter pays per layer dominates (2 -> 3 x 32 -> 2, batch 32).
Goal: at most 1.2x PyTorch's time per step.

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
import itertools
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
from service.numerics.networks import Entrant, Plane, Study, optimizer  # noqa: E402
from service.numerics.networks.initialisation import Init  # noqa: E402
from service.numerics.networks.propagation import LayerStats, Network, backward, forward  # noqa: E402
from service.numerics.networks.runs import study_data, train_entrant  # noqa: E402
from service.numerics.networks.simulation import Experiment, Limits, simulate  # noqa: E402
from service.numerics.networks.training import Training  # noqa: E402

DEPTH, WIDTH, BATCH = 100, 512, 256
# name: (random features (0: the 2-D inputs), hidden widths, batch)
TRAINING: dict[str, tuple[int, tuple[int, ...], int]] = {
    "wide": (256, (512,) * 4, 256),
    "small": (0, (32,) * 3, 32),
}
OPTIMIZERS = ("sgd", "adam")


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


def training_study(config: str) -> Study:
    features, _, batch = TRAINING[config]
    task = Plane(name="spiral", noise=0.1, size=4000, features=features or None)
    return Study(task=task, batch=batch, seed=0)


def numpy_training(config: str, name: str, repeats: int) -> float:
    """Seconds per step of the service's training loop."""
    study = training_study(config)
    data = study_data(study)
    relu = numerics.get("relu")

    def run(steps: int) -> Callable[[], object]:
        training = Training(steps, 1e-3, optimizer(name))  # type: ignore[arg-type]
        entrant = Entrant(
            activation=relu, params=relu.resolve({}), widths=TRAINING[config][1], training=training
        )
        once = Study(task=study.task, batch=study.batch, seed=0, record_every=steps)
        return lambda: train_entrant(entrant, once, data)

    short, long = 20, 220
    return (median_time(run(long), repeats) - median_time(run(short), repeats)) / (long - short)


def torch_training(config: str, name: str, repeats: int) -> float | None:
    """Seconds per step of the usual PyTorch loop on the same network, batch and data."""
    try:
        import torch
    except ImportError:
        return None
    data = study_data(training_study(config))
    x, y = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    widths = (x.shape[1], *TRAINING[config][1], 2)
    layers: list[torch.nn.Module] = []
    for n_in, n_out in itertools.pairwise(widths):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    kind = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[name]
    trainer = kind(model.parameters(), lr=1e-3)
    batch = TRAINING[config][2]
    generator = torch.Generator().manual_seed(0)
    steps = 200

    def run() -> None:
        order = torch.randperm(x.shape[0], generator=generator)
        for step in range(steps):
            taken = order[(step * batch) % (x.shape[0] - batch) :][:batch]
            trainer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(x[taken]), y[taken])
            loss.backward()
            trainer.step()

    return median_time(run, repeats) / steps


EIGHT = [
    {"activation": name}
    for name in ("relu", "leaky_relu", "elu", "gelu", "silu", "tanh", "sigmoid", "softplus")
]
LIMIT_REQUESTS: dict[str, dict[str, object]] = {
    "max_training_multiply_adds": {
        "activation": "relu",
        "depth": 4,
        "width": 512,
        "batch": 512,
        "task": {"name": "spiral", "size": 2000, "features": 256},
    },
    "max_element_ops": {
        "activation": "gelu",
        "depth": 30,
        "width": 8,
        "batch": 2048,
        "trials": 64,
        "task": {"name": "spiral", "size": 4000},
    },
    "max_layer_steps": {
        "depth": 30,
        "width": 2,
        "batch": 2,
        "trials": 64,
        "task": {"name": "spiral", "size": 100},
        "entrants": EIGHT,
    },
    "near all three": {
        "depth": 4,
        "width": 32,
        "batch": 64,
        "trials": 64,
        "task": {"name": "spiral", "size": 1000},
        "entrants": EIGHT,
    },
}


def longest(request: dict[str, object]) -> dict[str, object]:
    """The request with as many Adam steps as the default limits allow."""
    from service.api.schemas.training import TrainingComparisonRequest, TrainingRunRequest
    from service.config import Settings
    from service.numerics import LimitExceeded
    from service.numerics.networks import cost

    limits, settings = Limits(), Settings()
    kind = TrainingComparisonRequest if "entrants" in request else TrainingRunRequest

    def fits(steps: int) -> bool:
        body = kind.model_validate(
            {**request, "seed": 0, "training": {"steps": steps, "optimizer": "adam"}}
        )
        entrants = (
            body.entrants_of(settings, limits)
            if isinstance(body, TrainingComparisonRequest)
            else [body.entrant(settings, limits)]
        )
        try:
            cost(entrants, body.study(settings), limits)
        except LimitExceeded:
            return False
        return True

    low, high = 0, limits.max_run_steps
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return {**request, "seed": 0, "training": {"steps": low, "optimizer": "adam"}}


def time_limits() -> None:
    import asyncio

    import httpx

    from service.config import Settings
    from service.main import create_app

    numerics.compile_kernels(numerics.ACTIVATIONS.values())  # as the service does at start-up
    print(f"\nrequests at the limits; load average before: {os.getloadavg()[0]:.2f}")

    async def post(path: str, body: dict[str, object]) -> tuple[int, float, dict[str, int]]:
        app = create_app(Settings.model_construct(compile_at_startup=False))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=600
        ) as client:
            start = time.perf_counter()
            response = await client.post(path, json=body)
            elapsed = time.perf_counter() - start
        found = response.json().get("cost", {}) if response.status_code == 200 else {}
        return response.status_code, elapsed, found

    for limit, request in LIMIT_REQUESTS.items():
        body = longest(request)
        path = "/api/v1/simulations/training" + ("-comparison" if "entrants" in body else "")
        status, elapsed, spent = asyncio.run(post(path, body))
        steps = body["training"]["steps"]  # type: ignore[index]
        used = ", ".join(f"{k} {v:.2e}" for k, v in spent.items())
        print(f"  {limit:18} {steps:6} steps  HTTP {status}  {elapsed:6.1f} s  ({used})")


def measure(side: str, name: str, repeats: int, part: str) -> dict[str, float]:
    if part == "training":
        times = {}
        for config in TRAINING:
            for kind in OPTIMIZERS:
                key = f"{config}/{kind}"
                if side == "torch":
                    found = torch_training(config, kind, repeats)
                    if found is not None:
                        times[key] = found
                else:
                    times[key] = numpy_training(config, kind, repeats)
        return times
    if side == "torch":
        baseline = torch_pass(name)
        return {"torch": median_time(baseline, repeats)} if baseline else {}
    return {
        "pass": median_time(numpy_pass(name, with_stats=False), repeats),
        "stats": median_time(numpy_pass(name, with_stats=True), repeats),
        "whole": median_time(whole_experiment(name), max(3, repeats // 3)),
    }


def in_subprocess(
    side: str, name: str, repeats: int, threads: int | None, part: str = "pass"
) -> dict[str, float]:
    command = [sys.executable, __file__, "--side", side, "--activations", name]
    command += ["--repeats", str(repeats), "--part", part]
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
    parser.add_argument(
        "--part",
        choices=["pass", "training", "limits", "both"],
        default="both",
        help="what to time (both: the pass and a training step)",
    )
    parser.add_argument("--side", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 9)
    if args.side:
        print(json.dumps(measure(args.side, args.activations[0], repeats, args.part)))
        return
    describe_blas()
    try:
        import torch

        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    except ImportError:
        print("torch not installed: no baseline")
    threads = args.threads or "default"
    if args.part == "limits":
        time_limits()
        return
    if args.part in ("training", "both"):
        time_training(repeats, args.threads)
    if args.part == "training":
        return
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


def time_training(repeats: int, threads: int | None, rounds: int = 3) -> None:
    """Both sides in turn, ``rounds`` times: on a shared machine the load drifts between two
    runs, and the median of the rounds' ratios is what holds still."""
    print(f"\none training step, relu, float32; load average before: {os.getloadavg()[0]:.2f}")
    ours: dict[str, list[float]] = {}
    theirs: dict[str, list[float]] = {}
    for _ in range(rounds):
        for times, side in ((ours, "numpy"), (theirs, "torch")):
            for key, seconds in in_subprocess(side, "relu", repeats, threads, "training").items():
                times.setdefault(key, []).append(seconds)
    for key, seconds in ours.items():
        config, name = key.split("/")
        features, hidden, batch = TRAINING[config]
        shape = f"{features or 2} -> {len(hidden)} x {hidden[0]} -> 2, batch {batch}"
        line = (
            f"  {config:6} {name:5} ({shape:32}) service {statistics.median(seconds) * 1e6:8.0f} us"
        )
        if key in theirs:
            ratio = statistics.median(a / b for a, b in zip(seconds, theirs[key], strict=True))
            verdict = "meets" if ratio <= 1.2 else "misses"
            line += f"  torch {statistics.median(theirs[key]) * 1e6:8.0f} us"
            line += f"  {ratio:.2f}x ({verdict} the 1.2x goal; median of {rounds} rounds)"
        print(line)


if __name__ == "__main__":
    main()
