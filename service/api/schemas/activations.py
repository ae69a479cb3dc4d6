"""The catalog as the API lists it: each entry's summary, parameters and equivalents."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from service.numerics import Activation, Parameter, ParamJSON
from service.numerics.catalog import Equivalent

__all__ = [
    "ActivationKind",
    "ActivationList",
    "ActivationSummary",
    "EquivalentSpec",
    "ParameterSpec",
]

ActivationKind = Literal["elementwise", "axiswise"]


class ParameterSpec(BaseModel):
    name: str
    type: Literal["float", "int", "bool", "choice"]
    default: ParamJSON = Field(description="The default; null where it is infinite (see nullable).")
    nullable: bool = Field(
        False,
        description="Whether null is accepted and echoed: it stands for the infinite default"
        " (relu's max_value: no cap).",
    )
    description: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    choices: list[str] | None = None

    @classmethod
    def of(cls, parameter: Parameter) -> ParameterSpec:
        return cls(
            name=parameter.name,
            type=parameter.kind,
            default=None if parameter.nullable else parameter.default,
            nullable=parameter.nullable,
            description=parameter.description,
            minimum=parameter.minimum,
            maximum=parameter.maximum,
            exclusive_minimum=parameter.exclusive_minimum,
            exclusive_maximum=parameter.exclusive_maximum,
            choices=list(parameter.choices) or None,
        )


class EquivalentSpec(BaseModel):
    library: Literal["torch", "keras", "jax"]
    call: str = Field(description="The exact equivalent call, with our defaults spelled out.")
    differs: str = Field(description="Where its defaults or conventions differ from ours.")

    @classmethod
    def of(cls, equivalent: Equivalent) -> EquivalentSpec:
        return cls(library=equivalent.library, call=equivalent.call, differs=equivalent.differs)


class ActivationSummary(BaseModel):
    name: str
    aliases: list[str]
    family: str
    kind: ActivationKind = Field(
        description="axiswise functions (softmax, glu, ...) take an axis; their gradient is a"
        " vector-Jacobian product and they have no second_derivative output."
    )
    halves_axis: bool = Field(description="Whether the value is half as long as x along axis.")
    formula: str = Field(description="f(x) in LaTeX.")
    derivative_formula: str = Field(
        description="f'(x), or the vector-Jacobian product of an axis-wise function, in LaTeX."
    )
    second_derivative_formula: str = Field(description="f''(x) in LaTeX; empty if axis-wise.")
    kink: str = Field(
        description="Values chosen for f' and f'' where f is not differentiable; empty if smooth."
    )
    reference: str = Field(
        description="The primary reference, as one line (all of them are in the detail);"
        " empty where the entry cites none."
    )
    follows: str = Field(description="Whose defaults and conventions this entry follows.")
    equivalents: list[EquivalentSpec] = Field(
        description="The same function in PyTorch, Keras 3 and jax.nn, where they have it."
    )
    parameters: list[ParameterSpec]

    @classmethod
    def of(cls, entry: Activation) -> ActivationSummary:
        return cls(
            name=entry.name,
            aliases=sorted(entry.aliases),
            family=entry.family,
            kind="axiswise" if entry.axiswise else "elementwise",
            halves_axis=entry.halves_axis,
            formula=entry.formula,
            derivative_formula=entry.derivative_formula,
            second_derivative_formula=entry.second_derivative_formula,
            kink=entry.kink,
            reference=_citation(entry),
            follows=entry.follows,
            equivalents=[EquivalentSpec.of(e) for e in entry.equivalents],
            parameters=[ParameterSpec.of(p) for p in entry.parameters],
        )


def _citation(entry: Activation) -> str:
    """The entry's first reference as one line; empty where it cites none."""
    if not entry.facts.references:
        return ""
    first = entry.facts.references[0]
    return f"{first.authors}, {first.title}, {first.venue}, {first.year}."


class ActivationList(BaseModel):
    activations: list[ActivationSummary]
