"""Functions that map a vector to a probability distribution along an axis.

softmax and its relatives shift by the maximum first, so that exp never overflows and the
largest term is exactly 1. sparsemax and 1.5-entmax are Euclidean and Tsallis projections
onto the simplex: their thresholds come from sorting, exactly, and are then recomputed over
the support found, in a form without cancellation. Their zeros are exact.

The gradients are vector-Jacobian products with g = grad_output, in closed form.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from service.numerics.activation import Activation, Array, Equivalent
from service.numerics.families.gated_linear import AXIS

__all__ = ["ENTRIES"]


def _exp_shifted(x: Array, axis: int) -> tuple[Array, Array, Array]:
    """x - max, e = exp(x - max), and the sum of e without the 1 of the (first) maximum."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    # Summed without the maximum's 1: in 1 + rest, a rest below 1e-16 would round away, and
    # log1p(rest) is what log_softmax needs.
    others = e.copy()
    np.put_along_axis(others, np.argmax(x, axis=axis, keepdims=True), 0, axis=axis)
    return shifted, e, np.sum(others, axis=axis, keepdims=True)


def softmax(x: Array, axis: int = -1) -> Array:
    """exp(x_i - max x) / sum_j exp(x_j - max x)."""
    _, e, rest = _exp_shifted(x, axis)
    return e / (1 + rest)


def softmax_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    s = softmax(x, axis)
    # g - <g, s> = d - <d, s> with d = g - g_k, k the largest x: at k it is then the small sum
    # -sum_j d_j s_j rather than g_k minus a rounded number close to it.
    top = np.argmax(x, axis=axis, keepdims=True)
    d = grad_output - np.take_along_axis(grad_output, top, axis=axis)
    result: Array = s * (d - np.sum(d * s, axis=axis, keepdims=True))
    return result


def log_softmax(x: Array, axis: int = -1) -> Array:
    """(x_i - max x) - log sum_j exp(x_j - max x), the log as log1p of the terms but the max's."""
    shifted, _, rest = _exp_shifted(x, axis)
    return shifted - np.log1p(rest)


def log_softmax_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    result: Array = grad_output - softmax(x, axis) * np.sum(grad_output, axis=axis, keepdims=True)
    return result


def softmin(x: Array, axis: int = -1) -> Array:
    """softmax(-x)."""
    return softmax(-x, axis)


def softmin_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    return -softmax_vjp(-x, grad_output, axis)


def _sorted_prefix(x: Array, axis: int) -> tuple[Array, Array, Array]:
    """z = x - max moved to the last axis, z sorted descending (from -2 up), and k = 1..n."""
    z = np.moveaxis(x, axis, -1)
    z = z - np.max(z, axis=-1, keepdims=True)
    ranks = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    # tau >= -1 (the largest z is 0 and its share at most 1), so anything below -2 is outside
    # the support either way: clipped there, the prefix sums of squares cannot overflow.
    return z, -np.sort(-np.maximum(z, -2), axis=-1), ranks


def _support_size(condition: npt.NDArray[np.bool_]) -> Array:
    """The number of leading ks for which the support condition holds (it holds for k = 1)."""
    result: Array = np.maximum(np.sum(condition, axis=-1, keepdims=True), 1)
    return result


def _sparsemax_threshold(z: Array, ordered: Array, ranks: Array) -> Array:
    cumulative = np.cumsum(ordered, axis=-1)
    size = _support_size(1 + ranks * ordered > cumulative)
    support = z >= np.take_along_axis(ordered, size.astype(np.intp) - 1, axis=-1)
    # tau = (sum over the support - 1) / k, summed again over the support alone.
    count = np.sum(support, axis=-1, keepdims=True)
    result: Array = (np.sum(np.where(support, z, 0.0), axis=-1, keepdims=True) - 1) / count
    return result


def sparsemax(x: Array, axis: int = -1) -> Array:
    """max(x_i - tau, 0), with tau such that the result sums to 1 (the projection onto the simplex)."""
    z, ordered, ranks = _sorted_prefix(x, axis)
    return np.moveaxis(np.maximum(z - _sparsemax_threshold(z, ordered, ranks), 0), -1, axis)


def sparsemax_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    support = sparsemax(x, axis) > 0
    count = np.sum(support, axis=axis, keepdims=True)
    mean = np.sum(np.where(support, grad_output, 0.0), axis=axis, keepdims=True) / count
    result: Array = support * (grad_output - mean)
    return result


def _entmax_threshold(z: Array, ordered: Array, ranks: Array) -> Array:
    """tau with sum max(z/2 - tau, 0)^2 = 1; z/2 is sorted as ``ordered``."""
    mean = np.cumsum(ordered, axis=-1) / ranks
    spread = np.cumsum(ordered * ordered, axis=-1) - ranks * mean * mean
    candidates = mean - np.sqrt(np.maximum((1 - spread) / ranks, 0))
    size = _support_size(candidates <= ordered)
    support = z >= np.take_along_axis(ordered, size.astype(np.intp) - 1, axis=-1)
    # Over the support found: mean and sum of squared deviations, without the cancellation
    # of sum(z^2) - k mean^2.
    count = np.sum(support, axis=-1, keepdims=True)
    mean = np.sum(np.where(support, z, 0.0), axis=-1, keepdims=True) / count
    spread = np.sum(np.where(support, np.square(z - mean), 0.0), axis=-1, keepdims=True)
    result: Array = mean - np.sqrt(np.maximum((1 - spread) / count, 0))
    return result


