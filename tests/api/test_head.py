"""HEAD wherever GET: the same status and headers, no body (service.api.head)."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import problem

pytestmark = pytest.mark.anyio

_PER_REQUEST = {"x-request-id"}


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in _PER_REQUEST}


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/api/v1/activations",
        "/api/v1/activations/gelu?lang=zh",
        "/api/v1/activations/nope",  # a 404 too
        "/api/v1/compare?names=relu,gelu",
        "/v2/models/gelu",
        "/v2/models/nope",  # in the protocol's error shape
    ],
)
async def test_head_answers_as_get_without_the_body(client: httpx.AsyncClient, path: str) -> None:
    got = await client.get(path)
    head = await client.head(path)
    assert head.status_code == got.status_code
    assert _headers(head) == _headers(got)
    assert int(head.headers["content-length"]) == len(got.content) > 0
    assert head.content == b""


async def test_head_revalidates_as_get(client: httpx.AsyncClient) -> None:
    tag = (await client.get("/api/v1/activations/relu")).headers["etag"]
    head = await client.head("/api/v1/activations/relu", headers={"if-none-match": tag})
    assert head.status_code == 304 and head.content == b""


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/activations/relu", "GET, HEAD"),
        ("DELETE", "/api/v1/compare", "GET, HEAD, POST"),
        ("OPTIONS", "/api/v1/simulations/critical-line", "GET, HEAD, POST"),
        ("PATCH", "/healthz", "GET, HEAD"),
    ],
)
async def test_allow_names_head_wherever_get_is(
    client: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    """A 405's Allow lists the methods the resource supports (RFC 9110 10.2.1), and HEAD is
    answered wherever GET is: it had been left out."""
    answer = await client.request(method, path)
    assert answer.status_code == 405 and answer.headers["allow"] == allowed


async def test_head_of_a_post_route_is_refused_naming_post(client: httpx.AsyncClient) -> None:
    answer = await client.head("/api/v1/activations/relu/evaluate")
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"
    assert answer.content == b""
    problem(await client.get("/api/v1/activations/relu/evaluate"), 405)


async def test_head_is_counted_under_its_route_and_method(client: httpx.AsyncClient) -> None:
    series = (
        'activation_http_requests_total{method="HEAD",route="/api/v1/activations/{name}",'
        'status="200"} '
    )

    async def count() -> float:  # the metrics are the process's, other tests' included
        lines = (await client.get("/metrics")).text.splitlines()
        return sum(float(line.removeprefix(series)) for line in lines if line.startswith(series))

    before = await count()
    await client.head("/api/v1/activations/gelu")
    assert await count() == before + 1
