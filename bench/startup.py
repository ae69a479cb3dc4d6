"""Start-up benchmark, run by hand: `.venv/bin/python bench/startup.py`.

Time from process start (`python -m service`, kernels compiled at start-up, as served) to the
first full-speed answer to a 1e6-element float32 gelu gradient (.npy in and out): the first
answer within 1.5x of the full-speed latency (the median of ten once every kernel is ready);
and the time until every kernel is ready. Three ways:
  1. cold: an empty kernel cache, every kernel compiled;
  2. cached: the cache the cold run filled;
  3. two workers, cached: each worker loads the cache (ready when both are).
With each: the CPU seconds and the resident memory (its drawing processes' included) of every
worker once it is ready.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
URL = "/api/v1/activations/gelu/evaluate?outputs=gradient"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _body() -> bytes:
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    np.save(buffer, rng.standard_normal(1_000_000).astype(np.float32))
    return buffer.getvalue()


def _workers(pid: int, count: int) -> list[int]:
    """The serving processes: the worker children, or the process itself (whose children
    then are its drawing processes)."""
    if count == 1:
        return [pid]
    return [
        child
        for child in _children(pid)
        if "spawn_main" in _cmdline(child) and "resource_tracker" not in _cmdline(child)
    ]


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _rss_mib(pid: int) -> float:
    """A worker's resident memory, its drawing processes' included."""
    total = 0
    for member in (pid, *_children(pid)):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ready(url: str) -> int:
    """How many workers have their kernels ready (the metric, summed over the workers)."""
    text = httpx.get(url + "/metrics", timeout=10).text
    return round(
        sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("activation_kernels_ready")
        )
    )


def run(cache: Path, *, workers: int, body: bytes) -> str:
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ACTIVATION_SERVICE_PORT": str(port),
        "ACTIVATION_SERVICE_WORKERS": str(workers),
        "ACTIVATION_SERVICE_KERNEL_CACHE_DIR": str(cache),
        "ACTIVATION_SERVICE_ACCESS_LOG": "false",
    }
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "service"], env=env, stderr=subprocess.DEVNULL)
    headers = {"content-type": "application/x-npy"}
    try:
        times: list[tuple[float, float]] = []  # (seconds since start at the end, latency)
        ready_at = None
        while ready_at is None:
            time.sleep(0.25)  # a request now and then: the compilation keeps the cores
            try:
                begin = time.perf_counter()
                response = httpx.post(url + URL, content=body, headers=headers, timeout=300)
                response.raise_for_status()
                times.append((time.perf_counter() - start, time.perf_counter() - begin))
                if _ready(url) == workers:
                    ready_at = time.perf_counter() - start
            except httpx.TransportError:
                pass
        for _ in range(10 * workers):
            begin = time.perf_counter()
            httpx.post(url + URL, content=body, headers=headers, timeout=60).raise_for_status()
            times.append((time.perf_counter() - start, time.perf_counter() - begin))
        full = statistics.median(latency for _, latency in times[-10 * workers :])
        first = next(end for end, latency in times if latency <= 1.5 * full)
        pids = _workers(server.pid, workers)
        rss = ", ".join(f"{_rss_mib(p):.0f}" for p in pids)
        cpu = ", ".join(f"{_cpu_seconds(p):.1f}" for p in pids)
        return (
            f"first full-speed answer at {first:5.1f} s, all kernels ready at {ready_at:5.1f} s"
            f" (full speed: {full * 1000:.0f} ms a request); RSS per worker {rss} MiB;"
            f" CPU per worker {cpu} s"
        )
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, help="a filled kernel cache: skip the cold start")
    arguments = parser.parse_args()
    body = _body()
    with tempfile.TemporaryDirectory() as directory:
        cache = arguments.cache or Path(directory)
        if arguments.cache is None:
            print("cold        ", run(cache, workers=1, body=body), flush=True)
        print("cached      ", run(cache, workers=1, body=body), flush=True)
        print("2 workers   ", run(cache, workers=2, body=body), flush=True)


if __name__ == "__main__":
    main()
