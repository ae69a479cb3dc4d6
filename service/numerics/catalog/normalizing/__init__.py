"""Functions that map a vector to a probability distribution along an axis.

softmax and its relatives shift by the maximum first, so that exp never overflows and the
largest term is exactly 1. sparsemax and 1.5-entmax are Euclidean and Tsallis projections
onto the simplex: their thresholds come from sorting, exactly, and are then recomputed over
the support found, in a form without cancellation. Their zeros are exact.

The gradients are vector-Jacobian products with g = grad_output, in closed form.

The float32 row kernels work each row in float64 by a few loops over it (the values of
softmax, softmin and log_softmax, and the products of the first two, on the shorter
exponential, vmath.exp_for_float32), kept apart by what they may assume (``_rows`` has their
compilers):

- element-wise loops (exp and arithmetic) compile with vmath.FASTMATH, contraction alone, and
  vectorise as written;
- a sum vectorises only if its additions may be reassociated, which moves a float64 sum of a
  row in its last bits, ~1e-16 of its terms' magnitude, and no further: sums have loops of
  their own, compiled with SUMMING, and so has the maximum, with MAXIMUM;
- the search for the supports of sparsemax and 1.5-entmax repeats the numpy path's float64
  roundings one for one (``strict``: no contraction either), so that both find the same
  support, and the same exact zeros.

A NaN in a row makes the row's value and gradient NaN on both paths, as in PyTorch (and a NaN
in g its gradient). The compiled maximum passes over a NaN (MAXIMUM), so the kernels carry one
by the row's terms (an exponential of a NaN is NaN) or, for sparsemax's and 1.5-entmax's
thresholds, look for one first (``holds_nan``).

As on the numpy path, softmax shifts by the maximum, log_softmax sums the exponentials
without the maximum's 1, and sparsemax and 1.5-entmax sort for their threshold. They sort
only the candidates, the z = x - max above CANDIDATE_FLOOR, where the numpy path sorts
every z (clipped at -2); its search finds the same support in both (see CANDIDATE_FLOOR).
"""
