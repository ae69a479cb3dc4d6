"""Workload classes: a full queue answers 503 at once, work past its deadline stops, cheap
requests do not wait behind expensive ones, and a memoised answer is computed once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from service import numerics
from service.api.caching import Memo
from service.api.workloads import Overloaded, Workload
from service.numerics import Deadline, DeadlineExceeded, networks
from tests.api.conftest import ClientFactory, problem

pytestmark = pytest.mark.anyio

FLOW = "/api/v1/simulations/gradient-flow"
SMALL = {"activation": "tanh", "depth": 2, "width": 4, "batch": 4, "seed": 0}


def _held(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make every simulation wait for ``release`` once it has ``started``."""
    started, release = threading.Event(), threading.Event()
    real = networks.simulate

    def held(*args: Any, **kwargs: Any) -> networks.GradientFlow:
        started.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(networks, "simulate", held)
    return started, release


async def test_a_full_queue_answers_503_at_once_and_cheap_work_goes_on(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = _held(monkeypatch)
    client = make_client(simulate_slots=1, simulate_queue=0, retry_after=7)
    answers: list[httpx.Response] = []

    async def first() -> None:
        answers.append(await client.post(FLOW, json=SMALL))

    async with anyio.create_task_group() as group:
        group.start_soon(first)
        await anyio.to_thread.run_sync(started.wait, 10)
        busy = await client.post(FLOW, json=SMALL)
        body = problem(busy, 503)
        assert busy.headers["retry-after"] == "7" and body["workload"] == "simulate"
        # An evaluation and a measurement have classes of their own.
        cheap = await client.post("/api/v1/activations/relu/evaluate", json={"x": [1.0]})
        assert cheap.status_code == 200
        assert (await client.get("/api/v1/activations/tanh")).status_code == 200
        release.set()
    assert answers[0].status_code == 200


async def test_a_small_simulation_does_not_wait_behind_a_heavy_run(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()
    real = networks.simulate

    def held(experiment: networks.Experiment, *args: Any, **kwargs: Any) -> networks.GradientFlow:
        if experiment.batch > SMALL["batch"]:  # type: ignore[operator]
            started.set()
            release.wait(10)
        return real(experiment, *args, **kwargs)

    monkeypatch.setattr(networks, "simulate", held)
    # SMALL costs 4 x 32 multiply-adds; a batch of 64 sixteen times that.
    client = make_client(heavy_multiply_adds=1000, heavy_slots=1, heavy_queue=0)
    heavy = {**SMALL, "batch": 64}
    answers: list[httpx.Response] = []

    async def first() -> None:
        answers.append(await client.post(FLOW, json=heavy))

    async with anyio.create_task_group() as group:
        group.start_soon(first)
        await anyio.to_thread.run_sync(started.wait, 10)
        busy = problem(await client.post(FLOW, json=heavy), 503)
        assert busy["workload"] == "heavy"
        small = await client.post(FLOW, json=SMALL)
        assert small.status_code == 200, "its own class, a free slot"
        ready = await client.get("/readyz")
        assert ready.json()["saturated"] == ["heavy"]
        release.set()
    assert answers[0].status_code == 200


async def test_a_training_run_s_class_follows_its_cost(make_client: ClientFactory) -> None:
    client = make_client(heavy_multiply_adds=0, heavy_slots=1, heavy_queue=0)
    workloads = client._transport.app.state.workloads  # type: ignore[attr-defined]
    await workloads["heavy"].limiter.acquire()  # the heavy class is full: only it refuses
    try:
        run = {
            "activation": "tanh",
            "depth": 1,
            "width": 4,
            "task": {"name": "moons", "size": 20},
            "training": {"steps": 2},
            "seed": 0,
        }
        refused = problem(await client.post("/api/v1/simulations/training", json=run), 503)
        assert refused["workload"] == "heavy"
    finally:
        workloads["heavy"].limiter.release()
    client = make_client(heavy_multiply_adds=10**6, heavy_slots=1, heavy_queue=0)
    workloads = client._transport.app.state.workloads  # type: ignore[attr-defined]
    await workloads["heavy"].limiter.acquire()
    try:
        assert (await client.post("/api/v1/simulations/training", json=run)).status_code == 200
    finally:
        workloads["heavy"].limiter.release()


async def test_work_past_its_deadline_stops_and_answers_503(make_client: ClientFactory) -> None:
    client = make_client(simulate_deadline=1e-9)
    request = {**SMALL, "depth": 20, "width": 64, "batch": 64}
    body = problem(await client.post(FLOW, json=request), 503)
    assert body["type"].endswith("deadline-exceeded")  # type: ignore[union-attr]


def test_a_simulation_checks_its_deadline_between_layers() -> None:
    calls = 0

    def clock() -> float:
        nonlocal calls
        calls += 1
        return 0.0 if calls == 1 else 1.0  # the deadline is set at 0 and passed from then on

    experiment = networks.Experiment(numerics.get("tanh"), {}, (8,) * 5, batch=4, seed=0)
    limits = networks.Limits(**dict.fromkeys(networks.Limits.__dataclass_fields__, 10**9))
    with pytest.raises(DeadlineExceeded):
        networks.simulate(experiment, limits, deadline=Deadline(0.5, clock=clock))
    assert calls == 2, "stopped at the first layer past the deadline"


async def test_a_class_queues_up_to_its_queue_then_refuses() -> None:
    workload = Workload("analyse", slots=1, queue=1, deadline=5.0, retry_after=1)
    gate = threading.Event()
    done: list[int] = []

    def blocked(deadline: Deadline) -> int:
        gate.wait(10)
        return 1

    async with anyio.create_task_group() as group:
        group.start_soon(lambda: _append(done, workload.run(blocked)))
        await _until(lambda: workload.running == 1)
        group.start_soon(lambda: _append(done, workload.run(blocked)))
        await _until(lambda: workload.waiting == 1)
        with pytest.raises(Overloaded):
            await workload.run(blocked)
        gate.set()
    assert done == [1, 1]
    assert workload.refused == 1


async def test_concurrent_requests_for_one_key_compute_it_once() -> None:
    memo: Memo[str, int] = Memo(2)
    computed = 0

    async def compute() -> int:
        nonlocal computed
        computed += 1
        await anyio.sleep(0.01)
        return 42

    results: list[int] = []
    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(lambda: _append(results, memo.get("plot", compute)))
    assert results == [42] * 5 and computed == 1
    for key in ("a", "b", "plot"):  # bounded: the oldest key leaves
        await memo.get(key, compute)
    assert computed == 4


async def _append(results: list[Any], awaitable: Any) -> None:
    results.append(await awaitable)


async def _until(condition: Callable[[], bool]) -> None:
    with anyio.fail_after(5):
        while not condition():
            await anyio.sleep(0.001)
