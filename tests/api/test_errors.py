"""Bad input gets a clear 4xx in one problem+json shape: what was wrong, and where."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

import httpx
import numpy as np
import pytest

from tests.api.conftest import ClientFactory, npy, problem

pytestmark = pytest.mark.anyio

URL = "/api/v1/activations/{}/evaluate"
NPY = {"content-type": "application/x-npy"}
JSON = {"content-type": "application/json"}
NPZ = {"content-type": "application/x-npz"}
SMALL_FLOW = {"activation": "tanh", "depth": 2, "width": 4, "batch": 4, "seed": 0}


async def test_unknown_activation_suggests_close_names(client: httpx.AsyncClient) -> None:
    body = problem(await client.post(URL.format("sigmiod"), json={"x": 1}), 404)
    assert "sigmoid" in body["suggestions"]  # type: ignore[operator]
    assert "sigmoid" in str(body["detail"])


@pytest.mark.parametrize(
    ("params", "name", "words"),
    [
        ({"negative_slope": "steep"}, "negative_slope", "must be a number"),
        ({"negative_slope": 1e9}, "negative_slope", "<= 1000000.0"),
        ({"slope": 0.1}, "slope", "is not a parameter of leaky_relu"),
        ({"negative_slope": True}, "negative_slope", "must be a number"),
    ],
)
async def test_bad_parameters_are_named(
    client: httpx.AsyncClient, params: dict[str, object], name: str, words: str
) -> None:
    body = problem(
        await client.post(URL.format("leaky_relu"), json={"x": 1, "params": params}), 422
    )
    assert body["errors"] == [{"loc": ["params", name], "msg": body["errors"][0]["msg"]}]  # type: ignore[index]
    assert words in str(body["detail"])


async def test_bad_choice_and_exclusive_bounds(client: httpx.AsyncClient) -> None:
    body = problem(
        await client.post(URL.format("gelu"), json={"x": 1, "params": {"approximate": "erf"}}), 422
    )
    assert "one of ['none', 'tanh', 'sigmoid']" in str(body["detail"])
    body = problem(
        await client.post(URL.format("softplus"), json={"x": 1, "params": {"threshold": 0}}), 422
    )
    assert "must be > 0.0" in str(body["detail"])


@pytest.mark.parametrize(
    ("x", "loc", "words"),
    [
        ([[1, 2], [3]], ["x", 1], "ragged"),
        ([[1, 2], 3], ["x", 1], "expected a list"),
        ([1, "2"], ["x", 1], "expected a number, got a string"),
        ([1, None], ["x", 1], "got null"),
        ([[0.5, True]], ["x", 0, 1], "got a boolean"),
        ([0.5, 0.0, False], ["x", 2], "got a boolean"),  # short flat lists: element by element
        ([0.5] * 300 + [1.0, True], ["x", 301], "got a boolean"),  # long ones: 0s and 1s only
        ([1, {"a": 1}], ["x", 1], "got an object"),
        (True, ["x"], "got a boolean"),
        ([[[[[[[[[1]]]]]]]]], ["x"], "9 dimensions"),
    ],
)
async def test_malformed_arrays_name_the_element(
    client: httpx.AsyncClient, x: object, loc: list[object], words: str
) -> None:
    body = problem(await client.post(URL.format("relu"), json={"x": x}), 422)
    assert body["errors"][0]["loc"] == loc  # type: ignore[index]
    assert words in str(body["detail"])


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e999"])
async def test_non_finite_json_numbers_are_refused(
    client: httpx.AsyncClient, literal: bytes
) -> None:
    response = await client.post(
        URL.format("relu"),
        content=b'{"x": [1.0, ' + literal + b"]}",
        headers={"content-type": "application/json"},
    )
    body = problem(response, 400)
    assert "finite" in str(body["detail"])


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"activation": "tanh", "q_start": NaN}', "numbers must be finite"),
        (b'{"activation": "relu", "params": {"max_value": Infinity}}', "numbers must be finite"),
        (b'{"activation": "tanh", "q_start": 1e999}', "numbers must be finite"),
        (b'\xef\xbb\xbf{"activation": "tanh"}', "byte order mark"),
        (b'{"activation": "ta\xffnh"}', "not valid UTF-8"),
        (b'{"params": ' + b"[" * 5000 + b"]" * 5000 + b"}", "depth limit"),
        (b'{"activation": ', "column 16"),
        (b'{"activation": "tanh"} x', "after document"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/simulations/critical-line", "/simulations/gradient-flow", "/compare", "/formulas"]
)
async def test_a_body_that_is_not_json_is_400_on_every_route(
    client: httpx.AsyncClient, path: str, body: bytes, words: str
) -> None:
    """FastAPI's own reading took NaN, Infinity, 1e999 and a byte-order mark, and answered
    422 "body.14: JSON decode error", or 400 "There was an error parsing the body" for bytes
    not UTF-8 and deep nesting: every route now answers as evaluate does, 400 and what is
    wrong where."""
    response = await client.post("/api/v1" + path, content=body, headers=JSON)
    answer = problem(response, 400)
    assert str(answer["type"]).endswith("malformed-json")
    assert words in str(answer["detail"])
    evaluated = await client.post(URL.format("relu"), content=body, headers=JSON)
    assert problem(evaluated, 400)["detail"] == answer["detail"]


async def test_float32_overflow_is_refused_not_made_infinite(client: httpx.AsyncClient) -> None:
    body = problem(
        await client.post(URL.format("relu"), json={"x": [1.0, -1e39], "dtype": "float32"}), 422
    )
    assert body["errors"][0]["loc"] == ["x", 1]  # type: ignore[index]
    assert "float32 range" in str(body["detail"])


async def test_grad_output_of_another_shape(client: httpx.AsyncClient) -> None:
    body = problem(
        await client.post(
            URL.format("relu"),
            json={"x": [1, 2], "grad_output": [1, 2, 3], "outputs": ["gradient"]},
        ),
        422,
    )
    assert body["errors"][0]["loc"] == ["grad_output"]  # type: ignore[index]
    assert "shape [3] but x has shape [2]" in str(body["detail"])


async def test_unknown_fields_and_missing_x(client: httpx.AsyncClient) -> None:
    body = problem(await client.post(URL.format("relu"), json={"x": 1, "y": 2}), 422)
    assert body["errors"][0]["loc"] == ["body", "y"]  # type: ignore[index]
    body = problem(await client.post(URL.format("relu"), json={"params": {}}), 422)
    assert body["errors"][0]["loc"] == ["x"]  # type: ignore[index]
    problem(await client.post(URL.format("relu"), json=[1, 2]), 422)


async def test_element_and_dimension_limits(make_client: object) -> None:
    client = make_client(max_elements=10, max_dims=2)  # type: ignore[operator]
    body = problem(await client.post(URL.format("relu"), json={"x": list(range(11))}), 422)
    assert "11 elements; at most 10" in str(body["detail"])
    body = problem(
        await client.post(URL.format("relu"), content=npy(np.zeros(11)), headers=NPY), 422
    )
    assert "11 elements; at most 10" in str(body["detail"])
    body = problem(
        await client.post(URL.format("relu"), content=npy(np.zeros((1, 1, 1))), headers=NPY), 422
    )
    assert "3 dimensions; at most 2" in str(body["detail"])


async def test_body_limit_answers_413(make_client: object) -> None:
    client = make_client(max_body_bytes=2048)  # type: ignore[operator]
    body = problem(await client.post(URL.format("relu"), json={"x": [0.5] * 1000}), 413)
    assert body["limit"] == 2048

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b" " * 1000

    response = await client.post(
        URL.format("relu"), content=chunks(), headers={"content-type": "application/json"}
    )
    problem(response, 413)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/activations/relu/evaluate",
        "/api/v1/simulations/gradient-flow",
        "/api/v1/simulations/critical-line",
    ],
)
async def test_a_chunked_body_over_the_limit_is_413_on_every_route(
    make_client: ClientFactory, path: str
) -> None:
    """Routes that parse their body themselves answered 400 or 422 before."""
    client = make_client(max_body_bytes=2048)

    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"activation": "tanh", "pad": "'
        for _ in range(10):
            yield b" " * 1000
        yield b'"}'

    headers = {"content-type": "application/json"}
    body = problem(await client.post(path, content=chunks(), headers=headers), 413)
    assert body["limit"] == 2048


async def test_a_method_not_allowed_names_those_that_are(client: httpx.AsyncClient) -> None:
    answer = await client.get(URL.format("relu"))
    problem(answer, 405)
    assert answer.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not an npy file at all", "not a valid .npy"),
        (npy(np.zeros(4))[:-8], "truncated"),
        (npy(np.zeros(4)) + b"\0" * 8, "bytes after the array data"),
        (npy(np.array([1 + 2j])), "only real integer or float"),
        (npy(np.array([True])), "only real integer or float"),
        (npy(np.array([b"ab"])), "only real integer or float"),
        (npy(np.array([None, 1]), allow_pickle=True), "pickle"),
        (npy(np.array([1.0, np.nan])), "only numbers, -inf and +inf"),
        # A header cut short and padded with NULs: numpy's literal parser raises TokenError.
        (npy(np.zeros((3, 4), np.float32))[:118] + b"\0" * 9 + b"(", "not a valid .npy"),
        (npy(np.zeros(2))[:12] + b"\x14" * 60, "not a valid .npy"),
    ],
)
async def test_bad_npy_bodies(client: httpx.AsyncClient, content: bytes, words: str) -> None:
    body = problem(await client.post(URL.format("relu"), content=content, headers=NPY), 422)
    assert words in str(body["detail"])


async def test_bad_npz_bodies(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "application/x-npz"}
    problem(await client.post(URL.format("relu"), content=b"PK not a zip", headers=headers), 422)
    buffer = io.BytesIO()
    np.savez(buffer, y=np.zeros(2))
    body = problem(
        await client.post(URL.format("relu"), content=buffer.getvalue(), headers=headers), 422
    )
    assert "not an expected member" in str(body["detail"])


async def test_bad_query_parameters_for_binary_bodies(client: httpx.AsyncClient) -> None:
    content = npy(np.zeros(2))
    body = problem(
        await client.post(URL.format("elu") + "?alpha=big", content=content, headers=NPY), 422
    )
    assert body["errors"] == [{"loc": ["params", "alpha"], "msg": "must be a number, got 'big'"}]
    problem(
        await client.post(URL.format("elu") + "?dtype=float16", content=content, headers=NPY), 422
    )
    problem(
        await client.post(URL.format("elu") + "?outputs=hessian", content=content, headers=NPY), 422
    )


async def test_query_options_with_a_json_body_are_refused(client: httpx.AsyncClient) -> None:
    body = problem(await client.post(URL.format("elu") + "?alpha=2", json={"x": 1}), 400)
    assert "alpha" in str(body["detail"])


async def test_unsupported_media_type(client: httpx.AsyncClient) -> None:
    problem(
        await client.post(
            URL.format("elu"), content=b"x=1", headers={"content-type": "text/plain"}
        ),
        415,
    )


async def test_npy_response_with_several_outputs_is_406(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL.format("elu"),
        json={"x": 1, "outputs": ["value", "gradient"]},
        headers={"accept": "application/x-npy"},
    )
    problem(response, 406)


async def test_axiswise_refusals_say_why(client: httpx.AsyncClient) -> None:
    body = problem(
        await client.post(URL.format("softmax"), json={"x": [1, 2], "outputs": ["gradient"]}), 422
    )
    assert body["errors"][0]["loc"] == ["grad_output"]  # type: ignore[index]
    assert "vector-Jacobian" in str(body["detail"])
    body = problem(
        await client.post(
            URL.format("softmax"), json={"x": [1, 2], "outputs": ["second_derivative"]}
        ),
        422,
    )
    assert "element-wise activations only" in str(body["detail"])
    body = problem(
        await client.post(URL.format("softmax"), json={"x": [[1, 2]], "params": {"axis": 3}}), 422
    )
    assert body["errors"] == [  # type: ignore[comparator-overlap]
        {"loc": ["params", "axis"], "msg": "is 3 but x has 2 dimension(s): use -2 to 1"}
    ]
    body = problem(await client.post(URL.format("swiglu"), json={"x": [1, 2, 3]}), 422)
    assert "length 3 along axis -1" in str(body["detail"])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("output", ["gradient", "second_derivative"])
async def test_a_scalar_gradient_with_a_scalar_grad_output(
    client: httpx.AsyncClient, output: str, dtype: str
) -> None:
    """It answered 500: numpy gives the derivative of a 0-d x as a scalar."""
    body = {"x": 1, "grad_output": 2, "outputs": [output], "dtype": dtype}
    answer = await client.post(URL.format("tanh"), json=body)
    assert answer.status_code == 200, answer.text
    sech2 = 1 / np.cosh(1.0) ** 2
    expected = 2 * (sech2 if output == "gradient" else -2 * np.tanh(1.0) * sech2)
    assert answer.json()[output] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
async def test_a_network_of_one_unit(client: httpx.AsyncClient, activation: str) -> None:
    """One layer of one unit answered 500 (an empty list of moments for the theory)."""
    body = {"activation": activation, "depth": 1, "width": 1, "batch": 1, "seed": 0}
    for path in ("", "/plot.svg"):
        answer = await client.post(f"/api/v1/simulations/gradient-flow{path}", json=body)
        assert answer.status_code == 200, answer.text


async def test_an_input_of_zero_norm(client: httpx.AsyncClient) -> None:
    """scale 5e-324 squares to 0: every input is the zero vector, and its correlation none."""
    body = {**SMALL_FLOW, "input": {"scale": 5e-324}}
    answer = await client.post("/api/v1/simulations/gradient-flow", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["theory"]["xi_c"] is None


async def test_a_deeply_nested_member_of_a_large_body(client: httpx.AsyncClient) -> None:
    """Nesting ~990 levels deep in a member other than x overflowed Python's recursion."""
    nested = "[" * 990 + "]" * 990
    body = '{"x": [1], "pad": "' + "a" * 70_000 + '", "params": {"z": ' + nested + "}}"
    answer = await client.post(URL.format("relu"), content=body, headers=JSON)
    problem(answer, 422)


@pytest.mark.parametrize("shape", ["(0, 2**62)", "(True,)", "(-1,)"])
async def test_npy_headers_with_absurd_shapes(client: httpx.AsyncClient, shape: str) -> None:
    declared = shape.replace("2**62", str(2**62))
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + declared + ", }"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    raw = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
    body = problem(await client.post(URL.format("relu"), content=raw, headers=NPY), 422)
    assert body["errors"][0]["loc"] == ["body"]  # type: ignore[index]


def _npz_with_directory(entries: list[str]) -> bytes:
    """A .npz whose one stored member, x.npy, the directory lists under each of ``entries``,
    every listing pointing at the same data: a zip that inflates one member many times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.npy", npy(np.zeros(100_000)))
    raw = buffer.getvalue()
    start = raw.index(b"PK\x01\x02")
    end = raw.index(b"PK\x05\x06")
    central = raw[start:end]
    listed = b""
    for name in entries:
        encoded = name.encode()
        entry = bytearray(central[:46]) + encoded + central[46 + len(b"x.npy") :]
        entry[28:30] = len(encoded).to_bytes(2, "little")
        listed += bytes(entry)
    record = bytearray(raw[end:])
    record[8:10] = record[10:12] = len(entries).to_bytes(2, "little")
    record[12:16] = len(listed).to_bytes(4, "little")
    return raw[:start] + listed + bytes(record)


@pytest.mark.parametrize(
    ("entries", "says"),
    [
        (["x.npy"] * 20, "appears twice"),
        (["x.npy", "grad_output.npy"], "overlap"),
        (["x.npy", "other.npy"], "not an expected member"),
    ],
)
async def test_crafted_npz_directories_are_refused_before_inflating(
    client: httpx.AsyncClient, entries: list[str], says: str
) -> None:
    body = _npz_with_directory(entries)
    answer = await client.post(URL.format("relu"), content=body, headers=NPZ)
    assert says in str(problem(answer, 422)["detail"])


async def test_an_npz_member_declaring_more_than_the_limits_allow(
    make_client: ClientFactory,
) -> None:
    client = make_client(max_elements=1000)
    body = _npz_with_directory(["x.npy"])  # 100,000 float64s, declared in the directory
    detail = problem(await client.post(URL.format("relu"), content=body, headers=NPZ), 422)
    assert "declares" in str(detail["detail"])


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/api/v1/simulations/gradient-flow", {**SMALL_FLOW, "jacobian": 0}, "jacobian"),
        ("/api/v1/simulations/gradient-flow", {**SMALL_FLOW, "depth": 2.5}, "depth"),
        ("/api/v1/simulations/gradient-flow", {**SMALL_FLOW, "depth": "2"}, "depth"),
        ("/api/v1/simulations/critical-line", {"activation": "tanh", "sigma_b2": [False]}, "0"),
        ("/api/v1/activations/relu/evaluate", {"x": [1.0], "dtype": 32}, "dtype"),
    ],
)
async def test_types_are_strict(
    client: httpx.AsyncClient, path: str, body: dict[str, object], loc: str
) -> None:
    """A number is no boolean and a boolean no number, and an integer an integral number:
    nothing is coerced silently (2.0 is the integer 2, as JSON Schema has it)."""
    answer = problem(await client.post(path, json=body), 422)
    assert loc in [str(part) for part in answer["errors"][0]["loc"]]  # type: ignore[index]


_FLOW = {"activation": "tanh", "depth": 2, "width": 4, "batch": 4, "seed": 0}
_TRAINING = {
    "activation": "relu", "depth": 2, "width": 4, "seed": 0, "task": "xor",
    "training": {"learning_rate": 0.01, "optimizer": "adam", "steps": 10},
}  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "loc", "message"),
    [
        ("/simulations/gradient-flow", {**_FLOW, "width": [4, "4"]}, ["width", 1], "valid integer"),
        ("/simulations/gradient-flow", {**_FLOW, "width": "4"}, ["width"], "or a list of them"),
        ("/simulations/gradient-flow", {**_FLOW, "activation": 5}, ["activation"], "a formula"),
        (
            "/simulations/gradient-flow",
            {**_FLOW, "activation": {"expression": 5}},
            ["activation", "expression"],
            "valid string",
        ),
        ("/simulations/gradient-flow", {**_FLOW, "params": {"a": [1]}}, ["params", "a"], "null"),
        (
            "/activations/elu/evaluate",
            {"x": [1], "params": {"alpha": {}}},
            ["params", "alpha"],
            "a",
        ),
        ("/compare", {"activations": ["relu", 5]}, ["activations", 1], "a formula"),
        ("/simulations/training", {**_TRAINING, "task": 5}, ["task"], "a task's name"),
        ("/simulations/training", {**_TRAINING, "task": "nonesuch"}, ["task"], "'moons'"),
        (
            "/simulations/training",
            {**_TRAINING, "training": {**_TRAINING["training"], "schedule": 5}},  # type: ignore[dict-item]
            ["training", "schedule"],
            "a schedule's name",
        ),
    ],
)
async def test_a_union_is_refused_once_where_it_is(
    client: httpx.AsyncClient, path: str, body: dict[str, object], loc: list[object], message: str
) -> None:
    """Each member of a union had its own error, located under pydantic's name for it:
    "body.width.function-before[_integral(), constrained-int]", four for a parameter's value."""
    answer = problem(await client.post("/api/v1" + path, json=body), 422)
    errors = answer["errors"]
    assert isinstance(errors, list) and len(errors) == 1, errors
    assert errors[0]["loc"] == ["body", *loc]
    assert message in errors[0]["msg"]


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/api/v1/activations/elu/evaluate", '{"x": [1], "x": [2]}', ["x"]),
        (
            "/api/v1/activations/elu/evaluate",
            '{"x": [1], "params": {"alpha": 1, "alpha": 2}}',
            ["params", "alpha"],
        ),
        (
            "/api/v1/simulations/gradient-flow",
            '{"activation": "tanh", "depth": 2, "depth": 3, "width": 4, "batch": 4, "seed": 0}',
            ["body", "depth"],
        ),
        (
            "/api/v1/compare",
            '{"activations": ["relu", {"expression": "x", "expression": "relu(x)"}]}',
            ["body", "activations", 1, "expression"],
        ),
    ],
)
@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; Charset=UTF-8"])
async def test_a_key_given_twice_is_refused(
    client: httpx.AsyncClient, path: str, body: str, loc: list[str], content_type: str
) -> None:
    """Under a JSON content type in capitals (a media type is case-insensitive) the check had
    been skipped, and the second value taken."""
    headers = {"content-type": content_type}
    answer = problem(await client.post(path, content=body, headers=headers), 422)
    assert answer["errors"][0]["loc"] == loc  # type: ignore[index]


@pytest.mark.parametrize("path", ["/simulations/critical-line", "/compare", "/formulas"])
async def test_a_key_given_twice_under_a_json_suffix_type_is_refused(
    client: httpx.AsyncClient, path: str
) -> None:
    """FastAPI reads a ``+json`` type as JSON; the check had looked at ``application/json``
    alone, and the second value was taken."""
    body = b'{"activation": "tanh", "activation": "relu"}'
    headers = {"content-type": "application/vnd.example+json"}
    answer = problem(await client.post("/api/v1" + path, content=body, headers=headers), 422)
    assert answer["errors"][0]["loc"] == ["body", "activation"]  # type: ignore[index]


async def test_a_key_given_twice_in_the_formula_header_is_refused(
    client: httpx.AsyncClient,
) -> None:
    """The header's JSON had kept the last of two expressions: relu(x) for x."""
    header = '{"expression": "x", "expression": "relu(x)"}'
    response = await client.post(
        "/api/v1/formulas/evaluate",
        content=npy(np.array([1.0, -2.0])),
        headers={"content-type": "application/x-npy", "X-Activation-Formula": header},
    )
    answer = problem(response, 422)
    assert answer["errors"][0]["loc"] == ["header", "X-Activation-Formula", "expression"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/activations/relu/plot.svg?x_min=-1&x_max=2&x_min=-3", "x_min"),
        ("/api/v1/activations/elu?alpha=1&alpha=2", "alpha"),
        ("/api/v1/simulations/critical-line?activation=tanh&activation=relu", "activation"),
    ],
)
async def test_a_query_parameter_given_twice_is_refused(
    client: httpx.AsyncClient, url: str, name: str
) -> None:
    answer = problem(await client.get(url), 422)
    assert answer["errors"][0]["loc"] == ["query", name]  # type: ignore[index]


