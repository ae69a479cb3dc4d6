"""Bounded, S-shaped activations: the logistic sigmoid, tanh and their cheaper relatives.

Where a derivative is 1/(1 + |x|)^n or alike, it is divided out one factor at a time: the
power itself would overflow where the true value is a small but representable number.
"""

from __future__ import annotations

import math

import numpy as np

from service.numerics.activation import Activation, Array, Equivalent, Parameter, select
from service.numerics.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.families.linear import no_curvature
from service.numerics.families.rectifiers import hardtanh, relu, relu6
from service.numerics.interval import Interval
from service.numerics.references import BLONDEL_MARTINS_NICULAE, GLOROT_BENGIO, HOWARD_MOBILENETV3

__all__ = ["ENTRIES"]

_HUGE = 1e300  # past it arctan'' underflows to 0, and 2x is still finite


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


def tanh(x: Array) -> Array:
    """(exp(x) - exp(-x)) / (exp(x) + exp(-x))."""
    return np.tanh(x)


def tanh_derivative(x: Array) -> Array:
    # sech^2 x = 4 sigma'(2x); 1 - tanh^2 would round to 0 for |x| > 19.
    return 4 * sigmoid_derivative(2 * x)


def tanh_second_derivative(x: Array) -> Array:
    return -2 * np.tanh(x) * tanh_derivative(x)


# (h, w) of clip((x + h)/w, 0, 1): PyTorch's (and Keras 3's) x/6 + 1/2, Keras 2's 0.2 x + 0.5.
HARD_SIGMOID_SHAPES = {"torch": (3.0, 6.0), "keras2": (2.5, 5.0)}


def hard_sigmoid(x: Array, variant: str = "torch") -> Array:
    """clip((x + h)/w, 0, 1): x/6 + 1/2 (torch) or 0.2 x + 0.5 (keras2), clipped to [0, 1]."""
    shift, width = HARD_SIGMOID_SHAPES[variant]
    result: Array = np.clip((x + shift) / width, 0, 1)
    return result


def hard_sigmoid_derivative(x: Array, variant: str = "torch") -> Array:
    shift, width = HARD_SIGMOID_SHAPES[variant]
    return ((x > -shift) & (x < shift)) * (1 / width)


def softsign(x: Array) -> Array:
    """x / (1 + |x|)."""
    result: Array = x / (1 + np.abs(x))
    return result


def softsign_derivative(x: Array) -> Array:
    denominator = 1 + np.abs(x)
    result: Array = 1 / denominator / denominator
    return result


def softsign_second_derivative(x: Array) -> Array:
    denominator = 1 + np.abs(x)
    # Once d^2 overflows, 2/d^3 is below the smallest subnormal anyway.
    result: Array = -2 * np.sign(x) / denominator / (denominator * denominator)
    return result


def log_sigmoid(x: Array) -> Array:
    """log sigma(x) = min(x, 0) - log(1 + exp(-|x|))."""
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def log_sigmoid_derivative(x: Array) -> Array:
    return sigmoid(-x)


def log_sigmoid_second_derivative(x: Array) -> Array:
    return -sigmoid_derivative(x)


def sparse_sigmoid(x: Array) -> Array:
    """clip((x + 1)/2, 0, 1)."""
    return np.clip((x + 1) / 2, 0, 1)


def sparse_sigmoid_derivative(x: Array) -> Array:
    return ((x > -1) & (x < 1)) * 0.5


def arctan(x: Array) -> Array:
    """arctan x."""
    return np.arctan(x)


def arctan_derivative(x: Array) -> Array:
    # 1/(1 + x^2) as (1/|x|) / (|x| + 1/|x|) beyond |x| = 1: x^2 overflows past 1.3e154,
    # where the true value is still a representable subnormal. With m = max(|x|, 1) and
    # y = min(|x|, 1), r/(m + r y^2), r = 1/m, is either form.
    magnitude = np.abs(x)
    large = np.maximum(magnitude, 1)
    inverse = 1 / large
    return inverse / (large + inverse * np.square(np.minimum(magnitude, 1)))


