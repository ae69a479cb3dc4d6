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
        description="Most large evaluations and simulations running at once (the rest wait"
        " their turn).",
    )
    max_depth: int = Field(256, ge=1, description="Most layers in a simulated network.")
    max_width: int = Field(2048, ge=1, description="Most units in one simulated layer.")
    max_batch: int = Field(2048, ge=1, description="Most examples in a simulated batch.")
    max_activations: int = Field(
        2**25,
        ge=1,
        description="Most stored activations in a simulation: batch x the sum of the layer widths"
        " (depth x width x batch for equal widths).",
    )
    max_weights: int = Field(
        2**25,
        ge=1,
        description="Most weights in a simulated network (the sum of fan_in x fan_out).",
    )
    max_multiply_adds: int = Field(
        2**34,
        ge=1,
        description="Most forward multiply-adds of a simulation: batch x weights x passes, one"
        " pass plus steps + 1 when training (the backward pass costs twice that again).",
    )
    max_jacobian_width: int = Field(
        512, ge=1, description="Widest layer for which the Jacobian's singular values are computed."
    )
    max_training_steps: int = Field(100, ge=1, description="Most SGD steps of a simulation.")
    max_critical_points: int = Field(
        64, ge=1, description="Most sigma_b^2 values in one critical-line request."
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
    parallel_min_elements: int = Field(
        262_144,
        ge=1,
        description="Arrays of at least this many elements are evaluated on every core, cut into"
        " one run per core (the same numbers as on one); smaller ones on the calling thread."
        " Measured with bench/kernels.py --split: below it, handing a run to another thread"
        " costs more than it saves.",
    )
    compile_at_startup: bool = Field(
        True,
        description="Compile every float32 kernel in a background thread at start-up (about half"
        " a minute of one core), so that no request waits for its kernel's first compilation"
        " (0.2 to 1 s each).",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
