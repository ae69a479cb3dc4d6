"""The service's Prometheus metrics, and their exposition at GET /metrics.

Series (all prefixed ``activation_``): requests by route template, method and status; latency
by route and by workload class; requests in flight and queued; rejections (413, 429, 503) by
reason; request body bytes; elements evaluated by activation and dtype; simulation cost in
multiply-adds; the kernels' state and compilation time.

With several worker processes each one writes its series to files in PROMETHEUS_MULTIPROC_DIR
(``python -m service`` sets it) and a scrape of any worker adds them all up: the gauges of
live values are summed over the live workers, the kernel gauges kept per worker (``pid``).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = [
    "BODY_BYTES",
    "CONTENT_TYPE",
    "ELEMENTS",
    "IN_FLIGHT",
    "KERNELS_SECONDS",
    "KERNELS_STATE",
    "QUEUED",
    "REJECTED",
    "REQUESTS",
    "REQUEST_SECONDS",
    "RUNNING",
    "SIMULATION_COST",
    "WORKLOAD_SECONDS",
    "exposition",
]

CONTENT_TYPE = CONTENT_TYPE_LATEST
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_BYTE_BUCKETS = tuple(float(4**k) for k in range(4, 15))  # 256 B to 256 MiB

REQUESTS = Counter(
    "activation_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "activation_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template.",
    ["route"],
    buckets=_LATENCY_BUCKETS,
)
WORKLOAD_SECONDS = Histogram(
    "activation_workload_duration_seconds",
    "Time a request's work took in its class, waiting for a slot included.",
    ["workload"],
    buckets=_LATENCY_BUCKETS,
)
BODY_BYTES = Histogram(
    "activation_http_request_body_bytes",
    "Request body sizes, by route template.",
    ["route"],
    buckets=_BYTE_BUCKETS,
)
IN_FLIGHT = Gauge(
    "activation_http_requests_in_flight",
    "Requests being answered now.",
    multiprocess_mode="livesum",
)
QUEUED = Gauge(
    "activation_workload_queued",
    "Requests waiting for a slot of their workload class.",
    ["workload"],
    multiprocess_mode="livesum",
)
RUNNING = Gauge(
    "activation_workload_running",
    "Requests holding a slot of their workload class.",
    ["workload"],
    multiprocess_mode="livesum",
)
REJECTED = Counter(
    "activation_http_rejected",
    "Requests refused for the service's limits or state (413, 429, 503), by reason: the"
    " problem type.",
    ["status", "reason"],
)
ELEMENTS = Counter(
    "activation_evaluated_elements",
    'Array elements evaluated, by activation (every formula as "formula") and dtype.',
    ["activation", "dtype"],
)
SIMULATION_COST = Counter(
    "activation_simulation_multiply_adds",
    "Forward multiply-adds of the simulations and training runs done, by activation (every"
    ' formula as "formula"; the cost that max_multiply_adds bounds).',
    ["activation"],
)
KERNELS_STATE = Gauge(
    "activation_kernels_ready",
    "1 once the float32 kernels are loaded or compiled, else 0.",
    multiprocess_mode="liveall",
)
KERNELS_SECONDS = Gauge(
    "activation_kernels_load_seconds",
    "Seconds the kernels took to load from the cache or compile, at start-up.",
    multiprocess_mode="liveall",
)


def exposition() -> bytes:
    """Every series in the text format, added up over the workers when there are several."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)
