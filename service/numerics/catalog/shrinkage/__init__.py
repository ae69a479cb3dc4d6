"""Shrinkage functions: tanhshrink, softshrink and hardshrink pull small inputs towards zero."""
