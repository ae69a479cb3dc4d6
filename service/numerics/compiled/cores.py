"""Every core for a large array: one shared pool of threads, and where to cut the work.

The compiled loops release the GIL (nogil), so threads run them in parallel. An array of at
least ``split_above`` elements is cut into one run per core, each run's length a multiple of
ALIGN, and the caller's thread computes the first run while the pool computes the others.
Each element (or row) is computed by the same compiled code whichever run it falls in, and
the runs' boundaries are multiples of the loops' vector width times their unrolling, so that
the elements a vectorised loop leaves to its scalar remainder are the same as in one run:
the numbers are bit for bit those of the serial loop (tests/numerics/compiled/test_cores.py).

The threshold is an argument (the service passes its setting); SPLIT_ABOVE is the default,
measured with bench/kernels.py: below it, handing work to another thread costs more than
the time it saves.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

__all__ = ["ALIGN", "SPLIT_ABOVE", "count", "runs", "split"]

SPLIT_ABOVE = 1 << 18
ALIGN = 1024  # elements: a multiple of any vector width times LLVM's unrolling


@functools.cache
def count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@functools.cache
def _pool() -> ThreadPoolExecutor:
    # Created on first use, not at import; its threads live as long as the process.
    return ThreadPoolExecutor(max_workers=max(1, count() - 1), thread_name_prefix="kernel")


def runs(size: int, split_above: int, *, align: int = ALIGN) -> list[tuple[int, int]]:
    """[start, stop) runs covering ``size`` items: one if size < split_above, else one per core.

    Every boundary but the last is a multiple of ``align``.
    """
    if size < split_above or count() == 1:
        return [(0, size)]
    step = -(-size // count())
    step = -(-step // align) * align
    return [(start, min(start + step, size)) for start in range(0, size, step)]


def split(
    work: Callable[[int, int], int], size: int, split_above: int, *, align: int = ALIGN
) -> int:
    """The sum of work(start, stop) over runs(size, split_above): the first run in this thread,
    the others in the pool, at once."""
    parts = runs(size, split_above, align=align)
    if len(parts) == 1:
        return work(*parts[0])
    pending = [_pool().submit(work, start, stop) for start, stop in parts[1:]]
    total = work(*parts[0])
    return total + sum(future.result() for future in pending)
