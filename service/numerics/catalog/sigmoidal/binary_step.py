"""binary_step: the Heaviside step, 1 for x >= 0 and 0 below."""

from __future__ import annotations

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import Facts, Identity, Initialisation, Reference
from service.numerics.catalog.piecewise import no_curvature, no_curvature_at
from service.numerics.catalog.rectifiers.relu import relu
from service.numerics.compiled import Kernel, inline
from service.numerics.types import Array, Interval


def binary_step(x: Array) -> Array:
    """1 for x >= 0, 0 otherwise."""
    return (x >= 0).astype(x.dtype)


@inline
def binary_step_at(x: float, _: tuple[()]) -> float:
    return 1.0 if x >= 0 else 0.0


@inline
def binary_step_derivative_at(x: float, _: tuple[()]) -> float:
    return 0.0


ACTIVATION = Activation(
    name="binary_step",
    formula=r"f(x) = \begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}",
    forward=binary_step,
    derivative_formula="f'(x) = 0",
    derivative=no_curvature,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    # The same functions for float64: each result is exact, or one rounded operation.
    kernels=(
        Kernel(
            binary_step_at,
            binary_step_derivative_at,
            value64=binary_step_at,
            derivative64=binary_step_derivative_at,
            second_derivative64=no_curvature_at,
        ),
    ),
    kink="f(0) = 1; f'(0) = 0, as autodiff gives, where the true derivative is a Dirac delta.",
    follows="the Heaviside step with H(0) = 1 (no library has it as an activation)",
    equivalents=(
        Equivalent(
            "torch",
            "torch.heaviside(x, torch.tensor(1.0, dtype=x.dtype))",
            "a tensor function, not an activation",
        ),
        Equivalent("jax", "jax.numpy.heaviside(x, 1.0)", "a numpy function, not an activation"),
    ),
    facts=Facts(
        continuity=-1,
        range=Interval(0.0, 1.0, True, True),
        kinks=(0.0,),
        cost="piecewise-linear",
        initialisation=Initialisation(None),
        identities=(
            Identity(r"\operatorname{relu}(x) = x\,H(x)", relu, lambda x: x * binary_step(x)),
        ),
        references=(
            Reference(
                "McCulloch & Pitts",
                "A logical calculus of the ideas immanent in nervous activity",
                "Bulletin of Mathematical Biophysics 5",
                1943,
                "https://doi.org/10.1007/BF02478259",
            ),
        ),
    ),
)
