"""User-defined activations: a formula over x, served like a catalog entry.

``formula(expression, parameters, limits=...)`` parses a formula in a whitelisted grammar
(``grammar``) into a small tree (``tree``), substitutes the catalog's stable forms where a
subexpression matches one (``stable``), differentiates it exactly twice (``derivative``),
compiles f, f' and f'' to numpy (``numeric``, each distinct subexpression once: ``program``)
and wraps them in an ``Activation``: every operation that takes a catalog entry takes it.
Outputs asked for again are compiled in the background into kernels (``kernels``, from the
source ``source`` generates on ``elementary``'s functions), kept in a bounded cache.
``accuracy`` measures its f and f' against the same tree in mpmath (``precise``) over the
whole float range; ``latex`` prints a tree.
"""

from service.numerics.formula.accuracy import (
    BOUND,
    AccuracyReport,
    OutputAccuracy,
    Region,
    accuracy,
)
from service.numerics.formula.derivative import derivative
from service.numerics.formula.formula import (
    FAMILY,
    Formula,
    FormulaActivation,
    ParameterSpec,
    formula,
)
from service.numerics.formula.grammar import RESERVED, FormulaLimits, InvalidFormula
from service.numerics.formula.kernels import KernelCache, configure, kernels
from service.numerics.formula.latex import latex
from service.numerics.formula.numeric import compile_numpy
from service.numerics.formula.precise import compile_mpmath
from service.numerics.formula.stable import Rewrite
from service.numerics.formula.tree import Node, text

__all__ = [
    "BOUND",
    "FAMILY",
    "RESERVED",
    "AccuracyReport",
    "Formula",
    "FormulaActivation",
    "FormulaLimits",
    "InvalidFormula",
    "KernelCache",
    "Node",
    "OutputAccuracy",
    "ParameterSpec",
    "Region",
    "Rewrite",
    "accuracy",
    "compile_mpmath",
    "compile_numpy",
    "configure",
    "derivative",
    "formula",
    "kernels",
    "latex",
    "text",
]
