"""The Open Inference Protocol under /v2: metadata, inference in JSON and binary, and errors in
the protocol's shape."""

from __future__ import annotations

import gzip
import io
from typing import Any

import httpx
import numpy as np
import orjson
import pytest

from service import __version__
from service.api.lifecycle import KernelState
from service.api.routes import inference
from service.config import Settings
from service.main import create_app
from tests.api.conftest import ClientFactory, npy

pytestmark = pytest.mark.anyio

INFER = "/v2/models/{}/infer"


def error(response: httpx.Response, status: int) -> str:
    """The message of ``response``, checked to be the protocol's error object with this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str) and body["error"]
    return str(body["error"])


def tensor(name: str, array: np.ndarray, *, binary: bool = False) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": name,
        "shape": list(array.shape),
        "datatype": {np.float32: "FP32", np.float64: "FP64"}[array.dtype.type],
    }
    if binary:
        described["parameters"] = {"binary_data_size": array.nbytes}
    else:
        described["data"] = array.reshape(-1).tolist()
    return described


def binary_request(document: dict[str, Any], *arrays: np.ndarray) -> dict[str, Any]:
    """httpx arguments for ``document`` followed by the raw bytes of ``arrays``."""
    head = orjson.dumps(document)
    return {
        "content": head + b"".join(a.tobytes() for a in arrays),
        "headers": {"Inference-Header-Content-Length": str(len(head))},
    }


def outputs_of(response: httpx.Response) -> dict[str, np.ndarray]:
    """The response's outputs as arrays, from JSON data or from the binary data after it."""
    assert response.status_code == 200, response.text
    length = int(response.headers.get("inference-header-content-length", len(response.content)))
    document = orjson.loads(response.content[:length])
    rest = memoryview(response.content)[length:]
    dtypes = {"FP32": np.float32, "FP64": np.float64}
    arrays = {}
    for output in document["outputs"]:
        dtype = dtypes[output["datatype"]]
        size = (output.get("parameters") or {}).get("binary_data_size")
        if size is None:
            array = np.array(output["data"], dtype=dtype)
        else:
            array, rest = np.frombuffer(rest[:size], dtype=dtype), rest[size:]
        arrays[output["name"]] = array.reshape(output["shape"])
    assert not len(rest)
    return arrays


async def native(
    client: httpx.AsyncClient, name: str, x: np.ndarray, outputs: list[str], **params: str
) -> dict[str, np.ndarray]:
    response = await client.post(
        f"/api/v1/activations/{name}/evaluate",
        params={"outputs": outputs, **params},
        content=npy(x),
        headers={"content-type": "application/x-npy", "accept": "application/x-npz"},
    )
    assert response.status_code == 200, response.text
    with np.load(io.BytesIO(response.content)) as archive:
        return {member: archive[member] for member in archive.files}


async def test_server_metadata_and_health(client: httpx.AsyncClient) -> None:
    metadata = (await client.get("/v2")).json()
    assert metadata == {
        "name": "activation-service",
        "version": __version__,
        "extensions": ["binary_tensor_data"],
    }
    assert (await client.get("/v2/health/live")).json() == {"live": True}
    assert (await client.get("/v2/health/ready")).json() == {"ready": True}


async def test_every_activation_is_a_model_with_its_parameters(client: httpx.AsyncClient) -> None:
    gelu = (await client.get("/v2/models/gelu")).json()
    assert gelu["name"] == "gelu" and gelu["versions"] == [__version__]
    assert gelu["parameters"] == {"approximate": "none"}
    assert [(t["name"], t["datatype"], t["shape"]) for t in gelu["inputs"]] == [
        ("x", "FP32", [-1]),
        ("grad_output", "FP32", [-1]),
    ]
    assert gelu["inputs"][0]["parameters"]["datatypes"] == "FP32,FP64"
    assert gelu["inputs"][1]["parameters"]["optional"] is True
    assert [t["name"] for t in gelu["outputs"]] == ["value", "gradient", "second_derivative"]
    softmax = (await client.get("/v2/models/softmax")).json()
    assert [t["name"] for t in softmax["outputs"]] == ["value", "gradient"]
    assert softmax["parameters"] == {"axis": -1}
    assert (await client.get("/v2/models/swish")).json()["name"] == "silu"
    assert (await client.get("/v2/models/swish/ready")).json() == {"name": "silu", "ready": True}


