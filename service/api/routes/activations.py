from __future__ import annotations

from fastapi import APIRouter

from service import numerics
from service.api.schemas import ActivationList, ActivationSummary, ParameterSpec

router = APIRouter(prefix="/activations", tags=["activations"])


@router.get(
    "", operation_id="list_activations", summary="List the activations and their parameters"
)
def list_activations() -> ActivationList:
    return ActivationList(
        activations=[
            ActivationSummary(
                name=entry.name,
                aliases=list(numerics.aliases_of(entry.name)),
                family=entry.family,
                formula=entry.formula,
                derivative_formula=entry.derivative_formula,
                kink=entry.kink,
                reference=entry.reference,
                parameters=[ParameterSpec.of(p) for p in entry.parameters],
            )
            for entry in numerics.ACTIVATIONS.values()
        ]
    )
