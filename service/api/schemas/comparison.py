"""Several activations' measured properties side by side, as JSON or CSV."""

from __future__ import annotations

import csv
import io

from pydantic import BaseModel, ConfigDict, Field

from service.api.schemas.description import AttainedOut, PropertiesOut
from service.api.schemas.formulas import ActivationRef
from service.numerics.catalog import InitScheme
from service.numerics.describe import Description

__all__ = ["CompareRequest", "Comparison", "ComparisonRow", "comparison_csv"]


class CompareRequest(BaseModel):
    """What POST /compare compares: names and formulas alike."""

    model_config = ConfigDict(extra="forbid", strict=True)

    activations: list[ActivationRef] = Field(
        min_length=2,
        max_length=64,
        description="2 to `compare_max_names` activation names, aliases or formulas.",
        examples=[["silu", {"expression": "x * tanh(softplus(x))"}]],
    )


class ComparisonRow(BaseModel):
    name: str
    family: str
    properties: PropertiesOut
    initialisation: InitScheme | None
    gain: float | None

    @classmethod
    def of(cls, description: Description) -> ComparisonRow:
        """The row of a measured description (see describe's ``measured``)."""
        properties = PropertiesOut.maybe(description)
        assert properties is not None, "compared activations are measured"
        return cls(
            name=description.activation.name,
            family=description.activation.family,
            properties=properties,
            initialisation=description.facts.initialisation.scheme,
            gain=description.gain,
        )


class Comparison(BaseModel):
    """The properties of several activations (default parameters), in the order asked for."""

    activations: list[ComparisonRow]


def comparison_csv(comparison: Comparison) -> str:
    """One row per activation, one column per property; empty where there is nothing to say."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_CSV_COLUMNS)
    for row in comparison.activations:
        p = row.properties
        cells: list[object] = [
            row.name,
            row.family,
            p.range.notation,
            p.bounded_below,
            p.bounded_above,
            p.monotonic,
            p.derivative_monotonic,
            p.continuity,
            "; ".join(f"x={d.x!r} order={d.order} jump={d.jump!r}" for d in p.discontinuities),
            p.value_at_zero,
            p.derivative_at_zero,
            p.approximates_identity_near_origin,
            p.gaussian_mean,
            p.gaussian_variance,
            p.zero_centred,
            p.saturates_below,
            p.saturates_above,
            *_attained_cells(p.max_abs_derivative),
            *_attained_cells(p.global_minimum),
            *_attained_cells(p.global_maximum),
            p.self_normalising,
            "; ".join(z.notation for z in p.dead_zones),
            p.cost,
            row.initialisation,
            row.gain,
        ]
        writer.writerow([_cell(c) for c in cells])
    return out.getvalue()


_CSV_COLUMNS = (
    "name",
    "family",
    "range",
    "bounded_below",
    "bounded_above",
    "monotonic",
    "derivative_monotonic",
    "continuity",
    "discontinuities",
    "value_at_zero",
    "derivative_at_zero",
    "approximates_identity_near_origin",
    "gaussian_mean",
    "gaussian_variance",
    "zero_centred",
    "saturates_below",
    "saturates_above",
    "max_abs_derivative",
    "max_abs_derivative_at",
    "global_minimum",
    "global_minimum_at",
    "global_maximum",
    "global_maximum_at",
    "self_normalising",
    "dead_zones",
    "cost",
    "initialisation",
    "gain",
)


def _attained_cells(attained: AttainedOut | None) -> tuple[object, object]:
    if attained is None:
        return None, None
    return attained.value, attained.at.notation if attained.at else None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)
