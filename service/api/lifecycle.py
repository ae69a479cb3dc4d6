"""Where a process is in its life: compiling its kernels, serving, draining for shutdown.

Readiness (``GET /readyz``) is read from here: a process is ready once its kernels are loaded
or compiled and its drawing processes started, while no workload's queue is full, and until
it is told to stop. Stopping comes from the server (SIGTERM, ``service.server``) and goes in
three steps, so that no client sees a connection cut:

1. ``drain``: readiness turns false at once, so that load balancers stop sending new requests,
   while the process still answers them (each answer asks to close its connection), for the
   ``shutdown_delay`` a load balancer takes to notice;
2. the server stops listening and waits for the requests in flight;
3. ``stop``: after ``shutdown_timeout``, work still running is stopped at its next step and
   answered 503 (``shutting-down``, to retry elsewhere) instead of being cut off.

The state is per application; ``drain_all`` and ``stop_all`` reach every one of the process,
since a signal is the process's. ``handle_sigterm`` puts these steps before the server's own
handler, whichever server runs the app (uvicorn, or several of its workers): the server's
``timeout_graceful_shutdown`` is then only a backstop.
"""

from __future__ import annotations

import contextvars
import enum
import gc
import logging
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Literal

from service import numerics
from service.api import metrics
from service.api.workloads import WorkloadName, Workloads

__all__ = [
    "DrawingState",
    "KernelState",
    "Lifecycle",
    "drain_all",
    "handle_sigterm",
    "stop_all",
]

_log = logging.getLogger(__name__)
_lifecycles: weakref.WeakSet[Lifecycle] = weakref.WeakSet()


class KernelState(enum.Enum):
    ON_DEMAND = "on-demand"  # not compiled at start-up: each on its first request
    COMPILING = "compiling"
    READY = "ready"
    FAILED = "failed"


DrawingState = Literal["on-demand", "starting", "ready", "failed"]
"""The drawing processes (``service.api.rendering``): ``on-demand`` starts them at the first
plot."""


class Lifecycle:
    """One application's state, from start-up to shutdown."""

    def __init__(self, workloads: Workloads) -> None:
        self.workloads = workloads
        self.kernels = KernelState.ON_DEMAND
        self.kernel_seconds: float | None = None
        self.drawing: DrawingState = "on-demand"
        self.draining = threading.Event()
        _lifecycles.add(self)

    def compile_kernels(self, activations: Iterable[numerics.Activation]) -> None:
        """Load or compile every kernel in a daemon thread (a server stopped meanwhile need not
        wait for the rest); readiness waits for it."""
        self.kernels = KernelState.COMPILING
        metrics.KERNELS_STATE.set(0)
        threading.Thread(
            target=self._compile,
            args=(list(activations), numerics.compile_kernels),
            name="compile-kernels",
            daemon=True,
        ).start()

    def start_drawing(self) -> None:
        """Start the drawing processes in a daemon thread; readiness waits for them."""
        self.drawing = "starting"
        threading.Thread(target=self._start_drawing, name="start-drawing", daemon=True).start()

    def _start_drawing(self) -> None:
        try:
            self.workloads.renderer.start()
        except Exception:
            self.drawing = "failed"
            _log.exception("starting the drawing processes failed")
            return
        self.drawing = "ready"

    def _compile(
        self,
        activations: list[numerics.Activation],
        compile_kernels: Callable[[Iterable[numerics.Activation]], None],
    ) -> None:
        start = time.perf_counter()
        try:
            compile_kernels(activations)
        except Exception:
            self.kernels = KernelState.FAILED
            _log.exception("compiling the kernels failed")
            return
        # The loaded kernels are some 700,000 objects that live as long as the process: spared
        # the cyclic collector like the start-up's, or every full collection walks them again,
        # 0.6-1 s with the interpreter held (plots and comparisons make cycles enough for one
        # every few seconds while their caches fill).
        gc.collect()
        gc.freeze()
        self.kernel_seconds = time.perf_counter() - start
        self.kernels = KernelState.READY
        metrics.KERNELS_STATE.set(1)
        metrics.KERNELS_SECONDS.set(self.kernel_seconds)
        _log.info("kernels ready in %.1f s", self.kernel_seconds)

    def saturated(self) -> list[WorkloadName]:
        return self.workloads.saturated()

    @property
    def ready(self) -> bool:
        return (
            self.kernels in (KernelState.ON_DEMAND, KernelState.READY)
            and self.drawing in ("on-demand", "ready")
            and not self.draining.is_set()
            and not self.saturated()
        )

    def drain(self) -> None:
        self.draining.set()

    def stop(self) -> None:
        self.draining.set()
        self.workloads.stop()


def drain_all() -> None:
    """Shutdown's first step, for every application of the process."""
    for lifecycle in list(_lifecycles):
        lifecycle.drain()


def stop_all() -> None:
    """Shutdown's last step: stop the work still running, in every application."""
    for lifecycle in list(_lifecycles):
        lifecycle.stop()


def handle_sigterm(*, delay: float, timeout: float) -> bool:
    """On SIGTERM: drain now, let the server's handler close the socket after ``delay``
    seconds, and stop the work still running ``timeout`` seconds after that.

    Call it once the server has put its handlers in place (at start-up, from the lifespan);
    False, changing nothing, off the main thread (an app under a test client) or where the
    server left SIGTERM at its default.
    """
    if threading.current_thread() is not threading.main_thread():
        return False
    server_handler = signal.getsignal(signal.SIGTERM)
    if not callable(server_handler):
        return False
    started = threading.Event()

    def on_sigterm(sig: int, frame: FrameType | None) -> None:
        if started.is_set():  # again: the server's own way, at once
            server_handler(sig, frame)
            return
        started.set()
        # In a fresh context: a signal interrupts whichever request's task is running.
        contextvars.Context().run(
            _log.info,
            "SIGTERM: draining for %.1f s, then %.1f s for requests in flight",
            delay,
            timeout,
        )
        drain_all()
        _later(delay, lambda: server_handler(sig, frame))
        _later(delay + timeout, stop_all)

    signal.signal(signal.SIGTERM, on_sigterm)
    return True


def _later(seconds: float, action: Callable[[], object]) -> None:
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()
