"""Name -> Activation, built from the families' ENTRIES, with one table of aliases."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType

from service.numerics.activation import Activation
from service.numerics.exceptions import UnknownActivation
from service.numerics.families import (
    gated,
    gated_linear,
    implicit,
    linear,
    normalizing,
    ramps,
    rectifiers,
    shrinkage,
    sigmoidal,
    smooth,
)

__all__ = ["ACTIVATIONS", "ALIASES", "aliases_of", "get"]

_FAMILIES = (
    linear,
    rectifiers,
    sigmoidal,
    smooth,
    ramps,
    gated,
    shrinkage,
    implicit,
    normalizing,
    gated_linear,
)

ACTIVATIONS: Mapping[str, Activation] = MappingProxyType(
    {entry.name: entry for family in _FAMILIES for entry in family.ENTRIES}
)

# Other libraries' names for the same function (torch.nn.functional, keras.activations, jax.nn).
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "linear": "identity",
        "logistic": "sigmoid",
        "swish": "silu",
        "hard_silu": "hard_swish",
        "hardswish": "hard_swish",
        "hardsigmoid": "hard_sigmoid",
        "hard_tanh": "hardtanh",
        "soft_sign": "softsign",
        "logsigmoid": "log_sigmoid",
        "tanh_shrink": "tanhshrink",
        "soft_shrink": "softshrink",
        "hard_shrink": "hardshrink",
        "squared_relu": "relu_squared",
        "entmax": "entmax15",
    }
)


def get(name: str) -> Activation:
    """The activation called ``name`` (or one of its aliases); UnknownActivation suggests near names."""
    canonical = ALIASES.get(name, name)
    try:
        return ACTIVATIONS[canonical]
    except KeyError:
        known = [*ACTIVATIONS, *ALIASES]
        suggestions = difflib.get_close_matches(name.lower(), known, n=3, cutoff=0.5)
        raise UnknownActivation(name, suggestions) from None


def aliases_of(name: str) -> tuple[str, ...]:
    return tuple(sorted(alias for alias, target in ALIASES.items() if target == name))
