"""Smooth, unbounded-above activations: the softplus and the Gaussian-gated GELU, and the
smooth ramps beside softplus: squareplus, sparse_plus, exponential and xIELU.

In the compiled kernels, vmath.exp saturates at e^-708 and e^709: the tails it gives are then
about 1e-308 where they should be smaller, and times any float32 x, at most 3.4e38, that is
still far below float32's least subnormal: the 0 it should be. vmath.normal_cdf_pdf gives
Phi = 0 below x = -15.5 for the same reason: there x Phi(x) and x phi(x) are below it too.
"""