def arctan_second_derivative(x: Array) -> Array:
    # Where 1 + x^2 overflows, 2/|x|^3 is below the smallest subnormal anyway; the clip keeps
    # -2x finite there (inf / inf would be NaN).
    near = np.clip(x, -_HUGE, _HUGE)
    denominator = 1 + near * near
    return -2 * near / denominator / denominator


def binary_step(x: Array) -> Array:
    """1 for x >= 0, 0 otherwise."""
    return (x >= 0).astype(x.dtype)


_TORCH = "PyTorch"
_UNIT = Interval(0.0, 1.0, True, True)
_OPEN_UNIT = Interval(0.0, 1.0, False, False)

SIGMOID = Activation(
    name="sigmoid",
    forward=sigmoid,
    derivative=sigmoid_derivative,
    second_derivative=sigmoid_second_derivative,
    formula=r"f(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
    derivative_formula=r"f'(x) = \sigma(x)\,\sigma(-x)",
    second_derivative_formula=r"f''(x) = -\sigma(x)\,\sigma(-x) \tanh(x/2)",
    reference="Rumelhart, Hinton & Williams, Learning representations by back-propagating errors, Nature 1986.",
    family="sigmoidal",
    follows=_TORCH,
    equivalents=(
        Equivalent("torch", "torch.nn.functional.sigmoid(x)"),
        Equivalent("keras", "keras.activations.sigmoid(x)"),
        Equivalent("jax", "jax.nn.sigmoid(x)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=_OPEN_UNIT,
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

HARD_SIGMOID = Activation(
    name="hard_sigmoid",
    forward=hard_sigmoid,
    derivative=hard_sigmoid_derivative,
    second_derivative=no_curvature,
    formula=(
        r"f(x) = \min(\max(x/6 + 1/2, 0), 1)\ \text{(torch)}"
        r"\quad\text{or}\quad \min(\max(0.2x + 0.5, 0), 1)\ \text{(keras2)}"
    ),
    derivative_formula=(
        r"f'(x) = \begin{cases} 1/6 & |x| < 3 \\ 0 & \text{otherwise} \end{cases}"
        r"\ \text{(torch)},\quad \begin{cases} 0.2 & |x| < 2.5 \\ 0 & \text{otherwise} \end{cases}"
        r"\ \text{(keras2)}"
    ),
    second_derivative_formula="f''(x) = 0",
    parameters=(
        Parameter(
            "variant",
            "torch",
            "'torch': x/6 + 1/2 (PyTorch, Keras 3, JAX); 'keras2': 0.2x + 0.5 (Keras 2, TensorFlow).",
            choices=tuple(HARD_SIGMOID_SHAPES),
        ),
    ),
    kink="f'(+-3) = 0 (f'(+-2.5) = 0 for keras2), as in PyTorch.",
    reference="Courbariaux, Bengio & David, BinaryConnect, NeurIPS 2015; MobileNetV3 (Howard et al., ICCV 2019).",
    family="sigmoidal",
    follows=_TORCH,
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
        range=_UNIT,
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

TANH = Activation(
    name="tanh",
    forward=tanh,
    derivative=tanh_derivative,
    second_derivative=tanh_second_derivative,
    formula=r"f(x) = \tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
    derivative_formula=r"f'(x) = \operatorname{sech}^2 x = 4\,\sigma(2x)\,\sigma(-2x)",
    second_derivative_formula=r"f''(x) = -2 \tanh x \operatorname{sech}^2 x",
    reference="LeCun, Bottou, Orr & Müller, Efficient BackProp, 1998.",
    family="sigmoidal",
    follows=_TORCH,
    equivalents=(
        Equivalent("torch", "torch.nn.functional.tanh(x)"),
        Equivalent("keras", "keras.activations.tanh(x)"),
        Equivalent("jax", "jax.nn.tanh(x)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(-1.0, 1.0, False, False),
        cost="exp",
        initialisation=Initialisation(
            "xavier_normal", 5 / 3, "torch.nn.init.calculate_gain('tanh')"
        ),
        identities=(
            Identity(r"\tanh x = 2\sigma(2x) - 1", tanh, lambda x: 2 * sigmoid(2 * x) - 1),
            Identity(r"\tanh' x = 1 - \tanh^2 x", tanh_derivative, lambda x: 1 - np.tanh(x) ** 2),
            Identity(r"\tanh(-x) = -\tanh x", lambda x: tanh(-x), lambda x: -tanh(x)),
        ),
        references=(
            Reference(
                "LeCun, Bottou, Orr & Müller",
                "Efficient BackProp",
                "Neural Networks: Tricks of the Trade, Springer",
                1998,
                "https://doi.org/10.1007/3-540-49430-8_2",
            ),
            GLOROT_BENGIO,
        ),
    ),
)

SOFTSIGN = Activation(
    name="softsign",
    forward=softsign,
    derivative=softsign_derivative,
    second_derivative=softsign_second_derivative,
    formula=r"f(x) = \frac{x}{1 + |x|}",
    derivative_formula=r"f'(x) = \frac{1}{(1 + |x|)^2}",
    second_derivative_formula=r"f''(x) = \frac{-2 \operatorname{sign} x}{(1 + |x|)^3}",
    kink="f''(0) = 0, between its one-sided values -2 and 2 (f' is continuous).",
    reference="Bergstra et al., Quadratic Polynomials Learn Better Image Features, 2009.",
    family="sigmoidal",
    follows=_TORCH,
    equivalents=(
        Equivalent("torch", "torch.nn.functional.softsign(x)"),
        Equivalent("keras", "keras.activations.softsign(x)"),
        Equivalent("jax", "jax.nn.soft_sign(x)"),
    ),
    facts=Facts(
        continuity=1,
        range=Interval(-1.0, 1.0, False, False),
        cost="division",
        initialisation=Initialisation("xavier_normal"),
        identities=(
            Identity(
                r"f'(x) = (1 - |f(x)|)^2",
                softsign_derivative,
                lambda x: np.square(1 - np.abs(softsign(x))),
            ),
            Identity(r"f(-x) = -f(x)", lambda x: softsign(-x), lambda x: -softsign(x)),
        ),
        references=(GLOROT_BENGIO,),
    ),
)

LOG_SIGMOID = Activation(
    name="log_sigmoid",
    forward=log_sigmoid,
    derivative=log_sigmoid_derivative,
    second_derivative=log_sigmoid_second_derivative,
    formula=r"f(x) = \log \sigma(x) = -\log(1 + e^{-x})",
    derivative_formula=r"f'(x) = \sigma(-x)",
    second_derivative_formula=r"f''(x) = -\sigma(x)\,\sigma(-x)",
    reference="The log-likelihood of the logistic model; log(sigmoid) computed without underflow.",
    family="sigmoidal",
    follows=_TORCH,
    equivalents=(
        Equivalent("torch", "torch.nn.functional.logsigmoid(x)"),
        Equivalent("keras", "keras.activations.log_sigmoid(x)"),
        Equivalent("jax", "jax.nn.log_sigmoid(x)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(-math.inf, 0.0, False, False),
        cost="log",
        initialisation=Initialisation(None),
        identities=(
            Identity(
                r"\log\sigma(x) = -\operatorname{softplus}(-x)",
                log_sigmoid,
                lambda x: -np.logaddexp(0.0, -x),
            ),
            Identity(
                r"\log\sigma(x) - \log\sigma(-x) = x",
                lambda x: log_sigmoid(x) - log_sigmoid(-x),
                lambda x: x,
            ),
        ),
    ),
)

SPARSE_SIGMOID = Activation(
    name="sparse_sigmoid",
    forward=sparse_sigmoid,
    derivative=sparse_sigmoid_derivative,
    second_derivative=no_curvature,
    formula=r"f(x) = \min(\max((x + 1)/2, 0), 1)",
    derivative_formula=r"f'(x) = \begin{cases} 1/2 & |x| < 1 \\ 0 & \text{otherwise} \end{cases}",
    second_derivative_formula="f''(x) = 0",
    kink="f'(+-1) = 0, the clamp convention of PyTorch's hardtanh.",
    reference="Blondel, Martins & Niculae, Learning with Fenchel-Young Losses, JMLR 2020 (the 2-Tsallis sigmoid).",
    family="sigmoidal",
    follows="JAX and Keras (PyTorch has no such function)",
    equivalents=(
        Equivalent("keras", "keras.activations.sparse_sigmoid(x)"),
        Equivalent(
            "jax",
            "jax.nn.sparse_sigmoid(x)",
            "autodiff of its clip may give another value of f' at +-1",
        ),
    ),
    facts=Facts(
        continuity=0,
        range=_UNIT,
        cost="piecewise-linear",
        initialisation=Initialisation("xavier_normal"),
        identities=(
            Identity(
                r"f(x) = \frac{\operatorname{hardtanh}(x) + 1}{2}",
                sparse_sigmoid,
                lambda x: (hardtanh(x) + 1) / 2,
            ),
        ),
        references=(BLONDEL_MARTINS_NICULAE,),
    ),
)

ARCTAN = Activation(
    name="arctan",
    forward=arctan,
    derivative=arctan_derivative,
    second_derivative=arctan_second_derivative,
    formula=r"f(x) = \arctan x",
    derivative_formula=r"f'(x) = \frac{1}{1 + x^2}",
    second_derivative_formula=r"f''(x) = \frac{-2x}{(1 + x^2)^2}",
    reference="A classic bounded sigmoid; see e.g. Nwankpa et al., Activation Functions: Comparison of Trends in Practice, arXiv:1811.03378.",
    family="sigmoidal",
    follows="the mathematical arctan (no library has it as an activation)",
    equivalents=(
        Equivalent("torch", "torch.atan(x)", "a tensor function, not an activation"),
        Equivalent("keras", "keras.ops.arctan(x)", "an op, not an activation"),
        Equivalent("jax", "jax.numpy.arctan(x)", "a numpy function, not an activation"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(-math.pi / 2, math.pi / 2, False, False),
        cost="trig",
        initialisation=Initialisation("xavier_normal"),
        identities=(
            Identity(
                r"\arctan' x = \frac{1}{1 + x^2}", arctan_derivative, lambda x: 1 / (1 + x * x)
            ),
            Identity(
                r"\arctan x + \arctan\frac{1}{x} = \frac{\pi}{2}\quad(x > 0)",
                lambda x: arctan(x) + arctan(1 / x),
                lambda x: np.full_like(x, math.pi / 2),
                domain=(1e-3, 30.0),
            ),
        ),
        references=(
            Reference(
                "Nwankpa, Ijomah, Gachagan & Marshall",
                "Activation Functions: Comparison of Trends in Practice and Research for Deep"
                " Learning",
                "arXiv:1811.03378",
                2018,
                "https://arxiv.org/abs/1811.03378",
            ),
        ),
    ),
)

BINARY_STEP = Activation(
    name="binary_step",
    forward=binary_step,
    derivative=no_curvature,
    second_derivative=no_curvature,
    formula=r"f(x) = \begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}",
    derivative_formula="f'(x) = 0",
    second_derivative_formula="f''(x) = 0",
    kink="f(0) = 1; f'(0) = 0, as autodiff gives, where the true derivative is a Dirac delta.",
    reference="McCulloch & Pitts, A logical calculus of the ideas immanent in nervous activity, 1943 (the Heaviside step).",
    family="sigmoidal",
    follows="the Heaviside step with H(0) = 1 (no library has it as an activation)",
    equivalents=(
        Equivalent(
            "torch", "torch.heaviside(x, torch.tensor(1.0))", "a tensor function, not an activation"
        ),
        Equivalent("jax", "jax.numpy.heaviside(x, 1.0)", "a numpy function, not an activation"),
    ),
    facts=Facts(
        continuity=-1,
        range=_UNIT,
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

ENTRIES: tuple[Activation, ...] = (
    SIGMOID,
    HARD_SIGMOID,
    TANH,
    SOFTSIGN,
    LOG_SIGMOID,
    SPARSE_SIGMOID,
    ARCTAN,
    BINARY_STEP,
)
