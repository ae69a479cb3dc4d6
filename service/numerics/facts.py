"""Declared facts: what measuring the function cannot establish alone, stated once per activation.

Each fact is checked by the tests against what the function does: the continuity class
against the discontinuity detector, the range against the measured one, every identity at
thousands of points. A fact that depends on the parameters is a function of them, called
like the forward is: ``continuity=lambda alpha: 1 if alpha == 1 else 0``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, TypeAlias, TypeVar

import numpy as np
from scipy.special import erf

from service.numerics.activation import Array, ParamValue
from service.numerics.families.linear import identity
from service.numerics.families.rectifiers import elu, elu_derivative, leaky_relu, relu
from service.numerics.families.sigmoidal import sigmoid, sigmoid_derivative, tanh, tanh_derivative
from service.numerics.families.smooth import gelu, softplus, softplus_derivative
from service.numerics.interval import Interval

__all__ = [
    "FACTS",
    "SMOOTH",
    "CostClass",
    "Declared",
    "Facts",
    "Identity",
    "InitScheme",
    "Initialisation",
    "Reference",
    "declared",
    "facts_of",
]

T = TypeVar("T")
Declared: TypeAlias = T | Callable[..., T]
"""A fact, or a function of the activation's parameters that gives it."""

SMOOTH: Final = math.inf
"""The continuity class C^∞."""

CostClass = Literal["piecewise-linear", "exp", "log", "erf", "sqrt", "trig"]
"""The costliest primitive per element: none (comparisons and products), exp, log, erf, ..."""

InitScheme = Literal["xavier_normal", "he_normal", "lecun_normal"]

_INF: Final = math.inf
_REAL_LINE: Final = Interval(-_INF, _INF, False, False)
_NON_NEGATIVE: Final = Interval(0.0, _INF, True, False)
# The minima of x Phi(x) and of its tanh form, to 17 digits (mpmath at 40 digits).
_GELU_MINIMUM: Final = {"none": -0.16997120747990366, "tanh": -0.17004075057125406}


@dataclass(frozen=True, slots=True)
class Reference:
    authors: str
    title: str
    venue: str
    year: int
    url: str


@dataclass(frozen=True, slots=True)
class Identity:
    """``formula`` (LaTeX), with both sides as functions of x at the default parameters."""

    formula: str
    left: Callable[[Array], Array]
    right: Callable[[Array], Array]
    domain: tuple[float, float] = (-30.0, 30.0)

    def worst_error(self, points: int = 4001) -> float:
        """max |left - right| / max(1, |left|, |right|) over ``points`` points of the domain."""
        x = np.unique(np.concatenate((np.linspace(*self.domain, points), [0.0, 1e-300, -1e-300])))
        x = x[(x >= self.domain[0]) & (x <= self.domain[1])]
        left, right = self.left(x), self.right(x)
        scale = np.maximum(1.0, np.maximum(np.abs(left), np.abs(right)))
        return float(np.max(np.abs(left - right) / scale))


@dataclass(frozen=True, slots=True)
class Initialisation:
    """The recommended weight initialisation, and PyTorch's gain for it where PyTorch has one."""

    scheme: InitScheme
    gain: Declared[float] | None = None
    gain_call: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    continuity: Declared[float]
    range: Declared[Interval]
    cost: Declared[CostClass]
    initialisation: Initialisation
    identities: tuple[Identity, ...] = ()
    references: tuple[Reference, ...] = ()


def declared(fact: Declared[T], params: Mapping[str, ParamValue]) -> T:
    """The fact for these (resolved) parameters."""
    if callable(fact):
        value: T = fact(**params)
        return value
    return fact


def facts_of(name: str) -> Facts | None:
    return FACTS.get(name)


def _elu_range(alpha: float) -> Interval:
    # For alpha < 0 the negative side rises towards -alpha: the minimum is f(0) = 0.
    return Interval(-alpha, _INF, False, False) if alpha > 0 else _NON_NEGATIVE


