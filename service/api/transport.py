"""Arrays in and out of request bodies: nested JSON lists and numpy's .npy/.npz formats.

Decoding checks everything a body can get wrong (shape, type, range, size) before the core
sees it and names the offending element; encoding keeps every bit of the result.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final, Literal, NamedTuple

import numpy as np
import simdjson

from service.numerics import Array, InvalidInput

__all__ = [
    "JSON_MEDIA_TYPE",
    "NPY_MEDIA_TYPE",
    "NPZ_MEDIA_TYPE",
    "ArrayLimits",
    "array_from_json",
    "array_from_npy",
    "arrays_from_npz",
    "json_ready",
    "load_json_arrays",
    "npy_bytes",
    "npz_bytes",
]

JSON_MEDIA_TYPE: Final = "application/json"
NPY_MEDIA_TYPE: Final = "application/x-npy"
NPZ_MEDIA_TYPE: Final = "application/x-npz"
_NON_FINITE_TEXT: Final = {math.inf: "Infinity", -math.inf: "-Infinity"}


@dataclass(frozen=True, slots=True)
class ArrayLimits:
    max_elements: int
    max_dims: int

    def check_shape(self, shape: Sequence[int], loc: Sequence[str | int]) -> None:
        if len(shape) > self.max_dims:
            raise InvalidInput(
                loc, f"has {len(shape)} dimensions; at most {self.max_dims} are allowed"
            )
        size = math.prod(shape)
        if size > self.max_elements:
            raise InvalidInput(loc, f"has {size} elements; at most {self.max_elements} are allowed")


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
        return _to_dtype(value, dtype, loc, finite=True)
    limits.check_shape(_leading_shape(value, limits.max_dims + 1), loc)
    try:
        array = np.array(value)
    except (ValueError, TypeError):
        array = None
    if array is None or array.dtype.kind not in "iuf":
        _raise_first_offender(value, loc)
        array = np.array(value, dtype=np.float64)  # integers past 64 bits: numbers all the same
    _refuse_booleans(value, array, loc)
    return _to_dtype(array, dtype, loc, finite=True)  # the JSON parser admits finite numbers only


# simdjson reads numbers straight into a float64 buffer, several times faster than creating a
# Python float for each; below this size the proof of rectangularity costs more than it saves.
_SIMDJSON_MIN_BYTES: Final = 1 << 16
_SIMDJSON_MAX_ROWS: Final = 4096


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
    """How many JSON arrays ``value`` holds; None if a key or string contains '['."""
    if isinstance(value, str):
        return None if "[" in value else 0
    if isinstance(value, dict):
        items: list[object] = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return 0
    total = int(isinstance(value, list))
    for item in items:
        count = _count_lists(item)
        if count is None:
            return None
        total += count
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


def _to_dtype(
    array: np.ndarray,
    dtype: type[np.floating[Any]],
    loc: Sequence[str | int],
    *,
    finite: bool = False,
) -> Array:
    """``array`` as ``dtype``, refusing non-finite elements (unless known ``finite``) and
    elements beyond the range of ``dtype``."""
    if not finite and array.dtype.kind == "f" and array.size:
        is_finite = np.isfinite(array)
        if not is_finite.all():
            index = np.unravel_index(int(np.argmin(is_finite)), array.shape)
            raise InvalidInput(
                [*loc, *map(int, index)], f"is {array[index]}; only finite numbers are accepted"
            )
    if array.size and array.dtype != dtype:
        limit = np.finfo(dtype).max
        magnitude = np.abs(array)
        if magnitude.max() > limit:
            index = np.unravel_index(int(np.argmax(magnitude)), array.shape)
            raise InvalidInput(
                [*loc, *map(int, index)],
                f"is {array[index]}, outside the {np.dtype(dtype).name} range (±{limit:.6g})",
            )
    return array.astype(dtype, copy=False)


# numpy's header reader evaluates a Python literal and zipfile inflates streams: on damaged
# bytes they fail with ValueError, SyntaxError, tokenize.TokenError, EOFError, zlib.error,
# BadZipFile, NotImplementedError... Every one of them means a damaged body, so each read of
# untrusted bytes below catches Exception and answers 422 naming the part that failed.
_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


class _NpyHeader(NamedTuple):
    shape: tuple[int, ...]
    order: Literal["C", "F"]
    dtype: np.dtype[Any]
    nbytes: int  # of the data that must follow


def _npy_header(stream: IO[bytes], *, loc: Sequence[str | int], limits: ArrayLimits) -> _NpyHeader:
    """Read and check a .npy header: before any data is allocated, and no pickles."""
    try:
        version = np.lib.format.read_magic(stream)
        read_header = _HEADER_READERS.get(version)
        if read_header is not None:
            shape, fortran_order, dtype = read_header(stream)
    except Exception as error:  # a damaged body, whatever the parser raised
        raise InvalidInput(loc, f"is not a valid .npy array: {error}") from None
    if read_header is None:
        raise InvalidInput(loc, f".npy format version {version} is not supported; use 1.0 or 2.0")
    if dtype.hasobject:
        raise InvalidInput(loc, "holds Python objects (a pickle); only numeric arrays are accepted")
    if dtype.kind not in "iuf" or dtype.fields is not None:
        raise InvalidInput(
            loc, f"has dtype {dtype.str}; only real integer or float arrays are accepted"
        )
    limits.check_shape(shape, loc)
    order: Literal["C", "F"] = "F" if fortran_order else "C"
    return _NpyHeader(shape, order, dtype, math.prod(shape) * dtype.itemsize)


def _npy_data(data: bytes | memoryview, header: _NpyHeader, *, loc: Sequence[str | int]) -> Array:
    """The array the header announced, over ``data`` (all that followed it), not copied."""
    if len(data) != header.nbytes:
        problem = "is truncated" if len(data) < header.nbytes else "has bytes after the array data"
        raise InvalidInput(loc, f"{problem}: the header announces {header.nbytes} bytes of data")
    return np.frombuffer(data, dtype=header.dtype).reshape(header.shape, order=header.order)


def array_from_npy(
    body: bytes,
    *,
    loc: Sequence[str | int],
    dtype: type[np.floating[Any]] | None,
    limits: ArrayLimits,
) -> Array:
    """An array from .npy bytes, in ``dtype`` (by default its own float type, else float64)."""
    stream = io.BytesIO(body)
    header = _npy_header(stream, loc=loc, limits=limits)
    # A view of the body after the header: the data where it lies, not read out as a copy.
    array = _npy_data(memoryview(body)[stream.tell() :], header, loc=loc)
    return _to_dtype(array, dtype or _natural_float(array), loc)


def arrays_from_npz(
    body: bytes, *, names: Sequence[str], dtype: type[np.floating[Any]] | None, limits: ArrayLimits
) -> dict[str, Array]:
    """Named arrays from an uncompressed or deflated .npz archive; members other than ``names`` are refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except Exception as error:
        raise InvalidInput(["body"], f"is not a valid .npz archive: {error}") from None
    arrays: dict[str, Array] = {}
    with archive:
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            if name not in names:
                raise InvalidInput([name], f"is not an expected member; send {', '.join(names)}")
            try:
                member = archive.open(info)
            except Exception as error:  # encrypted, unknown compression, bad local header
                raise InvalidInput([name], f"could not be opened: {error}") from None
            with member:
                header = _npy_header(member, loc=[name], limits=limits)
                try:
                    data = member.read(header.nbytes + 1)
                except Exception as error:  # a damaged member fails its CRC or inflation here
                    raise InvalidInput([name], f"could not be read: {error}") from None
                arrays[name] = _npy_data(data, header, loc=[name])
    if not arrays:
        raise InvalidInput(["body"], f"the .npz archive is empty; send {', '.join(names)}")
    target = dtype or _natural_float(arrays.get(names[0], next(iter(arrays.values()))))
    return {name: _to_dtype(array, target, [name]) for name, array in arrays.items()}


def _natural_float(array: np.ndarray) -> type[np.floating[Any]]:
    return np.float32 if array.dtype in (np.float16, np.float32) else np.float64


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


def npy_bytes(array: Array) -> bytes:
    # Not np.ascontiguousarray: it makes a 0-d array 1-d, and the answer must keep x's shape.
    array = np.require(array, requirements="C")
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(array))
    return b"".join((header.getvalue(), array.data))  # the data copied once, not twice


def npz_bytes(arrays: Mapping[str, Array]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()
