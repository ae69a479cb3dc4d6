"""The application factory: what start-up does."""

from __future__ import annotations

import gc
import os
import sys
import threading
from pathlib import Path

import pytest

from service import __main__ as service_main
from service import main
from service.config import Settings, get_settings
from service.main import create_app
from service.numerics.compiled import cache

pytestmark = pytest.mark.anyio


async def test_start_up_exempts_the_living_objects_from_collection() -> None:
    app = create_app(Settings.model_construct(compile_at_startup=False))
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


async def test_start_up_sets_the_interpreter_s_switch_interval() -> None:
    before = sys.getswitchinterval()
    app = create_app(Settings.model_construct(compile_at_startup=False, switch_interval=0.002))
    try:
        async with app.router.lifespan_context(app):
            assert sys.getswitchinterval() == pytest.approx(0.002)
    finally:
        sys.setswitchinterval(before)
        gc.unfreeze()


@pytest.mark.parametrize("compile_at_startup", [True, False])
async def test_start_up_compiles_the_kernels_in_a_thread_if_asked(
    monkeypatch: pytest.MonkeyPatch, compile_at_startup: bool
) -> None:
    compiled = threading.Event()
    monkeypatch.setattr(main.numerics, "compile_kernels", lambda activations: compiled.set())
    app = create_app(Settings.model_construct(compile_at_startup=compile_at_startup))
    try:
        async with app.router.lifespan_context(app):
            assert compiled.wait(5 if compile_at_startup else 0.2) is compile_at_startup
    finally:
        gc.unfreeze()


async def test_start_up_keeps_the_kernels_in_the_configured_cache(tmp_path: Path) -> None:
    app = create_app(
        Settings.model_construct(compile_at_startup=False, kernel_cache_dir=str(tmp_path))
    )
    try:
        async with app.router.lifespan_context(app):
            assert cache.cache_directory() == tmp_path / cache.fingerprint()
    finally:
        cache.use_directory(None)
        gc.unfreeze()
    assert cache.cache_directory() is None


def test_python_m_service_caps_blas_threads_before_numpy_loads_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, str] = {}
    monkeypatch.setattr(service_main.uvicorn, "run", lambda *a, **k: seen.update(os.environ))
    monkeypatch.setattr(sys, "argv", ["python -m service"])
    monkeypatch.setenv("ACTIVATION_SERVICE_BLAS_THREADS", "3")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "8")
    get_settings.cache_clear()
    try:
        service_main.main()
    finally:
        get_settings.cache_clear()
    assert seen["OPENBLAS_NUM_THREADS"] == "3"
