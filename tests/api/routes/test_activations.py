from __future__ import annotations

import re

import httpx
import pytest

from service import numerics
from service.api import schemas

pytestmark = pytest.mark.anyio


async def test_lists_every_activation_with_its_parameters(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/activations")).json()
    listed = {a["name"]: a for a in body["activations"]}
    assert set(listed) == set(numerics.ACTIVATIONS)
    assert listed["identity"]["aliases"] == ["linear"]
    (slope,) = listed["leaky_relu"]["parameters"]
    assert slope == {
        "name": "negative_slope",
        "type": "float",
        "default": 0.01,
        "nullable": False,
        "description": slope["description"],
        "minimum": -1e6,
        "maximum": 1e6,
        "exclusive_minimum": False,
        "exclusive_maximum": False,
        "choices": None,
    }
    (approximate,) = listed["gelu"]["parameters"]
    assert approximate["type"] == "choice" and approximate["choices"] == ["none", "tanh", "sigmoid"]


async def test_the_listing_is_made_once_and_revalidated_by_its_etag(
    client: httpx.AsyncClient,
) -> None:
    """The same bytes on every request (the model's JSON), a strong ETag, and 304 for a
    client that holds them."""
    first = await client.get("/api/v1/activations")
    again = await client.get("/api/v1/activations")
    assert first.content == again.content
    model = schemas.ActivationList.model_validate_json(first.content)
    assert first.content == model.model_dump_json().encode()
    tag = first.headers["etag"]
    assert tag.startswith('"') and "max-age" in first.headers["cache-control"]
    held = await client.get("/api/v1/activations", headers={"if-none-match": tag})
    assert held.status_code == 304 and held.content == b""


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_are_served_without_any_cdn(client: httpx.AsyncClient, page: str) -> None:
    html = (await client.get(page)).text
    assets = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', html) + re.findall(
        r"url:\s*'([^']+)'", html
    )
    assert assets, "the page loads its script and styles"
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    for asset in assets:
        response = await client.get(asset)
        assert response.status_code == 200, asset


async def test_an_infinite_default_is_declared_nullable(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/activations")).json()
    (relu,) = (a for a in body["activations"] if a["name"] == "relu")
    cap = next(p for p in relu["parameters"] if p["name"] == "max_value")
    assert (cap["default"], cap["nullable"]) == (None, True)
