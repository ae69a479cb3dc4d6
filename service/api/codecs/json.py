"""JSON arrays: rectangular nested lists of finite numbers in, nested lists out.

Decoding checks everything a body can get wrong (shape, type, range, size) before the core sees
it and names the offending element; large bodies are read by simdjson straight into a buffer
once they are proved rectangular. Encoding writes non-finite results as strings.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

import numpy as np
import orjson
import simdjson

from service.api.codecs.arrays import ArrayLimits, to_dtype
from service.api.codecs.json_slices import NestedList, Unproved, array_spans, sliced_array
from service.numerics import Array, InvalidInput

__all__ = [
    "JSON_MEDIA_TYPE",
    "JSON_NUMBER_BYTES",
    "JSON_PART_ELEMENTS",
    "array_from_json",
    "duplicated_key",
    "json_parts",
    "json_ready",
    "load_json_arrays",
    "malformed_json",
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
# Python float for each, and in a fraction of the memory (orjson's lists cost 32 bytes or more
# a number, 16 times the body for short numbers). Below this size orjson is cheaper.
_SIMDJSON_MIN_BYTES: Final = 1 << 16
# Members other than the arrays are options of a few values; one with more is refused before
# it is built as Python objects.
_MOST_OPTION_VALUES: Final = 1024


def duplicated_key(body: bytes, *, parsed: object = None) -> list[str | int] | None:
    """Where a key appears twice in an object of ``body`` (its path), or None.

    JSON parsers keep the last of two equal keys without a word; a request that says a thing
    twice is refused instead. The objects are walked in simdjson's document, which keeps every
    key, and so are the arrays of objects (the inference protocol's tensors, compare's names
    and formulas), but not an array that begins with a number: the service's number arrays
    hold numbers only, so an object in one is refused anyway, and their elements are not
    walked one by one. A body that is not valid JSON gives None: the parser that reads it next
    says what is wrong.

    ``parsed``, the body already read by a parser that keeps one of equal keys, spares that
    walk for most bodies: each key written is followed by a colon, so a body with no more
    colons than the keys left in its objects wrote no key twice.
    """
    if parsed is not None and body.count(b":") == _keys(parsed):
        return None
    try:
        document = simdjson.Parser().parse(body)
    except Exception:
        return None
    stack: list[tuple[list[str | int], object]] = [([], document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, simdjson.Array) and _walked(node):
            stack += (([*path, i], element) for i, element in enumerate(node))
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


def _walked(array: Any) -> bool:
    """Whether the elements of an array are walked for objects: unless it begins with a number."""
    return len(array) > 0 and not isinstance(array[0], int | float)


def _keys(document: object) -> int:
    """The keys of the objects in a parsed document, by the walk duplicated_key makes."""
    count = 0
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            count += len(node)
            stack += node.values()
        elif isinstance(node, list) and _walked(node):
            stack += node
    return count


class _Decline(Exception):
    """The body is not a case simdjson's path can prove: orjson reads it instead."""


def load_json_arrays(
    body: bytes, *, arrays: Sequence[str], limits: ArrayLimits
) -> dict[str, Any] | None:
    """The JSON object in ``body``, its members named in ``arrays`` as float64 arrays.

    A large body is read by simdjson, and every number of an array goes straight into a buffer:
    the request then costs a few times its body, where Python lists would cost sixteen. The
    arrays are read in slices (json_slices), the rest of the body as one small document; a
    body that way cannot prove is read as one document. What
    is wrong with such a body is found in simdjson's document too, and raised here as
    InvalidInput naming its place (a ragged row, a boolean, a key given twice, an array over
    the limits), before any large allocation. None for a small body, or one simdjson does not
    read (malformed JSON, an integer past 64 bits, a key with a NUL): orjson reads it then, and
    says what is wrong. simdjson's as_buffer flattens nested lists silently, so the body's '['
    are counted against the lists proved: one more means a list where a number belongs.
    """
    if len(body) < _SIMDJSON_MIN_BYTES:
        return None
    try:
        return _in_slices(body, arrays=arrays, limits=limits)
    except (Unproved, _Decline):
        pass
    try:
        document = simdjson.Parser().parse(body)
    except Exception:  # ValueError, RuntimeError (an integer past 64 bits), ...: orjson says what
        return None
    try:
        return _members(document, body.count(b"["), arrays=arrays, limits=limits)
    except _Decline:
        return None


