"""High-precision references: each activation's f, f' and f'' written directly in mpmath.

They are written from the formulas, independently of the numpy code under test, in forms
that stay accurate at 50 digits (sigma(x) sigma(-x) rather than sigma(1 - sigma), which
loses everything at x = 700 even at high precision). A kink takes the value the entry's
``kink`` convention states. The third derivative serves only as the scale of the bound on
f'' (its condition number |x f'''/f''|), so ``third_derivative`` takes it by a central
difference of f''.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
from mpmath import mpf

mpmath.mp.dps = 50

Mp = Any
Triple = tuple[Callable[..., Mp], Callable[..., Mp], Callable[..., Mp]]


def _sigma(x: Mp) -> Mp:
    return 1 / (1 + mpmath.exp(-x))


def _sigma_slope(x: Mp) -> Mp:
    return _sigma(x) * _sigma(-x)


def _sigma_curvature(x: Mp) -> Mp:
    return -_sigma_slope(x) * mpmath.tanh(x / 2)


def _phi(x: Mp) -> Mp:
    return mpmath.exp(-(x**2) / 2) / mpmath.sqrt(2 * mpmath.pi)


def _Phi(x: Mp) -> Mp:
    # mpmath's erfc overflows internally near 1e300; past |x| = 1000 the first term of the
    # asymptotic series is exact far beyond float precision (the value rounds to 0 or 1 anyway).
    if x < -1000:
        return _phi(x) / -x
    if x > 1000:
        return 1 - _phi(x) / x
    return mpmath.erfc(-x / mpmath.sqrt(2)) / 2


_C = mpf("0.044715")


def _gelu_tanh(x: Mp) -> tuple[Mp, Mp, Mp]:
    k = mpmath.sqrt(2 / mpmath.pi)
    u, du, d2u = k * (x + _C * x**3), k * (1 + 3 * _C * x**2), k * 6 * _C * x
    g = _sigma(2 * u)
    dg = 2 * du * _sigma_slope(2 * u)
    d2g = 2 * d2u * _sigma_slope(2 * u) + 4 * du**2 * _sigma_curvature(2 * u)
    return x * g, g + x * dg, 2 * dg + x * d2g


def _softplus(x: Mp, beta: float, threshold: float) -> tuple[Mp, Mp, Mp]:
    bx = mpf(beta) * x
    if bx > threshold:
        return x, mpf(1), mpf(0)
    return mpmath.log1p(mpmath.exp(bx)) / beta, _sigma(bx), beta * _sigma_slope(bx)


def _piecewise(positive: Callable[[Mp], Mp], negative: Callable[[Mp], Mp]) -> Callable[[Mp], Mp]:
    return lambda x: positive(x) if x > 0 else negative(x)


def _triple(function: Callable[[Mp], tuple[Mp, Mp, Mp]]) -> Triple:
    """(f, f', f'') from one function that returns all three."""
    return (
        lambda x: function(x)[0],
        lambda x: function(x)[1],
        lambda x: function(x)[2],
    )


def third_derivative(second: Callable[[Mp], Mp]) -> Callable[[Mp], Mp]:
    """The derivative of ``second`` by a central difference with a relative step of 2^-60."""

    def slope(x: Mp) -> Mp:
        h = max(abs(x), mpf(2) ** -1000) * mpf(2) ** -60
        return (second(x + h) - second(x - h)) / (2 * h)

    return slope


def _zero(x: Mp) -> Mp:
    return mpf(0)


def _relu(negative_slope: float, max_value: float, threshold: float) -> Triple:
    def parts(x: Mp) -> tuple[Mp, Mp, Mp]:
        if x > threshold:
            return (mpf(max_value), mpf(0), mpf(0)) if x > max_value else (x, mpf(1), mpf(0))
        return negative_slope * (x - threshold), mpf(negative_slope), mpf(0)

    return _triple(parts)


def _clamp(low: Mp, high: Mp, scale: Mp = 1, shift: Mp = 0) -> Triple:
    """clip(scale (x + shift), low, high), with slope 0 at the bounds."""

    def parts(x: Mp) -> tuple[Mp, Mp, Mp]:
        y = scale * (x + shift)
        if y <= low:
            return mpf(low), mpf(0), mpf(0)
        if y >= high:
            return mpf(high), mpf(0), mpf(0)
        return y, mpf(scale), mpf(0)

    return _triple(parts)


_SELU_ALPHA = mpf("1.6732632423543772848170429916717")
_SELU_SCALE = mpf("1.0507009873554804934193349852946")


def _celu(alpha: float) -> Triple:
    def parts(x: Mp) -> tuple[Mp, Mp, Mp]:
        if x > 0:
            return x, mpf(1), mpf(0)
        e = mpmath.exp(x / alpha)
        return alpha * mpmath.expm1(x / alpha), e, e / alpha

    return _triple(parts)


def _log_sigmoid(x: Mp) -> Mp:
    if x >= 0:
        return -mpmath.log1p(mpmath.exp(-x))
    return x - mpmath.log1p(mpmath.exp(x))


def _silu(beta: Mp) -> Triple:
    def parts(x: Mp) -> tuple[Mp, Mp, Mp]:
        u = beta * x
        return (
            x * _sigma(u),
            _sigma(u) + u * _sigma_slope(u),
            beta * (2 * _sigma_slope(u) + u * _sigma_curvature(u)),
        )

    return _triple(parts)


def _hard_swish(x: Mp) -> tuple[Mp, Mp, Mp]:
    if x < -3:
        return mpf(0), mpf(0), mpf(0)
    if x > 3:
        return x, mpf(1), mpf(0)
    return x * (x + 3) / 6, (2 * x + 3) / 6, mpf(1) / 3 if -3 < x < 3 else mpf(0)


def _mish(x: Mp) -> tuple[Mp, Mp, Mp]:
    softplus = mpmath.log1p(mpmath.exp(x))
    g, sech2 = mpmath.tanh(softplus), mpmath.sech(softplus) ** 2
    s, s_neg = _sigma(x), _sigma(-x)
    return x * g, g + x * sech2 * s, sech2 * s * (2 + x * (s_neg - 2 * g * s))


def _tanhshrink(x: Mp) -> Mp:
    if abs(x) > mpf("1e-3"):
        return x - mpmath.tanh(x)
    # x - tanh x = -sum_{n>=2} 2^(2n) (2^(2n) - 1) B_2n x^(2n-1) / (2n)!: at 50 digits the
    # difference would cancel away below 1e-3.
    return -mpmath.fsum(
        2 ** (2 * n)
        * (2 ** (2 * n) - 1)
        * mpmath.bernoulli(2 * n)
        * x ** (2 * n - 1)
        / mpmath.factorial(2 * n)
        for n in range(2, 14)
    )


def _squareplus(b: float) -> Triple:
    def parts(x: Mp) -> tuple[Mp, Mp, Mp]:
        s = mpmath.sqrt(x * x + b)
        if x < 0:  # x + s cancels: (x + s)/2 = b / (2 (s - x))
            value, slope = b / (2 * (s - x)), b / (2 * s * (s - x))
        else:
            value, slope = (x + s) / 2, (1 + x / s) / 2
        return value, slope, b / (2 * s**3)

    return _triple(parts)


def _sparse_plus(x: Mp) -> tuple[Mp, Mp, Mp]:
    if x <= -1:
        return mpf(0), mpf(0), mpf(0)
    if x >= 1:
        return x, mpf(1), mpf(0)
    return (x + 1) ** 2 / 4, (x + 1) / 2, mpf(1) / 2


def _xielu(alpha_p: float, alpha_n: float, beta: float, eps: float) -> Triple:
    def parts(x: Mp) -> tuple[Mp, Mp, Mp]:
        if x > 0:
            return alpha_p * x * x + beta * x, 2 * alpha_p * x + beta, mpf(2 * alpha_p)
        value = alpha_n * (mpmath.expm1(min(x, mpf(eps))) - x) + beta * x
        if x <= eps:
            return value, alpha_n * mpmath.expm1(x) + beta, alpha_n * mpmath.exp(x)
        return value, mpf(beta) - alpha_n, mpf(0)

    return _triple(parts)


def _shrink(lambd: float, soft: bool) -> Triple:
    def parts(x: Mp) -> tuple[Mp, Mp, Mp]:
        if abs(x) <= lambd:
            return mpf(0), mpf(0), mpf(0)
        shift = (lambd if x > 0 else -lambd) if soft else 0
        return x - shift, mpf(1), mpf(0)

    return _triple(parts)


def _gelu(approximate: str) -> Triple:
    if approximate == "tanh":
        return _triple(_gelu_tanh)
    if approximate == "sigmoid":
        return _silu(mpf("1.702"))
    return (lambda x: x * _Phi(x), lambda x: _Phi(x) + x * _phi(x), lambda x: _phi(x) * (2 - x**2))


REFERENCES: dict[str, Callable[..., Triple]] = {
    "identity": lambda: (lambda x: x, lambda x: mpf(1), _zero),
    "relu": _relu,
    "relu6": lambda: _clamp(0, 6),
    "leaky_relu": lambda negative_slope: (
        _piecewise(lambda x: x, lambda x: negative_slope * x),
        _piecewise(lambda x: mpf(1), lambda x: mpf(negative_slope)),
        _zero,
    ),
    "prelu": lambda weight: REFERENCES["leaky_relu"](weight),
    "rrelu": lambda lower, upper, training, seed: REFERENCES["leaky_relu"](
        (mpf(lower) + mpf(upper)) / 2
    ),
    "threshold": lambda threshold, value: (
        lambda x: x if x > threshold else mpf(value),
        lambda x: mpf(1) if x > threshold else mpf(0),
        _zero,
    ),
    "hardtanh": lambda min_val, max_val: _clamp(mpf(min_val), mpf(max_val)),
    "elu": lambda alpha: (
        _piecewise(lambda x: x, lambda x: alpha * mpmath.expm1(x)),
        _piecewise(lambda x: mpf(1), lambda x: alpha * mpmath.exp(x)),
        _piecewise(lambda x: mpf(0), lambda x: alpha * mpmath.exp(x)),
    ),
    "selu": lambda: (
        _piecewise(
            lambda x: _SELU_SCALE * x, lambda x: _SELU_SCALE * _SELU_ALPHA * mpmath.expm1(x)
        ),
        _piecewise(lambda x: _SELU_SCALE, lambda x: _SELU_SCALE * _SELU_ALPHA * mpmath.exp(x)),
        _piecewise(lambda x: mpf(0), lambda x: _SELU_SCALE * _SELU_ALPHA * mpmath.exp(x)),
    ),
    "celu": _celu,
    "relu_squared": lambda: (
        _piecewise(lambda x: x * x, lambda x: mpf(0)),
        _piecewise(lambda x: 2 * x, lambda x: mpf(0)),
        _piecewise(lambda x: mpf(2), lambda x: mpf(0)),
    ),
    "sigmoid": lambda: (_sigma, _sigma_slope, _sigma_curvature),
    "hard_sigmoid": lambda variant: (
        _clamp(0, 1, mpf(1) / 6, 3) if variant == "torch" else _clamp(0, 1, mpf(1) / 5, mpf(5) / 2)
    ),
    "tanh": lambda: (
        mpmath.tanh,
        lambda x: mpmath.sech(x) ** 2,
        lambda x: -2 * mpmath.tanh(x) * mpmath.sech(x) ** 2,
    ),
    "softsign": lambda: (
        lambda x: x / (1 + abs(x)),
        lambda x: 1 / (1 + abs(x)) ** 2,
        lambda x: -2 * mpmath.sign(x) / (1 + abs(x)) ** 3,
    ),
    "log_sigmoid": lambda: (_log_sigmoid, lambda x: _sigma(-x), lambda x: -_sigma_slope(x)),
    "sparse_sigmoid": lambda: _clamp(0, 1, mpf(1) / 2, 1),
    "arctan": lambda: (
        mpmath.atan,
        lambda x: 1 / (1 + x * x),
        lambda x: -2 * x / (1 + x * x) ** 2,
    ),
    "binary_step": lambda: (lambda x: mpf(1) if x >= 0 else mpf(0), _zero, _zero),
    "softplus": lambda beta, threshold: _triple(lambda x: _softplus(x, beta, threshold)),
    "gelu": _gelu,
    "squareplus": _squareplus,
    "sparse_plus": lambda: _triple(_sparse_plus),
    "exponential": lambda: (mpmath.exp, mpmath.exp, mpmath.exp),
    "xielu": _xielu,
    "silu": lambda beta: _silu(mpf(beta)),
    "hard_swish": lambda: _triple(_hard_swish),
    "mish": lambda: _triple(_mish),
    "tanhshrink": lambda: (
        _tanhshrink,
        lambda x: mpmath.tanh(x) ** 2,
        lambda x: 2 * mpmath.tanh(x) * mpmath.sech(x) ** 2,
    ),
    "softshrink": lambda lambd: _shrink(lambd, soft=True),
    "hardshrink": lambda lambd: _shrink(lambd, soft=False),
    "snake": lambda a: (
        lambda x: x + mpmath.sin(a * x) ** 2 / a,
        lambda x: 1 + mpmath.sin(2 * a * x),
        lambda x: 2 * a * mpmath.cos(2 * a * x),
    ),
    "sin": lambda w0: (
        lambda x: mpmath.sin(w0 * x),
        lambda x: w0 * mpmath.cos(w0 * x),
        lambda x: -(w0**2) * mpmath.sin(w0 * x),
    ),
    "gaussian": lambda: (
        lambda x: mpmath.exp(-x * x),
        lambda x: -2 * x * mpmath.exp(-x * x),
        lambda x: (4 * x * x - 2) * mpmath.exp(-x * x),
    ),
}

# Periodic entries and their frequency parameter: where frequency * x overflows float64 the
# phase, and so the result, is NaN by design.
FREQUENCIES: dict[str, str] = {"sin": "w0", "snake": "a"}
