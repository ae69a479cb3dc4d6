"""The exponential, tanh, sin, atan and exact products in float32 arithmetic, for float32
results.

vmath computes a float32 result in float64, half as many lanes to a register as float32
arithmetic. Where that costs more than float32's care would (a piecewise entry's few
operations; exact gelu, whose every step is float32), float32
arithmetic takes over, with an argument that its roundings stay below a float32 ULP (exp's
and tanh's within 1.4 and 1.65, measured an ULP from the float64 result rounded at every
float32; exact gelu's and sin's spend the contract's 2 max(1, kappa) ULP instead).
u = 2^-24 below (float32's unit roundoff); every operation is a float32 one unless marked
exact.

e^(x + lo) = 2^k (s + c), x <= 0 and lo its argument's low part (``exp_parts``): k =
round(x / ln2) by the 1.5 2^23 shifter (its low bits are k, which gives 2^k without a
float-to-integer conversion, absent from AVX2); r = x - k ln2 with ln2 = LN2_HI + LN2_LO,
LN2_HI of 16 bits so that k LN2_HI (|k| <= 174) and its difference with x are exact
(Sterbenz, in the fma), and the rounding of the subtraction of k LN2_LO is kept as rho, the
fma of it with the exact high - r, lo added: r + rho = x + lo - k ln2 within u |lo| and
u^2 |r|. e^r - 1 - r = r^2 (1/2 + r P(r)), P the Taylor polynomial of degree 4: truncated
after r^7, |r| <= ln2/2 + 1e-7, the remainder is below 0.3466^8 / 8! e^0.35 < 7.4e-9 = 0.124 u,
relative to e^r >= 0.7; the coefficients' roundings and the evaluation's, each u times terms
below r^2/2 <= 0.061 summed over five steps, add at most 0.11 u. s = 1 + r and c = ((1 - s)
+ r) + (t + rho (s + t)) are Fast2Sum (exact) plus t's terms: s + c = e^(r + rho) within
0.25 u of it (rho^2 <= 2^14 u^2). The pair is left as it is, c up to 0.07: a caller
multiplies by s and c apart (three operations fewer than making s + c one float32 and its
rounding).

``exp`` is e^x in one word, within 1.4 ULP, for the exponential entry, whose result is e^x
itself: nothing after it cancels, so a pair would buy nothing; it takes 0.43 ms per 1e6 where
vmath.exp takes 0.73 (8 float32 lanes to AVX2's 4 float64 ones). ``tanh`` is built on the
same word: 1 - 2/(e^2y + 1) from y = 0.875 on, where 1 - tanh y <= 0.296 damps the word's
error, and a polynomial below; within 1.65 ULP by its argument (1.03 measured at every
float32), 0.58 ms per 1e6 where vmath.tanh takes 1.06. ``sin`` reduces by pi/2 in three
float32 parts (the first product exact in its fma) and evaluates sin and cos both, in 8 lanes:
0.49 ms per 1e6 where vmath.sin takes 1.19-1.24; near p = pi/4 an ULP of r's reduction
reaches cos r undamped, so it spends up to 0.59 of the contract. ``atan`` reduces as
vmath's float64 form did, with one division, and carries the reduction's roundings (a - 1,
a + 1 and the quotient's) as a correction: within 1.25 ULP, 0.4 ms per 1e6 where the float64
form took 0.83, its float64 division (2 cycles a lane) most of that. Two other tanh forms were
measured and dropped: one in pairs from exp_parts (a pair quotient, within 0.71 ULP, but
1.35 ms: the pairs doubled the operations the lanes halved), and a float64 one on
exp_for_float32 (1.14 ms: every float64 form is bound by its operation count).

On a CPU with AVX-512 LLVM vectorises 256 bits wide unless a function asks for more (its
features say prefer-256-bit); exp, exp_parts, tanh, sin and atan ask for 512 bits in the
loop they are inlined into (``vmath.prefer_512_bits``), 16 float32 lanes as PyTorch's and
numpy's own kernels take there. The same bits, faster: per 1e6 on an Ice Lake server, exact
gelu 1.33 -> 0.93 ms, tanh 0.58 -> 0.47, the exponential 0.42 -> 0.31, sin 0.59 -> 0.37,
tanhshrink 0.86 -> 0.68.

The logistic function was once written here as well, sigmoid and its slope within 0.89 and
0.76 ULP, and a silu on it measured no faster than silu's float64 kernel. Below 0, e's
relative error reaches x e/(1 + e) undamped, so e must stay the pair s + c (a float32 e
brings its own half ULP and more); that bookkeeping, both branches and a scaling in two
steps, about 50 operations for 16 lanes, cost what the lanes saved. The float64 kernels'
waste was elsewhere: vmath.exp's 1e-14, where a float32 result needs 1e-9. On
vmath.exp_for_float32, about 20 operations for 8 lanes, sigmoid, its slope and silu are
faster in float64 (0.63 -> 0.57, 0.73 -> 0.66 and 0.83 -> 0.61 ms per 1e6, on AVX-512).

The piecewise entries' float32 kernels need a float64 parameter times a float32 x rounded
once: ``split`` cuts the parameter into two float32s and ``times`` carries the product as an
fma pair before its one rounding (``ramp`` does (x + h) c clamped, Fast2Sum first); ``below``
turns a float64 threshold into the float32 one that every float32 x compares with alike.
Each function's docstring has its error argument.

A result below an ULP from the exact is one of its two float32 neighbours: the kernels agree
with the numpy path (float64, rounded once) to an ULP. tests/numerics/compiled/test_vmath32.py
measures each against mpmath over the whole float32 range.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from service.numerics.compiled.vmath import inline, prefer_512_bits

__all__ = [
    "EXP_LOW",
    "SIN_LIMIT",
    "atan",
    "below",
    "exp",
    "exp_parts",
    "fma",
    "horner",
    "pow2",
    "ramp",
    "sin",
    "split",
    "tanh",
    "tanh_complement",
    "times",
]

_f = np.float32
_ONE = _f(1.0)
_HALF = _f(0.5)
_ZERO = _f(0.0)
_LOG2E = _f(1.4426950408889634)
_SHIFTER = _f(12582912.0)  # 1.5 2^23: x + 1.5 2^23 in [2^23, 2^24) has an ULP of 1
_SHIFTER_BITS = np.int32(0x4B400000)  # its bits: those of x + 1.5 2^23, less these, are x
_LN2_HI = _f(0.693145751953125)  # 0x3f317200: 16 significant bits
_LN2_LO = _f(1.4286067653e-06)  # ln 2 - LN2_HI to float32
# 1/7!, 1/6!, 1/5!, 1/4!, 1/3!, rounded to float32
_P = (_f(1 / 5040), _f(1 / 720), _f(1 / 120), _f(1 / 24), _f(1 / 6))
# Below -120 (2^k under 2^-173) e^x and x e^x are far below float32's least subnormal 2^-149,
# and so are the values computed at -120: clamping changes no result.
EXP_LOW = _f(-120.0)


@intrinsic
def _float_from_bits(typingctx, bits):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())

    return types.float32(types.int32), codegen


@intrinsic
def _bits_from_float(typingctx, value):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(32))

    return types.int32(types.float32), codegen


@intrinsic
def _fma(typingctx, a, b, c):
    def codegen(context, builder, signature, args):
        single = ir.FloatType()
        function = builder.module.declare_intrinsic(
            "llvm.fma", [single], ir.FunctionType(single, [single, single, single])
        )
        return builder.call(function, args)

    return types.float32(types.float32, types.float32, types.float32), codegen


fma = _fma
"""a b + c for float32s, rounded once (LLVM's fma)."""


@inline
def pow2(k: np.int32) -> np.float32:
    """2^k, a float32, for an int32 k in [-126, 127], by writing its exponent bits."""
    return _float_from_bits((k + np.int32(127)) << np.int32(23))  # type: ignore[call-arg]


@inline
def horner(coefficients: tuple[np.float32, ...], z: np.float32) -> np.float32:
    """The polynomial at z, highest power first, one fma a step (each rounded once)."""
    result = coefficients[0]
    for c in numba.literal_unroll(coefficients[1:]):
        result = _fma(result, z, c)  # type: ignore[call-arg]
    return result


@inline
def exp_parts(x: np.float32, lo: np.float32) -> tuple[np.int32, np.float32, np.float32]:
    """(k, s, c), float32 s and c and int32 k, with e^(x + lo) = 2^k (s + c) within 0.25 u,
    for a float32 x <= 0 clamped to [-120, 0] and a low part |lo| <= u min(|x|, 128) (module
    docstring); s = fl(1 + r) in [0.65, 1.35] and |c| <= 0.07, a sum left to the caller."""
    prefer_512_bits()
    x = max(x, EXP_LOW)
    shifted = _fma(x, _LOG2E, _SHIFTER)  # type: ignore[call-arg,var-annotated]
    k = shifted - _SHIFTER
    high = _fma(-k, _LN2_HI, x)
    r = _fma(-k, _LN2_LO, high)
    rho = _fma(-k, _LN2_LO, (high - r) + lo)
    t = r * r * _fma(r, horner(_P, r), _HALF)
    s = _ONE + r
    c = ((_ONE - s) + r) + _fma(rho, s + t, t)  # e^(r + rho) = e^r (1 + rho), e^r ~ s + t
    return _bits_from_float(shifted) - _SHIFTER_BITS, s, c


# e^r = 1 + r (1 + r Q(r)) for |r| <= ln2/2: Q fitted in float32 coefficients, within 0.17 u of
# e^r once assembled (scripts/fit_polynomials.py --float32).
_EXP = (
    _f(0.0013926175888627768),
    _f(0.008363173343241215),
    _f(0.041666556149721146),
    _f(0.16666577756404877),
    _HALF,
)
_EXP_FLOOR = _f(-110.0)  # e^x is 0 in float32 from -103.98 down, and inf from 88.73 up
_EXP_CEILING = _f(89.0)


@inline
def exp(x: np.float32) -> np.float32:
    """e^x for a float32 x, within 1.4 ULP: one word throughout, for an entry whose result is
    e^x itself (the exponential), where nothing cancels after it; exp_parts keeps the pair.

    x is clamped to [-110, 89]; k = round(x/ln2) as in exp_parts, and r = x - k ln2 from
    x - k LN2_HI (exact) less k LN2_LO in one fma: r is rounded once, 0.35 u of e^r at most
    (|r| <= ln2/2), k LN2_LO's own rounding 1e-11 u. Q is within 0.17 u, q = 1 + r Q rounds
    within 0.25 u of e^r and Q's Horner steps add 0.1 u: e^r within 0.87 u, below 0.87 of an
    ULP of the result, before the last fma's rounding, 0.5 ULP. 2^k is applied in two halves
    (k runs from -159 to 128, past pow2's range): exactly, or rounding once more into the
    subnormals, where the error above weighs at most half a subnormal ULP (1.2 ULP in all).
    Within 1.5 ULP, it is the float64 exponential rounded, or one of that one's neighbours.
    """
    prefer_512_bits()
    m, k = _exp_word(min(max(x, _EXP_FLOOR), _EXP_CEILING))
    half = k >> np.int32(1)
    return m * pow2(half) * pow2(k - half)


@inline
def _exp_word(x: np.float32) -> tuple[np.float32, np.int32]:
    """(m, k) with e^x = 2^k m, m within 0.87 u of it before its rounding (exp's docstring), for
    |x| <= 110."""
    shifted = x * _LOG2E + _SHIFTER
    k = shifted - _SHIFTER
    r = _fma(-k, _LN2_LO, _fma(-k, _LN2_HI, x))  # type: ignore[call-arg,var-annotated]
    m = _fma(r, _fma(r, horner(_EXP, r), _ONE), _ONE)
    return m, _bits_from_float(shifted) - _SHIFTER_BITS


# tanh y = y + y z T(z), z = y^2, below TANH_SPLIT: T fitted in float32 coefficients, within
# 0.2 u of the result (scripts/fit_polynomials.py --float32).
_TANH = (
    _f(-0.0005475857760757208),
    _f(0.0028184731490910053),
    _f(-0.008499057963490486),
    _f(0.02177729643881321),
    _f(-0.05395686253905296),
    _f(0.13333280384540558),
    _f(-0.3333333432674408),
)
_TANH_SPLIT = _f(0.875)  # tanh(0.875) = 0.704: 1 - tanh y <= 0.296 from here on
_TANH_CLIP = _f(20.0)  # 2y: tanh is 1 in float32 from y = 9.011 on
_TWO = _f(2.0)


@inline
def tanh(x: np.float32) -> np.float32:
    """tanh x for a float32 x, within 1.65 ULP (float32's contract allows 2 max(1, kappa), and
    kappa <= 1 here); 1.03 measured at every float32, and there never more than an ULP from
    the float64 tanh rounded. y = |x|, and the sign put back.

    - From 0.875 on, 1 - 2/(E + 1), E = e^2y = 2^k m (_exp_word, 2y exact and clipped at 20):
      m is within 0.87 u and its rounding u, E + 1 and the quotient round u each, so q =
      2/(E + 1) is within 3.87 u of itself, and q <= 0.296 makes that 1.15 u; 1 - q rounds
      once more, 0.5 u, an ULP being u on [1/2, 1).
    - Below, y + y z T(z): z, y z and T's Horner steps round (about 3.5 u of y z T in all) and
      y z T weighs at most 0.196 of y there, and y at most 1.243 of the result: 0.85 ULP; T's
      fit 0.2 ULP; the fma adding y rounds once, 0.5 ULP.
    The two are computed for every lane and one kept: a select is what vectorises.
    """
    prefer_512_bits()
    y = abs(x)
    z = y * y
    small = _fma(y * z, horner(_TANH, z), y)  # type: ignore[call-arg,var-annotated]
    large = _ONE - tanh_complement(y)
    return np.float32(math.copysign(small if y < _TANH_SPLIT else large, x))


@inline
def tanh_complement(y: np.float32) -> np.float32:
    """1 - tanh y = 2/(E + 1), E = e^2y = 2^k m (_exp_word, 2y exact and clipped at 20), for a
    float32 y >= 0: within 3.87 u of itself (tanh's docstring), E's share weighed by E/(E + 1).
    tanh takes it from y = 0.875 on, and tanhshrink, (y - 1) + it, from 1 on."""
    prefer_512_bits()
    m, k = _exp_word(min(y + y, _TANH_CLIP))
    return _TWO / (m * pow2(k) + _ONE)


# sin r = r + r z S(z) and cos r = 1 - (z/2 - z^2 K(z)), z = r^2, |r| <= 1.03 pi/4: S and K
# fitted in float32 coefficients, within 0.06 u and 0.03 u of the result
# (scripts/fit_polynomials.py --float32).
_SIN = (
    _f(2.7231312742515e-06),
    _f(-0.00019839938613586128),
    _f(0.008333331905305386),
    _f(-0.1666666716337204),
)
_COS = (_f(2.4532580937375315e-05), _f(-0.0013888230314478278), _f(0.0416666641831398))
# pi/2 = PIO2_1 + PIO2_2 + PIO2_3 within 1.1e-23, each the float32 nearest what is left
_PIO2_1 = _f(1.5707963705062866)
_PIO2_2 = _f(-4.371138828673793e-08)
_PIO2_3 = _f(-1.7151245100058819e-15)
_TWO_OVER_PI = _f(0.6366197466850281)  # within 4.1e-8 relative
SIN_LIMIT = _f(2.0**19)


@inline
def sin(p: np.float32) -> np.float32:
    """sin p for a float32 p, |p| <= 2^19 (NaN beyond, which sends the caller to the numpy
    path), within the float32 contract's 2 max(1, kappa) ULP, kappa = |p cot p|: 0.59 of it at
    most, measured at every float32 of that range (1.18 ULP at p = 0.7876, kappa = 0.78).

    - k = round(p 2/pi): the fma with the shifter rounds p TWO_OVER_PI once, to an integer,
      and TWO_OVER_PI's 4.1e-8 moves it by 0.0135 at most: |r| <= pi/4 + 0.022.
    - r = p - k pi/2: p - k PIO2_1 is exact in the first fma (a multiple of p's ULP or of
      PIO2_1's, 2^-23, below 1 in magnitude: 24 bits), the other two round once each, and
      PIO2's parts leave k 1.1e-23 <= 4e-18: r within an ULP of itself, and exact for k = 0.
    - sin r: r + r z S, S within 0.06 u, the roundings of z, r z and S's steps about 3.5 u of
      r z S, which weighs 0.12 of sin r at most: 0.5 u, then the fma's 0.5 ULP. cos r: 1 - h,
      h = z/2 - z^2 K, K within 0.03 u, z's rounding u of h <= 0.33 and h's own, 1 - h's 0.5
      ULP, an ULP being u on [0.69, 1]: 1.1 ULP.
    - r's error e moves sin r by e cos r, whose share of sin r is e/r (r cot r) <= 2 u: 2 ULP
      against a kappa of |p cot r| >= 2.3 once k != 0 (for k = 0, r = p exactly); cos r by
      e sin r, 2 u |r tan r| against kappa = |p tan r|, |p| >= pi/2 - |r| >= 0.94 |r|: with
      cos r's own 1.1 ULP the parts bound that a little above the budget near |p| = pi/4,
      where the measure finds 0.59 of it.
    Quadrants by k's low bits (the shifter's); sin(+-0) = +-0 kept.
    """
    prefer_512_bits()
    shifted = _fma(p, _TWO_OVER_PI, _SHIFTER)  # type: ignore[call-arg,var-annotated]
    k = shifted - _SHIFTER
    r = _fma(-k, _PIO2_3, _fma(-k, _PIO2_2, _fma(-k, _PIO2_1, p)))
    z = r * r
    sine = _fma(r * z, horner(_SIN, z), r)
    cosine = _ONE - _fma(-(z * z), horner(_COS, z), z * _HALF)
    n: np.int32 = _bits_from_float(shifted) - _SHIFTER_BITS
    odd = cosine if n & np.int32(1) else sine
    result = -odd if n & np.int32(2) else odd
    result = result if p != _ZERO else p  # the reduction's sum of zeros gives +0
    return result if abs(p) <= SIN_LIMIT else np.float32(np.nan)


# atan t = t + t z A(z), z = t^2, |t| <= tan(pi/8): A fitted in float32 coefficients, within
# 0.05 u of the result (scripts/fit_polynomials.py --float32).
_ATAN = (
    _f(-0.06451886147260666),
    _f(0.10743718594312668),
    _f(-0.14263954758644104),
    _f(0.19999539852142334),
    _f(-0.3333333134651184),
)
_TAN_PI_8 = _f(0.41421356237309503)
_TAN_3PI_8 = _f(2.414213562373095)


@inline
def atan(x: np.float32) -> np.float32:
    """atan x for a float32 x, within 1.25 ULP (the float32 contract allows 2, kappa <= 1 for
    atan); 0.77 measured at every float32. a = |x|, the sign put back.

    - Reduced as vmath.atan was, with one division: t = n/d, atan a = b + atan(t*), t* the
      exact (a - 1)/(a + 1), -1/a or a, and b = pi/2, pi/4 or 0 as the pair PIO2_1 + PIO2_2
      (halved for pi/4, exactly), |t| <= tan(pi/8). Between tan(pi/8) and tan(3pi/8), a - 1 =
      n + (a - (n + 1)) and a + 1 = d + (a - (d - 1)), each part exact (n + 1 and d - 1 are,
      and the differences are Sterbenz's), and the remainder r = n - t d is exact in an fma:
      t* = t + delta, delta = (r + slack)/(a + 1), slack = n's part less t times d's, and
      1/(a + 1) = (1 - t)/2 (or 1/a = -t) to within u: |delta| <= 3 u |t|, known to 2 u of
      itself.
    - atan t* = atan t + delta/(1 + z) to within delta z^2 (0.03 delta), so low = t z A +
      (delta (1 - z) + b_lo) is within 0.25 u |t| (its roundings: of t z, A's steps, the sum
      and the fma, each an u of a term below 0.06 |t|), A within 0.05 u.
    - s = t + low rounds within half an ULP of s, and b + s within half an ULP of the result,
      |s| being at most the result where b > 0: 1.25 ULP in all (0.75 where b = 0).
    """
    prefer_512_bits()
    a = abs(x)
    far = a > _TAN_3PI_8
    middle = a > _TAN_PI_8
    between = middle != far
    n = -_ONE if far else (a - _ONE if middle else a)
    d = a if far else (a + _ONE if middle else _ONE)
    t = n / d
    r = _fma(-t, d, n)  # type: ignore[call-arg,var-annotated]
    # between: a - 1 = n + (a - (n + 1)) and a + 1 = d + (a - (d - 1)), each part exact
    slack = (a - (n + _ONE)) - t * (a - (d - _ONE)) if between else _ZERO
    delta = (r + slack) * ((_ONE - t) * _HALF if between else -t)
    z = t * t
    scale = _ONE if far else (_HALF if middle else _ZERO)
    low = _fma(t * z, horner(_ATAN, z), _fma(-delta, z, delta) + _PIO2_2 * scale)
    return np.float32(math.copysign(_PIO2_1 * scale + (t + low), x))


@inline
def split(a: float) -> tuple[np.float32, np.float32]:
    """(hi, lo), float32s with a = hi + lo + d, |d| <= u |lo| <= u^2 |a| (a float64 parameter:
    computed once, outside the loop, which LLVM hoists it to)."""
    hi = np.float32(a)
    return hi, np.float32(a - np.float64(hi))  # a - hi is exact: hi is a's leading bits


@inline
def times(hi: np.float32, lo: np.float32, m: np.float32) -> np.float32:
    """(hi + lo) m for a float32 m other than 0, rounded once to float32 but for 2 u^2 of it
    (or, where the product lies below 2^-100, within an ULP of the least subnormal).

    q = fl(m lo) is within u |m lo| <= u^2 |m hi| of m lo (|lo| <= u |hi|), and the fma rounds
    m hi + q once: with split's d (|m d| <= u^2 |m hi|), within 0.5 ULP + 2 u^2 relative, the
    correctly rounded product but within 2^-22 ULP of a rounding boundary; two operations.
    Below 2^-100, q may round to the subnormals' grid, off by 2^-150, half an ULP of the
    least subnormal. A product that underflows to zero has the exact product's sign (IEEE's
    rule for a nonzero sum rounded to 0: m hi + q is not 0, |q| < |m hi|), as the float64
    product rounded would; but a zero m gives the sum of two zeros, +0 where hi and lo differ
    in sign, which is why callers take m = 0 apart.
    """
    return _fma(m, hi, m * lo)  # type: ignore[call-arg]


_LEAST_NEGATIVE_BITS = np.int32(-2147483647)  # 0x80000001: -2^-149


@inline
def below(t: float) -> np.float32:
    """The largest float32 at most t, a finite float64 (float32's largest past its range, -inf
    below it): for a float32 y, y > t exactly when y > below(t), a float32 comparison; hoisted
    out of the loop, t being a parameter."""
    r = np.float32(t)  # the nearest; one step down if that is above t
    if np.float64(r) > t:
        bits: np.int32 = _bits_from_float(r)  # type: ignore[call-arg]
        if r > _ZERO:
            bits = bits - np.int32(1)
        elif r < _ZERO:
            bits = bits + np.int32(1)  # a negative float32's magnitude grows with its bits
        else:
            bits = _LEAST_NEGATIVE_BITS
        r = _float_from_bits(bits)
    return r


@inline
def ramp(x: np.float32, shift: np.float32, hi: np.float32, lo: np.float32) -> np.float32:
    """(c + shift)(hi + lo), c = x clamped to [-shift, shift], rounded once but for 5 u^2 of it
    (0.5 ULP + 2^-21 ULP), for float32s x and shift > 0 and (hi, lo) = split(a): hard sigmoid's
    ramp, which is 0 from -shift down and 2 shift a from shift up; an infinite x is clamped too.

    c + shift = s + e exactly by Fast2Sum, which |shift| >= |c| allows (three operations where
    TwoSum takes six); s lo and e hi are each below u s hi (|lo| <= u hi, |e| <= u s), so
    t = fl(e hi + fl(s lo)) is within 2 u^2 s hi of e hi + s lo, the dropped e lo and split's
    d (with a's own rounding from the exact slope, 2^-53) within 2 u^2 s hi, and fma(s, hi, t)
    rounds s hi + t once: within 0.5 ULP + 5 u^2 of (c + shift) a. s + e = 0 exactly when
    c = -shift, and the result is +0 there; otherwise s >= 2^-24 shift, and a product that
    rounds into the subnormals (e hi, for a subnormal x) is off by 2^-150, nothing beside s hi.
    """
    c = min(max(x, -shift), shift)
    s = c + shift
    e = c - (s - shift)
    return _fma(s, hi, _fma(e, hi, s * lo))  # type: ignore[call-arg]