def _softplus_continuity(beta: float, threshold: float) -> float:
    # The switch to x at beta x > threshold leaves a step of log1p(e^-threshold)/beta, which
    # is 0 in float64 only once e^-threshold underflows.
    return -1 if math.log1p(math.exp(-threshold)) / beta > 0 else SMOOTH


_HE = Reference(
    "He, Zhang, Ren & Sun",
    "Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet Classification",
    "ICCV",
    2015,
    "https://arxiv.org/abs/1502.01852",
)
_GLOROT_BENGIO = Reference(
    "Glorot & Bengio",
    "Understanding the difficulty of training deep feedforward neural networks",
    "AISTATS",
    2010,
    "https://proceedings.mlr.press/v9/glorot10a.html",
)
_GLOROT_BORDES_BENGIO = Reference(
    "Glorot, Bordes & Bengio",
    "Deep Sparse Rectifier Neural Networks",
    "AISTATS",
    2011,
    "https://proceedings.mlr.press/v15/glorot11a.html",
)

FACTS: Mapping[str, Facts] = MappingProxyType(
    {
        "identity": Facts(
            continuity=SMOOTH,
            range=_REAL_LINE,
            cost="piecewise-linear",
            initialisation=Initialisation(
                "xavier_normal", 1.0, "torch.nn.init.calculate_gain('linear')"
            ),
            identities=(
                Identity(
                    r"x = \operatorname{relu}(x) - \operatorname{relu}(-x)",
                    identity,
                    lambda x: relu(x) - relu(-x),
                ),
            ),
        ),
        "relu": Facts(
            continuity=0,
            range=_NON_NEGATIVE,
            cost="piecewise-linear",
            initialisation=Initialisation(
                "he_normal", math.sqrt(2), "torch.nn.init.calculate_gain('relu')"
            ),
            identities=(
                Identity(
                    r"\operatorname{relu}(x) = \frac{x + |x|}{2}",
                    relu,
                    lambda x: (x + np.abs(x)) / 2,
                ),
                Identity(
                    r"\operatorname{relu}(x) - \operatorname{relu}(-x) = x",
                    lambda x: relu(x) - relu(-x),
                    identity,
                ),
            ),
            references=(
                Reference(
                    "Nair & Hinton",
                    "Rectified Linear Units Improve Restricted Boltzmann Machines",
                    "ICML",
                    2010,
                    "https://www.cs.toronto.edu/~hinton/absps/reluICML.pdf",
                ),
                _GLOROT_BORDES_BENGIO,
                _HE,
            ),
        ),
        "leaky_relu": Facts(
            continuity=lambda negative_slope: SMOOTH if negative_slope == 1 else 0,
            range=lambda negative_slope: _REAL_LINE if negative_slope > 0 else _NON_NEGATIVE,
            cost="piecewise-linear",
            initialisation=Initialisation(
                "he_normal",
                lambda negative_slope: math.sqrt(2 / (1 + negative_slope**2)),
                "torch.nn.init.calculate_gain('leaky_relu', negative_slope)",
            ),
            identities=(
                Identity(
                    r"f(x) = \max(x, a x)\quad(0 \le a \le 1)",
                    leaky_relu,
                    lambda x: np.maximum(x, 0.01 * x),
                ),
                Identity(
                    r"f(x) = \operatorname{relu}(x) - a\operatorname{relu}(-x)",
                    leaky_relu,
                    lambda x: relu(x) - 0.01 * relu(-x),
                ),
            ),
            references=(
                Reference(
                    "Maas, Hannun & Ng",
                    "Rectifier Nonlinearities Improve Neural Network Acoustic Models",
                    "ICML Workshop on Deep Learning for Audio, Speech and Language Processing",
                    2013,
                    "https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf",
                ),
                _HE,
            ),
        ),
        "elu": Facts(
            continuity=lambda alpha: 1 if alpha == 1 else 0,
            range=_elu_range,
            cost="exp",
            initialisation=Initialisation("he_normal"),
            identities=(
                Identity(
                    r"f'(x) = f(x) + \alpha\quad(x \le 0)",
                    elu_derivative,
                    lambda x: elu(x) + 1.0,
                    domain=(-30.0, 0.0),
                ),
                Identity(
                    r"f(x) = \max(0, x) + \min(0, \alpha(e^{x} - 1))\quad(\alpha \ge 0)",
                    elu,
                    lambda x: np.maximum(0, x) + np.minimum(0, np.expm1(x)),
                ),
            ),
            references=(
                Reference(
                    "Clevert, Unterthiner & Hochreiter",
                    "Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)",
                    "ICLR",
                    2016,
                    "https://arxiv.org/abs/1511.07289",
                ),
            ),
        ),
        "sigmoid": Facts(
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
                    r"\sigma(x) = \frac{1 + \tanh(x/2)}{2}",
                    sigmoid,
                    lambda x: (1 + np.tanh(x / 2)) / 2,
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
                _GLOROT_BENGIO,
            ),
        ),
        "tanh": Facts(
            continuity=SMOOTH,
            range=Interval(-1.0, 1.0, False, False),
            cost="exp",
            initialisation=Initialisation(
                "xavier_normal", 5 / 3, "torch.nn.init.calculate_gain('tanh')"
            ),
            identities=(
                Identity(r"\tanh x = 2\sigma(2x) - 1", tanh, lambda x: 2 * sigmoid(2 * x) - 1),
                Identity(
                    r"\tanh' x = 1 - \tanh^2 x", tanh_derivative, lambda x: 1 - np.tanh(x) ** 2
                ),
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
                _GLOROT_BENGIO,
            ),
        ),
        "softplus": Facts(
            continuity=_softplus_continuity,
            range=Interval(0.0, _INF, False, False),
            cost="log",
            initialisation=Initialisation("he_normal"),
            identities=(
                Identity(
                    r"\operatorname{softplus}'(x) = \sigma(x)\quad(x \le t)",
                    softplus_derivative,
                    sigmoid,
                    domain=(-30.0, 20.0),
                ),
                Identity(
                    r"\operatorname{softplus}(x) - \operatorname{softplus}(-x) = x\quad(|x| \le t)",
                    lambda x: softplus(x) - softplus(-x),
                    identity,
                    domain=(-20.0, 20.0),
                ),
                Identity(
                    r"\operatorname{softplus}(x) = -\log\sigma(-x)\quad(x \le t)",
                    softplus,
                    lambda x: -np.log(sigmoid(-x)),
                    domain=(-30.0, 20.0),
                ),
            ),
            references=(
                Reference(
                    "Dugas, Bengio, Bélisle, Nadeau & Garcia",
                    "Incorporating Second-Order Functional Knowledge for Better Option Pricing",
                    "NeurIPS",
                    2000,
                    "https://papers.nips.cc/paper/1920-incorporating-second-order-functional-knowledge-for-better-option-pricing",
                ),
                _GLOROT_BORDES_BENGIO,
            ),
        ),
        "gelu": Facts(
            continuity=SMOOTH,
            range=lambda approximate: Interval(_GELU_MINIMUM[approximate], _INF, True, False),
            cost=lambda approximate: "exp" if approximate == "tanh" else "erf",
            initialisation=Initialisation("he_normal"),
            identities=(
                Identity(
                    r"x\,\Phi(x) = \frac{x}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt 2}\right)",
                    gelu,
                    lambda x: x / 2 * (1 + erf(x / math.sqrt(2))),
                ),
                Identity(r"f(x) - f(-x) = x", lambda x: gelu(x) - gelu(-x), identity),
            ),
            references=(
                Reference(
                    "Hendrycks & Gimpel",
                    "Gaussian Error Linear Units (GELUs)",
                    "arXiv:1606.08415",
                    2016,
                    "https://arxiv.org/abs/1606.08415",
                ),
            ),
        ),
    }
)
