"""The typed client against a real uvicorn process, blocking and awaited."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import httpx
import numpy as np
import pytest

from service.client import (
    AsyncClient,
    Client,
    Formula,
    FormulaParameter,
    InvalidFormula,
    UnknownActivation,
)
from service.client.operations import npy_bytes
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


SMISH = Formula(
    "beta * x * tanh(log(1 + sigmoid(x)))",
    {"beta": FormulaParameter(default=1.0, min=0.0, max=10.0)},
)


def test_a_formula_evaluates_as_the_native_api_does_on_both_encodings(base_url: str) -> None:
    x = np.random.default_rng(6).normal(scale=4, size=(300, 40)).astype(np.float32)
    with Client(base_url) as client:
        big = client.evaluate_formula(SMISH, x, ["value", "gradient"], beta=1.5)  # .npz
        small = client.evaluate_formula(SMISH, x[:2, :3], ["value", "gradient"], beta=1.5)
        silu = client.evaluate_formula("x / (1 + exp(-x))", x, ["gradient"])  # .npy
        catalog = client.evaluate("silu", x, ["gradient"])
    response = httpx.post(
        f"{base_url}/api/v1/formulas/evaluate?outputs=value&outputs=gradient&beta=1.5",
        content=npy_bytes(x),
        headers={
            "content-type": "application/x-npy",
            "X-Activation-Formula": json.dumps(SMISH.to_json()),
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    with np.load(io.BytesIO(response.content)) as expected:
        for name in ("value", "gradient"):
            assert big[name].dtype == np.float32
            assert big[name].tobytes() == expected[name].tobytes()
            assert small[name].tobytes() == expected[name][:2, :3].tobytes()
    np.testing.assert_allclose(silu["gradient"], catalog["gradient"], rtol=1e-6, atol=1e-7)


@pytest.mark.anyio
async def test_the_async_client_analyses_a_formula_and_raises_where_it_is_wrong(
    base_url: str,
) -> None:
    async with AsyncClient(base_url) as client:
        analysis = await client.formula("x * tanh(log(1 + exp(x)))")
        assert analysis.served == "x * tanh(softplus(x))"
        assert analysis.accuracy is not None and analysis.accuracy.value.within_bound
        written = analysis.accuracy.written_gradient
        assert written is not None and not written.within_bound
        assert any(r.failure == "non-finite" and r.low > 700 for r in written.regions)
        with pytest.raises(InvalidFormula) as refused:
            await client.evaluate_formula("x ^ 2", [1.0])
        assert refused.value.column == 3
        assert refused.value.errors[0]["loc"] == ["body", "activation", "expression"]
        with pytest.raises(InvalidFormula) as in_header:
            await client.evaluate_formula("x ^ 2", np.zeros(1000))  # binary: in the header
        assert in_header.value.column == 3
