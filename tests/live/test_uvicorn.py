"""A small suite against a real uvicorn process on 127.0.0.1, as clients will see the service."""

from __future__ import annotations

import http.client
import io
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.server import free_port, running_service, wait_until_up

pytestmark = pytest.mark.live

MAX_BODY_BYTES = 65_536
URL = "/api/v1/activations/{}/evaluate"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running_service({"ACTIVATION_SERVICE_MAX_BODY_BYTES": str(MAX_BODY_BYTES)}) as url:
        yield url


def test_json_evaluate(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/api/v1/activations/tanh/evaluate",
        json={"x": [[0.0, 1.0]], "outputs": ["value", "gradient"]},
    )
    assert response.status_code == 200
    assert response.json()["value"] == [[0.0, np.tanh(1.0)]]


def test_npy_evaluate(base_url: str) -> None:
    x = np.linspace(-5, 5, 1000, dtype=np.float32).reshape(10, 100)
    buffer = io.BytesIO()
    np.save(buffer, x)
    response = httpx.post(
        f"{base_url}/api/v1/activations/elu/evaluate?alpha=0.5&outputs=gradient",
        content=buffer.getvalue(),
        headers={"content-type": "application/x-npy"},
    )
    assert response.status_code == 200
    result = np.load(io.BytesIO(response.content), allow_pickle=False)
    assert result.dtype == np.float32 and result.shape == (10, 100)
    expected = np.where(x > 0, 1, 0.5 * np.exp(np.minimum(x.astype(np.float64), 0))).astype(
        np.float32
    )
    np.testing.assert_array_equal(result, expected)


def test_oversized_body_gets_413(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/api/v1/activations/relu/evaluate",
        content=b"0" * (MAX_BODY_BYTES * 4),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["limit"] == MAX_BODY_BYTES


def test_the_service_still_answers_after_bad_requests(base_url: str) -> None:
    for content in (
        b"{",
        b'{"x": [1, [2]]}',
        b"\xff\xfe",
        b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ):
        response = httpx.post(
            f"{base_url}/api/v1/activations/relu/evaluate",
            content=content,
            headers={"content-type": "application/json"},
        )
        assert 400 <= response.status_code < 500
    assert httpx.get(f"{base_url}/healthz").status_code == 200


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_assets_load_without_external_urls(base_url: str, page: str) -> None:
    html = httpx.get(base_url + page).text
    assets = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', html) + re.findall(
        r"url:\s*'([^']+)'", html
    )
    assert assets and not [a for a in assets if "://" in a or a.startswith("//")]
    for asset in assets:
        assert httpx.get(base_url + asset).status_code == 200


BROKEN_APP = """
import service.numerics as numerics
from service.main import create_app

_real = numerics.evaluate


def _evaluate(activation, *args, **kwargs):
    if activation.name == "identity":
        raise RuntimeError("a bug, on purpose")
    return _real(activation, *args, **kwargs)


numerics.evaluate = _evaluate
app = create_app()
"""


def test_a_500_leaves_the_keep_alive_connection_usable(tmp_path: Path) -> None:
    """An unexpected error gets its 500 problem and nothing more: the connection goes on."""
    (tmp_path / "broken_app.py").write_text(BROKEN_APP)
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "broken_app:app", "--port", str(port)]
    env = {**os.environ, "ACTIVATION_SERVICE_COMPILE_AT_STARTUP": "false"}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [*command, "--app-dir", str(tmp_path)], env=env, stdout=log, stderr=log
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}", server, log)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            headers = {"content-type": "application/json"}
            for _ in range(20):
                connection.request("POST", URL.format("identity"), b'{"x": [1]}', headers)
                broken = connection.getresponse()
                assert broken.status == 500 and b"internal-error" in broken.read()
                assert broken.getheader("connection", "").lower() != "close"
                connection.request("POST", URL.format("relu"), b'{"x": [1]}', headers)
                fine = connection.getresponse()
                assert fine.status == 200 and fine.read()
            connection.close()
            log.seek(0)
            assert log.read().count(b"Traceback (most recent call last)") == 20, "logged once each"
        finally:
            server.terminate()
            server.wait(timeout=10)
