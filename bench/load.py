"""Load test, run by hand: `.venv/bin/python bench/load.py [--seconds 60] [--clients 64] [--rate R]`.

One uvicorn worker (`python -m service`) on 127.0.0.1, and two phases of `--clients`
concurrent clients for `--seconds` each, then `--rest` seconds idle:
  1. a mix of 10-element JSON evaluations (several activations, both dtypes), 10,000-element
     JSON, 1e6-element float32 .npy, metadata, comparisons, plot.svg and small gradient-flow
     simulations;
  2. the same, while two more clients run training (gradient flow with SGD) at the cost limit,
     max_multiply_adds, one after the other.
Per kind of request: count, errors (anything but the answer expected and the designed 503s),
designed 503s (overloaded, deadline-exceeded: counted apart), p50, p99 and max latency. The
server's RSS, its plot-drawing processes' included: warm (after one of each request), at the
end of each phase and `--rest` s later.
Targets (issue 11): 0 errors; 10-element JSON p99 <= 50 ms and 1e6 .npy p99 <= 500 ms while
simulations and training run; RSS back within 15% of the warm baseline `--rest` s after load.
The clients run in this process, on the same cores as the server: the latencies include the
time the server waits for them; each phase reports the cores the server (with its children)
and the clients used, and the server's own p50 and p99 per route (from its /metrics histogram,
bucket bounds: from a request's arrival at the app to its answer's end), which the clients'
queue is not part of.

By default each client sends its next request as soon as the last is answered (a closed loop
without think time): the worker is saturated, and latencies measure the queue (Little's law:
clients / throughput). With `--rate R` the mixed clients together offer R requests/s instead,
each at exponentially spaced scheduled times, and a latency is counted from the time the
request was due, so that a late answer also delays what the client had to send next (no
coordinated omission): the latencies at a load the worker can carry.
The server is stopped by its PID; the run is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import io
import json
import os
import random
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1"
ACTIVATIONS = ("tanh", "gelu", "relu", "silu", "sigmoid", "elu", "softplus", "mish")
# (kind, weight): how often a client picks each kind of request.
MIX = (
    ("json_10", 40),
    ("json_10k", 8),
    ("npy_1e6", 4),
    ("metadata", 15),
    ("compare", 4),
    ("plot_svg", 8),
    ("gradient_flow", 6),
)
# Training at the cost limit, 2^34 multiply-adds: batch 256 x 8 layers of 1024^2 weights x
# (steps + 2) passes = 2^8 x 2^23 x 8.
TRAINING = {
    "activation": "tanh",
    "depth": 8,
    "width": 1024,
    "batch": 256,
    "seed": 0,
    "training": {"steps": 6, "learning_rate": 0.01},
}
DESIGNED_503 = ("overloaded", "deadline-exceeded")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    designed_503: int = 0
    error_samples: list[str] = field(default_factory=list)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@functools.cache
def _large_bodies() -> tuple[bytes, bytes]:
    """The 1e6-element .npy body and the 10,000-number JSON body, made once for all clients:
    made per client, they held the event loop for seconds as a phase began, a delay every
    client's first requests then counted; encoded per request, the JSON cost the generator
    3 ms of its one core each time."""
    npy_body = _npy(np.random.default_rng(0).standard_normal(10**6).astype(np.float32))
    numbers = np.random.default_rng(1).standard_normal(10_000).round(6).tolist()
    return npy_body, json.dumps({"x": numbers}).encode()


class Requests:
    """Builds each kind of request; bodies made once, the choices varied per request."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.npy_body, self.json_10k = _large_bodies()

    def build(self, kind: str) -> tuple[str, str, dict[str, object]]:
        """(method, path, httpx keyword arguments) for one request of ``kind``."""
        name = self.rng.choice(ACTIVATIONS)
        if kind == "json_10":
            x = [round(self.rng.uniform(-4, 4), 5) for _ in range(10)]
            dtype = self.rng.choice(("float32", "float64"))
            body = {"x": x, "dtype": dtype, "outputs": ["value", "gradient"]}
            return "POST", f"{API}/activations/{name}/evaluate", {"json": body}
        if kind == "json_10k":
            headers = {"content-type": "application/json"}
            path = f"{API}/activations/{name}/evaluate"
            return "POST", path, {"content": self.json_10k, "headers": headers}
        if kind == "npy_1e6":
            headers = {"content-type": "application/x-npy"}
            path = f"{API}/activations/{name}/evaluate?outputs=gradient"
            return "POST", path, {"content": self.npy_body, "headers": headers}
        if kind == "metadata":
            path = self.rng.choice((f"{API}/activations", f"{API}/activations/{name}"))
            return "GET", path, {}
        if kind == "compare":
            names = ",".join(self.rng.sample(ACTIVATIONS, 4))
            return "GET", f"{API}/compare", {"params": {"names": names}}
        if kind == "plot_svg":
            high = self.rng.choice((2, 4, 6, 8, 10, 12, 16, 20))  # repeats hit the cache
            path = f"{API}/activations/{name}/plot.svg"
            return "GET", path, {"params": {"x_min": -high, "x_max": high}}
        if kind == "gradient_flow":
            body = {"activation": name, "depth": 6, "width": 64, "batch": 32, "seed": 1}
            return "POST", f"{API}/simulations/gradient-flow", {"json": body}
        if kind == "training":
            return "POST", f"{API}/simulations/gradient-flow", {"json": TRAINING}
        raise ValueError(kind)


