"""Compiled kernels kept on disk, so that a process loads them instead of compiling again.

Compiling every float32 kernel costs about a minute of one core and 300 MiB; loading them from
numba's on-disk cache takes a few seconds. numba's own ``cache=True`` cannot serve these loops:
each is a closure over the activation's scalar function, and numba keys a closure's cache
entries by a pickle of its cells, which for a compiled function holds a random per-process id,
so that no process ever finds what another saved. Here the loops get a cache of their own,
keyed by what a cell stands for instead (its module, name, bytecode and cells, recursively).

A key names the function's own code only, not the functions it calls (numba's limitation as
well). The cache therefore lives in a directory named by a fingerprint of every source file of
the numeric core, numba's and Python's versions: a change anywhere there starts an empty one,
which is what makes the cache never stale. numba adds the CPU's name and features to every
key, so a process on a CPU of another kind compiles (and saves) its own.

The directory may be read-only (a container's baked-in cache): a kernel missing from it is then
compiled and not saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sys
import types
import weakref
from pathlib import Path
from typing import Any

import numba
from numba.core.caching import (
    CompileResultCacheImpl,
    FunctionCache,
    NullCache,
    _CacheLocator,
)

__all__ = ["cache_directory", "fingerprint", "stale_directories", "use_directory"]

_NUMERICS = Path(__file__).resolve().parent.parent
_FINGERPRINT = re.compile("[0-9a-f]{16}")
_directory: Path | None = None
_dispatchers: weakref.WeakSet[Any] = weakref.WeakSet()


def fingerprint() -> str:
    """What a compiled kernel depends on: the numeric core's sources, numba, Python."""
    digest = hashlib.sha256(f"{numba.__version__} {sys.version}".encode())
    for path in sorted(_NUMERICS.rglob("*.py")):
        digest.update(str(path.relative_to(_NUMERICS)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def use_directory(root: Path | None) -> Path | None:
    """Cache every kernel loop under ``root``, in the subdirectory of this fingerprint (None:
    in memory only, from now on)."""
    global _directory
    _directory = None if root is None else root / fingerprint()
    for dispatcher in list(_dispatchers):
        dispatcher._cache = NullCache() if root is None else _KernelCache(dispatcher.py_func)
    return _directory


def stale_directories(root: Path) -> list[Path]:
    """The caches under ``root`` made for other sources, numba or Python than these."""
    current = fingerprint()
    return [
        path
        for path in root.glob("*")
        if path.is_dir() and _FINGERPRINT.fullmatch(path.name) and path.name != current
    ]


def cache_directory() -> Path | None:
    """The directory in use, or None when kernels are compiled in memory only."""
    return _directory


def cached(dispatcher: Any) -> Any:
    """``dispatcher`` (a loop numba compiled), its compilations kept on disk when a directory is
    in use, now or later."""
    _dispatchers.add(dispatcher)
    if _directory is not None:
        dispatcher._cache = _KernelCache(dispatcher.py_func)
    return dispatcher


def _token(value: object) -> object:
    """What a closure cell stands for, the same in every process."""
    function = getattr(value, "py_func", value)
    if isinstance(function, types.FunctionType):
        code = function.__code__
        cells = tuple(_token(cell.cell_contents) for cell in function.__closure__ or ())
        options = getattr(value, "targetoptions", None)
        return (
            function.__module__,
            function.__qualname__,
            hashlib.sha256(code.co_code).hexdigest(),
            repr(code.co_consts),
            cells,
            repr(sorted(options.items())) if options else None,
        )
    if isinstance(value, tuple | list):
        return tuple(_token(item) for item in value)
    return repr(value)


class _KernelCacheLocator(_CacheLocator):
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> _KernelCacheLocator | None:
        return None if _directory is None else cls(_directory)

    def get_cache_path(self) -> str:
        return str(self._directory)

    def get_source_stamp(self) -> str:
        # The directory is named by the sources' fingerprint already.
        return self._directory.name

    def get_disambiguator(self) -> str:
        return ""


class _KernelCacheImpl(CompileResultCacheImpl):
    _locator_classes: list[type[object]] = [_KernelCacheLocator]  # noqa: RUF012 (numba's protocol)


class _KernelCache(FunctionCache):
    _impl_class = _KernelCacheImpl

    def _index_key(self, sig: Any, codegen: Any) -> tuple[Any, ...]:
        cells = tuple(_token(cell.cell_contents) for cell in self._py_func.__closure__ or ())
        code = self._py_func.__code__
        return (
            sig,
            codegen.magic_tuple(),
            (
                hashlib.sha256(code.co_code).hexdigest(),
                hashlib.sha256(repr(cells).encode()).hexdigest(),
            ),
        )

    def load_overload(self, sig: Any, target_context: Any) -> Any:
        try:
            return super().load_overload(sig, target_context)
        except OSError:  # an unreadable cache is an empty one
            return None

    def save_overload(self, sig: Any, data: Any) -> None:
        # A read-only cache: this kernel stays compiled in memory.
        with contextlib.suppress(OSError):
            super().save_overload(sig, data)