async def test_the_services_version_is_the_one_version(client: httpx.AsyncClient) -> None:
    versioned = f"/v2/models/elu/versions/{__version__}"
    assert (await client.get(versioned)).json()["name"] == "elu"
    assert (await client.get(versioned + "/ready")).status_code == 200
    x = np.array([-1.0, 2.0])
    response = await client.post(versioned + "/infer", json={"inputs": [tensor("x", x)]})
    assert response.json()["model_version"] == __version__
    for path in ("/v2/models/elu/versions/2", "/v2/models/elu/versions/2/ready"):
        assert "version '2'" in error(await client.get(path), 404)
    message = error(
        await client.post("/v2/models/elu/versions/2/infer", json={"inputs": [tensor("x", x)]}),
        404,
    )
    assert __version__ in message


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("binary", [False, True])
async def test_inference_equals_the_native_evaluate_bit_for_bit(
    client: httpx.AsyncClient, dtype: type[np.floating[Any]], binary: bool
) -> None:
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((64, 33)) * 10).astype(dtype)
    grad_output = rng.standard_normal((64, 33)).astype(dtype)
    document = {
        "id": "abc",
        "parameters": {"approximate": "tanh", "binary_data_output": binary},
        "inputs": [
            tensor("x", x, binary=binary),
            tensor("grad_output", grad_output, binary=binary),
        ],
    }
    if binary:
        response = await client.post(
            INFER.format("gelu"), **binary_request(document, x, grad_output)
        )
        assert response.headers["content-type"] == "application/octet-stream"
    else:
        response = await client.post(INFER.format("gelu"), json=document)
    got = outputs_of(response)
    assert response.headers.get("inference-header-content-length") is not None or not binary
    assert list(got) == ["value", "gradient", "second_derivative"]
    head = response.content[: int(response.headers.get("inference-header-content-length", 10**9))]
    assert orjson.loads(head)["id"] == "abc"
    buffer_x = io.BytesIO()
    np.savez(buffer_x, x=x, grad_output=grad_output)
    expected_response = await client.post(
        "/api/v1/activations/gelu/evaluate",
        params={"outputs": list(got), "approximate": "tanh"},
        content=buffer_x.getvalue(),
        headers={"content-type": "application/x-npz"},
    )
    with np.load(io.BytesIO(expected_response.content)) as expected:
        for name, array in got.items():
            assert array.dtype == dtype
            assert array.tobytes() == expected[name].tobytes(), name


async def test_outputs_are_chosen_as_the_protocol_says(client: httpx.AsyncClient) -> None:
    x = np.array([[-1.0, 0.5, 3.0]], np.float32)
    listed = {
        "inputs": [tensor("x", x)],
        "outputs": [{"name": "gradient"}, {"name": "value", "parameters": {"binary_data": True}}],
    }
    response = await client.post(INFER.format("relu"), json=listed)
    assert list(outputs_of(response)) == ["gradient", "value"]
    head = orjson.loads(
        response.content[: int(response.headers["inference-header-content-length"])]
    )
    assert "data" in head["outputs"][0] and "data" not in head["outputs"][1]
    by_parameter = {"inputs": [tensor("x", x)], "parameters": {"outputs": "gradient, value"}}
    response = await client.post(INFER.format("relu"), json=by_parameter)
    assert list(outputs_of(response)) == ["gradient", "value"]
    # An axis-wise activation gives its gradient only as a product with grad_output.
    response = await client.post(INFER.format("softmax"), json={"inputs": [tensor("x", x)]})
    assert list(outputs_of(response)) == ["value"]
    both = {**listed, "parameters": {"outputs": "value"}}
    assert "give one" in error(await client.post(INFER.format("relu"), json=both), 400)


