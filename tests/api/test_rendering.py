"""Plots are drawn by a child process: the server's interpreter never runs matplotlib, a child
that dies is replaced, a drawing past its deadline answers 503, and shutting down ends them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool

import httpx
import numpy as np
import pytest

from service import numerics
from service.api.rendering import Renderer
from service.api.workloads import Workloads
from service.drawing import FunctionPicture
from tests.api.conftest import ClientFactory, problem

pytestmark = pytest.mark.anyio

PLOT = "/api/v1/activations/gelu/plot.svg"


def _children(renderer: Renderer) -> set[int]:
    pool = renderer._pool
    return set() if pool is None or pool._processes is None else set(pool._processes)


def _gone(pid: int, *, within: float = 10.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


async def test_plots_are_drawn_by_a_child_process_which_is_replaced_if_it_dies(
    make_client: ClientFactory,
) -> None:
    client = make_client()
    first = await client.get(PLOT, params={"x_min": -2, "x_max": 2})
    assert first.status_code == 200 and first.content.startswith(b"<?xml")
    renderer = _renderer(client)
    (child,) = _children(renderer)
    assert child != os.getpid()

    os.kill(child, signal.SIGKILL)
    assert _gone(child)
    # Another range: not from the cache, so drawn again, by a new child.
    second = await client.get(PLOT, params={"x_min": -3, "x_max": 3})
    assert second.status_code == 200 and second.content.startswith(b"<?xml")
    (replacement,) = _children(renderer)
    assert replacement not in (child, os.getpid())

    # The first picture drawn again by another app's child (a new app, a new memo): the same bytes.
    again = await make_client().get(PLOT, params={"x_min": -2, "x_max": 2})
    assert again.content == first.content


async def test_a_drawing_past_its_deadline_answers_503(make_client: ClientFactory) -> None:
    client = make_client(analyse_deadline=1e-9)
    body = problem(await client.get(PLOT), 503)
    assert body["type"].endswith("deadline-exceeded")  # type: ignore[union-attr]


async def test_a_picture_two_children_died_on_answers_503(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    renderer = _renderer(client)
    deaths: list[int] = []

    def dying(*args: object) -> bytes:
        deaths.append(1)
        raise BrokenProcessPool("a child process terminated abruptly")

    monkeypatch.setattr(renderer, "_draw", dying)
    response = await client.get(PLOT)
    body = problem(response, 503)
    assert body["type"].endswith("drawing-failed")  # type: ignore[union-attr]
    assert response.headers["retry-after"] == "2"
    assert len(deaths) == 2, "drawn again once by a new child"


def test_a_drawing_that_outlasts_its_deadline_is_dropped_not_awaited() -> None:
    renderer = Renderer(1, retry_after=2)
    renderer.start()
    try:
        x = np.linspace(-1.0, 1.0, 1_000_000)  # seconds of drawing (1.5 s for 400,000)
        slow = FunctionPicture(
            x=x,
            value=x,
            slope=np.ones_like(x),
            jumps=(),
            breaks=(),
            kinks=(np.array([]), np.array([])),
            steps=(np.array([]), np.array([])),
            low=-1.0,
            high=1.0,
            title="slow",
        )
        began = time.monotonic()
        with pytest.raises(numerics.DeadlineExceeded):
            renderer.draw(slow, "svg", numerics.Deadline(0.2))
        assert time.monotonic() - began < 1.0
    finally:
        renderer.close()


def test_the_server_never_loads_matplotlib() -> None:
    probe = (
        "import sys, httpx, anyio\n"
        "from service.config import Settings\n"
        "from service.main import create_app\n"
        "app = create_app(Settings(compile_at_startup=False))\n"
        "async def plot():\n"
        "    transport = httpx.ASGITransport(app=app)\n"
        "    async with httpx.AsyncClient(transport=transport, base_url='http://test') as c:\n"
        f"        assert (await c.get('{PLOT}')).status_code == 200\n"
        "anyio.run(plot)\n"
        "app.state.workloads.close()\n"
        "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_children_end_with_a_server_that_was_killed() -> None:
    probe = (
        "import time\n"
        "from service.api.rendering import Renderer\n"
        "renderer = Renderer(1, retry_after=2)\n"
        "renderer.start()\n"
        "print(*renderer._pool._processes, flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", probe], stdout=subprocess.PIPE, text=True
    ) as server:
        assert server.stdout is not None
        child = int(server.stdout.readline())
        server.kill()
    assert _gone(child), "a drawing process outlived its server"


def test_closing_ends_the_children() -> None:
    renderer = Renderer(2, retry_after=2)
    renderer.start()
    children = _children(renderer)
    assert len(children) == 2
    renderer.close()
    assert all(_gone(pid) for pid in children)


def _renderer(client: httpx.AsyncClient) -> Renderer:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    workloads: Workloads = transport.app.state.workloads  # type: ignore[attr-defined]
    return workloads.renderer
