"""An httpx transport for plain-HTTP URLs on the standard library's HTTP/1.1 client.

httpx's own transport reads an answer in 64 KiB pieces, each passed through h11's parser and
a stack of generators in Python: for the 4 MB answer of a 1e6-element float32 evaluation that
cost the client 2 to 3 ms of CPU more than ``http.client`` (about a fifth of the call).
``http.client`` reads a body of announced length straight into one buffer (``recv_into``),
which this transport hands on whole, writable, as the body's one chunk.

``Client`` uses it for http:// URLs; https, and proxies named in the environment, stay with
httpx's transport, and ``AsyncClient`` uses httpx's throughout. It keeps up to ``max_idle``
kept-alive connections per host, takes httpx's connect, write and read timeouts, raises
httpx's exceptions (a timeout while the request is sent as a write timeout), and sends a
request once more on a new connection when a kept-alive one turns out to have been closed by
the server while idle (before any answer came).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Final

import httpx

__all__ = ["StdlibTransport"]

_UNBOUNDED_CHUNK: Final = 1 << 20  # a body of unannounced length, read this much at a time
# What a kept-alive connection the server has closed meanwhile raises on its next use.
_STALE: Final = (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)
_Key = tuple[str, int]


class StdlibTransport(httpx.BaseTransport):
    """HTTP/1.1 over ``http.client``, its connections pooled per host and port."""

    def __init__(self, *, max_idle: int = 10) -> None:
        self.max_idle = max_idle
        self._idle: dict[_Key, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "http":
            raise httpx.UnsupportedProtocol(
                f"{request.url.scheme!r} URLs go through httpx's transport", request=request
            )
        key = (request.url.host, request.url.port or 80)
        timeouts = request.extensions.get("timeout", {})
        with self._lock:
            idle = self._idle.get(key)
            kept = idle.pop() if idle else None
        if kept is not None:
            with _mapped(request):
                try:
                    return self._exchange(kept, key, request, timeouts)
                except _STALE:  # closed by the server while idle: sent again on a new one
                    pass
        connection = http.client.HTTPConnection(*key, timeout=timeouts.get("connect"))
        with _mapped(request, connecting=True):
            connection.connect()
        with _mapped(request):
            return self._exchange(connection, key, request, timeouts)

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        key: _Key,
        request: httpx.Request,
        timeouts: dict[str, float | None],
    ) -> httpx.Response:
        assert connection.sock is not None  # connected by handle_request, or kept alive
        sock: socket.socket = connection.sock
        try:
            sock.settimeout(timeouts.get("write"))
            connection.putrequest(
                request.method,
                request.url.raw_path.decode("ascii"),
                skip_host=True,
                skip_accept_encoding=True,
            )
            for name, value in request.headers.raw:
                connection.putheader(name, value)
            chunked = request.headers.get("transfer-encoding", "").lower() == "chunked"
            try:
                connection.endheaders(request.read() or None, encode_chunked=chunked)
            except TimeoutError as error:  # a body the server would not take in time
                raise httpx.WriteTimeout(str(error) or "timed out", request=request) from error
            sock.settimeout(timeouts.get("read"))
            response = connection.getresponse()
        except BaseException:
            connection.close()
            raise

        def release(finished: bool) -> None:
            if not (finished and response.isclosed() and not response.will_close):
                connection.close()
                return
            with self._lock:
                idle = self._idle.setdefault(key, [])
                if len(idle) < self.max_idle:
                    idle.append(connection)
                    return
            connection.close()

        return httpx.Response(
            response.status,
            headers=response.getheaders(),
            stream=_Body(response, release, request),
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": response.reason.encode("ascii", "replace"),
            },
        )

    def close(self) -> None:
        with self._lock:
            connections = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for connection in connections:
            connection.close()


class _Body(httpx.SyncByteStream):
    """An answer's body: of announced length, one writable bytearray read in place; else in
    pieces as they come (chunked, or until the connection closes)."""

    def __init__(
        self,
        response: http.client.HTTPResponse,
        release: Callable[[bool], None],
        request: httpx.Request,
    ) -> None:
        self._response = response
        self._release = release
        self._request = request
        self._finished = False

    def __iter__(self) -> Iterator[bytes]:
        with _mapped(self._request):
            length = self._response.length
            if length is not None:
                whole = bytearray(length)
                got = self._response.readinto(whole)  # an empty one too: that closes it
                if got != length:
                    raise http.client.IncompleteRead(bytes(whole[:got]), length - got)
                self._finished = True
                if length:
                    yield whole  # type: ignore[misc]  # bytes-like, and writable
                return
            while chunk := self._response.read1(_UNBOUNDED_CHUNK):
                yield chunk
            self._finished = True

    def close(self) -> None:
        self._release(self._finished)


@contextlib.contextmanager
def _mapped(request: httpx.Request, *, connecting: bool = False) -> Iterator[None]:
    """The standard library's network errors as httpx's, which callers (and the retry policy)
    know."""
    try:
        yield
    except TimeoutError as error:
        timeout = httpx.ConnectTimeout if connecting else httpx.ReadTimeout
        raise timeout(str(error) or "timed out", request=request) from error
    except (http.client.HTTPException, ConnectionResetError, BrokenPipeError) as error:
        if connecting:
            raise httpx.ConnectError(str(error), request=request) from error
        raise httpx.RemoteProtocolError(
            str(error) or type(error).__name__, request=request
        ) from error
    except OSError as error:
        failure = httpx.ConnectError if connecting else httpx.ReadError
        raise failure(str(error) or type(error).__name__, request=request) from error
