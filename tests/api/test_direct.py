"""The evaluate path answered before FastAPI's router gives the router's answers."""

from __future__ import annotations

import httpx
import pytest

from service.api.routes import evaluation
from service.config import Settings
from service.main import create_app
from tests.api.test_errors import problem

pytestmark = pytest.mark.anyio

URL = "/api/v1/activations/{}/evaluate"


async def test_unknown_names_still_get_suggestions(client: httpx.AsyncClient) -> None:
    body = problem(await client.post(URL.format("gelo"), json={"x": [1.0]}), 404)
    assert "gelu" in body["suggestions"]  # type: ignore[operator]


async def test_overlong_names_are_refused_by_the_declared_path(client: httpx.AsyncClient) -> None:
    problem(await client.post(URL.format("g" * 65), json={"x": [1.0]}), 422)


async def test_other_methods_and_paths_go_to_the_router(client: httpx.AsyncClient) -> None:
    assert (await client.get(URL.format("relu"))).status_code == 405
    assert (
        await client.post("/api/v1/activations/relu/evaluate/extra", json={})
    ).status_code == 404


async def test_aliases_take_the_direct_path(client: httpx.AsyncClient) -> None:
    response = await client.post(URL.format("swish"), json={"x": [0.0]})
    assert response.json()["activation"] == "silu"


async def test_an_unexpected_error_is_a_500_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(evaluation.numerics, "evaluate", broken)
    app = create_app(Settings.model_construct())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        body = problem(await client.post(URL.format("relu"), json={"x": [1.0]}), 500)
    assert "a bug" not in str(body)
