"""Arrays read in slices say what the whole document says: the same numbers, bit for bit, the
same fault at the same place, or the same hand-over to orjson; and answers written in parts are
the text written whole."""

from __future__ import annotations

import random
from typing import Any

import httpx
import numpy as np
import orjson
import pytest

from service import numerics
from service.api.codecs import ArrayLimits, json_parts, json_ready, json_slices, load_json_arrays
from service.api.codecs import json as json_codec

ARRAYS = ("x", "grad_output")
LIMITS = ArrayLimits(max_elements=10_000_000, max_dims=8)
_PADDING = b" " * (1 << 16)  # takes a small body down the simdjson path

# Numbers whose nearest double takes correct rounding: the largest subnormal's neighbour, 2^53
# + 1 (an integer, rounded to even), 1e23 (halfway in naive arithmetic), and a signed zero.
_HARD = [
    b"2.2250738585072011e-308",
    b"9007199254740993",
    b"1e23",
    b"0.1e-5",
    b"-0.0",
    b"-0",
    b"4.9406564584124654e-324",
    b"1.7976931348623157e308",
    b"0.30000000000000004",
    b"123456789012345678",
]


def outcome(document: bytes, limits: ArrayLimits = LIMITS) -> tuple[Any, ...]:
    """What load_json_arrays says, comparable: arrays by their bits."""
    try:
        members = load_json_arrays(document, arrays=ARRAYS, limits=limits)
    except numerics.InvalidInput as error:
        return ("refused", list(error.loc), str(error))
    if members is None:
        return ("orjson",)
    return (
        "read",
        {
            key: (value.shape, value.tobytes()) if isinstance(value, np.ndarray) else value
            for key, value in members.items()
        },
    )


