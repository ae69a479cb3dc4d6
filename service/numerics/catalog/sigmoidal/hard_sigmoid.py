"""hard_sigmoid: the sigmoid's piecewise-linear stand-in, x/6 + 1/2 clamped to [0, 1]."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, Parameter
from service.numerics.catalog.facts import Facts, Identity, Initialisation, Reference
from service.numerics.catalog.piecewise import no_curvature, no_curvature_at
from service.numerics.catalog.rectifiers.hardtanh import hardtanh
from service.numerics.catalog.rectifiers.relu6 import relu6
from service.numerics.catalog.references import HOWARD_MOBILENETV3
from service.numerics.compiled import Kernel, inline, vmath32
from service.numerics.types import Array, Interval

SHAPES = {"torch": (3.0, 6.0), "keras2": (2.5, 5.0)}
"""(h, w) of clip((x + h)/w, 0, 1): PyTorch's (and Keras 3's) x/6 + 1/2, Keras 2's 0.2 x + 0.5."""


def hard_sigmoid(x: Array, variant: str = "torch") -> Array:
    """clip((x + h)/w, 0, 1): x/6 + 1/2 (torch) or 0.2 x + 0.5 (keras2), clipped to [0, 1]."""
    shift, width = SHAPES[variant]
    result: Array = np.clip((x + shift) / width, 0, 1)
    return result


def hard_sigmoid_derivative(x: Array, variant: str = "torch") -> Array:
    shift, width = SHAPES[variant]
    return ((x > -shift) & (x < shift)) * (1 / width)


def _kernel(variant: str) -> Kernel:
    shift, width = SHAPES[variant]
    slope = 1.0 / width  # a multiplication for the numpy path's division: an ULP of float64 apart

    @inline
    def value(x: float, _: tuple[()]) -> float:
        # In float32 arithmetic: (x + h)/w is vmath32.ramp's (x clamped to [-h, h] first,
        # 1/w split in two), rounded once but for 5 u^2 of it, relative throughout; 0 at -h
        # and 1 at h exactly. So within an ULP of value64's float64 rounded, and the same
        # float32 but where both lie within 2^-20 ULP of a tie; at +-inf the limits 1 and 0.
        hi, lo = vmath32.split(slope)
        return float(vmath32.ramp(np.float32(x), np.float32(shift), hi, lo))

    @inline
    def derivative(x: float, _: tuple[()]) -> float:
        return slope if -shift < x < shift else 0.0

    @inline
    def value64(x: float, _: tuple[()]) -> float:
        return min(max((x + shift) / width, 0.0), 1.0)  # the numpy path's division, in float64

    return Kernel(
        value,
        derivative,
        variant={"variant": variant},
        value64=value64,
        derivative64=derivative,
        second_derivative64=no_curvature_at,
    )


def _kinks(variant: str) -> tuple[float, ...]:
    shift, _ = SHAPES[variant]
    return (-shift, shift)


ACTIVATION = Activation(
    name="hard_sigmoid",
    aliases=("hardsigmoid",),
    formula=(
        r"f(x) = \min(\max(x/6 + 1/2, 0), 1)\ \text{(torch)}"
        r"\quad\text{or}\quad \min(\max(0.2x + 0.5, 0), 1)\ \text{(keras2)}"
    ),
    forward=hard_sigmoid,
    derivative_formula=(
        r"f'(x) = \begin{cases} 1/6 & |x| < 3 \\ 0 & \text{otherwise} \end{cases}"
        r"\ \text{(torch)},\quad \begin{cases} 0.2 & |x| < 2.5 \\ 0 & \text{otherwise} \end{cases}"
        r"\ \text{(keras2)}"
    ),
    derivative=hard_sigmoid_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    kernels=tuple(_kernel(variant) for variant in SHAPES),
    parameters=(
        Parameter(
            "variant",
            "torch",
            "'torch': x/6 + 1/2 (PyTorch, Keras 3, JAX); 'keras2': 0.2x + 0.5 (Keras 2, TensorFlow).",
            choices=tuple(SHAPES),
        ),
    ),
    kink="f'(+-3) = 0 (f'(+-2.5) = 0 for keras2), as in PyTorch.",
    variants=({"variant": "keras2"},),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.hardsigmoid(x)"),
        Equivalent(
            "keras",
            "keras.activations.hard_sigmoid(x)",
            "Keras 2 (tf.keras) computed 0.2x + 0.5: variant 'keras2'",
        ),
        Equivalent("jax", "jax.nn.hard_sigmoid(x)"),
    ),
    facts=Facts(
        continuity=0,
        range=Interval(0.0, 1.0, True, True),
        kinks=_kinks,
        cost="piecewise-linear",
        initialisation=Initialisation("xavier_normal"),
        identities=(
            Identity(
                r"f(x) = \operatorname{relu6}(x + 3) / 6\ \text{(torch)}",
                hard_sigmoid,
                lambda x: relu6(x + 3) / 6,
            ),
            Identity(
                r"f(x) = \frac{\operatorname{hardtanh}(x/3) + 1}{2}\ \text{(torch)}",
                hard_sigmoid,
                lambda x: (hardtanh(x / 3) + 1) / 2,
            ),
        ),
        references=(
            Reference(
                "Courbariaux, Bengio & David",
                "BinaryConnect: Training Deep Neural Networks with binary weights during"
                " propagations",
                "NeurIPS",
                2015,
                "https://arxiv.org/abs/1511.00363",
            ),
            HOWARD_MOBILENETV3,
        ),
    ),
)
