"""Elementary functions for float64 results, each within about an ULP, so that a kernel built
of a few of them stays within the catalog's 4 max(1, kappa) ULP.

vmath's functions are good to 1e-14 relative, plenty for a float32 result rounded once, not
for a float64 one: a composition of three of them could be off by hundreds of ULP. These are
written for float64 results (the methods of fdlibm, Sleef and CORE-MATH's fast paths:
Cody-Waite reduction, minimax polynomials that only correct a leading term computed exactly,
and the rounding errors of that leading term carried in a second word, see ``dd``):

    exp, expm1, tanh          exponential    within 0.82, 1.1, 1.1 ULP
    log1p                     logarithm      within 0.55 ULP
    sin, cos, atan            trigonometric  within 0.8, 0.8, 0.7 ULP (sin, cos NaN past 1.6e6)
    gauss_pair, lower_tail    normal         exp(-y^2/2) and Phi(-y) as pairs (see there)

Most also come unrounded, as a pair hi + lo (``*_pair``), for a kernel that must combine
them before it rounds. Each module's docstring gives the error argument; the tests measure
every one against mpmath over its whole domain. Like vmath's, they call no math library, so
that the loops around them vectorise.
"""

from service.numerics.compiled.vmath64 import dd
from service.numerics.compiled.vmath64.exponential import (
    exp,
    exp_pair,
    exp_parts,
    expm1,
    expm1_pair,
    scale_pair,
    tanh,
    tanh_pair,
)
from service.numerics.compiled.vmath64.logarithm import log1p, log1p_pair
from service.numerics.compiled.vmath64.normal import (
    INV_SQRT_2PI,
    INV_SQRT_2PI_LO,
    gauss_pair,
    lower_tail_pair,
)
from service.numerics.compiled.vmath64.trigonometric import SIN_LIMIT, atan, cos, sin, sin_cos

__all__ = [
    "INV_SQRT_2PI",
    "INV_SQRT_2PI_LO",
    "SIN_LIMIT",
    "atan",
    "cos",
    "dd",
    "exp",
    "exp_pair",
    "exp_parts",
    "expm1",
    "expm1_pair",
    "gauss_pair",
    "log1p",
    "log1p_pair",
    "lower_tail_pair",
    "scale_pair",
    "sin",
    "sin_cos",
    "tanh",
    "tanh_pair",
]
