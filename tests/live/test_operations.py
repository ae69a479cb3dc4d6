"""Operating real uvicorn processes: shutdown under load, replicas and workers, logs, headers."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.server import free_port, metric_samples, running_service, wait_until_up

pytestmark = pytest.mark.live

EVALUATE = "/api/v1/activations/{}/evaluate"
GRADIENT_FLOW = "/api/v1/simulations/gradient-flow"
# A fraction of a second, and a minute or more: the first ends within the shutdown timeout, the
# second not (its cost is over the default limit, raised for this test).
SHORT_TRAINING = {
    "depth": 4,
    "width": 64,
    "batch": 64,
    "training": {"steps": 2, "learning_rate": 0.01},
}
LONG_TRAINING = {
    "depth": 32,
    "width": 512,
    "batch": 512,
    "dtype": "float64",
    "training": {"steps": 100, "learning_rate": 0.01},
}
DELAY, TIMEOUT = 1.0, 8.0


def _simulation(url: str, shape: dict[str, object]) -> httpx.Response:
    body = {"activation": "tanh", "seed": 0, **shape}
    return httpx.post(url + GRADIENT_FLOW, json=body, timeout=60)


def _small_requests(url: str, answered: Counter[int], stop: threading.Event) -> str | None:
    """Small evaluations on one keep-alive connection until the server asks to close it; any
    transport error is returned (a cut connection)."""
    with httpx.Client(base_url=url, timeout=30) as client:
        while not stop.is_set():
            try:
                response = client.post(EVALUATE.format("tanh"), json={"x": [0.5, 1.5]})
            except httpx.TransportError as error:
                return repr(error)
            answered[response.status_code] += 1
            if response.headers.get("connection") == "close":
                return None
    return None


def test_sigterm_under_load_finishes_what_it_can_and_cuts_no_connection() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ACTIVATION_SERVICE_PORT": str(port),
        "ACTIVATION_SERVICE_COMPILE_AT_STARTUP": "false",
        "ACTIVATION_SERVICE_SIMULATE_SLOTS": "3",
        "ACTIVATION_SERVICE_MAX_MULTIPLY_ADDS": str(2**40),
        "ACTIVATION_SERVICE_SHUTDOWN_DELAY": str(DELAY),
        "ACTIVATION_SERVICE_SHUTDOWN_TIMEOUT": str(TIMEOUT),
    }
    with tempfile.TemporaryFile() as log, ThreadPoolExecutor(8) as pool:
        server = subprocess.Popen(
            [sys.executable, "-m", "service"], env=env, stdout=log, stderr=log
        )
        try:
            wait_until_up(url, server, log)
            assert httpx.get(url + "/readyz").status_code == 200
            assert _simulation(url, SHORT_TRAINING).status_code == 200  # its first-call costs
            answered: Counter[int] = Counter()
            stop = threading.Event()
            small = [pool.submit(_small_requests, url, answered, stop) for _ in range(3)]
            long = pool.submit(_simulation, url, LONG_TRAINING)
            time.sleep(1.0)  # the long run has its slot, the small ones flow
            server.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            time.sleep(0.2)  # for the signal to be handled
            readiness = httpx.get(url + "/readyz")
            short: list[Future[httpx.Response]] = [
                pool.submit(_simulation, url, SHORT_TRAINING) for _ in range(2)
            ]
            assert readiness.status_code == 503 and readiness.json()["shutting_down"] is True
            assert readiness.headers["connection"] == "close"

            errors = [future.result(timeout=60) for future in small]
            stop.set()
            assert errors == [None, None, None], "no connection cut"
            assert answered[200] > 0 and set(answered) == {200}
            for future in short:
                response = future.result(timeout=60)
                assert response.status_code == 200, response.text
            cancelled = long.result(timeout=60)
            assert cancelled.status_code == 503, cancelled.text
            assert cancelled.json()["type"].endswith(":shutting-down")
            assert cancelled.headers["retry-after"]
            assert time.monotonic() - signalled >= DELAY + TIMEOUT - 0.5
            server.wait(timeout=15)
            assert time.monotonic() - signalled < DELAY + TIMEOUT + 10
            with pytest.raises(httpx.ConnectError):
                httpx.get(url + "/healthz")
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=10)
        log.seek(0)
        lines = [json.loads(line) for line in log.read().decode().splitlines() if line]
    messages = [line["message"] for line in lines]
    assert any(m.startswith("SIGTERM: draining for 1.0 s") for m in messages)
    assert not [line for line in lines if line["level"] == "error"]


def _answers(url: str) -> list[bytes]:
    """A request of each kind, whose bytes must not depend on which process answers."""
    buffer = io.BytesIO()
    np.save(buffer, np.linspace(-3, 3, 1000, dtype=np.float32).reshape(10, 100))
    with httpx.Client(base_url=url, timeout=60) as client:
        responses = [
            client.post(
                EVALUATE.format("gelu"),
                json={"x": [[-1.5, 0.25], [2.0, 3.0]], "outputs": ["value", "gradient"]},
            ),
            client.post(
                EVALUATE.format("softmax") + "?outputs=value",
                content=buffer.getvalue(),
                headers={"content-type": "application/x-npy"},
            ),
            client.post(
                GRADIENT_FLOW,
                json={"activation": "relu", "depth": 6, "width": 32, "batch": 16, "seed": 7},
            ),
            client.get("/api/v1/activations/swish"),
            client.get("/api/v1/activations/tanh/plot.svg"),
        ]
    for response in responses:
        assert response.status_code == 200, response.text
    return [response.content for response in responses]


def test_two_replicas_answer_with_the_same_bytes() -> None:
    settings = {"ACTIVATION_SERVICE_COMPILE_AT_STARTUP": "false"}
    with running_service(settings) as first, running_service(settings) as second:
        one, other = _answers(first), _answers(second)
        again = _answers(first)
    assert one == other == again


def test_several_workers_share_the_port_and_the_metrics(tmp_path: Path) -> None:
    settings = {
        "ACTIVATION_SERVICE_WORKERS": "2",
        "ACTIVATION_SERVICE_COMPILE_AT_STARTUP": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    with running_service(settings) as url:
        count = 40
        for _ in range(count):  # a new connection each: the kernel spreads them
            response = httpx.post(url + EVALUATE.format("relu"), json={"x": [1.0]})
            assert response.status_code == 200
            assert "server" not in response.headers
        assert len({p.name.rsplit("_", 1)[-1] for p in tmp_path.glob("counter_*.db")}) == 2, (
            "both workers answered"
        )
        scrapes = [metric_samples(httpx.get(url + "/metrics").text) for _ in range(4)]
    series = (
        'activation_http_requests_total{method="POST",'
        'route="/api/v1/activations/{name}/evaluate",status="200"}'
    )
    assert {scrape[series] for scrape in scrapes} == {count}, "the sum over the workers"
