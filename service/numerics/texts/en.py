"""English."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from service.numerics.exceptions import Unmeasurable
from service.numerics.texts.text import Text

__all__ = ["TEXTS", "UNMEASURABLE"]

UNMEASURABLE: Mapping[Unmeasurable, str] = MappingProxyType(
    {
        "axis-wise": (
            "{name} works along an axis: each output depends on the whole vector, so it has no"
            " scalar f(x) whose range over x, slopes, moments for normal inputs, saturation or"
            " extrema could be measured. What holds of it is under `declared`: the range of each"
            " output, its continuity as a map of vectors, its cost."
        ),
        "random": (
            "With these parameters {name} draws a random number per element, so it is no one"
            " function of x whose properties could be measured; what is declared is that of its"
            " deterministic form."
        ),
    }
)

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
                "Vanishing gradients: f′ is at most 1/4 (at 0) and below 1% of its maximum beyond"
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
                "Not monotonic: it decreases below x ≈ −0.75, down to its minimum ≈ −0.17.",
                "Not zero-centred (mean ≈ 0.28 for standard normal inputs).",
                "Saturates for negative inputs: f′ tends to 0 as x goes to −∞.",
            ),
            initialisation=(
                "PyTorch's calculate_gain has no entry for GELU. Transformers commonly draw"
                " weights from N(0, 0.02²) (BERT, GPT-2); in plain MLPs He initialisation, as for"
                " ReLU, is the usual starting point."
            ),
        ),
        "relu6": Text(
            description=(
                "ReLU capped at 6: min(max(x, 0), 6). Krizhevsky found the cap helped units learn"
                " sparse features on CIFAR-10; MobileNets use it because bounded activations keep"
                " their precision in low-precision (8-bit) arithmetic."
            ),
            pros=(
                "Cheap: two comparisons, no exponential.",
                "Bounded in [0, 6], which keeps fixed-point and 8-bit activations precise.",
                "No saturation on (0, 6): the gradient there is exactly 1.",
            ),
            cons=(
                "Dead units as with ReLU: f′ = 0 for every x ≤ 0.",
                "No gradient above 6 either: a unit pushed past the cap stops learning there.",
                "Not zero-centred (mean ≈ 0.40 for standard normal inputs, as ReLU's: the cap is"
                " rarely reached).",
            ),
            initialisation=(
                "He (Kaiming) initialisation, as for ReLU, which it equals below the cap. PyTorch's"
                " calculate_gain has no entry for relu6; calculate_gain('relu') = √2 is the usual"
                " stand-in."
            ),
        ),
        "prelu": Text(
            description=(
                "Leaky ReLU whose negative slope w is learned, one per channel or one per layer,"
                " starting from 0.25 in PyTorch: f(x) = x for x > 0 and w·x otherwise. Here w is a"
                " fixed parameter."
            ),
            pros=(
                "The network chooses how much of the negative side to keep, for one parameter"
                " per channel.",
                "No dead units while w ≠ 0, and no saturation for x > 0.",
                "He et al. derived their initialisation for it, variance 2/((1 + w²)·fan_in).",
            ),
            cons=(
                "Not zero-centred (mean ≈ 0.30 for standard normal inputs with w = 0.25).",
                "Weight decay on w pushes it towards 0, i.e. towards ReLU; He et al. leave w out of"
                " weight decay.",
                "Not differentiable at 0; f′(0) = w by convention.",
            ),
            initialisation=(
                "He (Kaiming) initialisation with gain √(2/(1 + w²)), PyTorch's"
                " calculate_gain('leaky_relu', w): the scheme He et al. derived for PReLU itself."
            ),
        ),
        "rrelu": Text(
            description=(
                "Randomised leaky ReLU: in training each element's negative slope is drawn from"
                " U(l, u) (1/8 to 1/3 in PyTorch); in evaluation the mean slope (l + u)/2 is used."
                " Xu et al. found the randomness regularises, on small image data sets."
            ),
            pros=(
                "The random slopes act as noise that regularises the network.",
                "No dead units, and no saturation for x > 0.",
            ),
            cons=(
                "Training and evaluation compute different functions, so outputs shift between"
                " the two modes.",
                "Not zero-centred (mean ≈ 0.31 for standard normal inputs at the mean slope).",
                "Drawing a random number per element costs more than the rectifier itself.",
            ),
            initialisation=(
                "He (Kaiming) initialisation with the gain of a leaky ReLU of the mean slope,"
                " calculate_gain('leaky_relu', (l + u)/2); PyTorch has no entry for rrelu itself."
            ),
        ),
        "threshold": Text(
            description=(
                "x above a threshold t and a constant v at or below it; with t = v = 0 it is"
                " ReLU. Unless v = t it jumps at t."
            ),
            pros=(
                "Cheap: one comparison.",
                "Lets a layer ignore every input below a level of its choosing.",
            ),
            cons=(
                "Jumps at t unless v = t: not continuous, and not monotonic where v > t.",
                "f′ = 0 for every x ≤ t: units held below the threshold get no gradient.",
                "Not zero-centred (mean ≈ 0.40 for standard normal inputs with t = v = 0).",
            ),
            initialisation=(
                "With t = v = 0 it is ReLU, and He (Kaiming) initialisation applies; PyTorch's"
                " calculate_gain has no entry for it."
            ),
        ),
        "hardtanh": Text(
            description=(
                "A piecewise-linear tanh: the identity on [−1, 1], clipped to −1 and 1 outside"
                " (PyTorch lets the bounds be set). Collobert used it in place of tanh as a"
                " cheaper function."
            ),
            pros=(
                "Cheap: two comparisons, no exponential.",
                "Zero-centred and bounded in [−1, 1], like tanh.",
                "The identity near the origin: f′ = 1 on (−1, 1), so small signals pass unchanged.",
            ),
            cons=(
                "No gradient beyond the bounds: f′ = 0 for |x| ≥ 1, so saturated units stop"
                " learning at once rather than slowly.",
                "Not differentiable at ±1; f′(±1) = 0 by convention.",
            ),
            initialisation=(
                "Xavier (Glorot) initialisation, as for tanh, which it matches near 0; PyTorch's"
                " calculate_gain has no entry for hardtanh."
            ),
        ),
        "selu": Text(
            description=(
                "Scaled ELU, λ·elu(x; α) with α ≈ 1.6733 and λ ≈ 1.0507, constants chosen by"
                " Klambauer et al. so that with weights of variance 1/fan_in the activations keep"
                " mean 0 and variance 1 from layer to layer: a self-normalising network, without"
                " batch normalisation."
            ),
            pros=(
                "Self-normalising: standard normal inputs give outputs of mean 0 and variance 1,"
                " and nearby means and variances are drawn back to (0, 1), so deep fully-connected"
                " networks keep their signal without normalisation layers.",
                "No dead units: f′ > 0 everywhere.",
                "Zero-centred for standard normal inputs.",
            ),
            cons=(
                "It holds only with LeCun-normal weights, standardised inputs and alpha dropout"
                " instead of dropout; it was derived for fully-connected layers, and convolutional"
                " or residual networks do not meet its assumptions.",
                "f′ jumps at 0, from λα ≈ 1.76 to λ ≈ 1.05: it is only C⁰.",
                "Costs an exponential for negative inputs.",
            ),
            initialisation=(
                "LeCun normal, variance 1/fan_in (gain 1, kaiming_normal_ with"
                " nonlinearity='linear'): the fixed point depends on it. PyTorch's"
                " calculate_gain('selu') returns 3/4 instead, which, as its documentation says,"
                " gives up self-normalisation for steadier gradients in rectangular layers; use"
                " gain 1 for a self-normalising network."
            ),
        ),
        "celu": Text(
            description=(
                "Continuously differentiable ELU: max(0, x) + min(0, α(e^{x/α} − 1)). Dividing x"
                " by α inside the exponential makes the slope 1 on both sides of 0 for every α,"
                " which ELU has only for α = 1."
            ),
            pros=(
                "f′ is continuous for every α (C¹), unlike ELU's for α ≠ 1.",
                "Negative outputs bring the mean closer to zero than ReLU does (mean ≈ 0.16 for"
                " standard normal inputs with α = 1).",
                "No dead units: f′ = e^{x/α} > 0.",
            ),
            cons=(
                "Costs an exponential for negative inputs.",
                "Saturates towards −α: with α = 1, f′ is below 1% of its maximum for x < −4.6.",
                "At the default α = 1 it is ELU itself.",
            ),
            initialisation=(
                "PyTorch's calculate_gain has no entry for CELU; He initialisation, as for ReLU"
                " and ELU, is the usual choice."
            ),
        ),
        "relu_squared": Text(
            description=(
                "The square of ReLU, max(x, 0)². So et al.'s architecture search (Primer) found"
                " it as the feed-forward activation of transformers, where it trained language"
                " models more efficiently than GELU."
            ),
            pros=(
                "Cheap: a comparison and a product.",
                "Smoother than ReLU: f′ = 2·relu(x) is continuous (C¹).",
                "Sparse like ReLU: exactly 0 for every x ≤ 0.",
            ),
            cons=(
                "Not zero-centred: mean ≈ 0.50 and variance ≈ 1.25 for standard normal inputs.",
                "f′ grows without bound, and a deep stack of it squares the scale of its inputs"
                " at every layer.",
                "Dead units as with ReLU: f′ = 0 for every x ≤ 0.",
            ),
            initialisation=(
                "No scheme keeps the variance of a deep stack of it constant, since each layer"
                " squares the scale of its inputs. In Primer it sits in the feed-forward block of"
                " a transformer, behind normalisation layers, with the transformer's usual"
                " initialisation."
            ),
        ),
        "hard_sigmoid": Text(
            description=(
                "A piecewise-linear sigmoid, relu6(x + 3)/6, i.e. x/6 + 1/2 clipped to [0, 1]"
                " (PyTorch, Keras 3, JAX); Keras 2 used 0.2x + 0.5. It replaces the sigmoid where"
                " an exponential costs too much, as in MobileNetV3's squeeze-and-excitation gates."
            ),
            pros=(
                "Cheap: no exponential.",
                "Bounded in [0, 1], with the sigmoid's value 1/2 at 0.",
                "Exactly 0 or 1 beyond ±3: a gate can be fully closed or open.",
            ),
            cons=(
                "No gradient beyond ±3: f′ = 0 there.",
                "Its slope 1/6 at 0 is below σ′(0) = 1/4: near the origin it is not a close copy"
                " of the sigmoid.",
                "Not zero-centred (mean 1/2), and libraries disagree on its slope (1/6 or 0.2).",
            ),
            initialisation=(
                "Xavier (Glorot) initialisation, as for the sigmoid; PyTorch's calculate_gain has"
                " no entry for it."
            ),
        ),
        "softsign": Text(
            description=(
                "x/(1 + |x|): S-shaped like tanh, but approaching ±1 polynomially rather than"
                " exponentially. Glorot & Bengio (2010) studied it beside tanh and found its"
                " layers saturate less."
            ),
            pros=(
                "Zero-centred and bounded in (−1, 1); f(0) = 0 and f′(0) = 1.",
                "Polynomial tails: f′ = 1/(1 + |x|)² decays as 1/x², far slower than tanh′, so"
                " large inputs still pass some gradient.",
                "No exponential: one division.",
            ),
            cons=(
                "Still saturating: f′ is below 1% of its maximum beyond |x| = 9.",
                "f″ jumps at 0, from 2 to −2: it is only C¹.",
            ),
            initialisation=(
                "Xavier (Glorot) initialisation, as for tanh; PyTorch's calculate_gain has no"
                " entry for softsign."
            ),
        ),
        "log_sigmoid": Text(
            description=(
                "log σ(x) = −log(1 + e^−x) = −softplus(−x): the log-probability of the logistic"
                " model, computed without the underflow of log(σ(x)). It appears in losses (binary"
                " cross-entropy, word2vec's negative sampling) more than as a hidden activation."
            ),
            pros=(
                "Exact in the tails: log σ(x) ≈ x for very negative x, where σ itself underflows"
                " to 0 and log σ would be −∞.",
                "Smooth and monotonic, with derivative σ(−x) in (0, 1).",
            ),
            cons=(
                "Unbounded below and not zero-centred (mean ≈ −0.81 for standard normal inputs).",
                "Saturates for positive inputs: f′ = σ(−x) is below 1% of its maximum for x > 4.6.",
                "Costs an exponential and a logarithm per element.",
            ),
            initialisation=(
                "Not used as a hidden activation, so no scheme is established for it; as the"
                " last step of a logistic model it takes the initialisation of the layer before."
            ),
        ),
        "sparse_sigmoid": Text(
            description=(
                "clip((x + 1)/2, 0, 1): the sigmoid of the 2-Tsallis entropy (Blondel et al.),"
                " which reaches exactly 0 and 1 outside [−1, 1]. It is sparsemax's first output"
                " for the pair (x, 0), as the logistic sigmoid is softmax's."
            ),
            pros=(
                "Exactly 0 or 1 outside [−1, 1]: sparse probabilities.",
                "Cheap: no exponential.",
            ),
            cons=(
                "No gradient outside [−1, 1]: f′ = 0 there.",
                "Not zero-centred (mean 1/2).",
            ),
            initialisation=(
                "Xavier (Glorot) initialisation, as for the sigmoid; PyTorch's calculate_gain has"
                " no entry for it."
            ),
        ),
        "arctan": Text(
            description=(
                "The inverse tangent: S-shaped and bounded in (−π/2, π/2), approaching its bounds"
                " as 1/x, much more slowly than tanh does."
            ),
            pros=(
                "Zero-centred and bounded.",
                "Approximates the identity near the origin (f(0) = 0, f′(0) = 1).",
                "Slow saturation: f′ = 1/(1 + x²) decays as 1/x², so large inputs still get some"
                " gradient.",
            ),
            cons=(
                "Still saturates: f′ is below 1% of its maximum beyond |x| ≈ 9.95.",
                "Costs a trigonometric function per element, and no library offers it as an"
                " activation.",
            ),
            initialisation=(
                "Xavier (Glorot) initialisation, as for tanh, which it resembles near 0; PyTorch's"
                " calculate_gain has no entry for it."
            ),
        ),
        "binary_step": Text(
            description=(
                "The Heaviside step: 1 for x ≥ 0 and 0 below; the threshold unit of McCulloch and"
                " Pitts and of Rosenblatt's perceptron. It takes only the values 0 and 1."
            ),
            pros=(
                "The simplest non-linearity: one comparison.",
                "Outputs are exactly 0 or 1, a binary decision.",
            ),
            cons=(
                "Its derivative is 0 wherever it exists (a Dirac delta at 0), so gradient descent"
                " cannot train the weights before it.",
                "Jumps at 0: not continuous.",
                "Not zero-centred (mean 1/2).",
            ),
            initialisation=(
                "Not trained by backpropagation, so no scheme applies; networks of step units are"
                " trained by other rules (the perceptron rule) or through surrogate gradients."
            ),
        ),
        "squareplus": Text(
            description=(
                "(x + √(x² + b))/2: a smooth rectifier like softplus, made of algebra alone"
                " (Barron 2021), cheaper than softplus where a square root is faster than an"
                " exponential and a logarithm. b sets the curvature at 0; b → 0 gives ReLU."
            ),
            pros=(
                "Smooth and positive, with 0 < f′ < 1: no dead units.",
                "Only a square root: no exponential or logarithm.",
                "No overflow: f(x) → x as x → ∞ and f(x) ≈ b/(4|x|) as x → −∞.",
            ),
            cons=(
                "Not zero-centred (mean ≈ 1.11 for standard normal inputs with b = 4).",
                "Its negative side decays only as 1/|x|: f′ is below 1% of its maximum only for"
                " x < −9.8, so large negative inputs keep non-zero outputs.",
                "Not in PyTorch: only JAX and Keras have it.",
            ),
            initialisation=(
                "He initialisation, as for the ReLU it approximates; no library defines a gain for"
                " it."
            ),
        ),
        "sparse_plus": Text(
            description=(
                "0 below −1, x above 1 and (x + 1)²/4 in between: the 2-Tsallis counterpart of"
                " softplus (Blondel et al.), whose derivative is sparse_sigmoid. It is ReLU with"
                " its corner replaced by a parabola."
            ),
            pros=(
                "Continuously differentiable (C¹), yet exactly 0 below −1 and exactly x above 1.",
                "Cheap: a comparison and a product.",
                "f′ = sparse_sigmoid(x), as softplus′ = σ.",
            ),
            cons=(
                "Dead units for x ≤ −1, where f′ = 0.",
                "Not zero-centred (mean ≈ 0.46 for standard normal inputs).",
                "f″ jumps at ±1.",
            ),
            initialisation=(
                "He initialisation, as for the ReLU it approximates; no library defines a gain for"
                " it."
            ),
        ),
        "exponential": Text(
            description=(
                "e^x as an activation (keras.activations.exponential). It serves where an output"
                " must be positive and multiplicative, such as a rate or a scale, rather than in"
                " hidden layers."
            ),
            pros=(
                "Positive everywhere: a natural output for rates, variances and scales.",
                "Smooth, with f′ = f.",
            ),
            cons=(
                "Overflows to ∞ above x ≈ 709.8, and its gradient grows as fast as the function.",
                "Not zero-centred and heavy-tailed: mean ≈ 1.65 and variance ≈ 4.67 for standard"
                " normal inputs (a log-normal distribution).",
                "Unbounded f′: a deep stack of it is unstable.",
            ),
            initialisation=(
                "Not used in hidden layers, so no scheme is established; as an output it takes"
                " the initialisation of the layer before, whose bias sets the initial scale."
            ),
        ),
        "xielu": Text(
            description=(
                "xIELU (Huang & Schlag 2024): α_p x² + βx for x > 0 and α_n(e^{min(x, ε)} − 1 − x)"
                " + βx below, the integral of a gradient that grows linearly for positive inputs"
                " and follows an ELU-like curve, which can turn negative, for negative ones. It is"
                " the activation of the Apertus language models, which learn α_p and α_n."
            ),
            pros=(
                "Its gradient grows linearly for x > 0, as ReLU²'s does, and stays non-zero for"
                " x < 0: no dead units.",
                "Trainable α_p and α_n let each layer tune its shape.",
            ),
            cons=(
                "Not monotonic: it falls to its minimum ≈ −0.21 at x ≈ −0.98, then rises again"
                " as x → −∞, where f′ tends to β − α_n = −0.3.",
                "With ε < 0, as in Apertus, f(0) = α_n(e^ε − 1) ≈ −8·10⁻⁷ while f → 0 from the"
                " right: strictly, it is not continuous.",
                "Not zero-centred (mean ≈ 0.53 for standard normal inputs), and f′ is unbounded.",
            ),
            initialisation=(
                "No scheme is established for it; Apertus uses it in transformer feed-forward"
                " layers with the model's usual initialisation. Its quadratic positive side makes"
                " the output's variance grow faster than the input's."
            ),
        ),
        "silu": Text(
            description=(
                "x·σ(βx): the input weighted by its sigmoid. Proposed as SiLU by Hendrycks &"
                " Gimpel and by Elfwing et al., and found again as Swish by Ramachandran et al.'s"
                " search, it is the activation of EfficientNet and, inside SwiGLU, of most large"
                " language models."
            ),
            pros=(
                "Smooth, and no dead units: f′ is zero at a single point only.",
                "Close to ReLU for large |x|, while passing small negative values.",
                "Bounded below: its minimum ≈ −0.28 is −W(1/e), at x = −1 − W(1/e) ≈ −1.28"
                " (W: Lambert's function).",
            ),
            cons=(
                "Costs an exponential per element.",
                "Not monotonic: decreasing below x ≈ −1.28.",
                "Not zero-centred (mean ≈ 0.21 for standard normal inputs).",
                "Saturates for negative inputs: f′ is below 1% of its maximum for x < −6.1.",
            ),
            initialisation=(
                "PyTorch's calculate_gain has no entry for SiLU; He initialisation, as for ReLU,"
                " is the usual choice."
            ),
        ),
        "hard_swish": Text(
            description=(
                "x·relu6(x + 3)/6 = x·hard_sigmoid(x): a piecewise-quadratic SiLU without"
                " exponentials, introduced in MobileNetV3 for mobile hardware."
            ),
            pros=(
                "Cheap: comparisons and products, no exponential.",
                "Close to SiLU: 0 below −3, x above 3, quadratic in between.",
                "Bounded below: its minimum is −0.375, at x = −1.5.",
            ),
            cons=(
                "Dead units for x < −3, where f′ = 0.",
                "f′ jumps at ±3 (from 0 to −1/2, and from 3/2 to 1): only C⁰.",
                "Not monotonic: decreasing on (−3, −1.5).",
                "Not zero-centred (mean ≈ 0.17 for standard normal inputs).",
            ),
            initialisation=(
                "PyTorch's calculate_gain has no entry for it; He initialisation, as for ReLU, is"
                " the usual choice."
            ),
        ),
        "mish": Text(
            description=(
                "x·tanh(softplus(x)): a smooth, non-monotonic self-gated activation (Misra 2020),"
                " close to SiLU with a slightly deeper minimum; YOLOv4 uses it."
            ),
            pros=(
                "Smooth, and no dead units.",
                "Bounded below: minimum ≈ −0.31, at x ≈ −1.19.",
                "Close to ReLU for large |x|.",
            ),
            cons=(
                "Costlier than SiLU in most libraries (a softplus and a tanh); computed here through"
                " a single exponential.",
                "Not monotonic: decreasing below x ≈ −1.19.",
                "Not zero-centred (mean ≈ 0.24 for standard normal inputs).",
                "Saturates for negative inputs: f′ is below 1% of its maximum for x < −6.2.",
            ),
            initialisation=(
                "PyTorch's calculate_gain has no entry for Mish; He initialisation, as for ReLU,"
                " is the usual choice."
            ),
        ),
        "tanhshrink": Text(
            description=(
                "x − tanh x: what is left of x once tanh has taken its share. Near 0 it behaves"
                " as x³/3, far out as x ∓ 1."
            ),
            pros=(
                "Zero-centred (odd), monotonic and smooth.",
                "Gradients do not vanish for large |x|: f′ = tanh² x → 1.",
            ),
            cons=(
                "Flat at the origin: f′(0) = 0 and f ≈ x³/3, so small signals all but vanish.",
                "Unbounded on both sides.",
                "Costs an exponential (a tanh) per element.",
            ),
            initialisation=(
                "No scheme is established: its slope is 0 at the origin, so the schemes derived"
                " for activations that are linear near 0 do not apply."
            ),
        ),
        "softshrink": Text(
            description=(
                "Soft thresholding: x − λ above λ, x + λ below −λ and 0 in between. It is the"
                " proximal operator of the ℓ1 norm (Donoho), the step that gives sparse codes in"
                " ISTA and in networks unrolled from it (LISTA), and in wavelet denoising."
            ),
            pros=(
                "Sparse: exactly 0 on [−λ, λ].",
                "Zero-centred (odd) and cheap.",
            ),
            cons=(
                "Dead zone: f′ = 0 on [−λ, λ].",
                "f′ jumps at ±λ, from 0 to 1.",
                "Biased: large inputs come out λ too small.",
            ),
            initialisation=(
                "No scheme is established; in unrolled sparse-coding networks the weights start"
                " from the dictionary the algorithm would use."
            ),
        ),
        "hardshrink": Text(
            description=(
                "Hard thresholding: x where |x| > λ and 0 otherwise (Donoho & Johnstone). It keeps"
                " large inputs unchanged and removes small ones."
            ),
            pros=(
                "Sparse: exactly 0 on [−λ, λ].",
                "Unbiased for large inputs: they pass unchanged.",
                "Zero-centred (odd) and cheap.",
            ),
            cons=(
                "Jumps at ±λ, by λ: not continuous.",
                "Dead zone: f′ = 0 on [−λ, λ].",
            ),
            initialisation=(
                "No scheme is established; it serves as a thresholding step more than as a hidden"
                " activation."
            ),
        ),
        "sin": Text(
            description=(
                "sin(ω₀x): the periodic activation of SIREN (Sitzmann et al. 2020), for networks"
                " that represent a signal (an image, a shape, a sound) as a function of"
                " coordinates, together with its derivatives. SIREN's first layer uses ω₀ = 30;"
                " the default here is 1."
            ),
            pros=(
                "Smooth, with derivatives that are sinusoids again: a sine network's derivatives"
                " are sine networks, so it can fit gradients and Laplacians as well as values.",
                "Represents fine detail (high frequencies) that ReLU networks learn slowly.",
                "Zero-centred and bounded in [−1, 1].",
            ),
            cons=(
                "Periodic: inputs a period apart give the same output.",
                "Needs its own initialisation; with the usual schemes deep sine networks train"
                " poorly.",
                "Costs a sine per element.",
            ),
            initialisation=(
                "SIREN's scheme: hidden weights uniform in ±√(6/fan_in)/ω₀ and the first layer's"
                " in ±1/fan_in, which keeps the distribution of pre-activations the same from"
                " layer to layer; PyTorch has no gain for it."
            ),
        ),
        "snake": Text(
            description=(
                "x + sin²(ax)/a: a monotonic activation with a periodic ripple (Liu Ziyin et al."
                " 2020), so that networks can extrapolate periodic functions, which ReLU and tanh"
                " networks cannot. BigVGAN uses it for audio."
            ),
            pros=(
                "Extrapolates periodic patterns beyond the training range.",
                "Monotonic (f′ = 1 + sin 2ax ≥ 0) and unbounded, so it keeps ReLU-like"
                " optimisation while adding periodicity.",
            ),
            cons=(
                "f′ reaches 0 once per period (where ax = −π/4 + kπ), and the gradient with it.",
                "Not zero-centred (mean ≈ 0.43 for standard normal inputs with a = 1).",
                "Costs a sine per element, and a must be chosen, or learned per channel.",
            ),
            initialisation=(
                "No gain is defined for it. Near 0 it behaves as x + a x², close to the identity,"
                " so the schemes for linear layers (Xavier, LeCun) are a reasonable start."
            ),
        ),
        "gaussian": Text(
            description=(
                "e^{−x²}: a bell-shaped, non-monotonic activation for coordinate networks;"
                " Ramasinghe & Lucey (2022) found it less sensitive to initialisation than sine"
                " activations. Here of unit width; the paper scales x by a width σ."
            ),
            pros=(
                "Smooth and bounded in (0, 1]; encodes fine detail in coordinate networks without"
                " positional encodings.",
                "Less sensitive to initialisation than sine activations.",
            ),
            cons=(
                "Not monotonic: x and −x give the same output.",
                "Vanishing gradients: f′ is below 1% of its maximum beyond |x| ≈ 2.5.",
                "Not zero-centred (mean ≈ 0.58 for standard normal inputs).",
            ),
            initialisation=(
                "No scheme is established; as with other coordinate-network activations, the"
                " scale of the first layer sets which frequencies are represented."
            ),
        ),
        "softmax": Text(
            description=(
                "Maps a vector of scores to a probability distribution, e^{x_i}/Σ_j e^{x_j}:"
                " positive components that sum to 1, ordered like the scores. It is the output of"
                " multi-class classifiers and the weighting of attention."
            ),
            pros=(
                "A probability distribution: every component in (0, 1), summing to 1.",
                "Smooth, and unchanged by adding a constant to every score, which makes it safe to"
                " compute once the maximum is subtracted.",
                "With the cross-entropy loss its gradient is simply p − y.",
            ),
            cons=(
                "Never exactly 0: every class keeps some probability (sparsemax and entmax give"
                " exact zeros).",
                "Saturates: a dominant score takes nearly all the mass, and the gradients of the"
                " others vanish.",
                "Costs an exponential per element, and a sum along the axis.",
            ),
            initialisation=(
                "Softmax has no gain of its own: the linear map producing its scores is"
                " initialised like the rest of the network, or with small weights so that the"
                " initial distribution is nearly uniform."
            ),
        ),
        "log_softmax": Text(
            description=(
                "x_i − log Σ_j e^{x_j}: the logarithm of softmax, computed without forming softmax,"
                " so that tiny probabilities keep their logarithms instead of underflowing to −∞."
                " It feeds the negative log-likelihood loss."
            ),
            pros=(
                "Exact log-probabilities where softmax underflows: e^−800 is 0, but its log −800"
                " is kept.",
                "With the negative log-likelihood it gives the cross-entropy loss, stably.",
            ),
            cons=(
                "Unbounded below: log-probabilities of unlikely classes can be very negative.",
                "Costs an exponential per element and a logarithm per vector.",
            ),
            initialisation=(
                "As for softmax: no gain of its own; the layer before it is initialised like the"
                " rest of the network."
            ),
        ),
        "softmin": Text(
            description=(
                "softmax(−x): a probability distribution that puts most of its mass on the"
                " smallest scores, e.g. soft nearest-neighbour weights from distances."
            ),
            pros=(
                "A probability distribution (components in (0, 1), summing to 1) favouring small"
                " values.",
                "Smooth, and unchanged by adding a constant to every score.",
            ),
            cons=(
                "Never exactly 0.",
                "Costs an exponential per element.",
            ),
            initialisation="As for softmax: no gain of its own.",
        ),
        "sparsemax": Text(
            description=(
                "The Euclidean projection of the scores onto the probability simplex (Martins &"
                " Astudillo 2016): max(x_i − τ, 0), with τ such that the result sums to 1. Unlike"
                " softmax it gives exact zeros, so attention or a classifier can ignore some"
                " entries entirely."
            ),
            pros=(
                "Sparse: low scores get exactly zero probability.",
                "Piecewise linear, with a simple Jacobian: a projection on the support.",
                "A probability distribution, on the closed simplex.",
            ),
            cons=(
                "Only continuous (C⁰): its Jacobian jumps when an entry enters or leaves the"
                " support.",
                "Needs a sort along the axis: O(n log n) per vector.",
                "Entries outside the support get no gradient through it.",
            ),
            initialisation=(
                "No gain of its own; as an output or attention layer it takes the initialisation"
                " of the linear map producing its scores."
            ),
        ),
        "entmax15": Text(
            description=(
                "1.5-entmax (Peters et al. 2019), the mapping of the Tsallis entropy with α = 1.5,"
                " between softmax (α = 1) and sparsemax (α = 2): max(x_i/2 − τ, 0)², with τ such"
                " that the result sums to 1. Sparse like sparsemax, but smoother."
            ),
            pros=(
                "Sparse: exact zeros for low scores.",
                "Continuously differentiable (C¹), smoother than sparsemax.",
                "A probability distribution, on the closed simplex.",
            ),
            cons=(
                "Needs a sort along the axis and a square root.",
                "Its derivative still has kinks where the support changes (C¹, not C²).",
                "Entries outside the support get no gradient through it.",
            ),
            initialisation=(
                "No gain of its own; as an output or attention layer it takes the initialisation"
                " of the linear map producing its scores."
            ),
        ),
        "glu": Text(
            description=(
                "The gated linear unit (Dauphin et al. 2017): the input is split into halves a"
                " and b along an axis, and a·σ(b) is returned, half as long as the input. The"
                " sigmoid gate decides, element by element, how much of a passes."
            ),
            pros=(
                "The path through a carries the gradient σ(b) with no derivative of a"
                " non-linearity on it, so gradients vanish less than through tanh gates.",
                "Smooth, with a learned gate.",
            ),
            cons=(
                "Halves the width: the layer before must produce twice the features.",
                "Costs an exponential per output element.",
            ),
            initialisation=(
                "Dauphin et al. initialise their gated convolutional networks with He (Kaiming)"
                " initialisation."
            ),
        ),
        "swiglu": Text(
            description=(
                "a·silu(b), with (a, b) the halves of the input (Shazeer 2020): GLU with a SiLU"
                " gate. It is the feed-forward activation of PaLM and LLaMA."
            ),
            pros=(
                "Lower perplexity than ReLU or GELU feed-forward layers in Shazeer's transformer"
                " experiments.",
                "Smooth, and no dead units.",
            ),
            cons=(
                "Halves the width: the projection before it produces twice the features (models"
                " shrink the hidden size to about 2/3 to keep the parameter count).",
                "Costs an exponential per output element, and an extra product.",
            ),
            initialisation=(
                "No scheme specific to it; large language models draw the projection weights"
                " from a normal distribution of standard deviation about 0.02 (LLaMA's default,"
                " as GPT-2's)."
            ),
        ),
        "geglu": Text(
            description=(
                "a·gelu(b), with (a, b) the halves of the input (Shazeer 2020): GLU with a GELU"
                " gate, in the feed-forward layers of T5 v1.1 and Gemma."
            ),
            pros=(
                "Lower perplexity than ReLU or GELU feed-forward layers in Shazeer's transformer"
                " experiments.",
                "Smooth.",
            ),
            cons=(
                "Halves the width: the projection before it produces twice the features.",
                "Costs an erf (or a tanh in the approximate form) per output element.",
            ),
            initialisation=(
                "No scheme specific to it; transformers using it draw weights from small normal"
                " distributions, as for SwiGLU."
            ),
        ),
    }
)
