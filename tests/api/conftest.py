from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from service.config import Settings
from service.main import create_app

ClientFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


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
