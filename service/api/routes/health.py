"""Liveness and readiness, for load balancers, container runtimes and Kubernetes probes.

Both are cheap: no work, no queue. Liveness says the process answers; readiness that it should
get traffic (service.api.lifecycle says when).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.api.lifecycle import Lifecycle
from service.api.schemas import Health, Readiness

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="health", summary="Liveness check")
async def health() -> Health:
    """200 while the process answers, compiling, serving or draining alike."""
    return Health()


@router.get(
    "/readyz",
    operation_id="readiness",
    summary="Readiness check",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready: the body says why."}},
)
async def readiness(request: Request) -> Response:
    """200 when this process should get traffic: its kernels are loaded or compiled, its
    drawing processes started, no workload's queue is full, and it is not shutting down
    (after SIGTERM it answers 503 while it drains). 503 otherwise, with the same body saying
    why."""
    lifecycle: Lifecycle = request.app.state.lifecycle
    saturated = lifecycle.saturated()
    ready = lifecycle.ready
    body = Readiness(
        status="ready" if ready else "not-ready",
        kernels=lifecycle.kernels.value,
        drawing=lifecycle.drawing,
        shutting_down=lifecycle.draining.is_set(),
        saturated=saturated,
    )
    return Response(
        body.model_dump_json(),
        status_code=200 if ready else 503,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
