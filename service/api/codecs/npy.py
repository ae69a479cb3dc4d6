"""numpy's .npy format: one array in, one array out, bit for bit and without pickles."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import IO, Any, Final, Literal, NamedTuple

import numpy as np

from service.api.codecs.arrays import ArrayLimits, natural_float, to_dtype
from service.numerics import Array, InvalidInput

__all__ = [
    "NPY_MEDIA_TYPE",
    "NpyHeader",
    "array_from_npy",
    "npy_data",
    "npy_header",
    "npy_parts",
]

NPY_MEDIA_TYPE: Final = "application/x-npy"


# numpy's header reader evaluates a Python literal and zipfile inflates streams: on damaged
# bytes they fail with ValueError, SyntaxError, tokenize.TokenError, EOFError, zlib.error,
# BadZipFile, NotImplementedError... Every one of them means a damaged body, so each read of
# untrusted bytes below catches Exception and answers 422 naming the part that failed.
_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


class NpyHeader(NamedTuple):
    shape: tuple[int, ...]
    order: Literal["C", "F"]
    dtype: np.dtype[Any]
    nbytes: int  # of the data that must follow


def npy_header(stream: IO[bytes], *, loc: Sequence[str | int], limits: ArrayLimits) -> NpyHeader:
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
    # numpy's reader takes any tuple of ints, and a boolean is an int to Python.
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in shape):
        raise InvalidInput(
            loc, f"declares shape {shape!r}; its lengths must be non-negative integers"
        )
    limits.check_shape(shape, loc)
    order: Literal["C", "F"] = "F" if fortran_order else "C"
    return NpyHeader(shape, order, dtype, math.prod(shape) * dtype.itemsize)


def npy_data(data: bytes | memoryview, header: NpyHeader, *, loc: Sequence[str | int]) -> Array:
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
    infinities: bool = False,
) -> Array:
    """An array from .npy bytes, in ``dtype`` (by default its own float type, else float64);
    +-inf among its elements only if ``infinities``, NaN never."""
    stream = io.BytesIO(body)
    header = npy_header(stream, loc=loc, limits=limits)
    # A view of the body after the header: the data where it lies, not read out as a copy.
    array = npy_data(memoryview(body)[stream.tell() :], header, loc=loc)
    return to_dtype(array, dtype or natural_float(array), loc, infinities=infinities)


def npy_parts(array: Array) -> tuple[bytes, memoryview]:
    """The .npy header, and the array's data where it lies (copied only if not C-ordered)."""
    # Not np.ascontiguousarray: it makes a 0-d array 1-d, and the answer must keep x's shape.
    array = np.require(array, requirements="C")
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(array))
    return header.getvalue(), array.reshape(-1).data  # flat: the same bytes, any shape
