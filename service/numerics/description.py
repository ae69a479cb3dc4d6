"""Everything known about one activation for one set of parameters, in one language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from service.numerics.activation import Activation, ParamValue
from service.numerics.facts import CostClass, Facts, declared, facts_of
from service.numerics.properties import Properties, measure
from service.numerics.texts import Language, Text, text_of

__all__ = ["Description", "continuity_label", "describe"]


@dataclass(frozen=True, slots=True)
class Description:
    """The entry, what is measured of it and what is declared and said about it.

    Declared facts are resolved for ``params``; they and ``text`` are None for an entry that
    has none yet.
    """

    activation: Activation
    params: Mapping[str, ParamValue]
    properties: Properties
    facts: Facts | None
    continuity: float | None
    cost: CostClass | None
    gain: float | None
    text: Text | None


def describe(
    activation: Activation, params: Mapping[str, ParamValue], language: Language
) -> Description:
    """Describe ``activation`` for resolved ``params``; the measurement is cached per parameter set."""
    facts = facts_of(activation.name)
    gain = facts.initialisation.gain if facts else None
    return Description(
        activation=activation,
        params=params,
        properties=measure(activation, params),
        facts=facts,
        continuity=declared(facts.continuity, params) if facts else None,
        cost=declared(facts.cost, params) if facts else None,
        gain=None if gain is None else declared(gain, params),
        text=text_of(activation.name, language),
    )


def continuity_label(order: float) -> str:
    """ "C^∞", "C^1", "C^0", or "C^-1" for a function that jumps."""
    return "C^∞" if order == float("inf") else f"C^{int(order)}"
