"""A real uvicorn process on 127.0.0.1, for the suites that use the service as clients do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO

import httpx
import pytest

__all__ = ["free_port", "metric_samples", "running_service", "wait_until_up"]


@contextmanager
def running_service(settings: Mapping[str, str]) -> Iterator[str]:
    """The service on a free port with these ACTIVATION_SERVICE_* variables; its base URL.

    It is stopped by its PID when the block ends; its log goes to a file (a full pipe would
    stall it) and is shown if it exits before answering.
    """
    port = free_port()
    env = {**os.environ, **settings, "ACTIVATION_SERVICE_PORT": str(port)}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "service"], env=env, stdout=log, stderr=log
        )
        try:
            yield wait_until_up(f"http://127.0.0.1:{port}", server, log)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: IO[bytes]) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return url
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            log.seek(0)
            pytest.fail(f"the server exited:\n{log.read().decode()}")
        assert time.monotonic() < deadline, "the server did not start within 30 s"
        time.sleep(0.1)


def metric_samples(exposition: str) -> dict[str, float]:
    """The samples of a Prometheus text exposition: series (name and labels) to value."""
    samples = {}
    for line in exposition.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples
