"""Large JSON bodies take simdjson's path: the same numbers as orjson's, or no answer at all."""

from __future__ import annotations

import json
import math

import httpx
import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service import numerics
from service.api.codecs import (
    ArrayLimits,
    array_from_json,
    duplicated_key,
    json_ready,
    load_json_arrays,
)
from tests.api.conftest import problem

ARRAYS = ("x", "grad_output")
LIMITS = ArrayLimits(max_elements=10_000_000, max_dims=8)
ROWS = 3000  # numbers enough to pass the size below which the path is not taken


def body(**members: object) -> bytes:
    return orjson.dumps(members, option=orjson.OPT_SERIALIZE_NUMPY)


def orjson_array(document: bytes, key: str = "x") -> np.ndarray:
    value = orjson.loads(document)[key]
    return array_from_json(value, loc=[key], dtype=np.float64, limits=LIMITS)


@pytest.mark.parametrize(
    "shape", [(20_000,), (ROWS, 7), (50, 40, 9), (4, 5, 6, 7, 20), (2, 2000, 3), (4000, 0)]
)
def test_rectangular_arrays_are_the_numbers_orjson_reads(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(len(shape))
    x = rng.normal(scale=1e3, size=shape) * np.exp(rng.normal(scale=30, size=shape))
    document = body(x=x, dtype="float32", params={"approximate": "tanh"}, outputs=["value"])
    members = load_json_arrays(document + b" " * 70_000, arrays=ARRAYS, limits=LIMITS)
    assert members is not None
    assert members["x"].shape == shape
    np.testing.assert_array_equal(members["x"], orjson_array(document))
    assert members["dtype"] == "float32"
    assert members["params"] == {"approximate": "tanh"}
    assert members["outputs"] == ["value"]


def test_digits_beyond_double_precision_round_as_orjson_rounds_them() -> None:
    text = b"[" + b",".join([b"0.1000000000000000055511151231257827", b"9007199254740993"] * 9000)
    document = b'{"x":' + text + b"]}"
    members = load_json_arrays(document, arrays=ARRAYS, limits=LIMITS)
    assert members is not None
    np.testing.assert_array_equal(members["x"], orjson_array(document))


def rows(count: int = ROWS) -> list[list[float]]:
    return [[0.5, 1.5, 2.5, 3.5, 4.5, 5.5] for _ in range(count)]


@pytest.mark.parametrize(
    ("case", "loc"),
    [
        ({"x": [*rows(), [0.5]]}, ["x", ROWS]),  # ragged
        ({"x": [[0.5] * 7, *rows(ROWS - 2), [0.5] * 3005]}, ["x", 1]),
        ({"x": [*rows(), [[], [1.0, 2.0], 3, 4, 5, 6]]}, ["x", ROWS, 0]),  # a list for a number
        ({"x": [*rows(), [0.5, 1, [2], 3, 4, 5]]}, ["x", ROWS, 2]),  # flattened as many numbers
        ({"x": [*rows(), [0.5, True, 2, 3, 4, 5]]}, ["x", ROWS, 1]),  # booleans are not numbers
        ({"x": [*rows(), [0.5, None, 2, 3, 4, 5]]}, ["x", ROWS, 1]),
        ({"x": [*rows(), [0.5, "1", 2, 3, 4, 5]]}, ["x", ROWS, 1]),
        ({"x": [*rows(), 7]}, ["x", ROWS]),
        ({"x": [[[0.5]] * 3] * 9000}, ["x"]),  # 27,000 elements: over the limit below
        ({"x": rows(), "pad": list(range(2000))}, ["pad"]),  # an option of 2,000 values
        ({"x": rows(), "params": {"a": {"b": 1, "c": 2}}}, None),  # accepted here
    ],
)
def test_a_large_body_is_refused_where_it_is_wrong(
    case: dict[str, object], loc: list[str | int] | None
) -> None:
    document = body(**case)
    assert len(document) > 1 << 16
    limits = ArrayLimits(max_elements=25_000, max_dims=8)
    if loc is None:
        assert load_json_arrays(document, arrays=ARRAYS, limits=limits) is not None
        return
    with pytest.raises(numerics.InvalidInput) as refused:
        load_json_arrays(document, arrays=ARRAYS, limits=limits)
    assert list(refused.value.loc) == loc


@pytest.mark.parametrize(
    "case",
    [
        {"x": rows(), "note": "a [ in a string"},
        {"x": rows(), "params": {"approximate": "tanh[", "[": 1}},
        {"x": rows(5000)},  # many rows
    ],
)
def test_brackets_in_strings_and_many_rows_are_read(case: dict[str, object]) -> None:
    members = load_json_arrays(body(**case), arrays=ARRAYS, limits=LIMITS)
    assert members is not None
    np.testing.assert_array_equal(members["x"], np.array(case["x"]))


def test_duplicate_keys_and_a_body_not_an_object_are_refused() -> None:
    x = orjson.dumps(rows())
    twice = b'{"x":' + x + b',"params":{"a":1,"a":2}}'
    for document, loc in ((b'{"x":' + x + b',"x":' + x + b"}", ["x"]), (twice, ["params", "a"])):
        with pytest.raises(numerics.InvalidInput) as refused:
            load_json_arrays(document, arrays=ARRAYS, limits=LIMITS)
        assert list(refused.value.loc) == loc
    with pytest.raises(numerics.InvalidInput):
        load_json_arrays(x, arrays=ARRAYS, limits=LIMITS)


def test_malformed_bodies_are_left_to_orjson() -> None:
    x = orjson.dumps(rows())
    assert load_json_arrays(b'{"x":' + x, arrays=ARRAYS, limits=LIMITS) is None
    assert load_json_arrays(b'{"x":' + x[:-1] + b",1e999]]}", arrays=ARRAYS, limits=LIMITS) is None
    assert load_json_arrays(b'{"x":[1.5]}', arrays=ARRAYS, limits=LIMITS) is None  # small


@pytest.mark.anyio
async def test_large_json_request_is_the_binary_result(client: httpx.AsyncClient) -> None:
    x = np.random.default_rng(3).normal(scale=4, size=(ROWS, 11))
    g = np.random.default_rng(4).normal(size=x.shape)
    response = await client.post(
        "/api/v1/activations/gelu/evaluate",
        content=body(x=x, grad_output=g, dtype="float32", outputs=["value", "gradient"]),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    answer = orjson.loads(response.content)
    entry = numerics.get("gelu")
    expected = numerics.evaluate(
        entry,
        x.astype(np.float32),
        params=entry.resolve({}),
        outputs=["value", "gradient"],
        grad_output=g.astype(np.float32),
    )
    for output, array in expected.items():
        np.testing.assert_array_equal(np.array(answer[output], dtype=np.float32), array)


@pytest.mark.anyio
async def test_large_ragged_request_is_refused_naming_the_row(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/activations/relu/evaluate",
        content=body(x=[*rows(), [0.5]]),
        headers={"content-type": "application/json"},
    )
    assert problem(response, 422)["errors"][0]["loc"] == ["x", ROWS]


_PADDING = b" " * (1 << 16)  # whitespace takes a small body down the simdjson path
_ELEMENTS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.booleans(),
    st.none(),
    st.sampled_from(["1", "[", "\\u005b", ""]),
)
_NESTED = st.recursive(_ELEMENTS, lambda inner: st.lists(inner, max_size=4), max_leaves=40)


@st.composite
def _rectangular_or_damaged(draw: st.DrawFn) -> object:
    """A rectangular nested list of numbers, often with one element replaced."""
    shape = draw(st.lists(st.integers(0, 4), min_size=1, max_size=4))
    numbers = draw(
        st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=math.prod(shape))
    )
    value: object = np.array(numbers[: math.prod(shape)], dtype=object).reshape(shape).tolist()
    if draw(st.booleans()) and math.prod(shape):
        node = value
        for _ in range(len(shape) - 1):
            node = node[0]  # type: ignore[index]
        node[draw(st.integers(0, shape[-1] - 1))] = draw(_NESTED)  # type: ignore[index]
    return value


def _refused_by_the_orjson_path(document: bytes) -> bool:
    reference = orjson.loads(document)
    for key in ARRAYS:
        if key in reference:
            try:
                array_from_json(reference[key], loc=[key], dtype=np.float64, limits=LIMITS)
            except numerics.InvalidInput:
                return True
    return False


@settings(max_examples=400, deadline=None, derandomize=True)
@given(x=_NESTED | _rectangular_or_damaged(), other=st.dictionaries(st.text(max_size=3), _NESTED))
def test_simdjson_path_agrees_with_orjson_refuses_alike_or_declines(
    x: object, other: dict[str, object]
) -> None:
    document = json.dumps({**other, "x": x}).encode() + _PADDING
    try:
        members = load_json_arrays(document, arrays=ARRAYS, limits=LIMITS)
    except numerics.InvalidInput:
        assert _refused_by_the_orjson_path(document)
        return
    if members is None:
        return
    reference = orjson.loads(document)  # integers past 64 bits fail both parsers
    assert members.keys() == reference.keys()
    for key, value in reference.items():
        if key == "x" and isinstance(value, list):
            array = array_from_json(value, loc=["x"], dtype=np.float64, limits=LIMITS)
            assert members["x"].shape == array.shape
            np.testing.assert_array_equal(members["x"], array)
        else:
            assert members[key] == value


@pytest.mark.anyio
async def test_an_integer_past_64_bits_is_read_as_orjson_reads_it(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/activations/relu/evaluate",
        content=b'{"x": [1.5, 18446744073709551616]}' + _PADDING,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["value"] == [1.5, 2.0**64]


@pytest.mark.parametrize(
    ("document", "where"),
    [
        (b'{"x": [1], "dtype": "float32"}', None),
        (b'{"x": [1], "x": [2]}', ["x"]),
        (b'{"x":[1],"params":{"alpha":1,"alpha":2}}', ["params", "alpha"]),
        (b'{"x": [1], "note": "a:b", "x": [2]}', ["x"]),  # a colon in a string hides nothing
        (b'{"x": [{"a": 1, "a": 2}]}', ["x", 0, "a"]),  # arrays of objects are entered
        (b'{"n": ["relu", {"a": 1}, {"b": [[1, 2]], "b": 3}]}', ["n", 2, "b"]),
        (b'{"x": [1, {"a": 1, "a": 2}]}', None),  # a number array is not: refused as numbers
        (b'{"x": [1], "params": {"a": {"b": 1}, "a": {"c": 2}}}', ["params", "a"]),
    ],
)
def test_a_key_given_twice_is_found_with_or_without_the_parsed_document(
    document: bytes, where: list[str] | None
) -> None:
    assert duplicated_key(document) == where
    assert duplicated_key(document, parsed=orjson.loads(document)) == where


@given(
    st.lists(
        st.floats(width=64) | st.sampled_from([0.0, -0.0, 5e-324, 1.7976931348623157e308]),
        max_size=300,
    )
)
def test_short_float64_results_are_written_as_numpy_writes_them(values: list[float]) -> None:
    # A row of a 2-D array takes numpy's path; a 1-D array of 256 or fewer, the list's.
    array = np.array(values, dtype=np.float64)
    alone = orjson.dumps(json_ready(array), option=orjson.OPT_SERIALIZE_NUMPY)
    as_row = orjson.dumps(json_ready(array[np.newaxis]), option=orjson.OPT_SERIALIZE_NUMPY)
    assert alone == as_row[1:-1]
