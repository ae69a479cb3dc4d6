"""Periodic and radial activations, used in implicit neural representations: sin, snake, gaussian.

Where the phase a x overflows (|a x| > 1.8e308) it has no float64 value, and neither has
sin of it: the result is NaN there.

The compiled kernels' vmath sine and cosine return NaN past a phase of 2^19, where the numpy
path, with its exact argument reduction, takes those points over.
"""
