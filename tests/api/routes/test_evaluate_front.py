"""The evaluate route, answered in front of FastAPI's router, gives the answers a route gives."""

from __future__ import annotations

import httpx
import pytest
from starlette.responses import Response
from starlette.routing import Match

from service.api.routes import evaluate
from service.config import Settings
from service.main import create_app
from tests.api.conftest import problem

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


async def test_aliases_are_answered_in_front(client: httpx.AsyncClient) -> None:
    response = await client.post(URL.format("swish"), json={"x": [0.0]})
    assert response.json()["activation"] == "silu"


async def test_an_unexpected_error_is_a_500_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(evaluate.numerics, "evaluate", broken)
    app = create_app(Settings.model_construct())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        body = problem(await client.post(URL.format("relu"), json={"x": [1.0]}), 500)
    assert "a bug" not in str(body)


async def _call(app: object, messages: list[dict[str, object]]) -> list[dict[str, object]]:
    """Run one ASGI request whose body arrives as ``messages``; what the app sent back."""
    pending = iter(messages)
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return next(pending)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": URL.format("relu"),
        "raw_path": URL.format("relu").encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)  # type: ignore[operator]
    return sent


async def test_a_body_in_several_chunks_is_read_whole() -> None:
    app = create_app(Settings.model_construct())
    sent = await _call(
        app,
        [
            {"type": "http.request", "body": b'{"x": [-1.', "more_body": True},
            {"type": "http.request", "body": b"5, 2.5]}", "more_body": False},
        ],
    )
    assert sent[0]["status"] == 200
    assert b'"value":[0.0,2.5]' in sent[1]["body"]  # type: ignore[operator]


async def test_a_client_gone_before_its_body_gets_no_answer() -> None:
    app = create_app(Settings.model_construct())
    sent = await _call(
        app,
        [
            {"type": "http.request", "body": b'{"x": [', "more_body": True},
            {"type": "http.disconnect"},
        ],
    )
    assert sent == []


async def test_only_posts_the_route_matches_are_answered_in_front(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    taken: list[str] = []

    async def handler(request: object, name: str, body: bytes) -> Response:
        taken.append(name)
        return Response(body)

    async def router(scope: object, receive: object, send: object) -> None:
        taken.append("router")

    monkeypatch.setattr(evaluate, "answer", handler)
    front = evaluate.EvaluateFront(router, path="/api/v1" + evaluate.PATH)
    for method, path in [
        ("POST", "/api/v1/activations/swish/evaluate"),
        ("POST", "/api/v1/activations/gelo/evaluate"),  # the handler's 404, with suggestions
        ("GET", "/api/v1/activations/relu/evaluate"),
        ("POST", "/api/v1/activations/relu/evaluate/extra"),
    ]:
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
        await front(scope, _receive_body, _discard)
    assert taken == ["swish", "gelo", "router", "router"]


async def _receive_body() -> dict[str, object]:
    return {"type": "http.request", "body": b"{}", "more_body": False}


async def _discard(message: object) -> None:
    pass


def test_the_app_answers_the_declared_route_in_front() -> None:
    app = create_app(Settings.model_construct())
    (layer,) = (m for m in app.user_middleware if m.cls is evaluate.EvaluateFront)
    assert layer.kwargs["path"] == URL.format("{name}")
    assert URL.format("{name}") in app.openapi()["paths"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/activations/relu/evaluate",
        "/api/v1/activations/a%2Fb/evaluate",
        "/api/v1/activations/a/b/evaluate",
        "/api/v1/activations//evaluate",
        "/api/v1/activations/evaluate",
        "/api/v1/activations/relu/evaluate/",
        "/api/v1/activations/relu/evaluatex",
        "/api/v2/activations/relu/evaluate",
        "/prefix/api/v1/activations/relu/evaluate",
    ],
)
@pytest.mark.parametrize("root_path", ["", "/prefix"])
def test_the_front_matches_what_the_route_matches(path: str, root_path: str) -> None:
    front = evaluate.EvaluateFront(_discard, path="/api/v1" + evaluate.PATH)
    scope = {"type": "http", "method": "POST", "path": path, "root_path": root_path}
    match, child = front.route.matches(scope)
    assert front._match(scope) == (child if match is Match.FULL else None)
