"""The client's plain-HTTP transport against scripted servers on 127.0.0.1: pooling, a
kept-alive connection the server closed, timeouts, short and chunked bodies, httpx's errors."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import httpx
import numpy as np
import pytest

from service.client import Client
from service.client.operations import npy_bytes
from service.client.transport import StdlibTransport

Script = Callable[[socket.socket, int], None]  # a connection and its number, from 0


def _answer(body: bytes, *, keep_alive: bool = True, length: int | None = None) -> bytes:
    head = f"HTTP/1.1 200 OK\r\ncontent-length: {len(body) if length is None else length}\r\n"
    return (head + ("" if keep_alive else "connection: close\r\n") + "\r\n").encode() + body


def _read_request(connection: socket.socket) -> bytes:
    """One request's head and body (by its Content-Length); b"" if the client closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


@contextmanager
def _server(script: Script, *, connections: int = 4) -> Iterator[tuple[str, list[bytes]]]:
    """A server on 127.0.0.1 running ``script`` on each of up to ``connections`` connections,
    stopped when the test leaves it (or after 10 s); its URL, and a list for the scripts to
    keep the requests they read in."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    port = listener.getsockname()[1]
    requests: list[bytes] = []
    done = threading.Event()

    def serve() -> None:
        number, deadline = 0, time.monotonic() + 10
        while number < connections and not done.is_set() and time.monotonic() < deadline:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection, suppress(OSError):
                connection.settimeout(5)
                script(connection, number)
            number += 1

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", requests
    finally:
        done.set()
        thread.join(10)
        listener.close()


def test_requests_share_one_kept_alive_connection() -> None:
    def script(connection: socket.socket, number: int) -> None:
        while _read_request(connection):
            connection.sendall(_answer(b"%d" % number))

    with _server(script) as (url, _), httpx.Client(transport=StdlibTransport()) as client:
        assert [client.get(url).content for _ in range(3)] == [b"0", b"0", b"0"]


def test_a_connection_closed_while_idle_is_replaced_and_the_request_sent_again() -> None:
    def script(connection: socket.socket, number: int) -> None:
        _read_request(connection)
        connection.sendall(_answer(b"%d" % number))  # kept alive, as far as the client knows

    with _server(script) as (url, _), httpx.Client(transport=StdlibTransport()) as client:
        assert client.get(url).content == b"0"
        time.sleep(0.05)  # the server has closed the first connection by now
        assert client.post(url, content=b"again").content == b"1"


def test_an_answer_that_closes_its_connection_is_not_kept() -> None:
    def script(connection: socket.socket, number: int) -> None:
        _read_request(connection)
        connection.sendall(_answer(b"%d" % number, keep_alive=False))

    with _server(script) as (url, _), httpx.Client(transport=StdlibTransport()) as client:
        assert [client.get(url).content for _ in range(2)] == [b"0", b"1"]


def test_a_body_left_unread_closes_its_connection() -> None:
    def script(connection: socket.socket, number: int) -> None:
        while _read_request(connection):
            connection.sendall(_answer(b"x" * 100_000))

    transport = StdlibTransport()
    with _server(script) as (url, _), httpx.Client(transport=transport) as client:
        with client.stream("GET", url) as response:
            assert response.status_code == 200
        assert not any(transport._idle.values())
        assert client.get(url).content == b"x" * 100_000


def test_a_body_of_known_length_comes_whole_and_writable() -> None:
    body = bytes(range(256)) * 4096

    def script(connection: socket.socket, number: int) -> None:
        _read_request(connection)
        connection.sendall(_answer(body))

    with (
        _server(script) as (url, _),
        httpx.Client(transport=StdlibTransport()) as client,
        client.stream("GET", url) as response,
    ):
        chunks = list(response.iter_raw())
    assert len(chunks) == 1 and isinstance(chunks[0], bytearray) and chunks[0] == body


def test_a_chunked_body_is_read_to_its_end() -> None:
    def script(connection: socket.socket, number: int) -> None:
        _read_request(connection)
        connection.sendall(
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        )

    with _server(script) as (url, _), httpx.Client(transport=StdlibTransport()) as client:
        assert client.get(url).content == b"hello world"


def test_a_body_cut_short_is_a_protocol_error() -> None:
    def script(connection: socket.socket, number: int) -> None:
        _read_request(connection)
        connection.sendall(_answer(b"short", length=100))

    with (
        _server(script) as (url, _),
        httpx.Client(transport=StdlibTransport()) as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.get(url)


def test_a_server_that_does_not_answer_is_a_read_timeout() -> None:
    def script(connection: socket.socket, number: int) -> None:
        _read_request(connection)
        time.sleep(1)

    with (
        _server(script) as (url, _),
        httpx.Client(transport=StdlibTransport(), timeout=0.2) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.get(url)


def test_a_body_the_server_does_not_take_is_a_write_timeout() -> None:
    def script(connection: socket.socket, number: int) -> None:
        time.sleep(1)  # reads nothing: the client's send blocks once the buffers are full

    with (
        _server(script) as (url, _),
        httpx.Client(transport=StdlibTransport(), timeout=0.2) as client,
        pytest.raises(httpx.WriteTimeout),
    ):
        client.post(url, content=bytes(64 << 20))


def test_a_refused_connection_is_a_connect_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as unused:
        port = unused.getsockname()[1]
    with httpx.Client(transport=StdlibTransport()) as client, pytest.raises(httpx.ConnectError):
        client.get(f"http://127.0.0.1:{port}")


def test_the_request_goes_out_as_httpx_built_it() -> None:
    def script(connection: socket.socket, number: int) -> None:
        requests.append(_read_request(connection))
        connection.sendall(_answer(b""))

    with _server(script) as (url, requests), httpx.Client(transport=StdlibTransport()) as client:
        client.post(f"{url}/a/b?c=1&c=2", content=b"body", headers={"x-test": "yes"})
    head, _, body = requests[0].partition(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    assert lines[0] == b"post /a/b?c=1&c=2 http/1.1"
    assert b"x-test: yes" in lines and b"content-length: 4" in lines
    assert sum(line.lower().startswith(b"host:") for line in lines) == 1
    assert body == b"body"


def test_the_client_takes_it_for_plain_http_only() -> None:
    x = np.arange(300, dtype=np.float32)

    def script(connection: socket.socket, number: int) -> None:
        _read_request(connection)
        connection.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/x-npy\r\n"
            + f"content-length: {len(npy_bytes(x))}\r\n\r\n".encode()
            + npy_bytes(x)
        )

    with _server(script) as (url, _), Client(url) as client:
        value = client.evaluate("relu", x)["value"]
    assert value.tobytes() == x.tobytes() and value.flags.writeable
    with Client("https://127.0.0.1:1") as secure:
        assert not isinstance(secure._http._transport, StdlibTransport)