async def test_json_tensors_may_be_nested_or_flat(client: httpx.AsyncClient) -> None:
    nested = {"name": "x", "shape": [2, 2], "datatype": "FP64", "data": [[-1, 0], [1, 2]]}
    flat = {**nested, "data": [-1, 0, 1, 2]}
    answers = [
        outputs_of(await client.post(INFER.format("relu"), json={"inputs": [t]}))["value"]
        for t in (nested, flat)
    ]
    np.testing.assert_array_equal(answers[0], [[0, 0], [1, 2]])
    np.testing.assert_array_equal(answers[0], answers[1])
    scalar = {"name": "x", "shape": [], "datatype": "FP64", "data": [2]}
    value = outputs_of(await client.post(INFER.format("relu"), json={"inputs": [scalar]}))["value"]
    assert value.shape == () and value == 2


async def test_gzip_and_deflate_bodies_are_inflated(client: httpx.AsyncClient) -> None:
    x = np.linspace(-3, 3, 100, dtype=np.float32)
    arguments = binary_request({"inputs": [tensor("x", x, binary=True)]}, x)
    for encoding, compress in (("gzip", gzip.compress), ("deflate", __import__("zlib").compress)):
        response = await client.post(
            INFER.format("tanh"),
            content=compress(arguments["content"]),
            headers={**arguments["headers"], "content-encoding": encoding},
        )
        expected = np.tanh(x.astype(np.float64)).astype(np.float32)  # rounded once
        np.testing.assert_array_equal(outputs_of(response)["value"], expected)
    response = await client.post(
        INFER.format("tanh"), content=b"{}", headers={"content-encoding": "br"}
    )
    assert "br" in error(response, 415)


async def test_a_compressed_body_is_held_to_the_body_limit(make_client: ClientFactory) -> None:
    client = make_client(max_body_bytes=4096)
    bomb = gzip.compress(b'{"inputs": []}' + b" " * 100_000)
    response = await client.post(
        INFER.format("tanh"), content=bomb, headers={"content-encoding": "gzip"}
    )
    assert "4096" in error(response, 413)
    assert error(await client.post(INFER.format("tanh"), content=b" " * 5000), 413)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"inputs": [{"name": "y", "shape": [1], "datatype": "FP32", "data": [1]}]},
            "should be 'x' or 'grad_output'",
        ),
        ({"inputs": [{"name": "x", "shape": [1], "datatype": "INT8", "data": [1]}]}, "FP32"),
        ({"inputs": [{"name": "x", "shape": [3], "datatype": "FP32", "data": [1]}]}, "shape [3]"),
        ({"inputs": [{"name": "x", "shape": [1], "datatype": "FP32"}]}, "neither data"),
        ({"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": ["a"]}]}, "string"),
        (
            {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1e300]}]},
            "float32 range",
        ),
        (
            {
                "inputs": [
                    {"name": "x", "shape": [1], "datatype": "FP32", "data": [1]},
                    {"name": "x", "shape": [1], "datatype": "FP32", "data": [1]},
                ]
            },
            "twice",
        ),
        (
            {
                "inputs": [
                    {"name": "x", "shape": [1], "datatype": "FP32", "data": [1]},
                    {"name": "grad_output", "shape": [1], "datatype": "FP64", "data": [1]},
                ]
            },
            "one datatype",
        ),
        (
            {"inputs": [{"name": "grad_output", "shape": [1], "datatype": "FP32", "data": [1]}]},
            "no input named x",
        ),
        (
            {
                "inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}],
                "parameters": {"priority": 1},
            },
            "not a parameter of gelu",
        ),
        (
            {
                "inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}],
                "parameters": {"binary_data_output": "yes"},
            },
            "true or false",
        ),
        (
            {
                "inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}],
                "outputs": [{"name": "value", "parameters": {"classification": 2}}],
            },
            "classification",
        ),
        (
            {
                "inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}],
                "outputs": [{"name": "value"}, {"name": "value"}],
            },
            "more than once",
        ),
        (
            {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "extra": 1},
            "extra",
        ),
        ([1, 2], "valid dictionary"),
    ],
)
async def test_bad_requests_get_400_saying_what_is_wrong(
    client: httpx.AsyncClient, document: object, expected: str
) -> None:
    message = error(await client.post(INFER.format("gelu"), json=document), 400)
    assert expected in message


