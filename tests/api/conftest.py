from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from hypothesis import strategies as st

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
    """Clients of apps built with custom settings: ``make_client(max_elements=10)``.

    The transport runs no lifespan, so the apps' drawing processes are stopped here."""
    clients: list[tuple[httpx.AsyncClient, FastAPI]] = []

    def make(**overrides: object) -> httpx.AsyncClient:
        app = create_app(Settings.model_construct(**overrides))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
        clients.append((client, app))
        return client

    yield make
    for client, app in clients:
        await client.aclose()
        app.state.workloads.close()


@pytest.fixture
async def client(make_client: ClientFactory) -> httpx.AsyncClient:
    return make_client()


JSON_SCALARS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.text(max_size=5),
)
"""Any JSON scalar: numbers past float64 and int64, booleans, nulls, text."""


def any_json(*, max_leaves: int) -> st.SearchStrategy[object]:
    """Any JSON value: JSON_SCALARS in nested lists and objects (the fuzz tests' raw material)."""
    return st.recursive(
        JSON_SCALARS,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=max_leaves,
    )
