"""A client that trickles its body holds nothing for long: a real uvicorn process answers 408
when the body's deadline passes, closes the connection, and goes on serving others."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.server import running_service

pytestmark = pytest.mark.live


def test_a_body_sent_a_byte_at_a_time_gets_408_and_the_connection_closed() -> None:
    settings = {
        "ACTIVATION_SERVICE_BODY_TIMEOUT": "1",
        "ACTIVATION_SERVICE_COMPILE_AT_STARTUP": "0",
    }
    with running_service(settings) as url:
        port = int(url.rsplit(":", 1)[1])
        body = b'{"x": [0.5, 1.5, 2.5]}'
        head = (
            "POST /api/v1/activations/tanh/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(head)
            started = time.monotonic()
            answer = b""
            for byte in body:
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
            while True:
                chunk = slow.recv(65536)
                if not chunk:
                    break
                answer += chunk
            elapsed = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"connection: close" in answer.lower()
        assert b'"limit":"body_timeout"' in answer
        assert 1 <= elapsed < 3
        response = httpx.post(
            f"{url}/api/v1/activations/tanh/evaluate", json={"x": [0.0]}, timeout=10
        )
        assert response.status_code == 200
