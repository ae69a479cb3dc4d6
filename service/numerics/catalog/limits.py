"""The catalog's answer at x = -inf and x = +inf: every output's limit there.

A formula that is exact on the finite floats may still be NaN or wrong at an infinity:
0 * inf (x sigma(x) at -inf), inf - inf, inf / inf (x / (1 + |x|)), a select by arithmetic
(piecewise.select). Where an entry's formula does not give its limits by itself, its
function ends with ``at_infinity``. The compiled loops leave every x of +-inf (and NaN) to
these functions (service.numerics.compiled.kernel), so a kernel's formula need not give
them. test_limits.py checks every output at both ends against mpmath.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from service.numerics.types import Array

__all__ = ["at_infinity", "negative_where_zero"]


def at_infinity(x: Array, result: Array, *, below: float, above: float) -> Array:
    """``result``, but ``below`` where x = -inf and ``above`` where x = +inf.

    The limits are signed as the function approaches them (-0.0 for a negative tail that
    vanishes). NaN stays NaN. Only an array that holds an infinity pays more than one pass
    of isinf over x.
    """
    infinite = np.isinf(x)
    if not infinite.any():
        return result
    limits: Array = np.where(infinite, np.where(x > 0, above, below), result)
    return limits.astype(np.result_type(result), copy=False)


def negative_where_zero(result: Array, negative: npt.NDArray[np.bool_]) -> Array:
    """``result``, with -0.0 where it is 0 and ``negative`` says the true value is negative
    there: a tail too small for a float, whose sum of underflowed terms gave +0."""
    signed: Array = np.where((result == 0) & negative, -0.0, result)  # result's dtype: -0.0 is weak
    return signed
