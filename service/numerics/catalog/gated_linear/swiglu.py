"""swiglu: a silu(b), the gated linear unit with a silu gate of the GLU-variant transformers."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import AXIS, Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation
from service.numerics.catalog.gated_linear._halves import SPLIT, WIDTH, gated, gated_vjp, halves
from service.numerics.catalog.gated_linear._rows import gated_rows
from service.numerics.catalog.gated_linear.glu import glu
from service.numerics.catalog.references import SHAZEER
from service.numerics.catalog.self_gated.silu import (
    silu,
    silu_at,
    silu_at64,
    silu_derivative,
    silu_derivative_at,
    silu_derivative_at64,
)
from service.numerics.compiled import along_halves
from service.numerics.types import REAL_LINE, Array


def swiglu(x: Array, axis: int = -1) -> Array:
    """a silu(b) = a b sigma(b), with (a, b) the halves of x along axis."""
    a, b = halves(x, axis)
    return gated(a, b, silu(b), _LIMITS)


def swiglu_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    a, b = halves(x, axis)
    return gated_vjp(a, b, grad_output, silu(b), silu_derivative(b), _LIMITS, axis)


# silu and silu' at b = -inf and +inf.
_LIMITS = ({"below": -0.0, "above": math.inf}, {"below": -0.0, "above": 1.0})
swiglu_row, swiglu_vjp_row = gated_rows(silu_at, silu_derivative_at, (1.0,), limits=_LIMITS)
swiglu_row64, swiglu_vjp_row64 = gated_rows(silu_at64, silu_derivative_at64, (1.0,), limits=_LIMITS)


ACTIVATION = Activation(
    name="swiglu",
    formula=rf"f(x) = a \odot \operatorname{{silu}}(b),\quad {SPLIT}",
    forward=swiglu,
    derivative_formula=(
        r"\nabla_x = \left(g \odot \operatorname{silu}(b),\ g \odot a \odot \operatorname{silu}'(b)\right)"
    ),
    vjp=swiglu_vjp,
    halves_axis=True,
    kernels=(
        along_halves(swiglu_row, swiglu_vjp_row, {}, value64=swiglu_row64, vjp64=swiglu_vjp_row64),
    ),
    parameters=(AXIS,),
    follows="PyTorch's glu: the gate is the second half (no library has it as one function)",
    equivalents=(
        Equivalent(
            "torch",
            "a, b = x.chunk(2, dim=-1); a * torch.nn.functional.silu(b)",
            "a composition; models often gate the first half instead",
        ),
        Equivalent(
            "jax", "a, b = jax.numpy.split(x, 2, axis=-1); a * jax.nn.silu(b)", "a composition"
        ),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=REAL_LINE,
        cost="exp",
        initialisation=Initialisation(None),
        identities=(
            Identity(
                r"\operatorname{swiglu}([a, b]) = \operatorname{glu}([a \odot b, b])",
                swiglu,
                lambda x: glu(
                    np.concatenate((np.prod(halves(x, -1), axis=0), halves(x, -1)[1]), -1)
                ),
                width=WIDTH,
            ),
        ),
        references=(SHAZEER,),
    ),
)
