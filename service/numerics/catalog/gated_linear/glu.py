"""glu: a sigma(b), the halves a, b of x along an axis, the gate being the second half."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import AXIS, Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.gated_linear._halves import SPLIT, WIDTH, gated, gated_vjp, halves
from service.numerics.catalog.gated_linear._rows import gated_rows
from service.numerics.catalog.sigmoidal.sigmoid import (
    sigmoid,
    sigmoid_and_slope_at,
    sigmoid_at,
    sigmoid_at64,
    sigmoid_derivative,
    sigmoid_derivative_at,
    sigmoid_derivative_at64,
)
from service.numerics.compiled import along_halves
from service.numerics.types import REAL_LINE, Array


def glu(x: Array, axis: int = -1) -> Array:
    """a sigma(b), with (a, b) the halves of x along axis."""
    a, b = halves(x, axis)
    return gated(a, b, sigmoid(b), _LIMITS)


def glu_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    a, b = halves(x, axis)
    return gated_vjp(a, b, grad_output, sigmoid(b), sigmoid_derivative(b), _LIMITS, axis)


# sigma and sigma' at b = -inf and +inf.
_LIMITS = ({"below": 0.0, "above": 1.0}, {"below": 0.0, "above": 0.0})
glu_row, glu_vjp_row = gated_rows(
    sigmoid_at, sigmoid_derivative_at, limits=_LIMITS, both=sigmoid_and_slope_at
)
glu_row64, glu_vjp_row64 = gated_rows(sigmoid_at64, sigmoid_derivative_at64, limits=_LIMITS)


ACTIVATION = Activation(
    name="glu",
    formula=rf"f(x) = a \odot \sigma(b),\quad {SPLIT}",
    forward=glu,
    derivative_formula=r"\nabla_x = \left(g \odot \sigma(b),\ g \odot a \odot \sigma'(b)\right)",
    vjp=glu_vjp,
    halves_axis=True,
    kernels=(along_halves(glu_row, glu_vjp_row, {}, value64=glu_row64, vjp64=glu_vjp_row64),),
    parameters=(AXIS,),
    follows="PyTorch (the gate is the second half)",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.glu(x, dim=-1)"),
        Equivalent("keras", "keras.activations.glu(x, axis=-1)"),
        Equivalent("jax", "jax.nn.glu(x, axis=-1)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=REAL_LINE,
        cost="exp",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"\operatorname{glu}([a, b]) = a\,\frac{1 + \tanh(b/2)}{2}",
                glu,
                lambda x: halves(x, -1)[0] * (1 + np.tanh(halves(x, -1)[1] / 2)) / 2,
                width=WIDTH,
            ),
        ),
        references=(
            Reference(
                "Dauphin, Fan, Auli & Grangier",
                "Language Modeling with Gated Convolutional Networks",
                "ICML",
                2017,
                "https://arxiv.org/abs/1612.08083",
            ),
        ),
    ),
)
