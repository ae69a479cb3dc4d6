"""Float32 kernels of the self-gated family (service.numerics.families.gated).

vmath.exp saturates at e^-708 and e^709 instead of reaching 0 or overflowing; a gate built on
it is then about 1e-308 where it should be smaller, and times any float32 x, at most 3.4e38,
that is still far below float32's least subnormal: the 0 it should be.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.numerics.families.sigmoidal import HARD_SIGMOID_SHAPES
from service.numerics.float32 import vmath
from service.numerics.float32.kernel import Kernel
from service.numerics.float32.vmath import inline

__all__ = ["KERNELS", "gate_slope", "silu", "silu_derivative"]

# hard_swish is x hard_sigmoid(x) with PyTorch's hard sigmoid, clip((x + 3)/6, 0, 1).
_SHIFT, _WIDTH = HARD_SIGMOID_SHAPES["torch"]


@inline
def silu(x, p):
    (beta,) = p
    # x / (1 + e^-u): vmath.sigmoid's |u| and select keep float64's subnormal tail, which a
    # float32 result has no use for (see above).
    return x / (1.0 + vmath.exp(-(beta * x)))


@inline
def gate_slope(v, x_dv):
    """d/dx x sigma(v(x)) = sigma(v) (1 + x v' sigma(-v)), given v and x v'.

    Written over (1 + e)^2, e = e^-|v|. Below 0 the bracket is (1 + x v') + e, whose root
    (silu's at u = -1.28, tanh-GELU's at x = -0.75) then carries the roundings of x v' and e
    alone: 1 + x v' is exact there.
    """
    e = vmath.exp(-abs(v))
    reciprocal = 1.0 / (1.0 + e)
    bracket = e * ((1.0 + x_dv) + e) if v < 0 else (1.0 + e) + x_dv * e
    return bracket * (reciprocal * reciprocal)


@inline
def silu_derivative(x, p):
    (beta,) = p
    u = beta * x
    return gate_slope(u, u)  # v = u = beta x, so x v' = u


@inline
def hard_swish(x, _):
    return x * (min(max(x + _SHIFT, 0.0), _WIDTH) * (1.0 / _WIDTH))


@inline
def hard_swish_derivative(x, _):
    # At +-3 the middle piece's slopes, 3/2 and -1/2, as PyTorch has them.
    middle = (2.0 * x + _SHIFT) * (1.0 / _WIDTH)
    return 1.0 if x > _SHIFT else (middle if x >= -_SHIFT else 0.0)


@inline
def mish(x, _):
    # tanh(softplus x) = E(E + 2) / (E(E + 2) + 2) with E = e^x, written in e = e^-|x| <= 1.
    e = vmath.exp(-abs(x))
    positive = x > 0
    numerator = 1.0 + 2.0 * e if positive else e * (e + 2.0)
    denominator = numerator + (2.0 * (e * e) if positive else 2.0)
    return x * numerator / denominator


@inline
def mish_derivative(x, _):
    e = vmath.exp(-abs(x))
    # x > 0, with mish's n / d in e = e^-x: (n d + 4 x e^2 (1 + e)) / d^2, every term positive.
    n = 1.0 + 2.0 * e
    d = n + 2.0 * (e * e)
    positive = n * d + 4.0 * x * (e * e) * (1.0 + e)
    # x <= 0, in E = e^x = e: E (4 (1 + x) + E (6 + 4x + E (4 + E))) / (2 + E (2 + E))^2, the
    # numpy path's E ((u + 1)(u^2 + 1) + 4 x u) / (u^2 + 1)^2, u = 1 + E, in powers of E. Its
    # root at x = -1.19 then sets terms near 0.8 against each other rather than near 6, and
    # 1 + x and 6 + 4x are exact.
    negative = e * (4.0 * (1.0 + x) + e * ((6.0 + 4.0 * x) + e * (4.0 + e)))
    negative_d = 2.0 + e * (2.0 + e)
    top, bottom = (positive, d) if x > 0 else (negative, negative_d)
    return top / (bottom * bottom)


KERNELS: Mapping[str, tuple[Kernel, ...]] = {
    "silu": (Kernel(silu, silu_derivative, parameters=("beta",)),),
    "hard_swish": (Kernel(hard_swish, hard_swish_derivative),),
    "mish": (Kernel(mish, mish_derivative),),
}
