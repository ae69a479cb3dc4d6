"""Float32 kernels of the smooth family (service.numerics.families.smooth).

vmath.exp saturates at e^-708 and e^709: the tails it gives are then about 1e-308 where they
should be smaller, and times any float32 x, at most 3.4e38, that is still far below
float32's least subnormal: the 0 it should be. vmath.normal_cdf_pdf gives Phi = 0 below
x = -15.5 for the same reason: there x Phi(x) and x phi(x) are below it too.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.numerics.families.smooth import QUICK_GELU_BETA, SQRT_8_OVER_PI, TANH_CUBIC
from service.numerics.float32 import vmath
from service.numerics.float32.gated import gate_slope, silu, silu_derivative
from service.numerics.float32.kernel import Kernel
from service.numerics.float32.vmath import inline

__all__ = ["KERNELS"]

# GELU's tanh form is x sigma(v), v = x (LINEAR + CUBIC x^2), so x v' = x (LINEAR + 3 CUBIC x^2).
_LINEAR = float(SQRT_8_OVER_PI)
_CUBIC = float(SQRT_8_OVER_PI * TANH_CUBIC)
_QUICK_GELU = (QUICK_GELU_BETA,)  # silu's parameters


@inline
def softplus(x, p):
    (beta, threshold) = p
    u = x * beta
    # Past the threshold x itself, as PyTorch has it; u is finite for any float32 x.
    return x if u > threshold else vmath.softplus(u) * (1.0 / beta)


@inline
def softplus_derivative(x, p):
    (beta, threshold) = p
    u = x * beta
    return 1.0 if u > threshold else 1.0 / (1.0 + vmath.exp(-u))  # sigma(u), as silu has it


@inline
def gelu(x, _):
    return x * vmath.normal_cdf(x)


@inline
def gelu_derivative(x, _):
    cdf, pdf = vmath.normal_cdf_pdf(x)
    return cdf + x * pdf


@inline
def tanh_gelu(x, _):
    square = x * x  # exact: x has float32's 24 bits
    return x / (1.0 + vmath.exp(-x * (_LINEAR + _CUBIC * square)))  # x sigma(v), as silu has it


@inline
def tanh_gelu_derivative(x, _):
    square = x * x
    v = x * (_LINEAR + _CUBIC * square)
    return gate_slope(v, x * (_LINEAR + 3.0 * _CUBIC * square))


@inline
def quick_gelu(x, _):
    return silu(x, _QUICK_GELU)


@inline
def quick_gelu_derivative(x, _):
    return silu_derivative(x, _QUICK_GELU)


KERNELS: Mapping[str, tuple[Kernel, ...]] = {
    "softplus": (Kernel(softplus, softplus_derivative, parameters=("beta", "threshold")),),
    "gelu": (
        Kernel(gelu, gelu_derivative, variant={"approximate": "none"}),
        Kernel(tanh_gelu, tanh_gelu_derivative, variant={"approximate": "tanh"}),
        Kernel(quick_gelu, quick_gelu_derivative, variant={"approximate": "sigmoid"}),
    ),
}