def _entmax_root(x: Array, axis: int) -> Array:
    """max(x/2 - tau, 0), the square root of 1.5-entmax, on the last axis."""
    z, ordered, ranks = _sorted_prefix(x / 2, axis)
    return np.maximum(z - _entmax_threshold(z, ordered, ranks), 0)


def entmax15(x: Array, axis: int = -1) -> Array:
    """max(x_i/2 - tau, 0)^2, with tau such that the result sums to 1."""
    return np.moveaxis(np.square(_entmax_root(x, axis)), -1, axis)


def entmax15_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    root = _entmax_root(x, axis)
    g = np.moveaxis(grad_output, axis, -1)
    weighted = root * g
    share = np.sum(weighted, axis=-1, keepdims=True) / np.sum(root, axis=-1, keepdims=True)
    return np.moveaxis(weighted - share * root, -1, axis)


SOFTMAX = Activation(
    name="softmax",
    forward=softmax,
    vjp=softmax_vjp,
    formula=r"f(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}",
    derivative_formula=r"\nabla_x = s \odot (g - \langle g, s \rangle),\quad s = f(x)",
    parameters=(AXIS,),
    reference="Bridle, Probabilistic Interpretation of Feedforward Classification Network Outputs, 1990.",
    family="normalizing",
    follows="PyTorch, with Keras' and JAX's default axis -1 (PyTorch's dim has none)",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.softmax(x, dim=-1)"),
        Equivalent("keras", "keras.activations.softmax(x, axis=-1)"),
        Equivalent("jax", "jax.nn.softmax(x, axis=-1)"),
    ),
)

LOG_SOFTMAX = Activation(
    name="log_softmax",
    forward=log_softmax,
    vjp=log_softmax_vjp,
    formula=r"f(x)_i = x_i - \log \sum_j e^{x_j}",
    derivative_formula=r"\nabla_x = g - \operatorname{softmax}(x) \sum_j g_j",
    parameters=(AXIS,),
    reference="The log-probabilities of softmax, formed without its underflow.",
    family="normalizing",
    follows="PyTorch, with Keras' and JAX's default axis -1 (PyTorch's dim has none)",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.log_softmax(x, dim=-1)"),
        Equivalent("keras", "keras.activations.log_softmax(x, axis=-1)"),
        Equivalent("jax", "jax.nn.log_softmax(x, axis=-1)"),
    ),
)

SOFTMIN = Activation(
    name="softmin",
    forward=softmin,
    vjp=softmin_vjp,
    formula=r"f(x)_i = \frac{e^{-x_i}}{\sum_j e^{-x_j}}",
    derivative_formula=r"\nabla_x = -s \odot (g - \langle g, s \rangle),\quad s = f(x)",
    parameters=(AXIS,),
    reference="softmax(-x); PyTorch's torch.nn.Softmin.",
    family="normalizing",
    follows="PyTorch, with axis -1 by default (PyTorch's dim has none)",
    equivalents=(Equivalent("torch", "torch.nn.functional.softmin(x, dim=-1)"),),
)

SPARSEMAX = Activation(
    name="sparsemax",
    forward=sparsemax,
    vjp=sparsemax_vjp,
    formula=r"f(x) = \operatorname*{argmin}_{p \in \Delta} \|p - x\|^2,\quad f(x)_i = \max(x_i - \tau, 0)",
    derivative_formula=(
        r"\nabla_x = s \odot \left(g - \frac{\langle s, g \rangle}{\langle s, s \rangle}\right),"
        r"\quad s = [f(x) > 0]"
    ),
    parameters=(AXIS,),
    kink="Where x_i = tau exactly, i counts outside the support: f(x)_i = 0 and its gradient row is 0.",
    reference="Martins & Astudillo, From Softmax to Sparsemax, ICML 2016.",
    family="normalizing",
    follows="Keras (PyTorch has no such function)",
    equivalents=(Equivalent("keras", "keras.activations.sparsemax(x, axis=-1)"),),
)

ENTMAX15 = Activation(
    name="entmax15",
    forward=entmax15,
    vjp=entmax15_vjp,
    formula=r"f(x)_i = \max\!\left(\frac{x_i}{2} - \tau, 0\right)^2,\quad \sum_i f(x)_i = 1",
    derivative_formula=(
        r"\nabla_x = r \odot g - \frac{\langle r, g \rangle}{\sum_i r_i}\, r,"
        r"\quad r = \sqrt{f(x)}"
    ),
    parameters=(AXIS,),
    kink="Where x_i/2 = tau exactly, f(x)_i = 0 and its gradient row is 0.",
    reference="Peters, Niculae & Martins, Sparse Sequence-to-Sequence Models, ACL 2019.",
    family="normalizing",
    follows="the paper and its entmax package (PyTorch, Keras and JAX have no such function)",
)

ENTRIES: tuple[Activation, ...] = (SOFTMAX, LOG_SOFTMAX, SOFTMIN, SPARSEMAX, ENTMAX15)
