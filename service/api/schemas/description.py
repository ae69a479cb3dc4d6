"""Everything the service knows about one activation, as the API answers it."""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from service.api.schemas.activations import ActivationKind, ActivationSummary
from service.api.schemas.common import Result, spelled
from service.numerics import Interval, ParamJSON
from service.numerics.analysis import Attained, Monotonicity
from service.numerics.catalog import CostClass, InitScheme
from service.numerics.describe import Description, Language, continuity_label, unmeasurable_note

__all__ = ["ActivationDetail", "AttainedOut", "DeclaredOut", "PropertiesOut"]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


class IntervalOut(BaseModel):
    low: float | None = Field(description="Lower end; null for -∞.")
    high: float | None = Field(description="Upper end; null for +∞.")
    low_closed: bool
    high_closed: bool
    notation: str = Field(examples=["(-1, ∞)"])

    @classmethod
    def of(cls, interval: Interval) -> IntervalOut:
        return cls(
            low=_finite(interval.low),
            high=_finite(interval.high),
            low_closed=interval.low_closed,
            high_closed=interval.high_closed,
            notation=interval.notation(),
        )


class AttainedOut(BaseModel):
    value: float
    at: IntervalOut | None = Field(
        description="Where: a point [x, x], an interval, or null when only approached at ±∞."
    )

    @classmethod
    def maybe(cls, attained: Attained | None) -> AttainedOut | None:
        """None for None, and for an infinite supremum (|f'| of relu_squared)."""
        if attained is None or not math.isfinite(attained.value):
            return None
        at = None if attained.at is None else IntervalOut.of(attained.at)
        return cls(value=attained.value, at=at)


class DiscontinuityOut(BaseModel):
    x: float
    order: int = Field(description="0: f jumps; 1: f' jumps (a kink); 2: f'' jumps.")
    jump: float = Field(description="Right limit minus left limit of that derivative.")


class PropertiesOut(Result):
    """Measured from the function for the parameters given (see the README for definitions).

    A formula's numbers need not be finite: x * 1e300 has an infinite Gaussian variance as a
    float."""

    range: IntervalOut
    bounded_below: bool
    bounded_above: bool
    monotonic: Monotonicity | None
    derivative_monotonic: Monotonicity | None
    continuity: str | None = Field(
        description="Declared class (C^-1 for jumps, C^0, C^1, ..., C^∞), verified by the tests."
    )
    discontinuities: list[DiscontinuityOut]
    value_at_zero: float
    derivative_at_zero: float
    approximates_identity_near_origin: bool = Field(
        description="f(0) = 0, f'(0) = 1 and f' continuous at 0."
    )
    gaussian_mean: float = Field(description="E[f(z)] for z ~ N(0, 1).")
    gaussian_variance: float = Field(description="Var[f(z)] for z ~ N(0, 1).")
    zero_centred: bool = Field(description="|E f(z)| at most 1% of sqrt(E f(z)^2).")
    saturates_below: float | None = Field(
        description="x below which |f'| < 1% of its maximum, if f' tends to 0 at -∞."
    )
    saturates_above: float | None = Field(
        description="x above which |f'| < 1% of its maximum, if f' tends to 0 at +∞."
    )
    max_abs_derivative: AttainedOut | None = Field(
        description="sup |f'| and where; null when |f'| is unbounded."
    )
    global_minimum: AttainedOut | None
    global_maximum: AttainedOut | None
    self_normalising: bool = Field(
        description="(mean 0, variance 1) is an attracting fixed point under LeCun-normalised weights."
    )
    dead_zones: list[IntervalOut] = Field(description="Intervals on which f' = 0 exactly.")
    cost: CostClass | None = Field(description="Costliest primitive per element (declared).")

    @classmethod
    def maybe(cls, description: Description) -> PropertiesOut | None:
        p = description.properties
        if p is None:
            return None
        return cls(
            range=IntervalOut.of(p.range),
            bounded_below=p.bounded_below,
            bounded_above=p.bounded_above,
            monotonic=p.monotonic,
            derivative_monotonic=p.slope_monotonic,
            continuity=continuity_label(description.continuity),
            discontinuities=[
                DiscontinuityOut(x=d.x, order=d.order, jump=d.jump) for d in p.discontinuities
            ],
            value_at_zero=p.value_at_zero,
            derivative_at_zero=p.slope_at_zero,
            approximates_identity_near_origin=p.identity_near_origin,
            gaussian_mean=p.gaussian_mean,
            gaussian_variance=p.gaussian_variance,
            zero_centred=p.zero_centred,
            saturates_below=p.saturates_below,
            saturates_above=p.saturates_above,
            max_abs_derivative=AttainedOut.maybe(p.max_abs_slope),
            global_minimum=AttainedOut.maybe(p.global_minimum),
            global_maximum=AttainedOut.maybe(p.global_maximum),
            self_normalising=p.self_normalising,
            dead_zones=[IntervalOut.of(z) for z in p.dead_zones],
            cost=description.cost,
        )