def _in_slices(body: bytes, *, arrays: Sequence[str], limits: ArrayLimits) -> dict[str, Any]:
    """load_json_arrays with each array member read in slices, and the rest of the body (each
    array replaced by '[]') as a document. Every part is parsed before any fault is told: a
    body that is not JSON is malformed, whatever else is wrong with it."""
    spans = array_spans(body, arrays)
    if not spans:
        raise Unproved
    view, previous = memoryview(body), 0
    pieces: list[bytes | memoryview] = []
    for _, start, end in spans:
        pieces += [view[previous:start], b"[]"]
        previous = end
    rest = b"".join([*pieces, view[previous:]])
    try:
        document = simdjson.Parser().parse(rest)
    except Exception:  # malformed, or an array that holds more than numbers: the whole says
        raise Unproved from None
    decoded: dict[str, Array | InvalidInput | NestedList] = {}
    for key, start, end in spans:
        decoded.setdefault(key, sliced_array(body, start, end, loc=[key], limits=limits))
    return _members(document, rest.count(b"["), arrays=arrays, limits=limits, decoded=decoded)


def _members(
    document: object,
    brackets: int,
    *,
    arrays: Sequence[str],
    limits: ArrayLimits,
    decoded: Mapping[str, Array | InvalidInput | NestedList] | None = None,
) -> dict[str, Any]:
    """The members of the document, as load_json_arrays says. ``decoded``: arrays already read
    in slices, for the keys whose value the document holds as '[]' in their place."""
    decoded = decoded or {}
    if not isinstance(document, simdjson.Object):
        raise InvalidInput([], "the body must be a JSON object with at least 'x'")
    members: dict[str, Any] = {}
    found = 0  # the '[' accounted for: lists proved, and those written in keys and strings
    for key in document:
        if key in members:
            raise InvalidInput([key], "is given twice; give each key once")
        found += key.count("[")
        value = _lookup(document, key)
        if key in decoded:
            array = decoded[key]
            if isinstance(array, InvalidInput):
                raise array
            members[key] = array
            found += 1  # the '[]' in its place
        elif key in arrays and isinstance(value, simdjson.Array):
            members[key], lists = _array(value, [key], limits)
            found += lists
        else:
            found += _option_brackets(value, [key])
            members[key] = _plain(value)
    for key in arrays:  # found by whole-document decoding only once every member is read
        if isinstance(decoded.get(key), NestedList):
            raise decoded[key].error  # type: ignore[union-attr]
    if found != brackets:
        for key in arrays:
            if isinstance(members.get(key), np.ndarray):
                _raise_for_nested_list(_lookup(document, key), members[key].shape, [key])
        raise _Decline
    return members


def _lookup(node: Any, key: str) -> Any:
    try:
        return node[key]
    except KeyError:  # simdjson looks keys up as C strings: one with a NUL is not found
        raise _Decline from None


def _array(array: simdjson.Array, loc: list[str | int], limits: ArrayLimits) -> tuple[Array, int]:
    """A rectangular nested array's numbers, and the number of lists it is made of."""
    shape = _leading_shape(array, limits.max_dims + 1, kind=simdjson.Array)
    limits.check_shape(shape, loc)
    for _ in _leaf_rows(array, shape, loc):
        pass
    try:
        numbers = np.frombuffer(array.as_buffer(of_type="d"), dtype=np.float64)
    except TypeError:  # a boolean, null, string or object among the numbers
        _raise_for_nested_list(array, shape, loc)
        raise _Decline from None
    if numbers.size != math.prod(shape):
        _raise_for_nested_list(array, shape, loc)
        raise _Decline
    lists = sum(math.prod(shape[:depth]) for depth in range(len(shape)))
    return numbers.reshape(shape), lists


