from __future__ import annotations

from fastapi import APIRouter

from service.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="health", summary="Liveness check")
async def health() -> Health:
    return Health()
