"""English."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from service.numerics.texts.text import Text

__all__ = ["TEXTS"]

TEXTS: Mapping[str, Text] = MappingProxyType(
    {
        "identity": Text(
            description=(
                "The identity passes its input through unchanged. It is what a layer without an"
                " activation computes, and the baseline the others are measured against: a stack"
                " of layers with identity activations is still a single linear map."
            ),
            pros=(
                "Exact and free: nothing is computed.",
                "Gradients pass through unchanged (f′ = 1 everywhere): the activation itself"
                " makes them neither vanish nor explode.",
                "Zero-centred: outputs keep the sign and scale of the inputs.",
            ),
            cons=(
                "Adds no non-linearity: any depth of identity layers is one linear layer, which"
                " cannot learn a non-linear function.",
                "Unbounded: nothing limits the amplitude of the outputs.",
            ),
            initialisation=(
                "With weight variance 1/fan_in (Xavier or LeCun, gain 1) a linear network keeps"
                " the variance of its signal from layer to layer."
            ),
        ),
        "sigmoid": Text(
            description=(
                "The logistic sigmoid σ(x) = 1/(1 + e^−x) squashes any input into (0, 1), which"
                " makes it the natural output for a probability and the gate of LSTM and GRU"
                " cells. It was the standard hidden activation of early neural networks."
            ),
            pros=(
                "Smooth everywhere, with a simple derivative σ(x)(1 − σ(x)).",
                "Bounded in (0, 1): outputs read as probabilities and never blow up.",
                "Monotonic.",
            ),
            cons=(
                "Vanishing gradients: f′ is at most 1/4 (at 0) and below 1% of that beyond"
                " |x| ≈ 6, so each layer shrinks the gradient at least fourfold and saturated"
                " units barely learn.",
                "Not zero-centred: outputs are always positive (mean 1/2 for standard normal"
                " inputs), so the gradients of a unit's incoming weights share one sign and"
                " gradient descent zig-zags.",
                "Costs an exponential per element.",
            ),
            initialisation=(
                "Xavier (Glorot) initialisation, derived for activations that are linear near 0;"
                " PyTorch's gain for the sigmoid is 1."
            ),
        ),
        "tanh": Text(
            description=(
                "The hyperbolic tangent, a sigmoid rescaled to (−1, 1): tanh x = 2σ(2x) − 1. It"
                " was the usual hidden activation before ReLU and remains the output"
                " non-linearity of recurrent cells."
            ),
            pros=(
                "Zero-centred: it is odd, so standard normal inputs give outputs of mean 0.",
                "Smooth and bounded in (−1, 1).",
                "Approximates the identity near the origin (f(0) = 0, f′(0) = 1).",
            ),
            cons=(
                "Gradients still vanish: f′ falls below 1% of its maximum beyond |x| ≈ 3, where"
                " units stop learning, and deep stacks lose their gradient.",
                "Costs an exponential per element.",
            ),
            initialisation=(
                "Xavier (Glorot) initialisation with PyTorch's gain 5/3, which makes up for the"
                " contraction of tanh on unit-variance inputs."
            ),
        ),
        "relu": Text(
            description=(
                "The rectified linear unit max(x, 0) passes positive inputs unchanged and sets the"
                " rest to zero. Cheap, and without saturation for positive inputs, it made deep"
                " networks trainable and is the default hidden activation of most architectures."
            ),
            pros=(
                "Cheap: one comparison, no exponential.",
                "No saturation for x > 0: the gradient there is exactly 1, so it does not vanish"
                " through depth.",
                "Sparse: for zero-mean inputs about half of the units output exactly 0.",
            ),
            cons=(
                "Not zero-centred: outputs are never negative (mean 1/√(2π) ≈ 0.40 for standard"
                " normal inputs).",
                "Dead units: f′ = 0 for every x ≤ 0, so a unit driven to negative inputs for"
                " every example, by a bad initialisation or too high a learning rate, gets no"
                " gradient and never recovers.",
                "Unbounded above: nothing limits the amplitude of the activations.",
                "Not differentiable at 0; f′(0) = 0 by convention.",
            ),
            initialisation=(
                "He (Kaiming) initialisation, weight variance 2/fan_in, keeps the second moment of"
                " the signal constant through depth; PyTorch's gain is √2."
            ),
        ),
        "leaky_relu": Text(
            description=(
                "ReLU with a small slope a for negative inputs (0.01 in PyTorch): f(x) = x for"
                " x > 0 and a·x otherwise. The slope keeps a gradient flowing through the units"
                " that ReLU would kill."
            ),
            pros=(
                "Fixes dead units: f′ = a ≠ 0 for x ≤ 0, so no unit stops learning for good.",
                "As cheap as ReLU, and without saturation for x > 0.",
            ),
            cons=(
                "Still far from zero-centred for small slopes (mean ≈ 0.39 for standard normal"
                " inputs with a = 0.01).",
                "Unbounded on both sides.",
                "The slope is one more hyperparameter, and libraries disagree on its default.",
                "Not differentiable at 0; f′(0) = a by convention.",
            ),
            initialisation=(
                "He (Kaiming) initialisation with PyTorch's gain √(2/(1 + a²)), which accounts"
                " for the variance the negative side passes on."
            ),
        ),
        "elu": Text(
            description=(
                "The exponential linear unit: x for x > 0 and α(e^x − 1) below, which saturates"
                " smoothly towards −α. Its negative values pull the mean activation towards zero,"
                " which its authors found to speed up learning."
            ),
            pros=(
                "Negative outputs bring the mean closer to zero than ReLU does (mean ≈ 0.16 for"
                " standard normal inputs with α = 1).",
                "No dead units for α > 0: f′ = αe^x is positive for every x.",
                "With α = 1 the derivative is continuous and f approximates the identity near"
                " the origin.",
            ),
            cons=(
                "Costs an exponential for negative inputs.",
                "Saturates for very negative inputs: with α = 1, f′ is below 1% of its maximum"
                " for x < −4.6.",
                "For α ≠ 1 the derivative jumps at 0.",
            ),
            initialisation=(
                "PyTorch's calculate_gain has no entry for ELU; He initialisation, as for ReLU,"
                " is the usual choice."
            ),
        ),
        "softplus": Text(
            description=(
                "log(1 + e^x), a smooth ReLU whose derivative is the sigmoid. PyTorch's form has a"
                " sharpness β and returns x itself once βx exceeds a threshold (20)."
            ),
            pros=(
                "Smooth as a formula, with derivative σ(βx).",
                "f′ > 0 everywhere: no dead units.",
                "Tends to ReLU as β grows.",
            ),
            cons=(
                "Not zero-centred: outputs are always positive (mean ≈ 0.81 for standard normal"
                " inputs).",
                "Costs an exponential and a logarithm per element.",
                "Saturates for negative inputs, as the sigmoid does.",
                "The switch to x above βx > threshold leaves a step of log(1 + e^−threshold)/β"
                " (2·10⁻⁹ at the defaults): as computed, the function is strictly neither"
                " continuous nor monotonic there. A huge threshold gives the exact softplus.",
            ),
            initialisation=(
                "PyTorch's calculate_gain has no entry for softplus; He initialisation, as for"
                " ReLU, is the usual choice."
            ),
        ),
        "gelu": Text(
            description=(
                "The Gaussian error linear unit x·Φ(x) weights its input by the probability that a"
                " standard normal variable falls below it. Smooth and not monotonic, it is the"
                " activation of BERT, GPT-2 and most transformers; PyTorch also offers its tanh"
                " approximation."
            ),
            pros=(
                "Smooth, with a gradient that is zero nowhere on a whole interval: no dead units.",
                "Close to ReLU for large |x| while letting small negative values through.",
                "The standard choice of transformer models.",
            ),
            cons=(
                "Costs an erf (or a tanh in the approximate form) per element.",
                "Not monotonic: it decreases below x ≈ −0.75, down to its minimum of about −0.17.",
                "Not zero-centred (mean ≈ 0.28 for standard normal inputs).",
                "Saturates for negative inputs: f′ tends to 0 as x goes to −∞.",
            ),
            initialisation=(
                "PyTorch's calculate_gain has no entry for GELU. Transformers commonly draw"
                " weights from N(0, 0.02²) (BERT, GPT-2); in plain MLPs He initialisation, as for"
                " ReLU, is the usual starting point."
            ),
        ),
    }
)