def _leaf_rows(
    array: simdjson.Array, shape: Sequence[int], loc: list[str | int]
) -> Iterator[tuple[list[str | int], simdjson.Array]]:
    """The innermost lists with their paths, in order; InvalidInput at the first list whose
    length differs from its siblings', or a number or object where a list belongs. Walked
    with iterators of its own, not by recursion, and without holding the rows."""

    def check(node: object, path: list[str | int], depth: int) -> None:
        if not isinstance(node, simdjson.Array):
            raise InvalidInput(path, f"expected a list of length {shape[depth]}, got {_kind(node)}")
        if len(node) != shape[depth]:
            raise InvalidInput(
                path,
                f"has length {len(node)} but its siblings have length {shape[depth]} (ragged array)",
            )

    check(array, loc, 0)
    if len(shape) <= 1:
        yield loc, array
        return
    walks: list[tuple[list[str | int], Iterator[tuple[int, object]]]] = [(loc, enumerate(array))]
    while walks:
        path, children = walks[-1]
        step = next(children, None)
        if step is None:
            walks.pop()
            continue
        index, child = step
        child_path = [*path, index]
        check(child, child_path, len(walks))
        if len(walks) == len(shape) - 1:
            yield child_path, child  # type: ignore[misc]
        else:
            walks.append((child_path, enumerate(child)))  # type: ignore[arg-type]


def _raise_for_nested_list(
    array: simdjson.Array, shape: Sequence[int], loc: list[str | int]
) -> None:
    """InvalidInput at the first element of the innermost lists that is not a number."""
    for path, row in _leaf_rows(array, shape, loc):
        for index, element in enumerate(row):
            if isinstance(element, bool) or not isinstance(element, int | float):
                raise InvalidInput([*path, index], f"expected a number, got {_kind(element)}")


def _option_brackets(value: object, loc: list[str | int]) -> int:
    """The '[' in a member that is not an array of numbers: its lists, and those written in its
    keys and strings. InvalidInput for a key given twice, or past _MOST_OPTION_VALUES values.
    Walked with a stack of its own: a member nested a thousand levels deep is valid JSON."""
    total, count = 0, 0
    stack: list[tuple[list[str | int], object]] = [(loc, value)]
    while stack:
        path, node = stack.pop()
        count += 1
        if count > _MOST_OPTION_VALUES:
            raise InvalidInput(
                loc,
                f"holds more than {_MOST_OPTION_VALUES} values; only x and grad_output are arrays",
            )
        if isinstance(node, str):
            total += node.count("[")
        elif isinstance(node, simdjson.Object):
            seen: set[str] = set()
            for key in node:
                if key in seen:
                    raise InvalidInput([*path, key], "is given twice; give each key once")
                seen.add(key)
                total += key.count("[")
                stack.append(([*path, key], _lookup(node, key)))
        elif isinstance(node, simdjson.Array):
            total += 1
            stack += [([*path, index], child) for index, child in enumerate(node)]
    return total


def _plain(value: object) -> object:
    if isinstance(value, simdjson.Object):
        return value.as_dict()
    if isinstance(value, simdjson.Array):
        return value.as_list()
    return value


_SMALL: Final = 256  # a flat list this short is looked at element by element
_FLOAT64: Final = np.dtype(np.float64)


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


def _leading_shape(value: Any, depth_cap: int, *, kind: Any = list) -> list[int]:
    """The shape implied by following the first element down; cheap, and bounded in depth."""
    shape: list[int] = []
    node: Any = value
    while isinstance(node, kind) and len(shape) < depth_cap:
        shape.append(len(node))
        if not shape[-1]:
            break
        node = node[0]
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
    if isinstance(node, list | simdjson.Array):
        return "a list"
    if isinstance(node, dict | simdjson.Object):
        return "an object"
    return type(node).__name__


