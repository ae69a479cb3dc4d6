"""Freed memory goes back to the system once the service falls quiet, once per quiet spell."""

from __future__ import annotations

import threading

import anyio
import pytest

from service.api import idle_trim
from tests.api.conftest import ClientFactory

pytestmark = pytest.mark.anyio


async def test_a_quiet_spell_trims_once_and_a_busy_one_does_not(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    trims: list[int] = []
    trimmed = threading.Event()

    def counted() -> None:
        trims.append(1)
        trimmed.set()

    monkeypatch.setattr(idle_trim, "malloc_trim", counted)
    client = make_client(trim_after_idle=0.3)
    for _ in range(5):  # requests closer together than the quiet spell
        await client.get("/api/v1/activations")
        await anyio.sleep(0.05)
    assert trims == []
    await anyio.sleep(0.6)
    await anyio.to_thread.run_sync(trimmed.wait, 5)
    assert trims == [1]
    await anyio.sleep(0.6)
    assert trims == [1]  # nothing ran since: no second trim


def test_malloc_trim_runs_where_the_c_library_has_it() -> None:
    idle_trim.malloc_trim()