@pytest.mark.parametrize("number", ["0_5", " 0.5", "0.5 ", "\u0665", "0x1", "1e", "."])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/activations/elu?alpha={}",
        "/api/v1/activations/relu/plot.svg?x_min=-1&x_max={}",
        "/api/v1/simulations/critical-line?activation=tanh&sigma_b2={}",
        "/api/v1/simulations/critical-line?activation=tanh&q_start={}",
    ],
)
async def test_a_query_number_is_a_number_not_what_python_reads_as_one(
    client: httpx.AsyncClient, url: str, number: str
) -> None:
    """float() and pydantic's lax parsing had read "0_5" as 5 (sigma_b2=0_5 gave the line at
    5), " 0.5" as 0.5 and an Arabic-Indic five as 5."""
    problem(await client.get(url.format(quote(number))), 422)
    assert (await client.get(url.format(quote("+.5")))).status_code == 200


async def test_list_parameters_may_repeat(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/compare?names=relu&names=tanh")).status_code == 200
    critical = "/api/v1/simulations/critical-line?activation=tanh&sigma_b2=0&sigma_b2=0.1"
    assert (await client.get(critical)).status_code == 200
    url = URL.format("relu") + "?outputs=value&outputs=gradient&dtype=float64&dtype=float32"
    answer = await client.post(url, content=npy(np.zeros(3)), headers=NPY)
    assert problem(answer, 422)["errors"][0]["loc"] == ["query", "dtype"]  # type: ignore[index]