async def test_binary_data_must_add_up(client: httpx.AsyncClient) -> None:
    x = np.ones(4, np.float32)
    described = {"inputs": [tensor("x", x, binary=True)]}
    cases = {
        "binary_data_size": binary_request(
            {"inputs": [{**described["inputs"][0], "parameters": {"binary_data_size": 8}}]}, x
        ),
        "bytes after": binary_request(described, x, x),
        "left in the body": binary_request(described, x[:2]),
        "at most the body": {
            "content": b"{}",
            "headers": {"Inference-Header-Content-Length": "99"},
        },
        "valid JSON": binary_request(described, x)
        | {"headers": {"Inference-Header-Content-Length": "3"}},
        # str.isdigit() holds for a superscript two, which int() refuses: a 500.
        "the length in bytes": binary_request(described, x)
        | {"headers": {"Inference-Header-Content-Length": b"\xb2"}},
    }
    for expected, arguments in cases.items():
        assert expected in error(await client.post(INFER.format("relu"), **arguments), 400)
    both = {"inputs": [{**tensor("x", x), "parameters": {"binary_data_size": 16}}]}
    assert "both data" in error(
        await client.post(INFER.format("relu"), **binary_request(both, x)), 400
    )


@pytest.mark.parametrize("length", [True, "2", 2.5, -1])
async def test_a_shape_is_integral_lengths_only(client: httpx.AsyncClient, length: object) -> None:
    """A shape of [true, 2] had been read as [1, 2], and ["2"] as [2]: lax typing, where
    every other request is strict. 2.0 is the integer 2, as JSON Schema has it."""
    x = {"name": "x", "shape": [length, 2], "datatype": "FP64", "data": [1.0, -2.0]}
    response = await client.post(INFER.format("relu"), json={"inputs": [x]})
    assert "body.inputs.0.shape.0" in error(response, 400)
    integral = {**x, "shape": [2.0]}
    response = await client.post(INFER.format("relu"), json={"inputs": [integral]})
    assert response.status_code == 200 and response.json()["outputs"][0]["shape"] == [2]


async def test_a_parameter_of_no_kind_is_one_error_where_it_is(client: httpx.AsyncClient) -> None:
    """It had been four errors, one for each member of the union, each under pydantic's name for
    it."""
    x = {"name": "x", "shape": [1], "datatype": "FP64", "data": [1.0]}
    response = await client.post(
        INFER.format("elu"), json={"inputs": [x], "parameters": {"alpha": [1]}}
    )
    assert error(response, 400) == (
        "body.parameters.alpha: Input should be a string, a boolean, a number or null"
    )


async def test_a_key_given_twice_is_refused_not_resolved(client: httpx.AsyncClient) -> None:
    """The protocol's JSON, at its head or whole, had kept the last of two equal keys: a tensor
    with its data given twice was evaluated on the second."""
    x = '{"name": "x", "shape": [2], "datatype": "FP64", "data": [1.0, -2.0]}'
    cases = {
        "body.inputs[0].data": x.replace("}", ', "data": [5.0, 6.0]}'),
        "body.inputs": f'{x}], "inputs": [{x}',
    }
    for where, inputs in cases.items():
        response = await client.post(
            INFER.format("relu"),
            content=f'{{"inputs": [{inputs}]}}',
            headers={"content-type": "application/json"},
        )
        assert error(response, 400) == f"{where}: is given twice; give each key once"
    head = (
        b'{"inputs": [], "inputs": [' + orjson.dumps(tensor("x", np.ones(2), binary=True)) + b"]}"
    )
    response = await client.post(
        INFER.format("relu"),
        content=head + np.ones(2).tobytes(),
        headers={"Inference-Header-Content-Length": str(len(head))},
    )
    assert "body.inputs: is given twice" in error(response, 400)


