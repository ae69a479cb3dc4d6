"""The halves a, b of x that a gated linear unit pairs, and what its formulas say of them."""

from __future__ import annotations

import numpy as np

from service.numerics.types import Array

SPLIT = r"(a, b) = \text{halves of } x \text{ along the axis}"
WIDTH = 8  # identities are checked on rows of this many elements, halves of 4


def halves(x: Array, axis: int) -> tuple[Array, Array]:
    a, b = np.split(x, 2, axis=axis)
    return a, b