def json_ready(array: Array) -> Any:
    """An array as orjson can write it: non-finite results become "Infinity", "-Infinity", "NaN".

    JSON has no infinities; these strings are the convention of protobuf's JSON mapping.
    """
    if array.ndim == 0:
        value = float(array)
        return value if math.isfinite(value) else _NON_FINITE_TEXT.get(value, "NaN")
    if array.dtype is _FLOAT64 and array.ndim == 1 and array.size <= _SMALL:
        # Python floats are written as orjson writes float64 arrays, digit for digit, and a
        # short list costs less to make and check than numpy's calls on a small array do.
        values: list[float] = array.tolist()
        if math.isfinite(sum(values)):
            return values
    if _finite(array):
        return np.ascontiguousarray(array)
    return _listed(array)


def _finite(array: Array) -> bool:
    if array.size <= _SMALL:  # one call, without the errstate that costs more than it
        return bool(np.isfinite(array).all())
    # A finite sum proves every element finite in one call; one that overflows proves nothing
    # (and, like inf + -inf, is no cause for a warning).
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(array, axis=None)
    return bool(math.isfinite(total) or np.isfinite(array).all())


def _listed(array: Array) -> Any:
    """Nested lists of Python floats, with the strings for non-finite values."""
    listed = array.astype(object)
    listed[np.isnan(array)] = "NaN"
    listed[np.isposinf(array)] = "Infinity"
    listed[np.isneginf(array)] = "-Infinity"
    return listed.tolist()


# An array of more numbers than this is written in parts of about this many numbers: a part is
# then about a megabyte of text, and a few milliseconds of orjson's work.
JSON_PART_ELEMENTS: Final = 1 << 16
# The most text orjson writes for a number of an answer, with its comma: -2.2250738585072014e-308,
JSON_NUMBER_BYTES: Final = 25


def json_parts(document: Mapping[str, Any]) -> Iterator[bytes]:
    """``document`` as orjson writes it with json_ready's arrays, in parts made as they are
    asked for: its arrays slice by slice along their leading axes, so that an answer of the
    densest numbers (five times the size of its body) is never held whole."""
    separator = b"{"
    for key, value in document.items():
        yield separator + orjson.dumps(key) + b":"
        separator = b","
        if isinstance(value, np.ndarray):
            # An array with a non-finite value is written as Python floats throughout, as
            # json_ready writes it whole (a float32 with float64's digits).
            yield from _array_parts(value, listed=not _finite(value))
        else:
            yield orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)
    yield b"{}" if separator == b"{" else b"}"


def _array_parts(array: Array, *, listed: bool) -> Iterator[bytes]:
    if array.ndim == 0 or array.size <= JSON_PART_ELEMENTS:
        ready = _listed(array) if listed and array.ndim else json_ready(array)
        yield orjson.dumps(ready, option=orjson.OPT_SERIALIZE_NUMPY)
        return
    row = math.prod(array.shape[1:])  # numbers under each leading index
    yield b"["
    if row > JSON_PART_ELEMENTS:
        for index in range(len(array)):
            if index:
                yield b","
            yield from _array_parts(array[index], listed=listed)
    else:
        step = JSON_PART_ELEMENTS // row
        for start in range(0, len(array), step):
            part = array[start : start + step]
            ready = _listed(part) if listed else json_ready(part)
            text = orjson.dumps(ready, option=orjson.OPT_SERIALIZE_NUMPY)
            yield (b"," if start else b"") + text[1:-1]
    yield b"]"


def malformed_json(body: bytes, error: orjson.JSONDecodeError) -> str:
    """What is wrong with a body orjson could not read, and where."""
    detail = f"The body is not valid JSON: {error}"
    if "infinity" in str(error) or body[error.pos : error.pos + 1] in (b"N", b"I", b"-"):
        detail += "; numbers must be finite (no NaN or Infinity, magnitudes below 1.8e308)"
    return detail
