"""Running it as a service: readiness, request ids, the request log line, metrics, headers, CORS."""

from __future__ import annotations

import gc
import json
import logging
import re
import threading

import httpx
import pytest
from opentelemetry import trace

from service.api import lifecycle as lifecycle_module
from service.api.lifecycle import KernelState, Lifecycle
from service.config import Settings
from service.logs import JsonFormatter
from service.main import create_app
from tests.api.conftest import ClientFactory, problem
from tests.server import metric_samples

pytestmark = pytest.mark.anyio

EVALUATE = "/api/v1/activations/{}/evaluate"


def _lifecycle(client: httpx.AsyncClient) -> Lifecycle:
    app = client._transport.app  # type: ignore[attr-defined]
    lifecycle: Lifecycle = app.state.lifecycle
    return lifecycle


async def test_readiness_waits_for_the_kernels(client: httpx.AsyncClient) -> None:
    lifecycle = _lifecycle(client)
    assert (await client.get("/readyz")).json()["kernels"] == "on-demand"
    lifecycle.kernels = KernelState.COMPILING
    compiling = await client.get("/readyz")
    assert compiling.status_code == 503
    assert compiling.json() == {
        "status": "not-ready",
        "kernels": "compiling",
        "drawing": "on-demand",
        "shutting_down": False,
        "saturated": [],
    }
    assert (await client.get("/healthz")).status_code == 200, "alive while it compiles"
    lifecycle._compile([], lambda activations: None)
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["kernels"] == "ready"
    assert ready.headers["cache-control"] == "no-store"


