"""softmin: softmax(-x), a distribution weighted towards the smallest x; PyTorch's Softmin."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import AXIS, Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation
from service.numerics.catalog.normalizing._facts import PROBABILITY, WIDTH, sums_to_one
from service.numerics.catalog.normalizing._rows import exponentials64
from service.numerics.catalog.normalizing.softmax import softmax, softmax_rows, softmax_vjp
from service.numerics.compiled import along_axis, vmath64
from service.numerics.types import Array


def softmin(x: Array, axis: int = -1) -> Array:
    """softmax(-x)."""
    return softmax(-x, axis)


def softmin_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    return -softmax_vjp(-x, grad_output, axis)


softmin_row, softmin_vjp_row = softmax_rows(-1.0)
softmin_row64, softmin_vjp_row64 = softmax_rows(
    -1.0, vmath64.exp, value_exponentials=exponentials64
)


ACTIVATION = Activation(
    name="softmin",
    formula=r"f(x)_i = \frac{e^{-x_i}}{\sum_j e^{-x_j}}",
    forward=softmin,
    derivative_formula=r"\nabla_x = -s \odot (g - \langle g, s \rangle),\quad s = f(x)",
    vjp=softmin_vjp,
    kernels=(
        along_axis(softmin_row, softmin_vjp_row, value64=softmin_row64, vjp64=softmin_vjp_row64),
    ),
    parameters=(AXIS,),
    follows="PyTorch, with axis -1 by default (PyTorch's dim has none)",
    equivalents=(Equivalent("torch", "torch.nn.functional.softmin(x, dim=-1)"),),
    facts=Facts(
        continuity=SMOOTH,
        range=PROBABILITY,
        cost="exp",
        initialisation=Initialisation(None),
        identities=(
            sums_to_one(softmin),
            Identity(
                r"f(x)_i = \frac{e^{-x_i}}{\sum_j e^{-x_j}}",
                softmin,
                lambda x: np.exp(-x) / np.sum(np.exp(-x), axis=-1, keepdims=True),
                width=WIDTH,
            ),
        ),
    ),
)
