from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable

import httpx
import numpy as np
import pytest

from service.config import Settings
from service.main import create_app

ClientFactory = Callable[..., httpx.AsyncClient]


def problem(response: httpx.Response, status: int) -> dict[str, object]:
    """The body of ``response``, checked to be an RFC 9457 problem with this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def npy(array: np.ndarray, *, allow_pickle: bool = False) -> bytes:
    """``array`` as the bytes of a .npy file."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


@pytest.fixture
async def make_client() -> AsyncIterator[ClientFactory]:
    """Clients of apps built with custom settings: ``make_client(max_elements=10)``."""
    clients: list[httpx.AsyncClient] = []

    def make(**overrides: object) -> httpx.AsyncClient:
        app = create_app(Settings.model_construct(**overrides))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def client(make_client: ClientFactory) -> httpx.AsyncClient:
    return make_client()