async def test_readiness_waits_for_the_drawing_processes(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    lifecycle = _lifecycle(client)
    lifecycle.drawing = "starting"
    starting = await client.get("/readyz")
    assert starting.status_code == 503 and starting.json()["drawing"] == "starting"
    lifecycle._start_drawing()
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["drawing"] == "ready"

    def broken() -> None:
        raise OSError("no shared memory")

    monkeypatch.setattr(lifecycle.workloads.renderer, "start", broken)
    with caplog.at_level(logging.ERROR, logger="service.api.lifecycle"):
        lifecycle._start_drawing()
    failed = await client.get("/readyz")
    assert failed.status_code == 503 and failed.json()["drawing"] == "failed"
    assert "no shared memory" in caplog.text


async def test_loaded_kernels_are_spared_the_cyclic_collector(client: httpx.AsyncClient) -> None:
    kept: list[dict[str, int]] = []

    def load(activations: object) -> None:  # what loading leaves alive, as numba's objects
        kept.extend({"kernel": number} for number in range(20_000))

    try:
        _lifecycle(client)._compile([], load)
        collectable = {id(tracked) for tracked in gc.get_objects()}  # the frozen are not listed
        assert id(kept) not in collectable and id(kept[-1]) not in collectable
    finally:
        gc.unfreeze()


async def test_a_failed_compilation_is_not_ready(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(activations: object) -> None:
        raise RuntimeError("no compiler")

    with caplog.at_level(logging.ERROR, logger="service.api.lifecycle"):
        _lifecycle(client)._compile([], broken)
    response = await client.get("/readyz")
    assert response.status_code == 503 and response.json()["kernels"] == "failed"
    assert "no compiler" in caplog.text


async def test_the_kernels_compile_in_the_background_at_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(activations: object) -> None:
        started.set()
        release.wait(10)

    monkeypatch.setattr(lifecycle_module.numerics, "compile_kernels", slow)
    app = create_app(Settings.model_construct(compile_at_startup=True, kernel_cache_dir=""))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        assert started.wait(5)
        assert (await client.get("/readyz")).json()["kernels"] == "compiling"
        release.set()
        for _ in range(200):
            lifecycle = app.state.lifecycle
            if lifecycle.kernels is KernelState.READY and lifecycle.drawing == "ready":
                break
            threading.Event().wait(0.05)
        assert (await client.get("/readyz")).status_code == 200


async def test_a_full_queue_is_not_ready(make_client: ClientFactory) -> None:
    client = make_client(simulate_slots=1, simulate_queue=0)
    workloads = _lifecycle(client).workloads
    limiter = workloads["simulate"].limiter
    await limiter.acquire()
    try:
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["saturated"] == ["simulate"]
    finally:
        limiter.release()
    assert (await client.get("/readyz")).status_code == 200


async def test_draining_is_not_ready_and_asks_to_close_connections(
    client: httpx.AsyncClient,
) -> None:
    _lifecycle(client).drain()
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["shutting_down"] is True
    assert response.headers["connection"] == "close"
    answered = await client.post(EVALUATE.format("relu"), json={"x": [1]})
    assert answered.status_code == 200, "still answering while it drains"
    assert answered.headers["connection"] == "close"


async def test_stopping_ends_the_running_work_with_a_503_to_retry(
    client: httpx.AsyncClient,
) -> None:
    _lifecycle(client).stop()
    response = await client.post(
        "/api/v1/simulations/gradient-flow",
        json={"activation": "tanh", "depth": 4, "width": 8, "batch": 8, "seed": 0},
    )
    body = problem(response, 503)
    assert body["type"].endswith(":shutting-down") and body["workload"] == "simulate"
    assert response.headers["retry-after"] and response.headers["connection"] == "close"


async def test_a_valid_request_id_comes_back(client: httpx.AsyncClient) -> None:
    response = await client.post(
        EVALUATE.format("relu"), json={"x": [1]}, headers={"X-Request-ID": "abc-123.x:y_z"}
    )
    assert response.headers["x-request-id"] == "abc-123.x:y_z"


@pytest.mark.parametrize("given", [b"", b"has space", b"x" * 129, "é".encode(), b"a/b", b"a\x00"])
async def test_an_invalid_request_id_is_replaced(client: httpx.AsyncClient, given: bytes) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": given})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_every_answer_has_an_id_and_nosniff_errors_included(
    client: httpx.AsyncClient,
) -> None:
    answers = [
        await client.get("/healthz"),
        await client.get("/api/v1/activations/sigmiod"),
        await client.post(
            EVALUATE.format("relu"), content=b"{", headers={"content-type": "application/json"}
        ),
        await client.get("/no/such/path"),
        await client.post("/v2/models/relu/infer", json={"inputs": "nonsense"}),
    ]
    assert [a.status_code // 100 for a in answers] == [2, 4, 4, 4, 4]
    ids = {a.headers["x-request-id"] for a in answers}
    assert len(ids) == len(answers), "a new id for each"
    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "server" not in answer.headers


async def test_one_json_log_line_per_request(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="service.request"):
        await client.post(
            EVALUATE.format("gelu"),
            content=b'{"x": [[1, 2, 3]], "dtype": "float32"}',
            headers={"X-Request-ID": "req-1", "content-type": "application/json"},
        )
    (record,) = [r for r in caplog.records if r.name == "service.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line.pop("time")
    assert line.pop("duration_ms") > 0
    assert line.pop("response_bytes") > 0
    assert line.pop("client")
    assert line == {
        "level": "info",
        "logger": "service.request",
        "message": "request",
        "request_id": "req-1",
        "method": "POST",
        "route": "/api/v1/activations/{name}/evaluate",
        "path": "/api/v1/activations/gelu/evaluate",
        "status": 200,
        "request_bytes": 38,
        "activation": "gelu",
        "dtype": "float32",
    }


async def test_a_500_is_logged_once_with_its_traceback_and_request_id(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from service.api.routes import evaluate

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug, on purpose")

    monkeypatch.setattr(evaluate.numerics, "evaluate", broken)
    with caplog.at_level(logging.INFO):
        response = await client.post(
            EVALUATE.format("relu"), json={"x": [1]}, headers={"X-Request-ID": "boom-1"}
        )
    problem(response, 500)
    assert response.headers["x-request-id"] == "boom-1"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    line = json.loads(JsonFormatter().format(errors[0]))
    assert line["request_id"] == "boom-1"
    assert "RuntimeError: a bug, on purpose" in line["traceback"]
    (request_line,) = [r for r in caplog.records if r.name == "service.request"]
    assert request_line.status == 500  # type: ignore[attr-defined]


async def test_metrics_move_with_the_traffic(make_client: ClientFactory) -> None:
    client = make_client(simulate_queue=0, simulate_slots=1)
    before = metric_samples((await client.get("/metrics")).text)
    await client.post(EVALUATE.format("gelu"), json={"x": [[1, 2], [3, 4]], "dtype": "float32"})
    await client.post(EVALUATE.format("nope"), json={"x": [1]})
    await client.post(
        "/api/v1/simulations/gradient-flow",
        json={"activation": "tanh", "depth": 2, "width": 4, "batch": 3, "seed": 0},
    )
    await client.post(
        EVALUATE.format("relu"), content=b"0" * 2048, headers={"content-type": "application/json"}
    )
    limiter = _lifecycle(client).workloads["simulate"].limiter
    await limiter.acquire()
    try:
        busy = await client.post(
            "/api/v1/simulations/gradient-flow",
            json={"activation": "tanh", "depth": 2, "width": 4, "batch": 3, "seed": 0},
        )
    finally:
        limiter.release()
    assert busy.status_code == 503
    response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    after = metric_samples(response.text)

    def moved(series: str) -> float:
        return after.get(series, 0) - before.get(series, 0)

    evaluate = 'route="/api/v1/activations/{name}/evaluate"'
    simulate = 'route="/api/v1/simulations/gradient-flow"'
    assert moved(f'activation_http_requests_total{{method="POST",{evaluate},status="200"}}') == 1
    assert moved(f'activation_http_requests_total{{method="POST",{evaluate},status="404"}}') == 1
    assert moved(f'activation_http_requests_total{{method="POST",{simulate},status="200"}}') == 1
    assert moved(f"activation_http_request_duration_seconds_count{{{evaluate}}}") == 3
    assert moved('activation_evaluated_elements_total{activation="gelu",dtype="float32"}') == 4
    assert moved('activation_simulation_multiply_adds_total{activation="tanh"}') == 3 * (16 + 16)
    assert moved('activation_workload_duration_seconds_count{workload="simulate"}') == 1
    assert moved('activation_http_rejected_total{reason="overloaded",status="503"}') == 1
    assert moved(f'activation_http_request_body_bytes_bucket{{le="4096.0",{evaluate}}}') == 3
    assert after["activation_http_requests_in_flight"] == 1, "the scrape itself"
    assert after['activation_workload_queued{workload="simulate"}'] == 0
    assert after['activation_workload_running{workload="simulate"}'] == 0


async def test_formulas_are_one_series_not_one_each(client: httpx.AsyncClient) -> None:
    """A formula's text had labelled its own series: a client sending many formulas grew the
    process's metrics, and every scrape, without bound."""
    before = metric_samples((await client.get("/metrics")).text)
    for shift in range(3):
        formula = {"expression": f"tanh(x) + {shift}"}
        await client.post("/api/v1/formulas/evaluate", json={"activation": formula, "x": [1, 2]})
        await client.post(
            "/api/v1/simulations/gradient-flow",
            json={"activation": formula, "depth": 2, "width": 4, "batch": 3, "seed": 0},
        )
    after = metric_samples((await client.get("/metrics")).text)
    assert not [series for series in after if "tanh(x)" in series]
    elements = 'activation_evaluated_elements_total{activation="formula",dtype="float64"}'
    assert after[elements] - before.get(elements, 0) == 6
    cost = 'activation_simulation_multiply_adds_total{activation="formula"}'
    assert after[cost] - before.get(cost, 0) == 3 * 3 * (16 + 16)


@pytest.mark.parametrize("enabled", [False, True])
async def test_fastapis_own_opentelemetry_is_asked_for_only_when_turned_on(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    """Off (the default), a request does not look for a configured OpenTelemetry SDK."""
    client = make_client(opentelemetry=enabled)
    asked = []
    providers = trace.get_tracer_provider
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: asked.append(1) or providers())
    response = await client.post(EVALUATE.format("relu"), json={"x": [1.0]})
    assert response.status_code == 200
    assert bool(asked) is enabled


async def test_cors_is_off_by_default(client: httpx.AsyncClient) -> None:
    response = await client.options(
        EVALUATE.format("relu"),
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers


async def test_cors_allows_the_configured_origins(make_client: ClientFactory) -> None:
    client = make_client(cors_origins=["https://example.org"], cors_methods=["POST"])
    preflight = await client.options(
        EVALUATE.format("relu"),
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-request-id",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://example.org"
    answer = await client.post(
        EVALUATE.format("relu"), json={"x": [1]}, headers={"Origin": "https://example.org"}
    )
    assert answer.headers["access-control-allow-origin"] == "https://example.org"
    assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()
    other = await client.options(
        EVALUATE.format("relu"),
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers
