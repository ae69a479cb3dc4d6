"""The catalog: one module per activation, in one folder per family, found by the registry.

An entry module holds everything about its activation side by side: the numpy forward and
derivatives (the definition, transliterating the formulas stored beside them), the compiled
kernel, the Gaussian moments where they are closed, and the declarative entry (parameters,
formulas, kink convention, variants, facts, equivalents, references). CONTRIBUTING.md walks
through adding one.
"""

from service.numerics.catalog.entry import (
    AXIS,
    Activation,
    ElementwiseFn,
    Equivalent,
    GaussianMoments,
    Parameter,
    VjpFn,
)
from service.numerics.catalog.facts import (
    SMOOTH,
    CostClass,
    Declared,
    Facts,
    Identity,
    Initialisation,
    InitScheme,
    Reference,
    declared,
    hull,
)
from service.numerics.catalog.registry import Catalog, discover

__all__ = [
    "ACTIVATIONS",
    "AXIS",
    "SMOOTH",
    "Activation",
    "Catalog",
    "CostClass",
    "Declared",
    "ElementwiseFn",
    "Equivalent",
    "Facts",
    "GaussianMoments",
    "Identity",
    "InitScheme",
    "Initialisation",
    "Parameter",
    "Reference",
    "VjpFn",
    "declared",
    "discover",
    "get",
    "hull",
]

ACTIVATIONS = Catalog(__name__)
"""Every activation of the service, by canonical name; ``ACTIVATIONS.aliases`` maps the others."""


def get(name: str) -> Activation:
    """The activation called ``name`` (or one of its aliases); UnknownActivation suggests near names."""
    return ACTIVATIONS.lookup(name)
