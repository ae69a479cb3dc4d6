"""Gated linear units: x is split in halves a, b along an axis, and a is gated by g(b).

The value a g(b) is half as long as x along that axis; the gradient, a vector-Jacobian
product, is as long as x: (grad g(b), grad a g'(b)), the halves joined again.
"""
