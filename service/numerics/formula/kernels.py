"""Formulas compiled where it pays: a kernel per formula, compiled in the background on demand.

A formula's f, f' and f'' are served by numpy (``numeric``) until they are compiled: each
output's program (``program``) becomes the source of a numba scalar function (``source``),
run by the catalog's loop drivers (``compiled.run``: one fused loop, on every core for a
large array) for float32 and float64, computed in float64 and rounded once. That costs
0.3 to 5 seconds of one core per output and dtype, three times that on busy cores
(bench/formulas.py, silu and mish), so it is done only for what is asked again: the
``after``-th request for an output in a dtype starts its compilation in a background
thread, one compilation at a time, and requests take the numpy path until it is ready. No
request waits for a compilation.

Kernels are kept in a bounded cache, least recently used dropped first, keyed by the
formula's normal text and its parameters' names: the same formula written twice, or by two
clients, is compiled once. numba never frees what it compiled (its IR keeps every function
it inlined): a kernel dropped from the cache still holds its machine code, about 1.6 MiB for
an output in a dtype of a small formula, so a process compiles at most ``most`` outputs (a
setting) and leaves later ones to numpy. The compiled path agrees with the numpy path
within a few ULP at every float, NaN and infinities included, and meets the accuracy
report's bound wherever the numpy path does (tests/numerics/formula/test_kernels.py), so
the accuracy measured of the numpy path describes both; where it cannot be sure of that
(see ``source``) a kernel declines the point and numpy computes it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from service.numerics.compiled import Kernel, ScalarFunction, own_loops, read_only
from service.numerics.formula.program import program
from service.numerics.formula.source import build, generate
from service.numerics.formula.tree import Node, text
from service.numerics.types import OutputName, ParamValue

__all__ = [
    "CACHE_SIZE",
    "COMPILE_AFTER",
    "MOST_COMPILED",
    "MOST_QUEUED",
    "MOST_STEPS",
    "Compilable",
    "FormulaKernel",
    "KernelCache",
    "OnDemand",
    "State",
    "bound",
    "configure",
    "kernels",
]

CACHE_SIZE = 64
MOST_COMPILED = 256
COMPILE_AFTER = 2
MOST_STEPS = 200
"""Distinct subexpressions past which an output is left to numpy: numba's compilation time
grows with the function's length (mish's f'', 22 steps, takes 5 s), and a long
formula is rare."""
MOST_QUEUED = 16
"""Compilations waiting at once; past them a request leaves its output to numpy and a later
one asks again, so that a stream of new formulas cannot queue hours of work."""

_ORDER: Mapping[OutputName, int] = {"value": 0, "gradient": 1, "second_derivative": 2}
_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
State = Literal["numpy", "compiling", "compiled"]
Key = tuple[OutputName, str]
"""An output and the dtype of the loop that computes it."""


@dataclass(frozen=True, slots=True)
class Compilable:
    """What a formula's kernel is made from: f, f', f'' as served and the parameters' names in
    declared order (the kernel's p); ``key``, the normal text and those names, is what the
    cache holds it by."""

    trees: tuple[Node, Node, Node]
    names: tuple[str, ...]
    key: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (text(self.trees[0]), *self.names))


class FormulaKernel:
    """One formula's compiled outputs: each generated, built and its loops compiled once, on
    demand, in the background; ``function`` answers with what is ready."""

    def __init__(self, cache: KernelCache, made: Compilable) -> None:
        self._cache, self._trees, self._parameters = cache, made.trees, made.names
        self._lock = threading.Lock()
        self._functions: dict[int, ScalarFunction | None] = {}
        self._ready: dict[Key, ScalarFunction] = {}
        self._uses: dict[Key, int] = {}
        self._pending: dict[Key, Future[bool]] = {}
        self.compilations = 0
        """Loops compiled so far (each output and dtype once)."""

    def function(self, output: OutputName, dtype: np.dtype[Any]) -> ScalarFunction | None:
        """The compiled function for ``output`` in ``dtype`` if it is ready; else None, and this
        request counts towards compiling it."""
        key = _key(output, dtype)
        if key is None:
            return None
        with self._lock:
            found = self._ready.get(key)
            if found is not None or key in self._pending:
                return found
            self._uses[key] = uses = self._uses.get(key, 0) + 1
        if uses >= self._cache.after:
            self.prepare(output, dtype)
        return None

    def state(self, output: OutputName, dtype: np.dtype[Any]) -> State:
        """Whether ``output`` in ``dtype`` is served by numpy, compiling, or compiled."""
        key = _key(output, dtype)
        with self._lock:
            if key in self._ready:
                return "compiled"
            pending = self._pending.get(key) if key is not None else None
            return "compiling" if pending is not None and not pending.done() else "numpy"

    def prepare(self, output: OutputName, dtype: np.dtype[Any]) -> Future[bool]:
        """Compile ``output`` for ``dtype`` in the background (once, however often asked): the
        future's result is whether it compiled (False: it stays with numpy)."""
        key = _key(output, dtype)
        with self._lock:
            if key is None:
                done: Future[bool] = Future()
                done.set_result(False)
                return done
            pending = self._pending.get(key)
            if pending is None:
                pending = self._cache.submit(self._compile, key)
                if pending is None:
                    refused: Future[bool] = Future()
                    refused.set_result(False)
                    return refused
                self._pending[key] = pending
            return pending

    def _compile(self, key: Key) -> bool:
        try:
            return self._compile_loops(key)
        except Exception:
            return False

    def _compile_loops(self, key: Key) -> bool:
        output, dtype = key
        function = self._scalar(_ORDER[output])
        if function is None:
            return False
        plain, scaled = function.loops  # type: ignore[attr-defined]
        # Called once on a point, as the catalog's compile_kernels does: numba compiles a loop
        # for the types of its first call, which are the ones requests give.
        point = read_only(np.zeros(1, dtype))
        arguments = (0.0,) * len(self._parameters)
        plain(point, np.zeros(1, dtype), arguments)
        if output != "value":
            scaled(point, point, np.zeros(1, dtype), arguments)
        with self._lock:
            self._ready[key] = function
            self.compilations += 1
        return True

    def _scalar(self, order: int) -> ScalarFunction | None:
        # Runs in the one compiling thread: no lock needed between two of its calls.
        if order not in self._functions:
            steps = program(self._trees[order])
            generated = None if len(steps.steps) > MOST_STEPS else generate(steps, self._parameters)
            function = None if generated is None else build(generated)
            if function is not None:
                function.loops = own_loops(function)  # type: ignore[attr-defined]
            self._functions[order] = function
        return self._functions[order]


def _key(output: OutputName, dtype: np.dtype[Any]) -> Key | None:
    if dtype not in _DTYPES or output not in _ORDER:
        return None
    # float32's second derivative runs the float64 loop (numerics.evaluation).
    wide = "float64" if output == "second_derivative" else dtype.name
    return output, wide


@dataclass(frozen=True, slots=True, eq=False)
class OnDemand(Kernel):
    """A formula's kernel as the evaluator asks for one: each output's function when it has
    been compiled for that dtype, None (the numpy path) until then."""

    compiled: FormulaKernel | None = None

    def function(self, output: OutputName, dtype: np.dtype[Any]) -> ScalarFunction | None:
        return None if self.compiled is None else self.compiled.function(output, dtype)


class KernelCache:
    """Formula kernels by normal text, the ``size`` most recently used; ``after``: the request
    for an output and dtype that starts its compilation (1: the first)."""

    def __init__(
        self, *, size: int = CACHE_SIZE, after: int = COMPILE_AFTER, most: int = MOST_COMPILED
    ) -> None:
        self.size, self.after, self.most = size, after, most
        self.started = 0
        """Compilations started in this process."""
        self._lock = threading.Lock()
        self._kernels: OrderedDict[tuple[str, ...], FormulaKernel] = OrderedDict()
        self._executor: ThreadPoolExecutor | None = None
        self._queued = 0

    def kernel(self, made: Compilable) -> FormulaKernel | None:
        """The kernel of the formula ``made`` (None: the cache holds none)."""
        if self.size <= 0:
            return None
        key = made.key
        with self._lock:
            found = self._kernels.get(key)
            if found is None:
                found = self._kernels[key] = FormulaKernel(self, made)
                while len(self._kernels) > self.size:
                    self._kernels.popitem(last=False)
            else:
                self._kernels.move_to_end(key)
            return found

    def configure(self, *, size: int, after: int, most: int = MOST_COMPILED) -> None:
        with self._lock:
            self.size, self.after, self.most = size, after, most
            while len(self._kernels) > max(size, 0):
                self._kernels.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kernels)

    def submit(self, job: Callable[[Key], bool], key: Key) -> Future[bool] | None:
        """``job(key)`` in the compiling thread; None if MOST_QUEUED are waiting already or the
        process has started ``most`` compilations."""
        with self._lock:
            if self._queued >= MOST_QUEUED or self.started >= self.most:
                return None
            self.started += 1
            if self._executor is None:
                # One thread: numba compiles one function at a time anyway, and one core is
                # what compilation may take from the requests.
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="formula-compile")
            self._queued += 1
            future = self._executor.submit(job, key)
        future.add_done_callback(self._done)
        return future

    def _done(self, _: Future[bool]) -> None:
        with self._lock:
            self._queued -= 1

    def clear(self) -> None:
        with self._lock:
            self._kernels.clear()


_KERNELS = KernelCache()


def kernels() -> KernelCache:
    """The process's cache of formula kernels."""
    return _KERNELS


def configure(*, size: int, after: int, most: int = MOST_COMPILED) -> None:
    """Keep the ``size`` most recently used formulas' kernels (0: compile none), compile an
    output on its ``after``-th request, and at most ``most`` in the process's life."""
    _KERNELS.configure(size=size, after=after, most=most)


def bound(
    made: Compilable, params: Mapping[str, ParamValue]
) -> tuple[Kernel, tuple[float, ...]] | None:
    """What ``Activation.kernel`` answers for a formula: its kernel, and the parameters' values
    in declared order."""
    found = _KERNELS.kernel(made)
    if found is None:
        return None
    return OnDemand(None, None, compiled=found), tuple(float(params[name]) for name in made.names)
