"""relu_squared: max(x, 0)^2, Primer's rectifier."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import Facts, Identity, Initialisation, Reference
from service.numerics.catalog.rectifiers.relu import relu
from service.numerics.compiled import Kernel, inline
from service.numerics.types import NON_NEGATIVE, Array


def relu_squared(x: Array) -> Array:
    """max(x, 0)^2."""
    return np.square(np.maximum(x, 0))


def relu_squared_derivative(x: Array) -> Array:
    return 2 * np.maximum(x, 0)


def relu_squared_second_derivative(x: Array) -> Array:
    return (x > 0) * 2.0


@inline
def relu_squared_at(x: float, _: tuple[()]) -> float:
    positive = max(0.0, x)
    return positive * positive


@inline
def relu_squared_derivative_at(x: float, _: tuple[()]) -> float:
    return 2.0 * max(0.0, x)


@inline
def relu_squared_second_derivative_at(x: float, _: tuple[()]) -> float:
    return 2.0 if x > 0 else 0.0


ACTIVATION = Activation(
    name="relu_squared",
    aliases=("squared_relu",),
    formula=r"f(x) = \max(x, 0)^2",
    forward=relu_squared,
    derivative_formula=r"f'(x) = 2 \max(x, 0)",
    derivative=relu_squared_derivative,
    second_derivative_formula=r"f''(x) = \begin{cases} 2 & x > 0 \\ 0 & x \le 0 \end{cases}",
    second_derivative=relu_squared_second_derivative,
    # The same functions for float64: each result is one rounded operation (or exact).
    kernels=(
        Kernel(
            relu_squared_at,
            relu_squared_derivative_at,
            value64=relu_squared_at,
            derivative64=relu_squared_derivative_at,
            second_derivative64=relu_squared_second_derivative_at,
        ),
    ),
    kink="f''(0) = 0, the left-hand value (f' is continuous).",
    follows="the paper (PyTorch, Keras and JAX have no such function)",
    equivalents=(
        Equivalent("torch", "torch.square(torch.nn.functional.relu(x))", "a composition"),
        Equivalent("jax", "jax.numpy.square(jax.nn.relu(x))", "a composition"),
    ),
    facts=Facts(
        continuity=1,
        range=NON_NEGATIVE,
        kinks=(0.0,),
        cost="polynomial",
        initialisation=Initialisation(None),
        identities=(
            Identity(r"f(x) = \operatorname{relu}(x)^2", relu_squared, lambda x: relu(x) * relu(x)),
            Identity(
                r"f'(x) = 2\operatorname{relu}(x)", relu_squared_derivative, lambda x: 2 * relu(x)
            ),
        ),
        references=(
            Reference(
                "So, Mańke, Liu, Dai, Shazeer & Le",
                "Primer: Searching for Efficient Transformers for Language Modeling",
                "NeurIPS",
                2021,
                "https://arxiv.org/abs/2109.08668",
            ),
        ),
    ),
)