class DeclaredOut(BaseModel):
    """Declared in the entry for these parameters, and verified by the tests."""

    continuity: str = Field(
        description="C^-1 for jumps, C^0, C^1, ..., C^∞; of the map of vectors x -> f(x) for an"
        " axis-wise activation."
    )
    range: IntervalOut = Field(
        description="The values f takes, in exact arithmetic; for an axis-wise activation those"
        " of each output component (vectors of two or more elements)."
    )
    cost: CostClass = Field(description="Costliest primitive per element.")

    @classmethod
    def of(cls, description: Description) -> DeclaredOut:
        return cls(
            continuity=continuity_label(description.continuity),
            range=IntervalOut.of(description.range),
            cost=description.cost,
        )


class InitialisationOut(BaseModel):
    scheme: InitScheme | None = Field(
        description="Recommended scheme, named as in the simulator; null where none is"
        " established (the note says what is done instead)."
    )
    gain: float | None = Field(
        description="torch.nn.init.calculate_gain for this activation and parameters; null"
        " where PyTorch defines none."
    )
    gain_call: str | None = Field(examples=["torch.nn.init.calculate_gain('tanh')"])
    critical_sigma_w2: float | None = Field(
        description="Mean-field edge of chaos at sigma_b = 0: the sigma_w^2 (weight variance"
        " times fan-in) at which chi_1 = 1, at the fixed point reached from q = 1 (Poole et al."
        " 2016; Schoenholz et al. 2017). 2 for relu, 1 for tanh. Null where chi_1 jumps over 1"
        " instead of crossing it or is undefined, and for entries that are not measured"
        " (axis-wise, random).",
        examples=[2.0],
    )
    note: str | None


class ReferenceOut(BaseModel):
    authors: str
    title: str
    venue: str
    year: int
    url: str


class ActivationDetail(ActivationSummary):
    """The catalog's summary of the entry, with what is measured, declared and said of it."""

    kind: ActivationKind = Field(
        description="axiswise functions (softmax, glu, ...) work along an axis: they have no"
        " measured properties, only declared ones."
    )
    second_derivative_formula: str | None = Field(  # type: ignore[assignment]
        description="f''(x) in LaTeX; null for an axis-wise function."
    )
    language: Language = Field(description="Language of the text fields.")
    description: str | None
    params: dict[str, ParamJSON] = Field(description="The parameters the properties are for.")
    properties: PropertiesOut | None = Field(
        description="Measured from f for these parameters; null for an activation without a"
        " scalar f(x) (axis-wise, or drawing random numbers): properties_note says why."
    )
    properties_note: str | None = Field(description="Why properties is null, if it is.")
    declared: DeclaredOut
    initialisation: InitialisationOut
    pros: list[str]
    cons: list[str]
    identities: list[str] = Field(description="Identities in LaTeX, each verified by the tests.")
    references: list[ReferenceOut]

    @classmethod
    def describe(cls, description: Description, language: Language) -> ActivationDetail:
        entry, facts, text = description.activation, description.facts, description.text
        reason = description.unmeasurable
        summary = ActivationSummary.of(entry)
        return cls(
            **summary.model_dump(exclude={"second_derivative_formula"}),
            second_derivative_formula=entry.second_derivative_formula or None,
            language=language,
            description=text.description if text else None,
            params=spelled(description.params),
            properties=PropertiesOut.maybe(description),
            properties_note=None
            if reason is None
            else unmeasurable_note(reason, entry.name, language),
            declared=DeclaredOut.of(description),
            initialisation=InitialisationOut(
                scheme=facts.initialisation.scheme,
                gain=description.gain,
                gain_call=facts.initialisation.gain_call or None,
                critical_sigma_w2=description.critical_sigma_w2,
                note=text.initialisation if text else None,
            ),
            pros=list(text.pros) if text else [],
            cons=list(text.cons) if text else [],
            identities=[i.formula for i in facts.identities],
            references=[
                ReferenceOut(
                    authors=r.authors, title=r.title, venue=r.venue, year=r.year, url=r.url
                )
                for r in facts.references
            ],
        )
