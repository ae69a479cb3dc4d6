"""Settings: every limit and knob of the service, read from ACTIVATION_SERVICE_* variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Embedded defaults run the service with no configuration at all."""

    model_config = SettingsConfigDict(env_prefix="ACTIVATION_SERVICE_", frozen=True)

    host: str = Field("127.0.0.1", description="Interface that `python -m service` binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port that `python -m service` binds.")
    max_elements: int = Field(
        10_000_000, ge=1, description="Most elements one array (x or grad_output) may have."
    )
    max_dims: int = Field(8, ge=1, le=32, description="Most dimensions one array may have.")
    max_body_bytes: int = Field(
        128 * 1024 * 1024,
        ge=1024,
        description="Largest request body, in bytes; a larger one gets 413 before it is read.",
    )
    inline_body_bytes: int = Field(
        256 * 1024,
        ge=0,
        description="Bodies up to this size are evaluated on the event loop (cheaper than a thread"
        " hop); larger ones in a worker thread.",
    )
    worker_threads: int = Field(
        2,
        ge=1,
        le=64,
        description="Most large evaluations running at once (the rest wait their turn).",
    )

    compare_max_names: int = Field(
        12, ge=2, le=64, description="Most activations one GET /compare may list."
    )
    plot_max_abs_x: float = Field(
        1e6, gt=0, description="Largest |x_min| and |x_max| a plot may ask for."
    )
    cache_max_age: int = Field(
        3600,
        ge=0,
        description="Cache-Control max-age, in seconds, of metadata, comparisons and plots; they"
        " carry strong ETags, so a client can revalidate for free after that.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
