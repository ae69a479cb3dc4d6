"""GET /metrics: the Prometheus exposition of service.api.metrics."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from service.api import metrics

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    operation_id="metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {metrics.CONTENT_TYPE: {"schema": {"type": "string"}}}}},
)
async def prometheus_metrics() -> Response:
    """Every series in Prometheus's text format (all workers' when there are several): requests
    by route, method and status; latency by route and by workload class; requests in flight and
    queued; rejections by reason; body sizes; elements evaluated by activation and dtype;
    simulation cost; the kernels' state and load time."""
    return Response(
        metrics.exposition(), media_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"}
    )
