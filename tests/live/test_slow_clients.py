"""A client that trickles its request holds nothing for long: a real uvicorn process answers
408 when the deadline for the head or for the body passes, closes the connection, and goes on
serving others."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.server import running_service

pytestmark = pytest.mark.live

BODY = b'{"x": [0.5, 1.5, 2.5]}'
HEAD = (
    "POST /api/v1/activations/tanh/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
).encode()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    settings = {
        "ACTIVATION_SERVICE_HEAD_TIMEOUT": "1",
        "ACTIVATION_SERVICE_BODY_TIMEOUT": "1",
        "ACTIVATION_SERVICE_COMPILE_AT_STARTUP": "0",
    }
    with running_service(settings) as url:
        yield url


def _trickle(url: str, *, sent_at_once: bytes, trickled: bytes) -> tuple[bytes, float]:
    """Send ``sent_at_once``, then ``trickled`` a byte every 0.25 s until the server answers;
    the answer, read until the server closes, and the seconds it took."""
    port = int(url.rsplit(":", 1)[1])
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
        slow.sendall(sent_at_once)
        started = time.monotonic()
        for byte in trickled:
            try:
                slow.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.25)
            slow.setblocking(False)
            try:
                answer += slow.recv(65536)
            except BlockingIOError:
                pass
            finally:
                slow.setblocking(True)
            if answer:
                break
        while chunk := slow.recv(65536):
            answer += chunk
        return answer, time.monotonic() - started


def _one_answer(connection: socket.socket) -> bytes:
    """One whole answer (head and Content-Length bytes of body) read from ``connection``."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += connection.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def _still_serving(url: str) -> None:
    response = httpx.post(f"{url}/api/v1/activations/tanh/evaluate", json={"x": [0.0]}, timeout=10)
    assert response.status_code == 200


def test_a_body_sent_a_byte_at_a_time_gets_408_and_the_connection_closed(base_url: str) -> None:
    answer, elapsed = _trickle(base_url, sent_at_once=HEAD, trickled=BODY)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"connection: close" in answer.lower()
    assert b'"limit":"body_timeout"' in answer
    assert 1 <= elapsed < 3
    _still_serving(base_url)


def test_a_head_sent_a_byte_at_a_time_gets_408_and_the_connection_closed(base_url: str) -> None:
    answer, elapsed = _trickle(base_url, sent_at_once=b"", trickled=HEAD)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"connection: close" in answer.lower()
    assert 0.9 <= elapsed < 3
    _still_serving(base_url)


def test_a_connection_that_sends_nothing_is_closed(base_url: str) -> None:
    port = int(base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
        started = time.monotonic()
        assert idle.recv(65536) == b""
        assert time.monotonic() - started < 3


def test_an_idle_keep_alive_connection_outlives_the_head_timeout(base_url: str) -> None:
    port = int(base_url.rsplit(":", 1)[1])
    request = HEAD.replace(b"HTTP/1.1\r\n", b"HTTP/1.1\r\nConnection: keep-alive\r\n") + BODY
    with socket.create_connection(("127.0.0.1", port), timeout=10) as kept:
        for _ in range(2):
            kept.sendall(request)
            answer = _one_answer(kept)
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
            time.sleep(1.5)  # idle past the head's deadline: the keep-alive timeout's to close