async def _one(
    client: httpx.AsyncClient,
    requests: Requests,
    kind: str,
    tally: Tally,
    *,
    due: float | None = None,
) -> None:
    method, path, options = requests.build(kind)
    started = time.perf_counter() if due is None else due
    try:
        response = await client.request(method, path, **options)  # type: ignore[arg-type]
    except httpx.HTTPError as error:
        tally.errors += 1
        tally.error_samples.append(f"{type(error).__name__}: {error}")
        return
    tally.latencies.append(time.perf_counter() - started)
    if response.status_code == 200:
        return
    kind_of_problem = ""
    if response.headers.get("content-type") == "application/problem+json":
        kind_of_problem = str(response.json().get("type", "")).rsplit(":", 1)[-1]
    if response.status_code == 503 and kind_of_problem in DESIGNED_503:
        tally.designed_503 += 1
    else:
        tally.errors += 1
        tally.error_samples.append(f"{response.status_code} {response.text[:200]}")


async def _phase(
    url: str, *, clients: int, seconds: float, training: int, rate: float | None
) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    kinds, weights = zip(*MIX, strict=True)
    # A client each, with its own connection: one pool of them all costs httpcore a scan of
    # every connection per request, most of the generator's time with 64. One TLS context for
    # all (each client makes its own otherwise, 20 ms apiece, unused over http).
    tls = ssl.create_default_context()

    def new_client() -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(120.0), verify=tls)

    stop = time.monotonic() + seconds

    async def mixed(seed: int) -> None:
        rng = random.Random(seed)
        requests = Requests(rng)
        due = time.perf_counter()
        async with new_client() as client:
            while time.monotonic() < stop:
                kind = rng.choices(kinds, weights)[0]
                if rate is None:
                    await _one(client, requests, kind, tallies[kind])
                    continue
                due += rng.expovariate(rate / clients)
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                await _one(client, requests, kind, tallies[kind], due=due)

    async def trainer(seed: int) -> None:
        requests = Requests(random.Random(seed))
        async with new_client() as client:
            while time.monotonic() < stop:
                await _one(client, requests, "training", tallies["training"])

    await asyncio.gather(
        *(mixed(seed) for seed in range(clients)),
        *(trainer(1000 + seed) for seed in range(training)),
    )
    return tallies


Buckets = dict[str, dict[float, float]]


def _server_buckets(url: str) -> Buckets:
    """The server's own request-duration histogram (cumulative counts per upper bound), by
    route template, from its /metrics."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    buckets: Buckets = defaultdict(dict)
    for family in text_string_to_metric_families(text):
        if family.name != "activation_http_request_duration_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith("_bucket"):
                buckets[sample.labels["route"]][float(sample.labels["le"])] = sample.value
    return buckets


def _report_server(before: Buckets, after: Buckets) -> None:
    """Per route, the server's own p50 and p99 over the phase (a bucket's upper bound): the
    time from a request's arrival to its answer's end, without the clients' queue."""
    print(f"  server side, per route: {'count':>7}{'p50 <=':>10}{'p99 <=':>10}  (s)")
    for route, counts in sorted(after.items()):
        earlier = before.get(route, {})
        bounds = sorted(counts)
        delta = [counts[b] - earlier.get(b, 0.0) for b in bounds]
        total = delta[-1]
        if total < 1:
            continue
        below = list(zip(bounds, delta, strict=True))
        p50, p99 = (next(b for b, n in below if n >= q * total) for q in (0.5, 0.99))
        print(f"  {route:<42}{int(total):>7}{p50:>10g}{p99:>10g}")


def _report(title: str, tallies: dict[str, Tally]) -> None:
    print(f"\n{title}")
    print(
        f"{'kind':<14}{'count':>7}{'errors':>8}{'503s':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}"
    )
    for kind in [k for k, _ in MIX] + ["training"]:
        tally = tallies.get(kind)
        if tally is None:
            continue
        times = np.array(tally.latencies) * 1e3 if tally.latencies else np.array([np.nan])
        p50, p99 = np.percentile(times, [50, 99])
        print(
            f"{kind:<14}{len(tally.latencies) + tally.errors:>7}{tally.errors:>8}"
            f"{tally.designed_503:>6}{p50:>10.1f}{p99:>10.1f}{times.max():>10.1f}"
        )
    for kind, tally in tallies.items():
        for sample in tally.error_samples[:3]:
            print(f"  error ({kind}): {sample}")


