"""Sums along an axis at the accuracy of numpy's pairwise summation, whatever the axis."""

from __future__ import annotations

import numpy as np

from service.numerics.types import Array

__all__ = ["axis_sum"]


def axis_sum(a: Array, axis: int) -> Array:
    """np.sum(a, axis, keepdims=True), summed pairwise along a contiguous last axis.

    numpy sums pairwise (an error growing like log n) only along the axis its loop runs over
    last; along another axis of a C-ordered array it adds the rows one after another, an
    error growing like n: 20 ULP of a softmax over 1000 elements along axis 0. So the axis is
    moved last, in a copy if it is not already, and summed there.
    """
    moved = np.ascontiguousarray(np.moveaxis(a, axis, -1))
    return np.expand_dims(np.sum(moved, axis=-1), axis)
