"""A real uvicorn process on 127.0.0.1 for the live suites: started, awaited, and stopped by PID."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve(**settings: str) -> Iterator[str]:
    """``python -m service`` with these ACTIVATION_SERVICE_* settings; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "ACTIVATION_SERVICE_PORT": str(port)}
    env.update({f"ACTIVATION_SERVICE_{name.upper()}": value for name, value in settings.items()})
    # The log goes to a file, not a pipe: a full pipe would stall the server.
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "service"], env=env, stdout=log, stderr=log
        )
        try:
            yield _wait_until_up(f"http://127.0.0.1:{port}", server, log)
        finally:
            server.terminate()
            server.wait(timeout=10)


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: IO[bytes]) -> str:
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
