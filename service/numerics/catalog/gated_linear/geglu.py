"""geglu: a gelu(b), the gated linear unit with a GELU gate (exact, tanh or sigmoid form)."""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy.special import ndtr

from service.numerics.catalog.entry import AXIS, Activation, Equivalent, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation
from service.numerics.catalog.gated_linear._halves import SPLIT, WIDTH, gated, gated_vjp, halves
from service.numerics.catalog.gated_linear._rows import gated_rows
from service.numerics.catalog.references import SHAZEER
from service.numerics.catalog.self_gated.silu import (
    silu_at,
    silu_at64,
    silu_derivative_at,
    silu_derivative_at64,
)
from service.numerics.catalog.smooth.gelu import (
    QUICK_GELU_BETA,
    SLOPE_LIMITS,
    VALUE_LIMITS,
    gelu,
    gelu_at,
    gelu_at64,
    gelu_both_at64,
    gelu_derivative,
    gelu_derivative_at,
    gelu_derivative_at64,
    tanh_gelu_at,
    tanh_gelu_at64,
    tanh_gelu_derivative_at,
    tanh_gelu_derivative_at64,
)
from service.numerics.compiled import along_halves, inline, vmath
from service.numerics.types import REAL_LINE, Array


def geglu(x: Array, axis: int = -1, approximate: str = "none") -> Array:
    """a gelu(b), with (a, b) the halves of x along axis."""
    a, b = halves(x, axis)
    return gated(a, b, gelu(b, approximate), _LIMITS)


def geglu_vjp(x: Array, grad_output: Array, axis: int = -1, approximate: str = "none") -> Array:
    a, b = halves(x, axis)
    slope = gelu_derivative(b, approximate)
    return gated_vjp(a, b, grad_output, gelu(b, approximate), slope, _LIMITS, axis)


# One tail of the gates is not tiny enough: vmath.normal_cdf_pdf takes Phi(x) for 0 below
# x = -vmath.NORMAL_TAIL (-15.5), where x Phi(x) is below float32's range but a x Phi(x) is
# not (a = 1e30, x = -16: -1e-26). So below it Phi comes from its asymptotic series here, for
# the few pairs that reach so far.
NORMAL_CAP = 27.0  # |g a x phi(x)| < 1e-80 past it, for float32 g and a

# Phi(-y) y / phi(y) = sum_k (-1)^k (2k - 1)!! / y^(2k), Laplace's asymptotic series: twelve
# terms are good to float64's last bit from y = 15.5 out. Highest power first, for Horner.
_MILLS_SERIES = tuple(float((-1) ** k * math.prod(range(1, 2 * k, 2))) for k in range(11, -1, -1))


@inline
def _far_normal_cdf_pdf(x: float) -> tuple[float, float]:
    """(Phi(x), phi(x)) for -NORMAL_CAP <= x <= -15.5, Phi from its asymptotic series."""
    inverse = -1.0 / x
    w = inverse * inverse
    series = 0.0
    for c in numba.literal_unroll(_MILLS_SERIES):
        series = series * w + c
    pdf = vmath.normal_pdf(x)
    return pdf * inverse * series, pdf


@inline
def _far_gelu_at(b: float, _: tuple[()]) -> float:
    return b * _far_normal_cdf_pdf(max(b, -NORMAL_CAP))[0]


@inline
def _far_gelu_derivative_at(b: float, _: tuple[()]) -> float:
    near = max(b, -NORMAL_CAP)
    cdf, pdf = _far_normal_cdf_pdf(near)
    return cdf + near * pdf


# geglu's rows for each of its `approximate` choices; every form has gelu's limits.
_LIMITS = (VALUE_LIMITS, SLOPE_LIMITS)
_ROWS = {
    "none": gated_rows(
        gelu_at,
        gelu_derivative_at,
        far=(-vmath.NORMAL_TAIL, _far_gelu_at, _far_gelu_derivative_at),
        limits=_LIMITS,
    ),
    "tanh": gated_rows(tanh_gelu_at, tanh_gelu_derivative_at, limits=_LIMITS),
    "sigmoid": gated_rows(silu_at, silu_derivative_at, (QUICK_GELU_BETA,), limits=_LIMITS),
}
# For float64, on gelu's float64 kernels (vmath64's Phi reaches its whole tail).
_ROWS64 = {
    "none": gated_rows(gelu_at64, gelu_derivative_at64, both=gelu_both_at64, limits=_LIMITS),
    "tanh": gated_rows(tanh_gelu_at64, tanh_gelu_derivative_at64, limits=_LIMITS),
    "sigmoid": gated_rows(silu_at64, silu_derivative_at64, (QUICK_GELU_BETA,), limits=_LIMITS),
}


ACTIVATION = Activation(
    name="geglu",
    formula=rf"f(x) = a \odot \operatorname{{gelu}}(b),\quad {SPLIT}",
    forward=geglu,
    derivative_formula=(
        r"\nabla_x = \left(g \odot \operatorname{gelu}(b),\ g \odot a \odot \operatorname{gelu}'(b)\right)"
    ),
    vjp=geglu_vjp,
    halves_axis=True,
    kernels=tuple(
        along_halves(
            value,
            vjp,
            {"approximate": approximate},
            value64=_ROWS64[approximate][0],
            vjp64=_ROWS64[approximate][1],
        )
        for approximate, (value, vjp) in _ROWS.items()
    ),
    parameters=(
        AXIS,
        Parameter(
            "approximate",
            "none",
            "gelu's form: 'none' (exact), 'tanh' or 'sigmoid', as for the gelu entry.",
            choices=("none", "tanh", "sigmoid"),
        ),
    ),
    follows="PyTorch's glu: the gate is the second half (no library has it as one function)",
    equivalents=(
        Equivalent(
            "torch",
            "a, b = x.chunk(2, dim=-1); a * torch.nn.functional.gelu(b)",
            "a composition; models often gate the first half instead",
        ),
        Equivalent(
            "jax",
            "a, b = jax.numpy.split(x, 2, axis=-1); a * jax.nn.gelu(b, approximate=False)",
            "a composition",
        ),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=REAL_LINE,
        cost=lambda axis, approximate: "erf" if approximate == "none" else "exp",
        initialisation=Initialisation(None),
        identities=(
            Identity(
                r"\operatorname{geglu}([a, b]) = a \odot b\,\Phi(b)",
                geglu,
                lambda x: np.prod(halves(x, -1), axis=0) * ndtr(halves(x, -1)[1]),
                width=WIDTH,
            ),
        ),
        references=(SHAZEER,),
    ),
)
