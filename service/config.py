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
    evaluate_slots: int = Field(
        2, ge=1, le=64, description="Large evaluations running at once (each in a thread)."
    )
    evaluate_queue: int = Field(
        32, ge=0, description="Large evaluations waiting for a slot; past it, 503 at once."
    )
    evaluate_deadline: float = Field(
        30.0, gt=0, description="Seconds a large evaluation may take once it has its slot."
    )
    simulate_slots: int = Field(
        1, ge=1, le=64, description="Simulations and training runs running at once."
    )
    simulate_queue: int = Field(
        4, ge=0, description="Simulations and training runs waiting for a slot; past it, 503."
    )
    simulate_deadline: float = Field(
        60.0,
        gt=0,
        description="Seconds a simulation or training run may take once it has its slot; past"
        " it the work stops at the next layer or step, and the request gets 503.",
    )
    analyse_slots: int = Field(
        1,
        ge=1,
        le=64,
        description="Property measurements, comparisons, plots and critical lines at once.",
    )
    analyse_queue: int = Field(
        16, ge=0, description="Measurements, comparisons and plots waiting; past it, 503."
    )
    analyse_deadline: float = Field(
        30.0, gt=0, description="Seconds a measurement, comparison or plot may take."
    )
    retry_after: int = Field(
        2, ge=1, description="Seconds a 503 for a full queue asks the client to wait."
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

    max_formula_length: int = Field(
        2000, ge=1, le=100_000, description="Most characters in a formula's expression."
    )
    max_formula_depth: int = Field(
        64,
        ge=2,
        le=200,
        description="Deepest nesting of a formula (operators, calls and parentheses), which"
        " bounds the recursion of its parser, its derivatives and its evaluation.",
    )
    max_formula_nodes: int = Field(
        256,
        ge=1,
        le=10_000,
        description="Most nodes (numbers, names, operators, calls) in a formula; its f'' may"
        " have 40 times as many.",
    )
    max_formula_parameters: int = Field(
        16, ge=0, le=256, description="Most parameters a formula may declare."
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
    compile_at_startup: bool = Field(
        True,
        description="Compile every float32 kernel in a background thread at start-up (about half"
        " a minute of one core), so that no request waits for its kernel's first compilation"
        " (0.2 to 1 s each).",
    )

    def limits(self) -> dict[str, int | float]:
        """The numbers that bound what a request may ask and how it is served: every numeric
        setting but the port. The OpenAPI document publishes them under ``info.x-limits``."""
        return {
            name: value
            for name, value in self.model_dump().items()
            if isinstance(value, int | float) and not isinstance(value, bool) and name != "port"
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()
