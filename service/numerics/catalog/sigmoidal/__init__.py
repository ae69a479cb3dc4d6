"""Bounded, S-shaped activations: the logistic sigmoid, tanh and their cheaper relatives.

Where a derivative is 1/(1 + |x|)^n or alike, it is divided out one factor at a time: the
power itself would overflow where the true value is a small but representable number.
"""
