"""Periodic and radial activations, used in implicit neural representations: sin, snake, gaussian.

Where the phase a x overflows (|a x| > 1.8e308) it has no float64 value, and neither has
sin of it: the result is NaN there.
"""

from __future__ import annotations

import numpy as np

from service.numerics.activation import Activation, Array, Equivalent, Parameter

__all__ = ["ENTRIES"]

_GAUSS_CLIP = 40.0  # exp(-1600) is 0 in float64: clipping there keeps x^2 finite in f''


def _sine_cosine(phase: Array) -> tuple[Array, Array]:
    with np.errstate(invalid="ignore"):  # an overflowed phase: NaN, as the module says
        return np.sin(phase), np.cos(phase)


def snake(x: Array, a: float = 1.0) -> Array:
    """x + sin^2(a x) / a."""
    return x + np.square(_sine_cosine(a * x)[0]) / a


def snake_derivative(x: Array, a: float = 1.0) -> Array:
    # 1 + sin(2 a x) = (sin a x + cos a x)^2: its double roots come out without cancelling
    # against 1, and 2 a x would overflow before a x does.
    sine, cosine = _sine_cosine(a * x)
    return np.square(sine + cosine)


def snake_second_derivative(x: Array, a: float = 1.0) -> Array:
    sine, cosine = _sine_cosine(a * x)
    return 2 * a * (cosine - sine) * (cosine + sine)


def sin(x: Array, w0: float = 1.0) -> Array:
    """sin(w0 x)."""
    return _sine_cosine(w0 * x)[0]


def sin_derivative(x: Array, w0: float = 1.0) -> Array:
    return w0 * _sine_cosine(w0 * x)[1]


def sin_second_derivative(x: Array, w0: float = 1.0) -> Array:
    return -(w0 * w0) * _sine_cosine(w0 * x)[0]


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


SNAKE = Activation(
    name="snake",
    forward=snake,
    derivative=snake_derivative,
    second_derivative=snake_second_derivative,
    formula=r"f(x) = x + \frac{\sin^2(a x)}{a}",
    derivative_formula=r"f'(x) = 1 + \sin(2 a x)",
    second_derivative_formula=r"f''(x) = 2 a \cos(2 a x)",
    parameters=(
        Parameter(
            "a",
            1.0,
            "Frequency a > 0 (learned per channel in the paper; fixed here).",
            minimum=1e-6,
            maximum=1e6,
        ),
    ),
    reference="Liu Ziyin, Hartwig & Ueda, Neural Networks Fail to Learn Periodic Functions and How to Fix It, NeurIPS 2020.",
    family="periodic",
    follows="the paper (PyTorch, Keras and JAX have no such function)",
)

SIN = Activation(
    name="sin",
    forward=sin,
    derivative=sin_derivative,
    second_derivative=sin_second_derivative,
    formula=r"f(x) = \sin(\omega_0 x)",
    derivative_formula=r"f'(x) = \omega_0 \cos(\omega_0 x)",
    second_derivative_formula=r"f''(x) = -\omega_0^2 \sin(\omega_0 x)",
    parameters=(
        Parameter(
            "w0",
            1.0,
            "Frequency omega_0; the SIREN paper uses 30 in its first layer.",
            minimum=-1e6,
            maximum=1e6,
        ),
    ),
    reference="Sitzmann et al., Implicit Neural Representations with Periodic Activation Functions (SIREN), NeurIPS 2020.",
    family="periodic",
    follows="the SIREN paper, with omega_0 = 1 by default (no library has it as an activation)",
    equivalents=(
        Equivalent("torch", "torch.sin(w0 * x)", "a tensor function, not an activation"),
        Equivalent("keras", "keras.ops.sin(w0 * x)", "an op, not an activation"),
        Equivalent("jax", "jax.numpy.sin(w0 * x)", "a numpy function, not an activation"),
    ),
)

GAUSSIAN = Activation(
    name="gaussian",
    forward=gaussian,
    derivative=gaussian_derivative,
    second_derivative=gaussian_second_derivative,
    formula=r"f(x) = e^{-x^2}",
    derivative_formula=r"f'(x) = -2x\,e^{-x^2}",
    second_derivative_formula=r"f''(x) = (4x^2 - 2)\,e^{-x^2}",
    reference="Ramasinghe & Lucey, Beyond Periodicity: Towards a Unifying Framework for Activations in Coordinate-MLPs, ECCV 2022.",
    family="periodic",
    follows="the paper, with unit width (no library has it as an activation)",
)

ENTRIES: tuple[Activation, ...] = (SIN, SNAKE, GAUSSIAN)
