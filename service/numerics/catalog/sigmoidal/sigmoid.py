"""sigmoid: the logistic function 1/(1 + e^-x), from 0 to 1."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.piecewise import select
from service.numerics.catalog.references import GLOROT_BENGIO
from service.numerics.compiled import Kernel, inline, vmath
from service.numerics.types import Array, Interval


def sigmoid(x: Array) -> Array:
    """1 / (1 + exp(-x)) = exp(x) / (1 + exp(x)); with e = exp(-|x|) neither form overflows."""
    # Not scipy's expit: it returns 0 below x = -709, where the true value is still a subnormal.
    e = np.exp(-np.abs(x))
    result: Array = select(x >= 0, 1.0, e) / (1 + e)
    return result


def sigmoid_derivative(x: Array) -> Array:
    # sigma(x) sigma(-x) = e / (1 + e)^2; sigma (1 - sigma) would be 0 once sigma rounds to 1.
    e = np.exp(-np.abs(x))
    result: Array = e / np.square(1 + e)
    return result


def sigmoid_second_derivative(x: Array) -> Array:
    # sigma'' = sigma' (sigma(-x) - sigma(x)) = -sigma' tanh(x/2): no difference of nearly equal terms.
    return -sigmoid_derivative(x) * np.tanh(x / 2)


@inline
def sigmoid_at(x: float, _: tuple[()]) -> float:
    return vmath.sigmoid(x)


@inline
def sigmoid_derivative_at(x: float, _: tuple[()]) -> float:
    # e r^2 with vmath.sigmoid's own e and r: a loop that needs both (glu's) computes them once.
    e = vmath.exp(-abs(x))
    r = 1.0 / (1.0 + e)
    return e * r * r


ACTIVATION = Activation(
    name="sigmoid",
    aliases=("logistic",),
    formula=r"f(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
    forward=sigmoid,
    derivative_formula=r"f'(x) = \sigma(x)\,\sigma(-x)",
    derivative=sigmoid_derivative,
    second_derivative_formula=r"f''(x) = -\sigma(x)\,\sigma(-x) \tanh(x/2)",
    second_derivative=sigmoid_second_derivative,
    kernels=(Kernel(sigmoid_at, sigmoid_derivative_at),),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.sigmoid(x)"),
        Equivalent("keras", "keras.activations.sigmoid(x)"),
        Equivalent("jax", "jax.nn.sigmoid(x)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(0.0, 1.0, False, False),
        cost="exp",
        initialisation=Initialisation(
            "xavier_normal", 1.0, "torch.nn.init.calculate_gain('sigmoid')"
        ),
        identities=(
            Identity(
                r"\sigma(-x) = 1 - \sigma(x)", lambda x: sigmoid(-x), lambda x: 1 - sigmoid(x)
            ),
            Identity(
                r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))",
                sigmoid_derivative,
                lambda x: sigmoid(x) * (1 - sigmoid(x)),
            ),
            Identity(
                r"\sigma(x) = \frac{1 + \tanh(x/2)}{2}", sigmoid, lambda x: (1 + np.tanh(x / 2)) / 2
            ),
        ),
        references=(
            Reference(
                "Rumelhart, Hinton & Williams",
                "Learning representations by back-propagating errors",
                "Nature 323",
                1986,
                "https://doi.org/10.1038/323533a0",
            ),
            GLOROT_BENGIO,
        ),
    ),
)
