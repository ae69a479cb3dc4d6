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


def to_dtype(
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


def natural_float(array: np.ndarray) -> type[np.floating[Any]]:
    return np.float32 if array.dtype in (np.float16, np.float32) else np.float64
