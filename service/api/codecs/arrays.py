"""What every array codec shares: the limits on shape and size, and the conversion to a dtype
that refuses what does not fit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from service.numerics import Array, InvalidInput

__all__ = ["ArrayLimits", "natural_float", "to_dtype"]

_FLOAT32_LIMIT = 2.0**128 - 2.0**103  # halfway from float32's largest to 2^128: infinity


@dataclass(frozen=True, slots=True)
class ArrayLimits:
    max_elements: int
    max_dims: int

    def check_shape(self, shape: Sequence[int], loc: Sequence[str | int]) -> None:
        """Refuse too many dimensions, too many elements, and a dimension longer than the
        element limit (an empty array may declare one: (0, 2**62) holds no element)."""
        if len(shape) > self.max_dims:
            raise InvalidInput(
                loc, f"has {len(shape)} dimensions; at most {self.max_dims} are allowed"
            )
        size = math.prod(shape)
        if size > self.max_elements:
            raise InvalidInput(loc, f"has {size} elements; at most {self.max_elements} are allowed")
        longest = max(shape, default=0)
        if longest > self.max_elements:
            raise InvalidInput(
                loc,
                f"has a dimension of length {longest}; at most {self.max_elements} are allowed",
            )


def to_dtype(
    array: np.ndarray,
    dtype: type[np.floating[Any]],
    loc: Sequence[str | int],
    *,
    finite: bool = False,
    infinities: bool = False,
) -> Array:
    """``array`` as ``dtype``, refusing non-finite elements (unless known ``finite``; NaN
    alone if ``infinities`` are accepted) and finite elements that round to infinity in
    ``dtype``."""
    if not finite and array.dtype.kind == "f" and array.size:
        accepted = ~np.isnan(array) if infinities else np.isfinite(array)
        if not accepted.all():
            index = np.unravel_index(int(np.argmin(accepted)), array.shape)
            what = "numbers, -inf and +inf" if infinities else "finite numbers"
            raise InvalidInput(
                [*loc, *map(int, index)], f"is {array[index]}; only {what} are accepted"
            )
    if not array.size or array.dtype == dtype:
        return array.astype(dtype, copy=False)
    # Rounded as IEEE rounds, to nearest even: 3.4028235e38 is float32's largest value, and
    # only what rounds to infinity is out of range, a magnitude from 2^128 - 2^103 on. Of finite
    # float64s (all but a binary body's infinities, by now) the largest magnitude says whether
    # any does, in less time than the errstate around a conversion that may overflow.
    finite64 = dtype is np.float32 and array.dtype == np.float64 and not infinities
    if finite64 and np.abs(array).max() < _FLOAT32_LIMIT:
        return array.astype(dtype)
    with np.errstate(over="ignore"):
        converted = array.astype(dtype)
    if np.dtype(dtype).itemsize < array.dtype.itemsize or array.dtype.kind in "iu":
        overflowed = ~np.isfinite(converted)
        if infinities:
            overflowed &= np.isfinite(array)
        if overflowed.any():
            index = np.unravel_index(int(np.argmax(overflowed)), array.shape)
            largest = np.finfo(dtype).max
            raise InvalidInput(
                [*loc, *map(int, index)],
                f"is {array[index]}, outside the {np.dtype(dtype).name} range: it rounds to"
                f" infinity (the largest finite {np.dtype(dtype).name} is ±{largest!s})",
            )
    return converted


def natural_float(array: np.ndarray) -> type[np.floating[Any]]:
    """float32 for floats of 4 bytes or fewer in either byte order (a big-endian float32 is
    not equal to np.float32), float64 for the rest: wider floats and integers."""
    return np.float32 if array.dtype.kind == "f" and array.dtype.itemsize <= 4 else np.float64
