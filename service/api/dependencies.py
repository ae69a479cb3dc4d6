"""What routes ask for: the settings, the activation named in the path, the CPU limiter.

They are ``async`` although they never wait: FastAPI runs plain ``def`` dependencies in its
threadpool, a hop that costs more than the lookups themselves.
"""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import Depends, Path, Request

from service import numerics
from service.config import Settings

__all__ = ["ActivationDep", "ActivationName", "CpuLimiterDep", "SettingsDep"]


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ActivationName = Annotated[
    str,
    Path(
        max_length=64,
        description="Activation name or alias, as listed by GET /api/v1/activations.",
        examples=["gelu"],
    ),
]


async def get_activation(name: ActivationName) -> numerics.Activation:
    return numerics.get(name)


async def get_cpu_limiter(
    request: Request, settings: Annotated[Settings, Depends(get_settings)]
) -> anyio.CapacityLimiter:
    # anyio limiters belong to the event loop that runs them, so the first request makes it.
    state = request.app.state
    if getattr(state, "cpu_limiter", None) is None:
        state.cpu_limiter = anyio.CapacityLimiter(settings.worker_threads)
    limiter: anyio.CapacityLimiter = state.cpu_limiter
    return limiter


SettingsDep = Annotated[Settings, Depends(get_settings)]
ActivationDep = Annotated[numerics.Activation, Depends(get_activation)]
CpuLimiterDep = Annotated[anyio.CapacityLimiter, Depends(get_cpu_limiter)]