def whole_document(document: bytes, limits: ArrayLimits = LIMITS) -> tuple[Any, ...]:
    """What the whole-document path says of the same body."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_codec, "array_spans", _unproved)
        return outcome(document, limits)


def _unproved(*_: object) -> list[tuple[str, int, int]]:
    raise json_slices.Unproved


@pytest.mark.parametrize("slice_bytes", [8, 100, 1 << 20])
def test_numbers_that_need_correct_rounding_are_orjsons_bit_for_bit(
    slice_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_slices, "SLICE", slice_bytes)
    text = b"[" + b",".join(_HARD * 700) + b"]"
    document = b'{"x":' + text + b',"grad_output":[[' + b"],[".join(_HARD) + b"]]}" + _PADDING
    members = load_json_arrays(document, arrays=ARRAYS, limits=LIMITS)
    assert members is not None
    expected = np.array([float(orjson.loads(number)) for number in _HARD] * 700)
    assert members["x"].tobytes() == expected.tobytes()  # -0.0 keeps its sign
    assert members["grad_output"].shape == (len(_HARD), 1)
    assert members["grad_output"].tobytes() == expected[: len(_HARD)].tobytes()
    assert outcome(document) == whole_document(document)


def test_a_ragged_array_of_the_densest_numbers_is_refused_at_its_row() -> None:
    document = b'{"x":[[' + b"1.5," * 99_999 + b"1.5],[1]]}"
    assert outcome(document) == (
        "refused",
        ["x", 1],
        "x[1]: has length 1 but its siblings have length 100000 (ragged array)",
    )
    assert outcome(document) == whole_document(document)


_NUMBERS = ["1.5", "-0.0", "1e23", "7", "-12", "3E+2", "0.1e-5"]


def _nested(rng: random.Random, shape: list[int]) -> str:
    if not shape:
        return rng.choice(_NUMBERS)
    separator = rng.choice([",", " , ", ",\n"]) if rng.random() < 0.1 else ","
    return "[" + separator.join(_nested(rng, shape[1:]) for _ in range(shape[0])) + "]"


def _damaged(rng: random.Random, text: str) -> str:
    """The text with one thing wrong, or right in another way: a character gone or added, an
    element dropped or added, a list or a literal where a number was."""
    at = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(8)
    if kind == 0:
        return text[:at] + text[at + 1 :]
    if kind == 1:
        return text[:at] + rng.choice("[],0 .e-") + text[at:]
    if kind == 2 and (comma := text.find(",", at)) > 0:
        following = text.find(",", comma + 1)
        return text[:comma] + text[following if following > 0 else comma :]
    if kind == 3 and (number := text.find("1.5", at)) > 0:
        replacement = rng.choice(["[1.5]", "[]", "true", "1e999", "2" * 30, '"s"', "[1,2]", "{}"])
        return text[:number] + replacement + text[number + 3 :]
    if kind == 4 and (close := text.find("]", at)) > 0:
        return text[:close] + ",3" + text[close:]
    if kind == 5 and (between := text.find("],[", at)) > 0:
        extra = rng.choice(["[4]", "5", "[[6]]", "[]"])
        return text[: between + 2] + extra + "," + text[between + 2 :]
    return text


def _body(rng: random.Random) -> bytes:
    shape = [rng.randint(1, 5) for _ in range(rng.randint(1, 4))]
    shape[rng.randrange(len(shape))] = rng.randint(1, 200)
    members = []
    for key in ("x", "grad_output")[: rng.randint(1, 2)]:
        text = _nested(rng, shape)
        for _ in range(rng.choice([0, 0, 1, 2])):
            text = _damaged(rng, text)
        members.append(f'"{key}":{text}')
    if rng.random() < 0.4:
        members.append(
            rng.choice(
                [
                    '"dtype":"float32"',
                    '"params":{"a":[1,2],"[":"]"}',
                    '"x":[1]',
                    '"note":"[[["',
                    '"pad":[' + ",".join(["1"] * 1100) + "]",
                    '"params":{"a":1,"a":2}',
                ]
            )
        )
    rng.shuffle(members)
    return ("{" + ",".join(members) + "}").encode() + _PADDING


@pytest.mark.parametrize("seed", range(6))
def test_slices_say_what_the_whole_document_says(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        document = _body(rng)
        limits = ArrayLimits(rng.choice([10**6, 400]), rng.choice([8, 2]))
        monkeypatch.setattr(json_slices, "SLICE", rng.choice([16, 64, 1 << 20]))
        assert outcome(document, limits) == whole_document(document, limits), document[:400]


@pytest.mark.parametrize(
    "shape", [(0,), (5,), (3, 50), (50, 3), (2, 3, 40), (4, 0), (300,), (), (9, 9)]
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("finite", [True, False])
def test_an_answer_written_in_parts_is_the_text_written_whole(
    shape: tuple[int, ...],
    dtype: type[np.floating[Any]],
    finite: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(json_codec, "JSON_PART_ELEMENTS", 7)
    value = np.asarray(np.random.default_rng(len(shape)).normal(size=shape).astype(dtype))
    if not finite and value.size > 3:
        value.flat[1:4] = [np.inf, np.nan, -np.inf]
    document = {"activation": "tanh", "shape": list(shape), "value": value, "gradient": value}
    whole = {key: json_ready(v) if isinstance(v, np.ndarray) else v for key, v in document.items()}
    expected = orjson.dumps(whole, option=orjson.OPT_SERIALIZE_NUMPY)
    assert b"".join(json_parts(document)) == expected


@pytest.mark.anyio
async def test_a_large_json_answer_is_sent_as_it_is_written(client: httpx.AsyncClient) -> None:
    x = np.random.default_rng(5).normal(scale=3, size=(700, 100))
    response = await client.post(
        "/api/v1/activations/tanh/evaluate",
        content=orjson.dumps(
            {"x": x, "outputs": ["value", "gradient"]}, option=orjson.OPT_SERIALIZE_NUMPY
        ),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert "content-length" not in response.headers  # chunked: its length is not known before
    answer = orjson.loads(response.content)
    assert answer["shape"] == [700, 100]
    entry = numerics.get("tanh")
    expected = numerics.evaluate(entry, x, params=entry.resolve({}), outputs=["value", "gradient"])
    for output, array in expected.items():
        np.testing.assert_array_equal(np.array(answer[output]), array)
