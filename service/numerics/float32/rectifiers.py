"""Float32 kernels of the rectifiers family (service.numerics.families.rectifiers).

The formulas are the numpy path's, with its zeros and their signs: numba's min and max return
their first argument on a tie (-0.0 against 0.0), numpy's minimum and maximum their second,
so np.maximum(x, 0) is max(0.0, x) here, while np.clip, which keeps x on a tie, is
min(max(x, low), high). Where the numpy path selects by arithmetic (activation.select) for
speed, the kernel takes the conditional expression that select stands for, which vectorises
as well: as select says, the two may differ in the sign of a zero result, nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.numerics.families.rectifiers import SELU_SCALE, SELU_SCALE_ALPHA
from service.numerics.float32 import vmath
from service.numerics.float32.kernel import Kernel
from service.numerics.float32.vmath import inline

__all__ = ["KERNELS"]


@inline
def relu(x, p):
    negative_slope, max_value, threshold = p
    if negative_slope == 0.0 and threshold == 0.0:
        # numpy's clip, as the numpy path has it: +0.0 for x < 0, where 0 (x - 0) is -0.0.
        return min(max(x, 0.0), max_value)
    return min(max_value, x) if x > threshold else negative_slope * (x - threshold)


@inline
def relu_derivative(x, p):
    negative_slope, max_value, threshold = p
    inside = 1.0 if threshold < x <= max_value else 0.0
    if negative_slope == 0.0:
        return inside  # +0.0 below the threshold even for a negative_slope of -0.0
    return inside if x > threshold else negative_slope


@inline
def relu6(x, _):
    return min(max(x, 0.0), 6.0)


@inline
def relu6_derivative(x, _):
    return 1.0 if 0.0 < x < 6.0 else 0.0


@inline
def leaky_relu(x, p):
    (negative_slope,) = p
    return max(0.0, x) + negative_slope * min(0.0, x)  # one of the two terms is an exact 0


@inline
def leaky_relu_derivative(x, p):
    (negative_slope,) = p
    return 1.0 if x > 0 else negative_slope


@inline
def rrelu(x, p):
    lower, upper = p
    return x if x > 0 else x * ((lower + upper) / 2)


@inline
def rrelu_derivative(x, p):
    lower, upper = p
    return 1.0 if x > 0 else (lower + upper) / 2


@inline
def threshold(x, p):
    threshold, value = p
    return x if x > threshold else value


@inline
def threshold_derivative(x, p):
    threshold, _value = p
    return 1.0 if x > threshold else 0.0


@inline
def hardtanh(x, p):
    min_val, max_val = p
    return min(max(x, min_val), max_val)  # max_val throughout if max_val < min_val, as np.clip


@inline
def hardtanh_derivative(x, p):
    min_val, max_val = p
    return 1.0 if min_val < x < max_val else 0.0


@inline
def elu(x, p):
    (alpha,) = p
    # One term is an exact 0, and expm1 keeps relative accuracy near 0.
    return max(0.0, x) + alpha * vmath.expm1(min(0.0, x))


@inline
def elu_derivative(x, p):
    (alpha,) = p
    return 1.0 if x > 0 else alpha * vmath.exp(x)  # vmath.exp saturates: no overflow for x > 0


@inline
def selu(x, _):
    return max(0.0, x) * SELU_SCALE + SELU_SCALE_ALPHA * vmath.expm1(min(0.0, x))


@inline
def selu_derivative(x, _):
    return SELU_SCALE if x > 0 else SELU_SCALE_ALPHA * vmath.exp(x)


@inline
def celu(x, p):
    (alpha,) = p
    # x * (1/alpha) for numpy's x / alpha: the reciprocal leaves the loop, and the two differ
    # by an ULP of float64, far below float32's (the tests hold the result to 1 float32 ULP).
    return max(0.0, x) + alpha * vmath.expm1(min(0.0, x) * (1.0 / alpha))


@inline
def celu_derivative(x, p):
    (alpha,) = p
    return vmath.exp(min(0.0, x) * (1.0 / alpha))  # exactly 1 for x >= 0


@inline
def relu_squared(x, _):
    positive = max(0.0, x)
    return positive * positive


@inline
def relu_squared_derivative(x, _):
    return 2.0 * max(0.0, x)


KERNELS: Mapping[str, tuple[Kernel, ...]] = {
    "relu": (
        Kernel(relu, relu_derivative, parameters=("negative_slope", "max_value", "threshold")),
    ),
    "relu6": (Kernel(relu6, relu6_derivative),),
    "leaky_relu": (Kernel(leaky_relu, leaky_relu_derivative, parameters=("negative_slope",)),),
    # PReLU is leaky_relu with a fixed weight for its slope, as in the numpy path.
    "prelu": (Kernel(leaky_relu, leaky_relu_derivative, parameters=("weight",)),),
    # In training the slopes are drawn per element: that stays on the numpy path.
    "rrelu": (
        Kernel(
            rrelu,
            rrelu_derivative,
            parameters=("lower", "upper"),
            variant={"training": False},
            unused=("seed",),
        ),
    ),
    "threshold": (Kernel(threshold, threshold_derivative, parameters=("threshold", "value")),),
    "hardtanh": (Kernel(hardtanh, hardtanh_derivative, parameters=("min_val", "max_val")),),
    "elu": (Kernel(elu, elu_derivative, parameters=("alpha",)),),
    "selu": (Kernel(selu, selu_derivative),),
    "celu": (Kernel(celu, celu_derivative, parameters=("alpha",)),),
    "relu_squared": (Kernel(relu_squared, relu_squared_derivative),),
}
