"""JSON arrays: rectangular nested lists of finite numbers in, nested lists out.

Decoding checks everything a body can get wrong (shape, type, range, size) before the core sees
it and names the offending element; large bodies are read by simdjson straight into a buffer
once they are proved rectangular. Encoding writes non-finite results as strings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import simdjson

from service.api.codecs.arrays import ArrayLimits, to_dtype
from service.numerics import Array, InvalidInput

__all__ = [
    "JSON_MEDIA_TYPE",
    "array_from_json",
    "duplicated_key",
    "json_ready",
    "load_json_arrays",
]

JSON_MEDIA_TYPE: Final = "application/json"
_NON_FINITE_TEXT: Final = {math.inf: "Infinity", -math.inf: "-Infinity"}


def array_from_json(
    value: object, *, loc: Sequence[str | int], dtype: type[np.floating[Any]], limits: ArrayLimits
) -> Array:
    """A number or rectangular nested list of numbers, as an array of ``dtype``.

    Booleans, strings, nulls and ragged lists are refused with the path of the first offender;
    numbers outside the range of ``dtype`` are refused rather than turned into infinities.
    ``value`` may also be a float64 array that load_json_arrays has already proved rectangular.
    """
    if isinstance(value, np.ndarray):
        limits.check_shape(value.shape, loc)
        return to_dtype(value, dtype, loc, finite=True)
    limits.check_shape(_leading_shape(value, limits.max_dims + 1), loc)
    try:
        array = np.array(value)
    except (ValueError, TypeError):
        array = None
    if array is None or array.dtype.kind not in "iuf":
        _raise_first_offender(value, loc)
        array = np.array(value, dtype=np.float64)  # integers past 64 bits: numbers all the same
    _refuse_booleans(value, array, loc)
    return to_dtype(array, dtype, loc, finite=True)  # the JSON parser admits finite numbers only


# simdjson reads numbers straight into a float64 buffer, several times faster than creating a
# Python float for each; below this size the proof of rectangularity costs more than it saves.
_SIMDJSON_MIN_BYTES: Final = 1 << 16
_SIMDJSON_MAX_ROWS: Final = 4096


def duplicated_key(body: bytes) -> list[str | int] | None:
    """Where a key appears twice in an object of ``body`` (its path), or None.

    JSON parsers keep the last of two equal keys without a word; a request that says a thing
    twice is refused instead. The objects are walked in simdjson's document, which keeps every
    key, without entering arrays (the service's arrays hold numbers). A body that is not valid
    JSON gives None: the parser that reads it next says what is wrong.
    """
    try:
        document = simdjson.Parser().parse(body)
    except Exception:
        return None
    stack: list[tuple[list[str | int], object]] = [([], document)]
    while stack:
        path, node = stack.pop()
        if not isinstance(node, simdjson.Object):
            continue
        seen: set[str] = set()
        for key in node:
            if key in seen:
                return [*path, key]
            seen.add(key)
            try:
                stack.append(([*path, key], node[key]))
            except KeyError:  # simdjson looks keys up as C strings: one with a NUL is not found
                continue
    return None


def load_json_arrays(body: bytes, *, arrays: Sequence[str]) -> dict[str, Any] | None:
    """The JSON object in ``body``, its members named in ``arrays`` as float64 arrays.

    None whenever the body is not a plain case: not an object, a duplicated key, a ragged or
    non-numeric array, a '[' inside a string, or too many rows to check cheaply. The caller then
    parses it with orjson, whose errors name what is wrong and where. simdjson's as_buffer
    flattens nested lists silently, so the rows are checked here: every list above the numbers
    has the length of its first sibling, and the body holds no '[' besides the lists counted.
    """
    if len(body) < _SIMDJSON_MIN_BYTES:
        return None
    try:
        document = simdjson.Parser().parse(body)
    except Exception:  # ValueError, RuntimeError (an integer past 64 bits), ...: orjson says what
        return None
    if not isinstance(document, simdjson.Object):
        return None
    keys = list(document.keys())
    if len(keys) != len(set(keys)) or any("[" in key for key in keys):
        return None
    members: dict[str, Any] = {}
    lists = 0  # the '[' that open a JSON array, counted member by member
    for key in keys:
        try:
            value = document[key]
        except KeyError:  # simdjson looks keys up as C strings: one with a NUL is not found
            return None
        count: int | None
        if key in arrays and isinstance(value, simdjson.Array):
            proved = _rectangular(value)
            if proved is None:
                return None
            members[key], count = proved
        else:
            members[key] = _plain(value)
            count = _count_lists(members[key])
        if count is None:
            return None
        lists += count
    return members if body.count(b"[") == lists else None


def _rectangular(array: simdjson.Array) -> tuple[Array, int] | None:
    """The numbers of a rectangular nested array and the number of lists it is made of."""
    shape: list[int] = []
    node: object = array
    while isinstance(node, simdjson.Array) and len(shape) < 64:
        shape.append(len(node))
        if not shape[-1]:
            break
        node = node[0]
    if math.prod(shape[:-1]) > _SIMDJSON_MAX_ROWS:
        return None
    level: list[object] = [array]
    lists = 1
    for depth, length in enumerate(shape):
        if any(not isinstance(n, simdjson.Array) or len(n) != length for n in level):
            return None
        if depth + 1 < len(shape):
            level = [child for n in level for child in n]  # type: ignore[attr-defined]
            lists += len(level)
    try:
        numbers = np.frombuffer(array.as_buffer(of_type="d"), dtype=np.float64)
    except Exception:  # TypeError for a boolean, null, string or object among the numbers
        return None
    if numbers.size != math.prod(shape):
        return None
    return numbers.reshape(shape), lists


def _plain(value: object) -> object:
    if isinstance(value, simdjson.Object):
        return value.as_dict()
    if isinstance(value, simdjson.Array):
        return value.as_list()
    return value


def _count_lists(value: object) -> int | None:
    """How many JSON arrays ``value`` holds; None if a key or string contains '['.

    Walked with a stack of its own, not by recursion: a member nested a thousand levels deep
    is a valid document, and Python's recursion limit is not a limit of the service's.
    """
    total, stack = 0, [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if "[" in node:
                return None
        elif isinstance(node, dict):
            stack += [*node.keys(), *node.values()]
        elif isinstance(node, list):
            total += 1
            stack += node
    return total


_SMALL: Final = 256  # a flat list this short is looked at element by element


def _refuse_booleans(value: object, array: np.ndarray, loc: Sequence[str | int]) -> None:
    """numpy turns a boolean among numbers into 1 or 0 without a word: look at those elements."""
    if array.ndim == 0:  # a lone boolean made a bool array, refused before
        return
    if array.ndim == 1:  # the common case: positions index the list directly
        if array.size <= _SMALL:  # cheaper than the numpy calls that find the candidates
            positions: Sequence[int] = range(array.size)
        else:
            positions = np.flatnonzero((array == 0) | (array == 1)).tolist()
        for position in positions:
            if isinstance(value[position], bool):  # type: ignore[index]
                raise InvalidInput([*loc, position], "expected a number, got a boolean")
        return
    candidates = np.flatnonzero((array == 0) | (array == 1))
    for index in zip(*np.unravel_index(candidates, array.shape), strict=True):
        element = value
        for position in index:
            element = element[position]  # type: ignore[index]
        if isinstance(element, bool):
            raise InvalidInput([*loc, *map(int, index)], "expected a number, got a boolean")


def _leading_shape(value: object, depth_cap: int) -> list[int]:
    """The shape implied by following the first element down; cheap, and bounded in depth."""
    shape: list[int] = []
    while isinstance(value, list) and len(shape) < depth_cap:
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return shape


def _raise_first_offender(value: object, loc: Sequence[str | int]) -> None:
    """Walk the nested lists and raise InvalidInput for the first bad element or ragged row."""
    shape = _leading_shape(value, 10_000)

    def walk(node: object, path: list[str | int], depth: int) -> None:
        if depth < len(shape):
            if not isinstance(node, list):
                raise InvalidInput(
                    path, f"expected a list of length {shape[depth]}, got {_kind(node)}"
                )
            if len(node) != shape[depth]:
                raise InvalidInput(
                    path,
                    f"has length {len(node)} but its siblings have length {shape[depth]} (ragged array)",
                )
            for index, child in enumerate(node):
                walk(child, [*path, index], depth + 1)
        elif isinstance(node, bool) or not isinstance(node, int | float):
            raise InvalidInput(path, f"expected a number, got {_kind(node)}")

    walk(value, list(loc), 0)


def _kind(node: object) -> str:
    if node is None:
        return "null"
    if isinstance(node, bool):
        return "a boolean"
    if isinstance(node, str):
        return f"a string {node[:20]!r}"
    if isinstance(node, list):
        return "a list"
    if isinstance(node, dict):
        return "an object"
    return type(node).__name__


def json_ready(array: Array) -> Any:
    """An array as orjson can write it: non-finite results become "Infinity", "-Infinity", "NaN".

    JSON has no infinities; these strings are the convention of protobuf's JSON mapping.
    """
    if array.ndim == 0:
        value = float(array)
        return value if math.isfinite(value) else _NON_FINITE_TEXT.get(value, "NaN")
    # A finite sum proves every element finite in one call; one that overflows proves nothing.
    if math.isfinite(np.add.reduce(array, axis=None)) or np.isfinite(array).all():
        return np.ascontiguousarray(array)
    listed = array.astype(object)
    listed[np.isnan(array)] = "NaN"
    listed[np.isposinf(array)] = "Infinity"
    listed[np.isneginf(array)] = "-Infinity"
    return listed.tolist()
