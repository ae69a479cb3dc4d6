"""Gated linear units: x is split in halves a, b along an axis, and a is gated by g(b).

The value a g(b) is half as long as x along that axis; the gradient, a vector-Jacobian
product, is as long as x: (grad g(b), grad a g'(b)), the halves joined again.
"""

from __future__ import annotations

import numpy as np

from service.numerics.activation import Activation, Array, Equivalent, Parameter
from service.numerics.families.gated import silu, silu_derivative
from service.numerics.families.sigmoidal import sigmoid, sigmoid_derivative
from service.numerics.families.smooth import gelu, gelu_derivative

__all__ = ["AXIS", "ENTRIES"]

AXIS = Parameter(
    "axis",
    -1,
    "The axis the function works along (negative counts from the last).",
    minimum=-64,
    maximum=63,
)


def _halves(x: Array, axis: int) -> tuple[Array, Array]:
    a, b = np.split(x, 2, axis=axis)
    return a, b


def glu(x: Array, axis: int = -1) -> Array:
    """a sigma(b), with (a, b) the halves of x along axis."""
    a, b = _halves(x, axis)
    return a * sigmoid(b)


def glu_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    a, b = _halves(x, axis)
    return np.concatenate([grad_output * sigmoid(b), grad_output * a * sigmoid_derivative(b)], axis)


def swiglu(x: Array, axis: int = -1) -> Array:
    """a silu(b) = a b sigma(b), with (a, b) the halves of x along axis."""
    a, b = _halves(x, axis)
    return a * silu(b)


def swiglu_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    a, b = _halves(x, axis)
    return np.concatenate([grad_output * silu(b), grad_output * a * silu_derivative(b)], axis)


def geglu(x: Array, axis: int = -1, approximate: str = "none") -> Array:
    """a gelu(b), with (a, b) the halves of x along axis."""
    a, b = _halves(x, axis)
    return a * gelu(b, approximate)


def geglu_vjp(x: Array, grad_output: Array, axis: int = -1, approximate: str = "none") -> Array:
    a, b = _halves(x, axis)
    return np.concatenate(
        [grad_output * gelu(b, approximate), grad_output * a * gelu_derivative(b, approximate)],
        axis,
    )


_SPLIT = r"(a, b) = \text{halves of } x \text{ along the axis}"

GLU = Activation(
    name="glu",
    forward=glu,
    vjp=glu_vjp,
    halves_axis=True,
    formula=rf"f(x) = a \odot \sigma(b),\quad {_SPLIT}",
    derivative_formula=r"\nabla_x = \left(g \odot \sigma(b),\ g \odot a \odot \sigma'(b)\right)",
    parameters=(AXIS,),
    reference="Dauphin, Fan, Auli & Grangier, Language Modeling with Gated Convolutional Networks, ICML 2017.",
    family="gated-linear",
    follows="PyTorch (the gate is the second half)",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.glu(x, dim=-1)"),
        Equivalent("keras", "keras.activations.glu(x, axis=-1)"),
        Equivalent("jax", "jax.nn.glu(x, axis=-1)"),
    ),
)

SWIGLU = Activation(
    name="swiglu",
    forward=swiglu,
    vjp=swiglu_vjp,
    halves_axis=True,
    formula=rf"f(x) = a \odot \operatorname{{silu}}(b),\quad {_SPLIT}",
    derivative_formula=(
        r"\nabla_x = \left(g \odot \operatorname{silu}(b),\ g \odot a \odot \operatorname{silu}'(b)\right)"
    ),
    parameters=(AXIS,),
    reference="Shazeer, GLU Variants Improve Transformer, arXiv:2002.05202, 2020.",
    family="gated-linear",
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
)

GEGLU = Activation(
    name="geglu",
    forward=geglu,
    vjp=geglu_vjp,
    halves_axis=True,
    formula=rf"f(x) = a \odot \operatorname{{gelu}}(b),\quad {_SPLIT}",
    derivative_formula=(
        r"\nabla_x = \left(g \odot \operatorname{gelu}(b),\ g \odot a \odot \operatorname{gelu}'(b)\right)"
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
    reference="Shazeer, GLU Variants Improve Transformer, arXiv:2002.05202, 2020.",
    family="gated-linear",
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
)

ENTRIES: tuple[Activation, ...] = (GLU, SWIGLU, GEGLU)
