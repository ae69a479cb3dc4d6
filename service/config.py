"""Settings: every limit and knob of the service, read from ACTIVATION_SERVICE_* variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "user_kernel_cache"]


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
    max_bytes_in_flight: int = Field(
        256 * 1024 * 1024,
        ge=1024,
        description="Most request-body bytes the process holds at once (a request costs a few"
        " times its body while it is decoded); a request that would pass it gets 503 with"
        " Retry-After before its body is read.",
    )
    head_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds a connection may take to send a request's head (its request line and"
        " headers), from when it opens or, kept alive, from the head's first byte; past them it"
        " gets 408 and is closed. Applies when served by `python -m service`.",
    )
    keep_alive_timeout: int = Field(
        65,
        ge=1,
        description="Seconds an idle keep-alive connection is kept open. Longer than clients'"
        " own (httpx 5 s, load balancers 60 s), so that the client, not the server, closes an"
        " idle connection: a server closing one as the client reuses it fails that request."
        " Applies when served by `python -m service`.",
    )
    body_timeout: float = Field(
        60.0,
        gt=0,
        description="Seconds a request's body may take to arrive after its head; past them the"
        " request gets 408 and the connection is closed.",
    )
    trim_after_idle: float = Field(
        1.0,
        gt=0,
        description="Seconds without a request in flight after which the process gives the"
        " memory its requests freed back to the system (malloc_trim).",
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
    heavy_multiply_adds: int = Field(
        2**30,
        ge=0,
        description="Simulations and training runs of more multiply-adds than this (about a"
        " second's work) go to a class of their own, so small ones never wait behind them.",
    )
    heavy_slots: int = Field(
        1,
        ge=1,
        le=64,
        description="Simulations and training runs over heavy_multiply_adds at once.",
    )
    heavy_queue: int = Field(
        2, ge=0, description="Runs over heavy_multiply_adds waiting for a slot; past it, 503."
    )
    heavy_deadline: float = Field(
        60.0,
        gt=0,
        description="Seconds a run over heavy_multiply_adds may take once it has its slot; past"
        " it the work stops at the next layer or step, and the request gets 503.",
    )
    analyse_slots: int = Field(
        2,
        ge=1,
        le=64,
        description="Property measurements, comparisons, plots and critical lines at once;"
        " as many processes draw the plots.",
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
    max_training_steps: int = Field(
        100, ge=1, description="Most training steps of a gradient-flow simulation's probe."
    )
    max_run_steps: int = Field(
        20_000, ge=1, description="Most optimizer steps of a training run or comparison."
    )
    max_trials: int = Field(
        64, ge=1, description="Most networks (seeds) a training run trains per entrant."
    )
    max_entrants: int = Field(8, ge=2, description="Most entrants of one training comparison.")
    max_examples: int = Field(
        20_000, ge=2, description="Most examples of a training task's data set (both splits)."
    )
    max_records: int = Field(
        501, ge=2, description="Most recorded steps of a training run (points per curve)."
    )
    max_training_multiply_adds: int = Field(
        2**35,
        ge=1,
        description="Most forward multiply-adds of a training request: per trial of each"
        " entrant, batch x weights per step and examples x weights per measurement, and the"
        " task's teacher over its data (the backward pass costs twice the forward again).",
    )
    max_element_ops: int = Field(
        2**33,
        ge=1,
        description="Most element-wise operations of a training request: per trial, units x"
        " examples per step and per measurement (times what the activation costs, by its cost"
        " class and the dtype), and parameters x the optimizer's operations per step; each"
        " about ten times dearer than a multiply-add.",
    )
    max_layer_steps: int = Field(
        200_000,
        ge=1,
        description="Most layer steps of a training request: the sum over entrants of (steps + 1"
        " + records x measurement blocks) x layers, what the interpreter pays per layer and step"
        " whatever the sizes (trials train together and share it).",
    )
    max_training_floats: int = Field(
        2**27,
        ge=1,
        description="Most floats a training request holds at once: the data, and for the largest"
        " entrant its trials' parameters x (2 + the optimizer's buffers) with a batch's"
        " activations; also a gradient-flow probe's parameters and optimizer state.",
    )
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
    formula_kernel_cache: int = Field(
        64,
        ge=0,
        description="Formulas whose compiled kernels are kept, the least recently used dropped"
        " first (0: formulas are always evaluated by numpy).",
    )
    formula_most_compiled: int = Field(
        256,
        ge=0,
        description="Most formula outputs (each in a dtype) a process compiles in its life; later"
        " ones stay with numpy. numba keeps what it compiled, about 1.6 MiB each, when the"
        " cache drops it.",
    )
    formula_compile_after: int = Field(
        2,
        ge=1,
        description="The request for a formula's output in a dtype that starts compiling it, in"
        " a background thread (1 to 6 s of one core); requests take numpy until it is ready.",
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
        description="Load every kernel (float32 and float64) from the kernel cache, or compile"
        " what it lacks, in a background thread at start-up (seconds from the cache, minutes of"
        " one core without it), so that no request waits for its kernel's first compilation"
        " (0.2 to 1 s each).",
    )
    kernel_cache_dir: str = Field(
        "",
        description="Directory of the compiled kernels' on-disk cache, shared by every worker and"
        " rebuilt when the numeric code, numba or Python changes (in a subdirectory named by"
        " their fingerprint); empty: compiled in memory at every start. `python -m service`"
        " uses ~/.cache/activation-service/kernels (under XDG_CACHE_HOME if set) when unset.",
    )
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Worker processes that `python -m service` runs, each with its own event"
        " loop and slots; 1 in a container scaled by replicas, about one per core otherwise.",
    )
    blas_threads: int = Field(
        1,
        ge=1,
        le=64,
        description="Threads each BLAS call (the matrix products of simulations and training)"
        " may use. One: a training run with two measured slower under load than with one, and"
        " left the event loop and the load's other requests no core. Applies when served by"
        " `python -m service` (it sets OpenBLAS's OPENBLAS_NUM_THREADS before numpy loads).",
    )
    switch_interval: float = Field(
        0.0005,
        gt=0,
        le=0.1,
        description="Seconds a thread computing in Python may keep the interpreter while"
        " another waits for it (`sys.setswitchinterval`; Python's default is 0.005). The event"
        " loop waits for it at each read and write, so with the default a small request waited"
        " behind a simulation, comparison or plot computed in a worker thread 5 ms a step.",
    )
    shutdown_delay: float = Field(
        0.0,
        ge=0,
        description="Seconds between SIGTERM and closing the listening socket, answering as"
        " usual but not ready, for load balancers to take the process out of rotation (a few"
        " seconds behind Kubernetes Services).",
    )
    shutdown_timeout: float = Field(
        20.0,
        gt=0,
        description="Seconds after the listening socket closes for the requests in flight to"
        " end; work still running then is stopped at its next step and answered 503.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="The least severe log records written (request lines are info)."
    )
    log_format: Literal["json", "text"] = Field(
        "json",
        description="`json`: one JSON object per line, for log collectors; `text`: for a terminal.",
    )
    access_log: bool = Field(True, description="Write one log line per request.")
    opentelemetry: bool = Field(
        False,
        description="FastAPI's own OpenTelemetry spans and metrics, for an OpenTelemetry SDK"
        " configured in the process. Off, each request is spared its check for one (7 us, as"
        " much as the service's own metrics cost); the request id, log line and /metrics are"
        " the service's own and stay.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins that browsers may call the API from (CORS), e.g."
        ' `["https://example.org"]`, or `["*"]`; empty (the default): CORS off.',
    )
    cors_methods: list[str] = Field(
        default_factory=lambda: ["GET", "POST"],
        description="Methods allowed to those origins.",
    )

    def limits(self) -> dict[str, int | float]:
        """The numbers that bound what a request may ask and how it is served: every numeric
        setting but the port and the process's (workers, shutdown). The OpenAPI document publishes them under ``info.x-limits``."""
        return {
            name: value
            for name, value in self.model_dump().items()
            if isinstance(value, int | float)
            and not isinstance(value, bool)
            and name
            not in (
                "port",
                "workers",
                "blas_threads",
                "switch_interval",
                "shutdown_delay",
                "shutdown_timeout",
            )
        }


def user_kernel_cache() -> Path:
    """Where `python -m service` keeps the kernels unless told otherwise."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "activation-service" / "kernels"


@lru_cache
def get_settings() -> Settings:
    return Settings()
