"""Piecewise-linear rectifiers and their exponential relatives.

Kinks follow PyTorch: the derivative at a kink takes the value of the left-hand piece
(relu'(0) = 0, leaky_relu'(0) = negative_slope, elu'(0) = alpha), and clamps have slope 0 at
their bounds (relu6'(6) = hardtanh'(1) = 0). Branches are formed with maximum/minimum/clip
rather than np.where where that is exact: a data-dependent select is several times slower.

The compiled kernels repeat the numpy path's zeros and their signs: numba's min and max return
their first argument on a tie (-0.0 against 0.0), numpy's minimum and maximum their second,
so np.maximum(x, 0) is max(0.0, x) there, while np.clip, which keeps x on a tie, is
min(max(x, low), high). Where the numpy path selects by arithmetic (piecewise.select) for
speed, the kernel takes the conditional expression that select stands for, which vectorises
as well: as select says, the two may differ in the sign of a zero result, nowhere else.
"""
