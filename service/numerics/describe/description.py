"""Everything known about one activation for one set of parameters, in one language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from service.numerics.analysis.properties import Properties, measure, unmeasurable
from service.numerics.catalog.entry import Activation
from service.numerics.catalog.facts import CostClass, Facts, declared
from service.numerics.describe.texts import Language, Text, text_of
from service.numerics.exceptions import NotMeasurable, Unmeasurable
from service.numerics.networks.meanfield import critical_line
from service.numerics.types import Interval, ParamValue

__all__ = ["Description", "continuity_label", "describe"]


@dataclass(frozen=True, slots=True)
class Description:
    """The entry, what is measured of it and what is declared and said about it.

    Declared facts are resolved for ``params``. ``properties`` is None where the entry has no
    scalar f(x) to measure, and ``unmeasurable`` then says why.
    """

    activation: Activation
    params: Mapping[str, ParamValue]
    properties: Properties | None
    unmeasurable: Unmeasurable | None
    facts: Facts
    continuity: float
    range: Interval
    cost: CostClass
    gain: float | None
    critical_sigma_w2: float | None
    text: Text | None


def describe(
    activation: Activation,
    params: Mapping[str, ParamValue],
    language: Language,
    *,
    measured: bool = False,
) -> Description:
    """Describe ``activation`` for resolved ``params``; the measurement is cached per parameter
    set. With ``measured``, an entry without a scalar f(x) raises NotMeasurable."""
    facts = activation.facts
    reason = unmeasurable(activation, params)
    if reason is not None and measured:
        raise NotMeasurable(activation.name, reason)
    properties = None if reason else measure(activation, params)
    gain = facts.initialisation.gain
    return Description(
        activation=activation,
        params=params,
        properties=properties,
        unmeasurable=reason,
        facts=facts,
        continuity=declared(facts.continuity, params),
        range=declared(facts.range, params),
        cost=declared(facts.cost, params),
        gain=None if gain is None else declared(gain, params),
        critical_sigma_w2=None if reason else _edge_of_chaos(activation, params),
        text=_text(activation, language),
    )


def _text(activation: Activation, language: Language) -> Text | None:
    """The entry's text, its quoted numbers measured: those of the defaults, which the words
    describe ("with α = 1, f′ is below 1% of its maximum for x < −4.6")."""
    text = text_of(activation.name, language)
    if text is None or not text.quotes():
        return text
    return text.filled(_quotable(measure(activation, activation.resolve({}))))


def _quotable(p: Properties) -> dict[str, float | None]:
    return {
        "mean": p.gaussian_mean,
        "variance": p.gaussian_variance,
        "minimum": p.global_minimum.value if p.global_minimum else None,
        "saturates_below": p.saturates_below,
        "saturates_above": p.saturates_above,
    }


def _edge_of_chaos(activation: Activation, params: Mapping[str, ParamValue]) -> float | None:
    """Mean-field sigma_w^2 at which chi_1 = 1 with sigma_b = 0 (None where there is none)."""
    return _critical_sigma_w2(activation, tuple(sorted(params.items())))


@lru_cache(maxsize=256)
def _critical_sigma_w2(
    activation: Activation, params: tuple[tuple[str, ParamValue], ...]
) -> float | None:
    # Cached as the measurement is: a root search of ~15 ms that every comparison naming the
    # entry would otherwise do again.
    (point,) = critical_line(activation, dict(params), [0.0])
    return point.sigma_w2


def continuity_label(order: float) -> str:
    """ "C^∞", "C^1", "C^0", or "C^-1" for a function that jumps."""
    return "C^∞" if order == float("inf") else f"C^{int(order)}"
