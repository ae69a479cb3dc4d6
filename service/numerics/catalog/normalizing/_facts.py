"""What the normalizing entries' facts share: the probability range and identities on rows."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from service.numerics.catalog.facts import Identity
from service.numerics.types import Array, Interval

__all__ = ["PROBABILITY", "WIDTH", "first_of_pair", "sums_to_one"]

PROBABILITY = Interval(0.0, 1.0, False, False)
WIDTH = 8  # identities are checked on rows of this many elements


def sums_to_one(function: Callable[[Array], Array]) -> Identity:
    return Identity(
        r"\sum_i f(x)_i = 1",
        lambda x: np.sum(function(x), axis=-1, keepdims=True),
        lambda x: np.ones((x.shape[0], 1)),
        width=WIDTH,
    )


def first_of_pair(function: Callable[[Array], Array]) -> Callable[[Array], Array]:
    """x -> f([x, 0])_0: the function on pairs whose second element is 0."""
    return lambda x: function(np.concatenate((x, np.zeros_like(x)), axis=-1))[..., :1]
