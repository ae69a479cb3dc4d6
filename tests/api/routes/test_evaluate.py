"""The evaluate operation end to end through the ASGI app: JSON and binary transports."""

from __future__ import annotations

import asyncio
import io
from functools import cache
from typing import Any

import httpx
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service import numerics
from service.config import Settings
from service.main import create_app
from tests.api.conftest import npy, problem

pytestmark = pytest.mark.anyio

URL = "/api/v1/activations/{}/evaluate"
NPY = {"content-type": "application/x-npy"}


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


async def test_json_value_and_gradient_keep_the_nesting(client: httpx.AsyncClient) -> None:
    x = [[-2.0, -0.5, 0.0], [0.5, 1.0, 2.0]]
    response = await client.post(
        URL.format("sigmoid"), json={"x": x, "outputs": ["value", "gradient"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["activation"] == "sigmoid"
    assert body["dtype"] == "float64"
    assert body["shape"] == [2, 3]
    expected = 1 / (1 + np.exp(-np.array(x)))
    np.testing.assert_allclose(body["value"], expected, rtol=1e-15)
    np.testing.assert_allclose(body["gradient"], expected * (1 - expected), rtol=1e-14)


async def test_defaults_are_value_only_float64_and_every_param_is_resolved(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.post(URL.format("softplus"), json={"x": 1})).json()
    assert set(body) == {"activation", "params", "dtype", "shape", "value"}
    assert body["params"] == {"beta": 1.0, "threshold": 20.0}
    assert body["shape"] == []
    assert body["value"] == pytest.approx(np.log1p(np.e), rel=1e-16)


async def test_aliases_resolve_to_the_canonical_name(client: httpx.AsyncClient) -> None:
    body = (await client.post(URL.format("logistic"), json={"x": 0})).json()
    assert body["activation"] == "sigmoid"
    assert body["value"] == 0.5


async def test_gradient_is_the_vector_jacobian_product(client: httpx.AsyncClient) -> None:
    x, upstream = [[-1.0, 2.0]], [[3.0, -0.5]]
    body = (
        await client.post(
            URL.format("elu"), json={"x": x, "grad_output": upstream, "outputs": ["gradient"]}
        )
    ).json()
    assert body["gradient"] == [[3.0 * np.exp(-1.0), -0.5]]


async def test_float32_results_are_the_float32_rounding(client: httpx.AsyncClient) -> None:
    x = [0.1, -3.7, 12.25]
    body = (
        await client.post(
            URL.format("gelu"), json={"x": x, "dtype": "float32", "outputs": ["value", "gradient"]}
        )
    ).json()
    assert body["dtype"] == "float32"
    entry = numerics.get("gelu")
    exact = numerics.evaluate(
        entry, np.array(x, np.float32), params=entry.resolve({}), outputs=("value", "gradient")
    )
    assert np.array(body["value"], np.float32).tolist() == exact["value"].tolist()
    assert np.array(body["gradient"], np.float32).tolist() == exact["gradient"].tolist()


async def test_npy_round_trip_is_bit_for_bit_the_json_result(client: httpx.AsyncClient) -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(scale=10, size=(4, 5, 3))
    for dtype in ("float64", "float32"):
        typed = x.astype(dtype)
        json_body = (
            await client.post(
                URL.format("gelu"),
                json={"x": typed.tolist(), "dtype": dtype, "params": {"approximate": "tanh"}},
            )
        ).json()
        response = await client.post(
            URL.format("gelu") + "?approximate=tanh", content=npy(typed), headers=NPY
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-npy"
        assert response.headers["x-activation-params"] == '{"approximate":"tanh"}'
        binary = np.load(io.BytesIO(response.content), allow_pickle=False)
        assert binary.dtype == dtype and binary.shape == x.shape
        assert binary.tobytes() == np.array(json_body["value"], dtype=dtype).tobytes()


@pytest.mark.parametrize("shape", [(), (0,), (1,), (3, 0, 2)])
async def test_npy_answers_keep_the_shape_of_x(
    client: httpx.AsyncClient, shape: tuple[int, ...]
) -> None:
    # A 0-d x came back as shape (1,): np.ascontiguousarray makes 0-d arrays 1-d.
    x = np.full(shape, 0.5, np.float32)
    response = await client.post(URL.format("relu"), content=npy(x), headers=NPY)
    assert response.status_code == 200
    value = np.load(io.BytesIO(response.content), allow_pickle=False)
    assert value.shape == shape
    assert value.tobytes() == x.tobytes()


async def test_npy_options_in_the_query(client: httpx.AsyncClient) -> None:
    x = np.linspace(-3, 3, 7)
    response = await client.post(
        URL.format("leaky_relu") + "?negative_slope=0.25&outputs=gradient&dtype=float32",
        content=npy(x),
        headers=NPY,
    )
    result = np.load(io.BytesIO(response.content))
    assert result.dtype == np.float32
    assert result.tolist() == [0.25, 0.25, 0.25, 0.25, 1.0, 1.0, 1.0]


async def test_several_binary_outputs_come_as_npz(client: httpx.AsyncClient) -> None:
    x = np.array([-1.0, 0.0, 1.0])
    response = await client.post(
        URL.format("relu") + "?outputs=value&outputs=gradient", content=npy(x), headers=NPY
    )
    assert response.headers["content-type"] == "application/x-npz"
    archive = np.load(io.BytesIO(response.content), allow_pickle=False)
    assert archive["value"].tolist() == [0.0, 0.0, 1.0]
    assert archive["gradient"].tolist() == [0.0, 0.0, 1.0]


async def test_npz_request_carries_grad_output(client: httpx.AsyncClient) -> None:
    body = npz(x=np.array([[1.0, -1.0]]), grad_output=np.array([[2.0, 2.0]]))
    response = await client.post(
        URL.format("relu") + "?outputs=gradient",
        content=body,
        headers={"content-type": "application/x-npz"},
    )
    assert np.load(io.BytesIO(response.content)).tolist() == [[2.0, 0.0]]


async def test_accept_header_chooses_the_response_format(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL.format("relu"), json={"x": [1.0, -1.0]}, headers={"accept": "application/x-npy"}
    )
    assert np.load(io.BytesIO(response.content)).tolist() == [1.0, 0.0]
    response = await client.post(
        URL.format("relu"),
        content=npy(np.array([2.0])),
        headers={**NPY, "accept": "application/json"},
    )
    assert response.json()["value"] == [2.0]


@pytest.mark.parametrize(
    ("accept", "json_body", "binary_body"),
    [
        ("application/x-npz;q=0, application/json", "json", "json"),
        ("application/x-npy;q=0", "json", "npz"),  # npy refused: the other binary form
        ("application/json;q=0.1, application/x-npy", "npy", "npy"),
        ("application/json;q=0.5, application/*;q=0.9", "npy", "npy"),
        ("APPLICATION/X-NPY", "npy", "npy"),
        ("Application/JSON", "json", "json"),
        ("application/json, application/x-npy", "json", "npy"),  # a tie: the body's format
        ("text/html", "json", "npy"),  # nothing acceptable: the body's format, not a 406
        ("application/json;q=nonsense, application/x-npy;q=0.5", "npy", "npy"),  # json unread
    ],
)
async def test_accept_weighs_formats_by_quality_and_reads_them_in_any_case(
    client: httpx.AsyncClient, accept: str, json_body: str, binary_body: str
) -> None:
    """A type named with q=0 was answered in it, and one named in capitals was not."""
    formats = {"application/json": "json", "application/x-npy": "npy", "application/x-npz": "npz"}
    as_json = await client.post(
        URL.format("relu"), json={"x": [1.0, -1.0]}, headers={"accept": accept}
    )
    assert formats[as_json.headers["content-type"]] == json_body
    as_npy = await client.post(
        URL.format("relu"), content=npy(np.array([2.0])), headers={**NPY, "accept": accept}
    )
    assert formats[as_npy.headers["content-type"]] == binary_body


async def test_several_outputs_refused_in_npy_go_to_npz_and_a_strict_npy_wish_is_406(
    client: httpx.AsyncClient,
) -> None:
    body = {"x": [1.0, -1.0], "outputs": ["value", "gradient"]}
    weighed = await client.post(
        URL.format("relu"), json=body, headers={"accept": "application/x-npy;q=0.2, */*;q=0.1"}
    )
    assert str(problem(weighed, 406)["type"]).endswith("one-array-per-npy")
    tied = await client.post(
        URL.format("relu"), json=body, headers={"accept": "application/x-npy, application/x-npz"}
    )
    assert sorted(np.load(io.BytesIO(tied.content))) == ["gradient", "value"]


@pytest.mark.parametrize("content_type", ["Application/JSON", "APPLICATION/JSON; Charset=UTF-8"])
async def test_a_json_content_type_is_read_in_any_case(
    client: httpx.AsyncClient, content_type: str
) -> None:
    """Media types are case-insensitive (RFC 9110 8.3.1): this was 415."""
    response = await client.post(
        URL.format("relu"), content=b'{"x": [1.5, -1.0]}', headers={"content-type": content_type}
    )
    assert response.status_code == 200
    assert response.json()["value"] == [1.5, 0.0]


async def test_fortran_ordered_and_big_endian_npy_arrays(client: httpx.AsyncClient) -> None:
    x = np.asfortranarray(np.arange(6, dtype=">f8").reshape(2, 3) - 2)
    response = await client.post(URL.format("relu"), content=npy(x), headers=NPY)
    assert np.load(io.BytesIO(response.content)).tolist() == [[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]


@pytest.mark.parametrize(
    ("sent", "answered"),
    [(">f4", "float32"), (">f2", "float32"), ("<f2", "float32"), (">f8", "float64")],
)
async def test_npy_and_npz_arrays_are_computed_in_their_own_float_type_whatever_its_byte_order(
    client: httpx.AsyncClient, sent: str, answered: str
) -> None:
    x = np.array([-1.5, 0.25, 3.0], dtype=sent)
    native = x.astype(x.dtype.newbyteorder("="))
    by_npy = await client.post(URL.format("gelu"), content=npy(x), headers=NPY)
    as_native = await client.post(URL.format("gelu"), content=npy(native), headers=NPY)
    by_npz = await client.post(
        URL.format("gelu") + "?outputs=gradient",
        content=npz(x=x, grad_output=np.ones(3, dtype=sent)),
        headers={"content-type": "application/x-npz"},
    )
    value = np.load(io.BytesIO(by_npy.content))
    gradient = np.load(io.BytesIO(by_npz.content))
    assert value.dtype == gradient.dtype == np.dtype(answered)
    assert value.tobytes() == np.load(io.BytesIO(as_native.content)).tobytes()


async def test_integer_npy_arrays_are_computed_in_float64(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL.format("sigmoid"), content=npy(np.array([0, 1], dtype=np.int16)), headers=NPY
    )
    result = np.load(io.BytesIO(response.content))
    assert result.dtype == np.float64 and result[0] == 0.5


async def test_overflowing_results_are_named_not_nulled(client: httpx.AsyncClient) -> None:
    # elu with a huge alpha overflows: the JSON answer says Infinity rather than null.
    body = (
        await client.post(URL.format("elu"), json={"x": [-1e300, 1.0], "params": {"alpha": 1e6}})
    ).json()
    assert body["value"][0] == -1e6
    body = (
        await client.post(
            URL.format("leaky_relu"), json={"x": [-1e308], "params": {"negative_slope": 1e6}}
        )
    ).json()
    assert body["value"] == ["-Infinity"]


async def test_extremes_stay_finite_and_exact(client: httpx.AsyncClient) -> None:
    cases = [
        ("softplus", 1000.0, 1000.0),
        ("sigmoid", -800.0, 0.0),
        ("sigmoid", -720.0, np.exp(-720.0)),
    ]
    for name, x, expected in cases:
        body = (await client.post(URL.format(name), json={"x": x})).json()
        assert body["value"] == expected
    body = (
        await client.post(URL.format("gelu"), json={"x": -10, "params": {"approximate": "tanh"}})
    ).json()
    assert body["value"] < 0 and np.isfinite(body["value"])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
async def test_infinities_in_a_binary_x_answer_the_limits(
    client: httpx.AsyncClient, dtype: type[np.floating[Any]]
) -> None:
    x = np.array([-np.inf, -1.0, 0.0, np.inf], dtype)
    outputs = ("value", "gradient", "second_derivative")
    query = "?outputs=value&outputs=gradient&outputs=second_derivative"
    for name, limits in [
        # (f, f', f'') at -inf and +inf: gelu's left tails vanish from below.
        ("gelu", [(-0.0, np.inf), (-0.0, 1.0), (-0.0, -0.0)]),
        ("softsign", [(-1.0, 1.0), (0.0, 0.0), (0.0, -0.0)]),
        ("sigmoid", [(0.0, 1.0), (0.0, 0.0), (0.0, -0.0)]),
    ]:
        response = await client.post(URL.format(name) + query, content=npy(x), headers=NPY)
        answer = np.load(io.BytesIO(response.content))
        entry = numerics.get(name)
        expected = numerics.evaluate(entry, x, params=entry.resolve({}), outputs=outputs)
        for output, (below, above) in zip(outputs, limits, strict=True):
            got = answer[output]
            assert got.dtype == dtype and got.tobytes() == expected[output].tobytes()
            for at, limit in ((0, below), (-1, above)):
                assert got[at] == limit and np.signbit(got[at]) == np.signbit(limit), (name, output)


async def test_an_npz_x_may_hold_infinities_but_not_its_grad_output(
    client: httpx.AsyncClient,
) -> None:
    headers = {"content-type": "application/x-npz"}
    body = npz(x=np.array([-np.inf, 2.0, np.inf]), grad_output=np.array([2.0, 2.0, 2.0]))
    response = await client.post(
        URL.format("silu") + "?outputs=gradient", content=body, headers=headers
    )
    assert np.load(io.BytesIO(response.content)).tolist() == [-0.0, 2 * 1.0907842487848953, 2.0]
    body = npz(x=np.array([1.0, 2.0]), grad_output=np.array([1.0, np.inf]))
    problem_body = problem(
        await client.post(URL.format("silu") + "?outputs=gradient", content=body, headers=headers),
        422,
    )
    assert problem_body["errors"][0]["loc"] == ["grad_output", 1]  # type: ignore[index]


async def test_nan_and_json_infinities_stay_refused(client: httpx.AsyncClient) -> None:
    """NaN has no limit to answer, and JSON has no infinities: a number past the float range
    (1e400) and the literals NaN and Infinity are not JSON numbers, "Infinity" is a string."""
    body = problem(
        await client.post(URL.format("relu"), content=npy(np.array([np.inf, np.nan])), headers=NPY),
        422,
    )
    assert body["errors"][0]["loc"] == ["body", 1]  # type: ignore[index]
    for literal in (b"Infinity", b"-Infinity", b"NaN", b"1e400"):
        content = b'{"x": [1.0, ' + literal + b"]}"
        headers = {"content-type": "application/json"}
        problem(await client.post(URL.format("relu"), content=content, headers=headers), 400)
    problem(await client.post(URL.format("relu"), json={"x": [1.0, "Infinity"]}), 422)
    # A value past float32's range is refused, not taken for an infinity.
    problem(
        await client.post(
            URL.format("relu") + "?dtype=float32", content=npy(np.array([1e300])), headers=NPY
        ),
        422,
    )


async def test_a_formulas_binary_x_may_not_hold_infinities(client: httpx.AsyncClient) -> None:
    """A formula's arithmetic at +-inf is not checked against its limits, as the catalog's is."""
    headers = {**NPY, "X-Activation-Formula": '{"expression": "x * sigmoid(x)"}'}
    response = await client.post(
        "/api/v1/formulas/evaluate", content=npy(np.array([1.0, -np.inf])), headers=headers
    )
    assert "only finite numbers" in str(problem(response, 422)["detail"])


async def test_bounds_out_of_order_are_refused_naming_the_parameter(
    client: httpx.AsyncClient,
) -> None:
    """hardtanh with min_val above max_val is a mistake PyTorch refuses; so do we, in a JSON
    body, in a binary body's query and where the properties are measured."""
    for response in (
        await client.post(
            URL.format("hardtanh"), json={"x": [0.5], "params": {"min_val": 1, "max_val": -1}}
        ),
        await client.post(
            URL.format("hardtanh") + "?min_val=1&max_val=-1",
            content=npy(np.array([0.5])),
            headers=NPY,
        ),
        await client.get("/api/v1/activations/hardtanh?min_val=1&max_val=-1"),
    ):
        body = problem(response, 422)
        assert str(body["type"]).endswith("invalid-parameter"), body
        assert "'max_val' must be at least min_val (1.0), got -1.0" in str(body["detail"]), body


async def test_an_output_asked_for_twice_is_refused_naming_it(client: httpx.AsyncClient) -> None:
    """Two "value"s say two things; the schema says each once (uniqueItems), in the body, in
    the query and for a formula alike."""
    for response, loc in (
        (
            await client.post(URL.format("tanh"), json={"x": [0.5], "outputs": ["value"] * 2}),
            "body.outputs",
        ),
        (
            await client.post(
                URL.format("tanh") + "?outputs=gradient&outputs=value&outputs=gradient",
                content=npy(np.array([0.5])),
                headers=NPY,
            ),
            "query.outputs",
        ),
        (
            await client.post(
                "/api/v1/formulas/evaluate",
                json={
                    "activation": {"expression": "tanh(x)"},
                    "x": [0.5],
                    "outputs": ["value", "value"],
                },
            ),
            "body.outputs",
        ),
    ):
        body = problem(response, 422)
        assert str(body["detail"]).startswith(f"{loc}: "), body
        assert "more than once" in str(body["detail"]), body


async def test_empty_arrays_are_fine(client: httpx.AsyncClient) -> None:
    body = (await client.post(URL.format("tanh"), json={"x": [[], []]})).json()
    assert body["shape"] == [2, 0] and body["value"] == [[], []]


async def test_second_derivative_on_both_transports(client: httpx.AsyncClient) -> None:
    x = np.array([[-1.5, 0.25], [2.0, 30.0]])
    outputs = ["value", "gradient", "second_derivative"]
    body = (
        await client.post(URL.format("tanh"), json={"x": x.tolist(), "outputs": outputs})
    ).json()
    entry = numerics.get("tanh")
    exact = numerics.evaluate(entry, x, params={}, outputs=outputs)
    assert body["second_derivative"] == exact["second_derivative"].tolist()
    response = await client.post(
        URL.format("tanh") + "?outputs=second_derivative&outputs=gradient",
        content=npy(x),
        headers=NPY,
    )
    archive = np.load(io.BytesIO(response.content))
    assert archive["second_derivative"].tobytes() == exact["second_derivative"].tobytes()
    assert archive["gradient"].tobytes() == exact["gradient"].tobytes()


async def test_axiswise_gradient_is_the_vector_jacobian_product(
    client: httpx.AsyncClient,
) -> None:
    x, upstream = [[1000.0, -1000.0, 0.0], [1.0, 2.0, 3.0]], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    body = (
        await client.post(
            URL.format("softmax"),
            json={"x": x, "grad_output": upstream, "outputs": ["value", "gradient"]},
        )
    ).json()
    assert body["value"][0] == [1.0, 0.0, 0.0]
    s = np.exp(np.array(x[1]) - 3) / np.exp(np.array(x[1]) - 3).sum()
    np.testing.assert_allclose(body["gradient"][1], s[1] * (np.eye(3)[1] - s), rtol=1e-14)
    assert sum(body["value"][1]) == pytest.approx(1, abs=1e-15)


async def test_glu_halves_the_axis_on_both_transports(client: httpx.AsyncClient) -> None:
    x = np.arange(12.0).reshape(3, 4) / 4 - 1
    body = await client.post(URL.format("glu"), json={"x": x.tolist(), "params": {"axis": 0}})
    assert body.status_code == 422
    body = (await client.post(URL.format("glu"), json={"x": x.tolist()})).json()
    assert body["shape"] == [3, 4] and np.array(body["value"]).shape == (3, 2)
    archive = npz(x=x, grad_output=np.ones((3, 2)))
    response = await client.post(
        URL.format("glu") + "?outputs=gradient",
        content=archive,
        headers={"content-type": "application/x-npz"},
    )
    assert np.load(io.BytesIO(response.content)).shape == (3, 4)


async def test_listing_tells_kinds_formulas_and_equivalents(client: httpx.AsyncClient) -> None:
    listed = {a["name"]: a for a in (await client.get("/api/v1/activations")).json()["activations"]}
    assert listed["softmax"]["kind"] == "axiswise" and listed["glu"]["halves_axis"]
    assert listed["gelu"]["kind"] == "elementwise"
    assert listed["gelu"]["second_derivative_formula"].startswith("f''(x) =")
    assert listed["gelu"]["follows"].startswith("PyTorch")
    calls = {e["library"]: e for e in listed["gelu"]["equivalents"]}
    assert calls["torch"]["call"] == "torch.nn.functional.gelu(x, approximate='none')"
    assert "approximate=True" in calls["jax"]["differs"]
    assert set(listed["silu"]["aliases"]) == {"swish"}


async def test_no_cap_is_null_in_both_directions(client: httpx.AsyncClient) -> None:
    """relu's max_value means "no cap" when it is infinite, and JSON spells that null."""
    default = (await client.post(URL.format("relu"), json={"x": [1e308]})).json()
    assert default["params"]["max_value"] is None and default["value"] == [1e308]
    given = {"x": [7.0], "params": {"max_value": None}}
    assert (await client.post(URL.format("relu"), json=given)).json()["value"] == [7.0]
    answer = await client.post(
        URL.format("relu") + "?max_value=null", content=npy(np.array([7.0])), headers=NPY
    )
    assert answer.headers["x-activation-params"] == (
        '{"negative_slope":0.0,"max_value":null,"threshold":0.0}'
    )
    capped = await client.post(URL.format("relu"), json={"x": [7.0], "params": {"max_value": 6}})
    assert capped.json()["params"]["max_value"] == 6.0 and capped.json()["value"] == [6.0]


_FLOAT32_BITS = st.integers(min_value=0, max_value=2**32 - 1).map(
    lambda bits: np.array(bits, np.uint32).view(np.float32)
)
_EDGES = [
    np.finfo(np.float32).max,
    -np.finfo(np.float32).max,
    np.finfo(np.float32).smallest_subnormal,
    np.finfo(np.float32).tiny,
    np.float32(0.0),
    np.float32(-0.0),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FLOAT32_BITS.filter(np.isfinite), min_size=1, max_size=40))
@example([*_EDGES])
def test_every_float32_written_is_read_back_to_the_same_bits(values: list[np.float32]) -> None:
    """What the service writes for a float32 it accepts again, to the same bits: JSON, .npy."""
    asyncio.run(_round_trip(np.array(values, np.float32)))


@cache
def _app() -> object:
    return create_app(Settings.model_construct(compile_at_startup=False))


async def _round_trip(x: np.ndarray) -> None:
    transport = httpx.ASGITransport(app=_app())  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        body = {"x": x.tolist(), "dtype": "float32"}
        written = (await client.post(URL.format("identity"), json=body)).json()["value"]
        again = await client.post(URL.format("identity"), json={"x": written, "dtype": "float32"})
        assert again.status_code == 200, again.text
        read_back = np.array(again.json()["value"], np.float32)
        assert read_back.view(np.uint32).tolist() == x.view(np.uint32).tolist()
        binary = await client.post(URL.format("identity"), content=npy(x), headers=NPY)
        returned = np.load(io.BytesIO(binary.content))
        assert returned.dtype == np.float32
        assert returned.view(np.uint32).tolist() == x.view(np.uint32).tolist()


async def test_a_decimal_that_rounds_to_a_finite_float32_is_accepted(
    client: httpx.AsyncClient,
) -> None:
    largest = np.finfo(np.float32).max  # 3.4028234663852886e38, written 3.4028235e38
    halfway = 2.0**128 - 2.0**103  # rounds to even: to 2^128, infinity
    for accepted in (3.4028235e38, float(np.nextafter(halfway, 0.0)), -3.4028235e38):
        body = {"x": [accepted], "dtype": "float32"}
        answer = await client.post(URL.format("identity"), json=body)
        assert answer.status_code == 200, answer.text
        assert np.float32(answer.json()["value"][0]) == np.copysign(largest, accepted)
    for refused in (halfway, 3.5e38):
        body = {"x": [refused], "dtype": "float32"}
        problem(await client.post(URL.format("identity"), json=body), 422)
