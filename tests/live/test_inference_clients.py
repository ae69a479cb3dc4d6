"""The stock Open Inference Protocol clients against a real server: tritonclient's HTTP client
and KServe's InferenceRESTClient, each getting the native API's numbers bit for bit."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import kserve
import numpy as np
import pytest
import tritonclient.http as tritonhttp
from kserve.protocol import infer_type
from tritonclient.utils import InferenceServerException

from tests.server import running_service

pytestmark = pytest.mark.live

N = 1_000_000


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running_service({"ACTIVATION_SERVICE_COMPILE_AT_STARTUP": "false"}) as url:
        yield url


@pytest.fixture(scope="module")
def x() -> np.ndarray:
    # Over the whole interesting range, with the far tails and exact zeros among them.
    rng = np.random.default_rng(13)
    return (rng.standard_normal(N) * rng.choice([0.1, 3.0, 40.0], N)).astype(np.float32)


def native(base_url: str, x: np.ndarray, **params: str) -> dict[str, np.ndarray]:
    """gelu's value and gradient from POST /api/v1/activations/gelu/evaluate, as .npz."""
    buffer = io.BytesIO()
    np.save(buffer, x)
    response = httpx.post(
        f"{base_url}/api/v1/activations/gelu/evaluate",
        params={"outputs": ["value", "gradient"], **params},
        content=buffer.getvalue(),
        headers={"content-type": "application/x-npy"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    with np.load(io.BytesIO(response.content)) as archive:
        return {name: archive[name] for name in archive.files}


def assert_bitwise_equal(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert got.tobytes() == expected.tobytes()


@pytest.fixture(scope="module")
def triton(base_url: str) -> Iterator[object]:
    client = tritonhttp.InferenceServerClient(base_url.removeprefix("http://"), network_timeout=120)
    yield client
    client.close()


def test_triton_health_and_metadata(triton: tritonhttp.InferenceServerClient) -> None:
    assert triton.is_server_live() and triton.is_server_ready()
    assert "binary_tensor_data" in triton.get_server_metadata()["extensions"]
    assert triton.is_model_ready("gelu")
    assert not triton.is_model_ready("gelo")
    metadata = triton.get_model_metadata("gelu")
    assert [i["name"] for i in metadata["inputs"]] == ["x", "grad_output"]
    assert [o["name"] for o in metadata["outputs"]] == ["value", "gradient", "second_derivative"]
    assert metadata["parameters"] == {"approximate": "none"}
    version = metadata["versions"][0]
    assert triton.get_model_metadata("gelu", model_version=version)["name"] == "gelu"


@pytest.mark.parametrize("binary_data", [True, False])
def test_triton_gelu_value_and_gradient_equal_the_native_api_bit_for_bit(
    triton: tritonhttp.InferenceServerClient, base_url: str, x: np.ndarray, binary_data: bool
) -> None:
    data = x if binary_data else x[:10_000]  # JSON for a million numbers is the slow way
    tensor = tritonhttp.InferInput("x", list(data.shape), "FP32")
    tensor.set_data_from_numpy(data, binary_data=binary_data)
    outputs = [
        tritonhttp.InferRequestedOutput(name, binary_data=binary_data)
        for name in ("value", "gradient")
    ]
    result = triton.infer("gelu", [tensor], outputs=outputs, request_id="r1")
    expected = native(base_url, data)
    for name in ("value", "gradient"):
        assert_bitwise_equal(result.as_numpy(name), expected[name])
    assert result.get_response()["id"] == "r1"


def test_triton_parameters_and_compressed_requests(
    triton: tritonhttp.InferenceServerClient, base_url: str, x: np.ndarray
) -> None:
    tensor = tritonhttp.InferInput("x", [1000, 10], "FP32")
    tensor.set_data_from_numpy(x[:10_000].reshape(1000, 10))
    result = triton.infer(
        "gelu",
        [tensor],
        parameters={"approximate": "tanh"},
        request_compression_algorithm="gzip",
    )
    expected = native(base_url, x[:10_000].reshape(1000, 10), approximate="tanh")
    assert_bitwise_equal(result.as_numpy("gradient"), expected["gradient"])
    assert result.as_numpy("second_derivative").shape == (1000, 10)


def test_triton_errors_carry_the_servers_message(triton: tritonhttp.InferenceServerClient) -> None:
    tensor = tritonhttp.InferInput("x", [2], "FP32")
    tensor.set_data_from_numpy(np.array([1, 2], np.float32))
    with pytest.raises(InferenceServerException) as raised:
        triton.infer("gelu", [tensor], parameters={"approximate": "cubic"})
    assert raised.value.status() == "400" and "approximate" in raised.value.message()
    with pytest.raises(InferenceServerException) as raised:
        triton.get_model_metadata("gelo")
    assert raised.value.status() == "404" and "gelu" in raised.value.message()


@pytest.mark.anyio
async def test_kserve_gelu_value_and_gradient_equal_the_native_api_bit_for_bit(
    base_url: str, x: np.ndarray
) -> None:
    request = kserve.InferRequest(
        model_name="gelu",
        infer_inputs=[kserve.InferInput("x", list(x.shape), "FP32")],
        request_outputs=[
            infer_type.RequestedOutput(name, parameters={"binary_data": True})
            for name in ("value", "gradient")
        ],
        request_id="k1",
    )
    request.inputs[0].set_data_from_numpy(x, binary_data=True)
    config = kserve.RESTConfig(protocol="v2", timeout=120)
    async with kserve.InferenceRESTClient(config) as client:
        assert await client.is_server_live(base_url)
        assert await client.is_server_ready(base_url)
        assert await client.is_model_ready(base_url, "gelu")
        response = await client.infer(base_url, request, model_name="gelu")
    expected = native(base_url, x)
    assert response.id == "k1"
    for output in response.outputs:
        assert_bitwise_equal(output.as_numpy(), expected[output.name])
    assert [o.name for o in response.outputs] == ["value", "gradient"]


@pytest.mark.anyio
async def test_kserve_json_tensors_and_errors(base_url: str) -> None:
    x = np.linspace(-4, 4, 64, dtype=np.float64).reshape(8, 8)
    request = kserve.InferRequest(
        model_name="softplus",
        infer_inputs=[kserve.InferInput("x", [8, 8], "FP64")],
        parameters={"beta": 2, "outputs": "value"},
    )
    request.inputs[0].set_data_from_numpy(x, binary_data=False)
    async with kserve.InferenceRESTClient(kserve.RESTConfig(protocol="v2")) as client:
        response = await client.infer(base_url, request, model_name="softplus")
        (value,) = response.outputs
        expected = np.logaddexp(0, 2 * x) / 2
        np.testing.assert_allclose(value.as_numpy(), expected, rtol=1e-15)
        request.parameters = {"gamma": 1}
        with pytest.raises(httpx.HTTPStatusError, match="is not a parameter of softplus"):
            await client.infer(base_url, request, model_name="softplus")
