"""Evaluate an activation's value and gradient on an array, as one call."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final, Literal

import numpy as np

from service.numerics.activation import Activation, Array, ParamValue
from service.numerics.exceptions import InvalidInput

__all__ = ["DTYPES", "OUTPUTS", "Output", "evaluate"]

Output = Literal["value", "gradient"]
OUTPUTS: Final[tuple[Output, ...]] = ("value", "gradient")
DTYPES: Final[Mapping[str, type[np.floating]]] = {"float32": np.float32, "float64": np.float64}


def evaluate(
    activation: Activation,
    x: Array,
    *,
    params: Mapping[str, ParamValue],
    outputs: Collection[Output] = OUTPUTS[:1],
    grad_output: Array | None = None,
) -> dict[Output, Array]:
    """The requested outputs of ``activation`` at ``x``, in ``x``'s dtype.

    ``gradient`` is d(sum(grad_output * f(x)))/dx, i.e. ``grad_output * f'(x)``; without
    ``grad_output`` it is f'(x) itself. ``params`` must already be resolved.

    float32 inputs are computed in float64 and rounded once at the end: a chain of float32
    operations can drift by several ULP, the rounded float64 result stays within one.
    """
    if grad_output is not None and grad_output.shape != x.shape:
        raise InvalidInput(
            ("grad_output",), f"has shape {list(grad_output.shape)} but x has shape {list(x.shape)}"
        )
    wide = x.astype(np.float64, copy=False)
    results: dict[Output, Array] = {}
    # A result beyond the float range is +-inf by IEEE rules, which is the right answer there;
    # intermediate overflows that would spoil a finite result are what the accuracy tests catch.
    with np.errstate(over="ignore"):
        if "value" in outputs:
            results["value"] = activation.forward(wide, **params)
        if "gradient" in outputs:
            slope = activation.derivative(wide, **params)
            if grad_output is not None:
                slope = np.multiply(slope, grad_output, out=slope)
            results["gradient"] = slope
        return {output: result.astype(x.dtype, copy=False) for output, result in results.items()}
