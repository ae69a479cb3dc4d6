"""gaussian: exp(-x^2), the radial bump of coordinate MLPs."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.compiled import Kernel, inline, vmath, vmath64
from service.numerics.compiled.vmath64.dd import add, rounded_product, two_product
from service.numerics.types import Array, Interval

_GAUSS_CLIP = 40.0  # exp(-1600) is 0 in float64: clipping there keeps x^2 finite in f''


def gaussian(x: Array) -> Array:
    """exp(-x^2)."""
    return np.exp(-np.square(x))


def gaussian_derivative(x: Array) -> Array:
    near = np.clip(x, -_GAUSS_CLIP, _GAUSS_CLIP)
    return -2 * near * np.exp(-np.square(near))


def gaussian_second_derivative(x: Array) -> Array:
    near = np.clip(x, -_GAUSS_CLIP, _GAUSS_CLIP)
    square = np.square(near)
    return (4 * square - 2) * np.exp(-square)


@inline
def gaussian_at(x: float, _: tuple[()]) -> float:
    return vmath.exp(-(x * x))  # x^2 is exact for a float32 x


@inline
def gaussian_derivative_at(x: float, _: tuple[()]) -> float:
    # Where exp(-x^2) saturates at e^-708, 2x times it is still far below float32's least
    # subnormal: the 0 it should be.
    return -2.0 * x * vmath.exp(-(x * x))


# For float64, e^-x^2 of x^2 carried exactly: exp(-(s + s_lo)) = exp(-s) (1 - s_lo), as a
# pair within 0.32 u; x is clipped at 40, where it is 0 already.
@inline
def _gauss_at64(x: float) -> tuple[float, float, float, float, float]:
    """(x clipped, x^2 as a pair, e^-x^2 as a pair)."""
    near = min(max(x, -_GAUSS_CLIP), _GAUSS_CLIP)
    square, square_lo = two_product(near, near)
    e, e_lo = vmath64.exp_pair(-square)
    return near, square, square_lo, e, e_lo - e * square_lo


@inline
def gaussian_at64(x: float, _: tuple[()]) -> float:
    _near, _square, _square_lo, e, e_lo = _gauss_at64(x)
    return e + e_lo


@inline
def gaussian_derivative_at64(x: float, _: tuple[()]) -> float:
    near, _square, _square_lo, e, e_lo = _gauss_at64(x)
    return rounded_product(-2.0 * near, 0.0, e, e_lo)


@inline
def gaussian_second_derivative_at(x: float, _: tuple[()]) -> float:
    _near, square, square_lo, e, e_lo = _gauss_at64(x)
    factor, factor_lo = add(4.0 * square, 4.0 * square_lo, -2.0, 0.0)
    return rounded_product(factor, factor_lo, e, e_lo)


ACTIVATION = Activation(
    name="gaussian",
    formula=r"f(x) = e^{-x^2}",
    forward=gaussian,
    derivative_formula=r"f'(x) = -2x\,e^{-x^2}",
    derivative=gaussian_derivative,
    second_derivative_formula=r"f''(x) = (4x^2 - 2)\,e^{-x^2}",
    second_derivative=gaussian_second_derivative,
    kernels=(
        Kernel(
            gaussian_at,
            gaussian_derivative_at,
            value64=gaussian_at64,
            derivative64=gaussian_derivative_at64,
            second_derivative64=gaussian_second_derivative_at,
        ),
    ),
    follows="the paper, with unit width (no library has it as an activation)",
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(0.0, 1.0, False, True),
        cost="exp",
        initialisation=Initialisation(None),
        identities=(
            Identity(r"f'(x) = -2x\,f(x)", gaussian_derivative, lambda x: -2 * x * gaussian(x)),
            Identity(
                r"f(x)^2 = f(\sqrt{2}\,x)",
                lambda x: np.square(gaussian(x)),
                lambda x: gaussian(np.sqrt(2) * x),
            ),
        ),
        references=(
            Reference(
                "Ramasinghe & Lucey",
                "Beyond Periodicity: Towards a Unifying Framework for Activations in"
                " Coordinate-MLPs",
                "ECCV",
                2022,
                "https://arxiv.org/abs/2111.15135",
            ),
        ),
    ),
)
