from __future__ import annotations

from fastapi import APIRouter

from service import numerics
from service.api.schemas import ActivationList, ActivationSummary

router = APIRouter(prefix="/activations", tags=["activations"])


@router.get(
    "", operation_id="list_activations", summary="List the activations and their parameters"
)
def list_activations() -> ActivationList:
    return ActivationList(
        activations=[
            ActivationSummary.of(entry, list(numerics.aliases_of(entry.name)))
            for entry in numerics.ACTIVATIONS.values()
        ]
    )
