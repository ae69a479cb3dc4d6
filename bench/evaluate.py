"""Benchmark of POST /evaluate, run by hand: `.venv/bin/python bench/evaluate.py [--quick]`.

In one run, against baselines measured alongside (ratios, not absolute times, are the result):
  1. throughput (elements/s) of the service over JSON and .npy vs the core called in-process,
     for 1e3, 1e5, 1e6 elements in float32 and float64;
  2. the service's JSON path vs a naive FastAPI endpoint (pydantic list[float] in and out);
  3. requests/s of a 10-element JSON request (float64, JSON's default) for relu, sigmoid,
     tanh, gelu and silu under concurrency vs a bare FastAPI endpoint that returns a constant
     (and, beside it, the same constant from a bare ASGI callable: uvicorn's own share),
     each loaded in turns, and the server's CPU time per request beside it; and, last of the
     run (3b), the same requests called in this process, without sockets, in batches
     alternating with the bare endpoint's (`--in-process` alone): the median of the paired
     ratios, which a busy machine disturbs far less than whole runs of requests/s;
  4. at 1e6 float32 elements, the Open Inference Protocol's binary path (POST /v2/.../infer
     with binary tensor data) and the typed client (service.client, httpx) vs the native .npy
     path, for the value and for the value and gradient, each from an array to arrays (the
     request body built, the answer decoded); beside them the native path sent with httpx
     by hand, which shows what of the client's time is httpx's.
Every server runs as its own uvicorn process on 127.0.0.1 (one worker, same settings).
Targets: .npy at 1e6 >= 0.5x in-process; JSON >= 4x naive at 1e5 and 1e6; 10-element
requests >= 0.9x the bare endpoint; the protocol's binary path and the client within 10% of
the native .npy path at 1e6.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import io
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import numerics  # noqa: E402
from service.client import Client  # noqa: E402
from service.numerics import OutputName as Output  # noqa: E402

ACTIVATION = "gelu"
SMALL_REQUESTS = ("relu", "sigmoid", "tanh", "gelu", "silu")
NAIVE_APP = textwrap.dedent(
    """
    import numpy as np
    from fastapi import FastAPI
    from pydantic import BaseModel
    from service import numerics

    app = FastAPI()
    entry = numerics.get("gelu")

    class Request(BaseModel):
        x: list[float]

    class Result(BaseModel):
        value: list[float]

    @app.post("/api/v1/activations/gelu/evaluate")
    def evaluate(request: Request) -> Result:
        x = np.array(request.x)
        return Result(value=numerics.evaluate(entry, x, params=entry.resolve({}))["value"].tolist())

    @app.post("/constant")
    async def constant() -> dict[str, str]:
        return {"status": "ok"}

    async def floor(scope, receive, send):
        # The same constant from a bare ASGI callable: what uvicorn itself costs a request.
        if scope["type"] != "http":
            return
        await receive()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"15")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"status":"ok"}'})
    """
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


_PIDS: dict[str, int] = {}  # each server's process, by its base URL


def _cpu_seconds(pid: int) -> float:
    """CPU time the process has used (user and system), from /proc; NaN where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serve(app: str, app_dir: Path) -> Iterator[str]:
    """A uvicorn process serving ``app`` ("module:attribute"); yields its base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning"]
    command += ["--app-dir", str(app_dir)]
    # No compilation running alongside the timings: a kernel compiles on its first request,
    # which the best-of-N timings leave out.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ACTIVATION_SERVICE_COMPILE_AT_STARTUP": "false"}
    server = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}"
    _PIDS[url] = server.pid
    try:
        for _ in range(300):
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def best_time(run: Callable[[], object], *, repeat: int, budget: float = 3.0) -> float:
    times: list[float] = []
    started = time.perf_counter()
    for _ in range(repeat):
        begin = time.perf_counter()
        run()
        times.append(time.perf_counter() - begin)
        if time.perf_counter() - started > budget and len(times) >= 2:
            break
    return min(times)


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def throughput(service: str, naive: str, sizes: list[int]) -> None:
    print(f"\n1-2. {ACTIVATION} value, best of several runs: elements/s and ratios")
    header = f"{'n':>9} {'dtype':>8} {'in-process':>12} {'.npy':>12} {'JSON':>12} {'naive':>12}"
    print(header + f" {'npy/in-proc':>12} {'JSON/naive':>11}")
    with _Client(service) as client, _Client(naive) as slow:
        for n in sizes:
            for dtype in ("float32", "float64"):
                x = np.random.default_rng(0).normal(size=n).astype(dtype)
                local, binary, json_time, naive_time = _times(client, slow, x)
                rates = [n / t for t in (local, binary, json_time, naive_time)]
                print(
                    f"{n:>9} {dtype:>8} "
                    + " ".join(f"{r:>12.3g}" for r in rates)
                    + f" {local / binary:>11.2f}x {naive_time / json_time:>10.1f}x"
                )


def protocols(service: str, n: int) -> None:
    """The native .npy path, the inference protocol's binary path and the typed client, from
    an array to arrays: each builds its request body from x and decodes its answer."""
    print(f"\n4. {ACTIVATION} at {n:.0e} float32 elements, best of several runs (ms) and ratios")
    print(
        f"{'outputs':>16} {'.npy':>8} {'/v2 binary':>11} {'client':>8} {'httpx .npy':>11}"
        f" {'v2/npy':>7} {'client/npy':>11} {'client/httpx':>13}"
    )
    x = np.random.default_rng(0).normal(size=n).astype(np.float32)
    choices: list[list[Output]] = [["value"], ["value", "gradient"]]
    with (
        _Client(service) as raw,
        Client(service) as client,
        httpx.Client(base_url=service, timeout=300) as by_hand,
    ):
        for outputs in choices:
            runs = (
                partial(_native_npy, raw.post, x, outputs),
                partial(_inference_binary, raw, x, outputs),
                partial(client.evaluate, ACTIVATION, x, outputs),
                partial(_native_npy, partial(_httpx_post, by_hand), x, outputs),
            )
            for run in runs:  # warm-up, and the kernels compiled
                run()
            times = _interleaved(runs, repeat=20, budget=15.0)
            print(
                f"{'+'.join(outputs):>16} "
                + " ".join(f"{t * 1e3:>8.2f}" for t in times[:3])
                + f" {times[3] * 1e3:>11.2f}"
                + f"   {times[1] / times[0]:>6.2f}x {times[2] / times[0]:>10.2f}x"
                + f" {times[2] / times[3]:>12.2f}x"
            )


def _interleaved(
    runs: tuple[Callable[[], object], ...], *, repeat: int, budget: float
) -> list[float]:
    """The best time of each run, taking turns, so that a busy spell of the shared machine
    falls on all of them alike."""
    times: list[list[float]] = [[] for _ in runs]
    started = time.perf_counter()
    for _ in range(repeat):
        for run, taken in zip(runs, times, strict=True):
            begin = time.perf_counter()
            run()
            taken.append(time.perf_counter() - begin)
        if time.perf_counter() - started > budget:
            break
    return [min(taken) for taken in times]


def _httpx_post(
    client: httpx.Client, url: str, *, content: bytes, headers: dict[str, str]
) -> bytes:
    response = client.post(url, content=content, headers=headers)
    assert response.status_code == 200, response.text[:200]
    return response.content


def _native_npy(
    post: Callable[..., bytes], x: np.ndarray, outputs: list[Output]
) -> list[np.ndarray]:
    """POST /api/v1/activations/{name}/evaluate with x as .npy, sent with ``post``."""
    url = f"/api/v1/activations/{ACTIVATION}/evaluate?" + "&".join(f"outputs={o}" for o in outputs)
    accept = "application/x-npy" if len(outputs) == 1 else "application/x-npz"
    answer = post(
        url, content=npy(x), headers={"content-type": "application/x-npy", "accept": accept}
    )
    loaded = np.load(io.BytesIO(answer))
    return [loaded] if len(outputs) == 1 else [loaded[o] for o in outputs]


def _inference_binary(raw: _Client, x: np.ndarray, outputs: list[Output]) -> list[np.ndarray]:
    """POST /v2/models/{name}/infer with x and every output as binary tensor data, decoded
    as tritonclient decodes it (a view of the answer per output)."""
    described = {"name": "x", "shape": list(x.shape), "datatype": "FP32"}
    head = orjson.dumps(
        {
            "inputs": [{**described, "parameters": {"binary_data_size": x.nbytes}}],
            "outputs": [{"name": o, "parameters": {"binary_data": True}} for o in outputs],
        }
    )
    content, length = raw.post_with_headers(
        f"/v2/models/{ACTIVATION}/infer",
        content=head + x.tobytes(),
        headers={"Inference-Header-Content-Length": str(len(head))},
    )
    arrays, offset = [], length
    for output in orjson.loads(content[:length])["outputs"]:
        size = output["parameters"]["binary_data_size"]
        arrays.append(np.frombuffer(content, np.float32, size // 4, offset))
        offset += size
    return arrays


class _Client:
    """A keep-alive HTTP/1.1 connection from the standard library: it costs the client far
    less than httpx, so that the times measure the servers rather than the client."""

    def __init__(self, base_url: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self._connection = http.client.HTTPConnection(host, int(port), timeout=300)

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> bytes:
        return self.post_with_headers(url, content=content, headers=headers)[0]

    def post_with_headers(
        self, url: str, *, content: bytes, headers: dict[str, str]
    ) -> tuple[bytes, int]:
        """The body of the answer, and its Inference-Header-Content-Length. A connection the
        server closed while idle (its keep-alive timeout, while another server was timed) is
        opened again once."""
        for attempt in (1, 2):
            try:
                self._connection.request("POST", url, body=content, headers=headers)
                response = self._connection.getresponse()
                break
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                self._connection.close()
                if attempt == 2:
                    raise
        body = response.read()
        assert response.status == 200, body[:200]
        return body, int(response.getheader("inference-header-content-length", len(body)))

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *_: object) -> None:
        self._connection.close()


def _times(client: _Client, slow: _Client, x: np.ndarray) -> tuple[float, float, float, float]:
    """Seconds for: the core in-process, the service over .npy, over JSON, and the naive endpoint."""
    entry = numerics.get(ACTIVATION)
    params = entry.resolve({})
    url = f"/api/v1/activations/{ACTIVATION}/evaluate"
    repeat = max(5, min(50, 2_000_000 // x.size))  # best of 5 at least: the machine is shared
    local = best_time(lambda: numerics.evaluate(entry, x, params=params), repeat=repeat)
    body = npy(x)
    npy_headers = {"content-type": "application/x-npy"}
    binary = best_time(
        lambda: np.load(io.BytesIO(client.post(url, content=body, headers=npy_headers))),
        repeat=repeat,
    )
    # The client only receives the JSON answers: decoding them costs the same for both designs
    # and is not the service's work.
    json_headers = {"content-type": "application/json"}
    document = orjson.dumps({"x": x, "dtype": x.dtype.name}, option=orjson.OPT_SERIALIZE_NUMPY)
    json_time = best_time(
        lambda: client.post(url, content=document, headers=json_headers), repeat=repeat
    )
    naive_document = orjson.dumps({"x": x}, option=orjson.OPT_SERIALIZE_NUMPY)
    naive_time = best_time(
        lambda: slow.post(url, content=naive_document, headers=json_headers),
        repeat=max(3, repeat // 4),
    )
    return local, binary, json_time, naive_time


async def _load(url: str, body: bytes, *, connections: int, seconds: float) -> tuple[int, float]:
    """Requests answered over ``connections`` keep-alive connections in about ``seconds``, and
    the seconds taken: a minimal HTTP/1.1 client, so that the client costs less than the
    servers it measures."""
    host, port = url.removeprefix("http://").split("/")[0].split(":")
    path = "/" + url.removeprefix("http://").split("/", 1)[1]
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(host, int(port))
        while time.perf_counter() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), head
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            done += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return done, time.perf_counter() - started


def concurrency(service: str, naive: str, floor: str, seconds: float, rounds: int = 5) -> None:
    """Each target is loaded in turn, ``rounds`` times over, for ``seconds`` in all: a busy
    spell of the shared machine then falls on the baseline and the service alike, where one
    long stretch each would compare them at different times. Beside requests/s, the server's
    CPU time per request (from /proc, Linux only): what the load of other processes and the
    client, which shares the machine, changes least."""
    body = orjson.dumps({"x": [0.1 * i - 0.5 for i in range(10)]})
    print(
        f"\n3. 10-element JSON requests, 32 connections, {seconds:.0f} s each"
        f" in {rounds} turns: req/s, and server CPU us per request"
    )
    targets = {
        "bare constant": (naive, f"{naive}/constant"),
        "ASGI constant": (floor, f"{floor}/constant"),  # uvicorn alone: its share of the above
    }
    for name in SMALL_REQUESTS:
        targets[name] = (service, f"{service}/api/v1/activations/{name}/evaluate")
    for _, url in targets.values():  # warm-up, and the kernels compiled
        asyncio.run(_load(url, body, connections=8, seconds=0.5))
    totals = {label: [0, 0.0, 0.0] for label in targets}  # requests, seconds, CPU seconds
    for _ in range(rounds):
        for label, (server, url) in targets.items():
            cpu = _cpu_seconds(_PIDS[server])
            done, taken = asyncio.run(_load(url, body, connections=32, seconds=seconds / rounds))
            total = totals[label]
            total[0] += done
            total[1] += taken
            total[2] += _cpu_seconds(_PIDS[server]) - cpu
    rate = {label: done / taken for label, (done, taken, _) in totals.items()}
    cost = {label: cpu / done for label, (done, _, cpu) in totals.items()}
    for label in targets:
        target = "(target >= 0.9x);" if label in SMALL_REQUESTS else "(a baseline);"
        print(
            f"{label:>14}: {rate[label]:8.0f} req/s  {rate[label] / rate['bare constant']:5.2f}x"
            f" the bare endpoint {target:<17}  {cost[label] * 1e6:6.1f} us CPU a request,"
            f" {cost['bare constant'] / cost[label]:5.2f}x"
        )


def in_process(rounds: int = 40, batch: int = 200) -> None:
    """Part 3 without sockets: the service's app and the bare endpoint's called in this
    process, batch by batch in alternation, each batch of one paired with the next of the
    other; the median of those ratios, and each one's best time per request."""
    os.environ["ACTIVATION_SERVICE_COMPILE_AT_STARTUP"] = "false"
    from service.main import create_app

    bare: dict[str, object] = {}
    exec(NAIVE_APP, bare)  # the bench's own source, as the served one
    apps = {"bare": bare["app"], "service": create_app()}
    body = orjson.dumps({"x": [0.1 * i - 0.5 for i in range(10)]})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    async def one(app: Any, path: str) -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                assert message["status"] == 200, message

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
            "root_path": "", "path": path, "raw_path": path.encode(), "query_string": b"",
            "headers": headers, "state": {},
        }  # fmt: skip
        await app(scope, receive, send)

    async def timed(app: Any, path: str) -> float:
        started = time.perf_counter()
        for _ in range(batch):
            await one(app, path)
        return (time.perf_counter() - started) / batch

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        """The app started and stopped as uvicorn does it, by its lifespan messages."""
        inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        task = asyncio.get_running_loop().create_task(app(scope, inbox.get, replies.put))
        await inbox.put({"type": "lifespan.startup"})
        await replies.get()
        try:
            yield
        finally:
            await inbox.put({"type": "lifespan.shutdown"})
            await replies.get()
            await task

    async def measure() -> None:
        print(f"\n3b. the same requests in process, {rounds} pairs of {batch}-request batches")
        for name in SMALL_REQUESTS:
            path = f"/api/v1/activations/{name}/evaluate"
            targets = {"bare": (apps["bare"], "/constant"), "service": (apps["service"], path)}
            for app, url in targets.values():  # warm-up, and the kernel compiled
                await timed(app, url)
            ratios, best = [], {"bare": math.inf, "service": math.inf}
            for turn in range(rounds):
                taken = {}
                for label in sorted(targets, reverse=bool(turn % 2)):
                    taken[label] = await timed(*targets[label])
                    best[label] = min(best[label], taken[label])
                ratios.append(taken["bare"] / taken["service"])
            low, _, high = statistics.quantiles(ratios, n=4)
            print(
                f"{name:>14}: {statistics.median(ratios):5.2f}x the bare endpoint (quartiles"
                f" {low:.2f}-{high:.2f}; target >= 0.9x), {best['service'] * 1e6:5.1f} us a"
                f" request, the bare endpoint {best['bare'] * 1e6:5.1f} us"
            )

    async def run() -> None:
        async with lifespan(apps["bare"]), lifespan(apps["service"]):
            await measure()

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes and shorter load")
    parser.add_argument(
        "--only-protocols", action="store_true", help="part 4 alone (the inference protocol)"
    )
    parser.add_argument(
        "--requests-only", action="store_true", help="part 3 alone (the 10-element requests)"
    )
    parser.add_argument(
        "--in-process", action="store_true", help="part 3's requests in process alone (3b)"
    )
    arguments = parser.parse_args()
    if arguments.in_process:
        in_process()
        return
    sizes = [1_000, 100_000] if arguments.quick else [1_000, 100_000, 1_000_000]
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "naive_app.py").write_text(NAIVE_APP)
        with (
            serve("service.main:app", ROOT) as service,
            serve("naive_app:app", Path(scratch)) as naive,
            serve("naive_app:floor", Path(scratch)) as floor,
        ):
            if not (arguments.only_protocols or arguments.requests_only):
                throughput(service, naive, sizes)
            if not arguments.only_protocols:
                concurrency(service, naive, floor, seconds=2 if arguments.quick else 5)
            if not arguments.requests_only:
                protocols(service, 100_000 if arguments.quick else 1_000_000)
    # Last, with the servers stopped: the service's start-up, run in this process, sets its
    # interpreter (switch interval, frozen objects), which would change the parts timed above.
    if not arguments.only_protocols:
        in_process(rounds=10 if arguments.quick else 40)


if __name__ == "__main__":
    main()