def _rss_mib(pid: int) -> float:
    """Resident memory of the server and its children (the processes that draw plots)."""
    total = 0
    for member in _family(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _family(pid: int) -> list[int]:
    """``pid`` and its child processes."""
    children = Path(f"/proc/{pid}/task").glob("*/children")
    return [pid, *(int(child) for path in children for child in path.read_text().split())]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve() -> Iterator[tuple[str, int]]:
    """``python -m service`` on a free port of 127.0.0.1: its URL and PID, stopped by PID."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ACTIVATION_SERVICE_PORT": str(port),
        "ACTIVATION_SERVICE_HOST": "127.0.0.1",
    }
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "service"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit(f"the server did not start:\n{log.read().decode()}")
                time.sleep(0.2)
            yield url, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def _warm(url: str) -> None:
    """Every kind of request for every activation of the mix, so that what a warm process
    keeps (compiled kernels in both dtypes, measured properties, descriptions) is in the
    baseline, and what the load leaves behind is not."""
    requests = Requests(random.Random(7))
    with httpx.Client(base_url=url, timeout=120) as client:
        for name in ACTIVATIONS:
            for dtype in ("float32", "float64"):
                body = {"x": [0.5] * 10, "dtype": dtype, "outputs": ["value", "gradient"]}
                client.post(f"{API}/activations/{name}/evaluate", json=body)
            client.get(f"{API}/activations/{name}")
            client.get(f"{API}/activations/{name}/plot.svg")
            flow = {"activation": name, "depth": 6, "width": 64, "batch": 32, "seed": 1}
            client.post(f"{API}/simulations/gradient-flow", json=flow)
        for kind, _ in MIX:
            method, path, options = requests.build(kind)
            client.request(method, path, **options)  # type: ignore[arg-type]
        # One short run of the training phase's shape: what a process keeps after its first
        # training run (the BLAS threads' buffers, the training loop's kernels) is warm state.
        short = {**TRAINING, "depth": 1, "training": {"steps": 1, "learning_rate": 0.01}}
        client.post(f"{API}/simulations/gradient-flow", json=short)


def _cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User and system CPU time of process ``pid``, all its threads (and its children's)."""
    ticks = 0
    for member in _family(pid) if children else [pid]:
        fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _wait_until_ready(url: str, *, longest: float = 1800.0) -> float:
    """Seconds until the server's /readyz answers 200: its kernels loaded from the cache, or
    compiled when the numeric code has changed since the cache was made (minutes of a core).
    Compiling holds the interpreter for long stretches, so a load measured meanwhile would
    measure the compiler; a deployment keeps traffic away until ready likewise."""
    started = time.monotonic()
    while httpx.get(f"{url}/readyz", timeout=10).status_code != 200:
        if time.monotonic() - started > longest:
            raise SystemExit(f"the server was not ready after {longest:g} s")
        time.sleep(1.0)
    return time.monotonic() - started


def _wait_until_idle(pid: int, *, longest: float = 180.0) -> None:
    """Until the server uses under 5% of a core over a second: the trim after the warm-up
    done."""
    give_up = time.monotonic() + longest
    before = _cpu_seconds(pid)
    while time.monotonic() < give_up:
        time.sleep(1.0)
        now = _cpu_seconds(pid)
        if now - before < 0.05:
            return
        before = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rest", type=float, default=30.0)
    parser.add_argument("--trainers", type=int, default=2)
    parser.add_argument(
        "--rate", type=float, help="requests/s the mixed clients offer together (default: saturate)"
    )
    arguments = parser.parse_args()
    offered = "as fast as answered" if arguments.rate is None else f"{arguments.rate:g} req/s"
    with serve() as (url, pid):
        print(f"kernels ready {_wait_until_ready(url):.0f} s after the server first answered")
        _warm(url)
        _wait_until_idle(pid)
        rss: dict[str, float] = {"warm": _rss_mib(pid)}
        for title, training in (("mix", 0), ("mix + training", arguments.trainers)):
            server_cpu, own_cpu = _cpu_seconds(pid, children=True), _cpu_seconds(os.getpid())
            began = time.time()
            buckets = _server_buckets(url)
            tallies = asyncio.run(
                _phase(
                    url,
                    clients=arguments.clients,
                    seconds=arguments.seconds,
                    training=training,
                    rate=arguments.rate,
                )
            )
            elapsed = time.time() - began
            server_buckets = _server_buckets(url)
            server_cores = (_cpu_seconds(pid, children=True) - server_cpu) / elapsed
            client_cores = (_cpu_seconds(os.getpid()) - own_cpu) / elapsed
            rss[f"{title}: at end"] = _rss_mib(pid)
            time.sleep(arguments.rest)
            rss[f"{title}: {arguments.rest:g} s after"] = _rss_mib(pid)
            _report(
                f"{title}: {arguments.clients} clients"
                + (f" + {training} training" if training else "")
                + f" ({offered}), {arguments.seconds:g} s, one worker;"
                + f" cores used: server {server_cores:.2f}, clients {client_cores:.2f}",
                tallies,
            )
            _report_server(buckets, server_buckets)
    print("\nRSS (MiB)")
    for moment, value in rss.items():
        print(f"  {moment:<28}{value:8.0f}  ({value / rss['warm'] - 1:+.0%} of warm)")


if __name__ == "__main__":
    main()