async def test_non_finite_inputs_are_refused_where_they_are(client: httpx.AsyncClient) -> None:
    x = np.array([0.0, np.nan, 1.0], np.float32)
    response = await client.post(
        INFER.format("relu"), **binary_request({"inputs": [tensor("x", x, binary=True)]}, x)
    )
    assert "x[1]" in error(response, 400) or "inputs[0][1]" in error(response, 400)


async def test_infinities_in_a_binary_x_answer_the_limits(client: httpx.AsyncClient) -> None:
    x = np.array([-np.inf, 0.0, np.inf], np.float32)
    document = {"inputs": [tensor("x", x, binary=True)], "outputs": [{"name": "value"}]}
    response = await client.post(INFER.format("gelu"), **binary_request(document, x))
    value = outputs_of(response)["value"]
    assert value.tolist() == [0.0, 0.0, np.inf] and np.signbit(value[0])


async def test_the_limits_are_the_native_ones(make_client: ClientFactory) -> None:
    client = make_client(max_elements=10, max_dims=2)
    many = np.zeros(11, np.float32)
    message = error(
        await client.post(INFER.format("relu"), json={"inputs": [tensor("x", many)]}), 400
    )
    assert "at most 10" in message
    deep = np.zeros((1, 1, 1), np.float32)
    message = error(
        await client.post(INFER.format("relu"), json={"inputs": [tensor("x", deep)]}), 400
    )
    assert "at most 2" in message
    metadata = (await client.get("/v2/models/relu")).json()
    assert metadata["inputs"][0]["parameters"]["max_elements"] == 10


async def test_unknown_models_and_paths_get_the_protocols_404(client: httpx.AsyncClient) -> None:
    assert "did you mean gelu" in error(await client.get("/v2/models/gelo"), 404)
    assert "gelu" in error(await client.get("/v2/models/gelo/ready"), 404)
    assert error(await client.post(INFER.format("gelo"), json={}), 404)
    assert error(await client.get("/v2/repository/index"), 404)
    assert error(await client.get(INFER.format("gelu")), 405)
    assert error(await client.get("/v2/models/" + "g" * 65), 400)


async def test_the_native_api_keeps_its_problem_documents(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/activations/gelo")
    assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/v2x")).headers["content-type"] == "application/problem+json"


async def test_an_unexpected_error_is_the_protocols_500(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(inference.numerics, "evaluate", broken)
    app = create_app(Settings.model_construct())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        x = np.ones(2)
        message = error(
            await client.post(INFER.format("relu"), json={"inputs": [tensor("x", x)]}), 500
        )
    assert "a bug" not in message


async def test_large_bodies_are_evaluated_in_a_worker_thread(make_client: ClientFactory) -> None:
    client = make_client(inline_body_bytes=0)
    x = np.linspace(-2, 2, 1000)
    arguments = binary_request({"inputs": [tensor("x", x, binary=True)]}, x)
    got = outputs_of(await client.post(INFER.format("elu"), **arguments))
    expected = await native(client, "elu", x, ["value", "gradient", "second_derivative"])
    for name, array in got.items():
        assert array.tobytes() == expected[name].tobytes()


async def test_readiness_follows_the_service_s(client: httpx.AsyncClient) -> None:
    lifecycle = client._transport.app.state.lifecycle  # type: ignore[attr-defined]
    lifecycle.kernels = KernelState.COMPILING
    server = await client.get("/v2/health/ready")
    model = await client.get("/v2/models/gelu/ready")
    version = await client.get(f"/v2/models/gelu/versions/{__version__}/ready")
    assert (server.status_code, server.json()) == (400, {"ready": False})
    assert (model.status_code, model.json()) == (400, {"name": "gelu", "ready": False})
    assert version.status_code == 400 and version.json()["ready"] is False
    assert (await client.get("/v2/models/nope/ready")).status_code == 404, "unknown still first"
    lifecycle.kernels = KernelState.READY
    assert (await client.get("/v2/models/gelu/ready")).json() == {"name": "gelu", "ready": True}
    assert (await client.get("/v2/health/ready")).status_code == 200
