"""``python -m service``: serve the app with uvicorn, as the settings say (host, port, workers,
shutdown, logs). ``python -m service compile-kernels``: fill the kernel cache, then exit."""

from __future__ import annotations

import argparse
import atexit
import math
import os
import shutil
import tempfile
import time
from functools import partial
from pathlib import Path

import uvicorn

from service.api.http_protocol import HeadDeadlineProtocol
from service.config import get_settings, user_kernel_cache
from service.logs import logging_config


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    parser.add_argument(
        "command",
        nargs="?",
        choices=["serve", "compile-kernels"],
        default="serve",
        help="serve (the default), or compile every kernel into the cache and exit",
    )
    command = parser.parse_args().command
    # Set here, not as the setting's default: an app built in another program (a notebook, a
    # test) keeps its kernels in memory unless told to write them somewhere. The variable
    # reaches every worker process too.
    os.environ.setdefault("ACTIVATION_SERVICE_KERNEL_CACHE_DIR", str(user_kernel_cache()))
    settings = get_settings()
    if command == "compile-kernels":
        _compile_kernels(settings.kernel_cache_dir)
        return
    # OpenBLAS reads it once, as numpy loads it: here, before uvicorn imports the app (and in
    # every worker process, which inherits it).
    os.environ["OPENBLAS_NUM_THREADS"] = str(settings.blas_threads)
    if settings.workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Each worker writes its metrics to files here; /metrics adds them up. A new directory
        # at each start: the counters start from zero, as a single process's do.
        metrics_dir = tempfile.mkdtemp(prefix="activation-metrics-")
        atexit.register(shutil.rmtree, metrics_dir, ignore_errors=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    uvicorn.run(
        "service.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        # A backstop: the app stops its own work after shutdown_timeout and answers it 503.
        timeout_graceful_shutdown=math.ceil(settings.shutdown_delay + settings.shutdown_timeout)
        + 5,
        log_config=logging_config(level=settings.log_level, fmt=settings.log_format),
        access_log=False,
        server_header=False,
        timeout_keep_alive=settings.keep_alive_timeout,
        http=partial(HeadDeadlineProtocol, head_timeout=settings.head_timeout),  # type: ignore[arg-type]
    )


def _compile_kernels(cache_dir: str) -> None:
    from service import numerics

    if not cache_dir:
        raise SystemExit("kernel_cache_dir is empty: there is no cache to fill")
    from service.numerics.compiled.cache import stale_directories

    for stale in stale_directories(Path(cache_dir)):
        shutil.rmtree(stale, ignore_errors=True)
        print(f"removed {stale}, made for other sources")
    start = time.perf_counter()
    directory = numerics.use_kernel_cache(Path(cache_dir))
    numerics.compile_kernels(numerics.ACTIVATIONS.values())
    print(f"kernels compiled into {directory} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
