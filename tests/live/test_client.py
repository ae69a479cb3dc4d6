"""The typed client against a real uvicorn process, blocking and awaited."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import numpy as np
import pytest

from service.client import AsyncClient, Client, UnknownActivation
from tests.server import running_service

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running_service({"ACTIVATION_SERVICE_COMPILE_AT_STARTUP": "false"}) as url:
        yield url


def test_a_million_points_equal_the_native_api_bit_for_bit(base_url: str) -> None:
    x = np.random.default_rng(5).normal(scale=4, size=(1000, 1000)).astype(np.float32)
    with Client(base_url) as client:
        got = client.evaluate("gelu", x, ["value", "gradient"])
        small = client.evaluate("gelu", x[:2, :3], ["value", "gradient"])  # sent as JSON
    buffer = io.BytesIO()
    np.save(buffer, x)
    response = httpx.post(
        f"{base_url}/api/v1/activations/gelu/evaluate?outputs=value&outputs=gradient",
        content=buffer.getvalue(),
        headers={"content-type": "application/x-npy"},
        timeout=60,
    )
    with np.load(io.BytesIO(response.content)) as expected:
        for name in ("value", "gradient"):
            assert got[name].tobytes() == expected[name].tobytes()
            assert small[name].tobytes() == expected[name][:2, :3].tobytes()


@pytest.mark.anyio
async def test_the_async_client_evaluates_and_raises_typed_errors(base_url: str) -> None:
    async with AsyncClient(base_url) as client:
        answers = [await client.evaluate("relu", [-1.0, float(i)]) for i in range(5)]
        assert [a["value"][1] for a in answers] == [0.0, 1.0, 2.0, 3.0, 4.0]
        with pytest.raises(UnknownActivation) as raised:
            await client.describe("sigmiod")
        assert raised.value.suggestions[0] == "sigmoid"
