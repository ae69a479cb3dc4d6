"""hard_swish: x relu6(x + 3) / 6, silu's piecewise-polynomial stand-in of MobileNetV3."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import Facts, Identity, Initialisation
from service.numerics.catalog.limits import at_infinity
from service.numerics.catalog.rectifiers.relu6 import relu6
from service.numerics.catalog.references import HOWARD_MOBILENETV3
from service.numerics.catalog.sigmoidal.hard_sigmoid import SHAPES, hard_sigmoid
from service.numerics.compiled import Kernel, inline, vmath32
from service.numerics.types import Array, Interval

# hard_swish is x hard_sigmoid(x) with PyTorch's hard sigmoid, clip((x + 3)/6, 0, 1).
_SHIFT, _WIDTH = SHAPES["torch"]
_FLOAT32_MAX = np.float32(np.finfo(np.float32).max)
# f at -inf and +inf: -inf * 0 is NaN; the limit is the -0.0 that x * 0 gives below -3.
_VALUE_LIMITS = {"below": -0.0, "above": math.inf}


def hard_swish(x: Array) -> Array:
    """x relu6(x + 3) / 6."""
    return at_infinity(x, x * (np.clip(x + 3, 0, 6) / 6), **_VALUE_LIMITS)


def hard_swish_derivative(x: Array) -> Array:
    # The maximum keeps 2x finite below -9e307, where 0 * -inf would be NaN.
    return np.where(x > 3, 1.0, (x >= -3) * ((2 * np.maximum(x, -3) + 3) / 6))


def hard_swish_second_derivative(x: Array) -> Array:
    return ((x > -3) & (x < 3)) * (1 / 3)


@inline
def hard_swish_at32(x: float, _: tuple[()]) -> float:
    """x (x + 3)/6 between -3 and 3 (x above, -0 or 0 below), in float32 arithmetic.

    x times hard_sigmoid's value H = vmath32.ramp (x clamped to [-3, 3], 1/6 split in two),
    rounded once: H is within 0.5 ULP + 5 u^2 of h = (x + 3)/6, i.e. u/m + 5 u^2 relative for
    h's significand m in [1, 2), and x H within m' / (2 m) + 5 u ULP of x h, m' being x h's
    significand: m' / m is x's, or half of it, below 2. So fl(x H) is within 1.5 ULP + 2^-21
    of x h, inside the contract's 2, and within an ULP of the numpy path's float64 rounded
    (0.5 ULP + 2^-52 relative from x h) but where that lies within 2^-20 ULP of a tie.
    Past 3, H = 1 and the result is x exactly; from -3 down H = +0 and x H is -0, as
    hard_swish_at64 has it (x clamped to -FLT_MAX first, so that -inf gives that limit, not
    -inf times 0). Below |x| = 2^-125, where x H is subnormal, one rounding on the
    subnormals' grid.
    """
    y = np.float32(x)
    hi, lo = vmath32.split(1.0 / _WIDTH)
    gate = vmath32.ramp(y, np.float32(_SHIFT), hi, lo)
    return float(max(y, -_FLOAT32_MAX) * gate)


@inline
def hard_swish_derivative_at(x: float, _: tuple[()]) -> float:
    # At +-3 the middle piece's slopes, 3/2 and -1/2, as PyTorch has them.
    middle = (2.0 * x + _SHIFT) * (1.0 / _WIDTH)
    return 1.0 if x > _SHIFT else (middle if x >= -_SHIFT else 0.0)


# For float64, the numpy path's divisions by 6 rather than products with a rounded 1/6; 2x may
# overflow past 9e307, but only where the other piece is taken.
@inline
def hard_swish_at64(x: float, _: tuple[()]) -> float:
    return x * (min(max(x + _SHIFT, 0.0), _WIDTH) / _WIDTH)


@inline
def hard_swish_derivative_at64(x: float, _: tuple[()]) -> float:
    middle = (2.0 * x + _SHIFT) / _WIDTH
    return 1.0 if x > _SHIFT else (middle if x >= -_SHIFT else 0.0)


@inline
def hard_swish_second_derivative_at(x: float, _: tuple[()]) -> float:
    return 1.0 / 3.0 if -_SHIFT < x < _SHIFT else 0.0


ACTIVATION = Activation(
    name="hard_swish",
    aliases=("hard_silu", "hardswish"),
    formula=r"f(x) = x\,\frac{\min(\max(x + 3, 0), 6)}{6}",
    forward=hard_swish,
    derivative_formula=(
        r"f'(x) = \begin{cases} 0 & x < -3 \\ (2x + 3)/6 & -3 \le x \le 3 \\ 1 & x > 3 \end{cases}"
    ),
    derivative=hard_swish_derivative,
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 1/3 & |x| < 3 \\ 0 & \text{otherwise} \end{cases}"
    ),
    second_derivative=hard_swish_second_derivative,
    kernels=(
        Kernel(
            hard_swish_at32,
            hard_swish_derivative_at,
            value64=hard_swish_at64,
            derivative64=hard_swish_derivative_at64,
            second_derivative64=hard_swish_second_derivative_at,
        ),
    ),
    kink="f'(-3) = -1/2 and f'(3) = 3/2 (the middle piece's slopes), f''(+-3) = 0, as in PyTorch.",
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.hardswish(x)"),
        Equivalent(
            "keras",
            "keras.activations.hard_silu(x)",
            "also hard_swish; autodiff gives f'(-3) = 0 and f'(3) = 1 on most backends",
        ),
        Equivalent(
            "jax",
            "jax.nn.hard_silu(x)",
            "also hard_swish; autodiff of relu6 gives f'(-3) = 0 and f'(3) = 1",
        ),
    ),
    facts=Facts(
        continuity=0,
        range=Interval(-0.375, math.inf, True, False),
        kinks=(-3.0, 3.0),
        cost="polynomial",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"f(x) = x\,\operatorname{hard\_sigmoid}(x)",
                hard_swish,
                lambda x: x * hard_sigmoid(x),
            ),
            Identity(
                r"f(x) = x\,\operatorname{relu6}(x + 3) / 6",
                hard_swish,
                lambda x: x * (relu6(x + 3) / 6),
            ),
        ),
        references=(HOWARD_MOBILENETV3,),
    ),
)
