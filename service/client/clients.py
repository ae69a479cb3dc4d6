"""``Client`` and ``AsyncClient``: the service's operations as methods, over one pooled
connection, retried on 503 and 429 (service.client.retry), errors raised as the exceptions
of service.client.errors."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

import httpx
import numpy as np

from service import __version__
from service.client import operations
from service.client.formulas import Formula, FormulaAnalysis, FormulaParameter, formula_of
from service.client.results import (
    ActivationSummary,
    ComparisonRow,
    CriticalLine,
    Description,
    GradientFlow,
    ParamValue,
)
from service.client.retry import RetryPolicy
from service.client.training import TrainingComparison, TrainingRun
from service.client.transport import StdlibTransport

__all__ = ["AsyncClient", "Client"]

DEFAULT_URL = "http://127.0.0.1:8000"
JSON_MAX_ELEMENTS = 256
"""Arrays (x and grad_output together) up to this size are sent as JSON, larger ones as .npy."""

Output = Literal["value", "gradient", "second_derivative"]
Parameters = Mapping[str, FormulaParameter | float]
"""A formula's parameters: each its default alone, or a FormulaParameter with bounds."""
_T = TypeVar("_T")
_HEADERS = {"user-agent": f"activation-service-client/{__version__}"}


def _read(response: httpx.Response) -> operations.Body:
    try:
        return response.content  # read already (by a test's transport, say)
    except httpx.ResponseNotRead:
        pass
    length = operations.announced_length(response)
    if length is None:
        return response.read()
    chunks = response.iter_raw()  # h11 holds the body to its Content-Length
    first = next(chunks, b"")
    if isinstance(first, bytearray) and len(first) == length:
        return first  # read whole, in place, by StdlibTransport
    buffer = bytearray(length)
    view, end = memoryview(buffer), 0
    for chunk in itertools.chain((first,), chunks):
        view[end : end + len(chunk)] = chunk
        end += len(chunk)
    return buffer


async def _aread(response: httpx.Response) -> operations.Body:
    try:
        return response.content  # read already (by a test's transport, say)
    except httpx.ResponseNotRead:
        pass
    length = operations.announced_length(response)
    if length is None:
        return await response.aread()
    buffer = bytearray(length)
    view, end = memoryview(buffer), 0
    async for chunk in response.aiter_raw():
        view[end : end + len(chunk)] = chunk
        end += len(chunk)
    return buffer


class Client:
    """A blocking client: ``Client("http://host:8000").evaluate("gelu", x)``.

    ``timeout`` is in seconds (or an httpx.Timeout); ``retry`` says how often and how long to
    wait on 503 and 429; ``json_max_elements`` is the largest evaluation sent as JSON.
    Over http:// the requests go through the standard library (service.client.transport),
    which reads a large answer into one buffer; ``transport`` replaces it (a test's, say).
    Use it as a context manager, or ``close()`` it, to release its connections.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        timeout: float | httpx.Timeout = 60.0,
        retry: RetryPolicy | None = None,
        json_max_elements: int = JSON_MAX_ELEMENTS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.json_max_elements = json_max_elements
        if transport is None and httpx.URL(base_url).scheme == "http":
            transport = StdlibTransport()
        self._http = httpx.Client(
            base_url=base_url, timeout=timeout, transport=transport, headers=_HEADERS
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: operations.Call[_T]) -> _T:
        request = self._http.build_request(
            call.method, call.path, params=call.params, content=call.content, headers=call.headers
        )
        for attempt in itertools.count():
            try:
                response = self._http.send(request, stream=True)
            except httpx.TransportError as error:
                wait = self.retry.after_error(attempt, error)
            else:
                try:
                    if response.is_success:
                        return call.parse(_read(response))
                    response.read()
                finally:
                    response.close()
                wait = self.retry.after_response(attempt, response)
            time.sleep(wait)
        raise AssertionError("unreachable")

    def evaluate(
        self,
        name: str,
        x: Any,
        outputs: Sequence[Output] = ("value",),
        *,
        dtype: Literal["float32", "float64"] | None = None,
        grad_output: Any = None,
        **params: ParamValue,
    ) -> dict[str, np.ndarray]:
        """``outputs`` of activation ``name`` at ``x`` (array-like of any shape), in ``dtype``
        (default: float32 for float16 and float32 x in either byte order, float64 for the rest),
        keyed by output name.

        The gradient is grad_output * f'(x) (f'(x) without grad_output) or, for an axis-wise
        activation, the vector-Jacobian product with grad_output; ``params`` are the
        activation's parameters (``approximate="tanh"``).
        """
        return self._send(
            operations.evaluate(
                name,
                x,
                outputs=outputs,
                dtype=dtype,
                grad_output=grad_output,
                params=params,
                json_max_elements=self.json_max_elements,
            )
        )

    def list_activations(self) -> list[ActivationSummary]:
        return self._send(operations.list_activations())

    def describe(
        self, name: str, *, lang: Literal["en", "zh"] | None = None, **params: ParamValue
    ) -> Description:
        """Everything about activation ``name``, its properties measured for ``params``."""
        return self._send(operations.describe(name, lang=lang, params=params))

    def compare(self, names: Sequence[str | Formula]) -> list[ComparisonRow]:
        """The measured properties of 2 to 12 element-wise activations, names or formulas, in
        ``names``' order."""
        return self._send(operations.compare(names))

    def plot_svg(
        self, name: str, *, x_min: float = -6.0, x_max: float = 6.0, **params: ParamValue
    ) -> str:
        """f and f' of ``name`` over [x_min, x_max] as an SVG document."""
        picture = self._send(operations.plot(name, "svg", x_min=x_min, x_max=x_max, params=params))
        return picture.decode()

    def plot_png(
        self, name: str, *, x_min: float = -6.0, x_max: float = 6.0, **params: ParamValue
    ) -> bytes:
        return self._send(operations.plot(name, "png", x_min=x_min, x_max=x_max, params=params))

    def simulate_gradient_flow(
        self,
        activation: str | Formula,
        *,
        depth: int,
        width: int | Sequence[int],
        batch: int,
        seed: int,
        **options: Any,
    ) -> GradientFlow:
        """One forward and backward pass through a random network (see POST
        /api/v1/simulations/gradient-flow for ``options``: params, init, input, dtype, loss,
        jacobian, training)."""
        request = {"activation": activation, "depth": depth, "width": width, "batch": batch}
        return self._send(operations.simulate_gradient_flow({**request, "seed": seed, **options}))

    def critical_line(
        self,
        activation: str | Formula,
        sigma_b2: Sequence[float] | None = None,
        *,
        q_start: float | None = None,
        params: Mapping[str, ParamValue] | None = None,
    ) -> CriticalLine:
        """sigma_w^2 at the edge of chaos for each sigma_b^2 (the service's default grid
        without ``sigma_b2``)."""
        request = {"activation": activation, "params": params, "sigma_b2": sigma_b2}
        return self._send(operations.critical_line({**request, "q_start": q_start}))

    def health(self) -> bool:
        return self._send(operations.health())

    def train(
        self,
        activation: str | Formula,
        *,
        depth: int,
        width: int | Sequence[int],
        task: str | Mapping[str, Any],
        training: Mapping[str, Any],
        seed: int,
        **options: Any,
    ) -> TrainingRun:
        """``trials`` networks of one activation trained on ``task`` (see POST
        /api/v1/simulations/training for ``training`` and ``options``: params, init, batch,
        trials, dtype, record_every, confidence). A Formula may stand for a name anywhere, a
        nonlinear teacher's activation included."""
        request = {"activation": activation, "depth": depth, "width": width, "task": task}
        return self._send(
            operations.train({**request, "training": training, "seed": seed, **options})
        )

    def compare_training(
        self,
        entrants: Sequence[Mapping[str, Any]],
        *,
        depth: int,
        width: int | Sequence[int],
        task: str | Mapping[str, Any],
        training: Mapping[str, Any],
        seed: int,
        activation: str | Formula | None = None,
        **options: Any,
    ) -> TrainingComparison:
        """Entrants (each what it changes: activation, params, optimizer, learning_rate, depth,
        width, init, label) trained on the same data from the same seeds, and ranked."""
        request = {"activation": activation, "depth": depth, "width": width, "task": task}
        call = operations.train_comparison(
            {**request, "training": training, "seed": seed, "entrants": entrants, **options}
        )
        return self._send(call)

    def formula(
        self,
        expression: str | Formula,
        parameters: Parameters | None = None,
        *,
        accuracy: bool = True,
        **values: ParamValue,
    ) -> FormulaAnalysis:
        """A formula's normal form, f' and f'' (as expressions and in LaTeX), the stable forms
        it is served in and, with ``accuracy`` (about a second), f and f' measured against
        mpmath over the whole float range; ``values`` are its parameters' values."""
        made = formula_of(expression, parameters)
        return self._send(operations.formula(made, params=values, accuracy=accuracy))

    def evaluate_formula(
        self,
        expression: str | Formula,
        x: Any,
        outputs: Sequence[Output] = ("value",),
        *,
        dtype: Literal["float32", "float64"] | None = None,
        grad_output: Any = None,
        parameters: Parameters | None = None,
        **values: ParamValue,
    ) -> dict[str, np.ndarray]:
        """As ``evaluate``, of a formula: ``evaluate_formula("beta * x * sigmoid(x)", x,
        parameters={"beta": 1.0}, beta=1.5)``."""
        return self._send(
            operations.evaluate_formula(
                formula_of(expression, parameters),
                x,
                outputs=outputs,
                dtype=dtype,
                grad_output=grad_output,
                params=values,
                json_max_elements=self.json_max_elements,
            )
        )

    def describe_formula(
        self,
        expression: str | Formula,
        parameters: Parameters | None = None,
        *,
        lang: Literal["en", "zh"] | None = None,
        **values: ParamValue,
    ) -> Description:
        """Everything measured of a formula, as ``describe`` of a catalog entry (no texts)."""
        made = formula_of(expression, parameters)
        return self._send(operations.describe_formula(made, lang=lang, params=values))

    def plot_formula_svg(
        self,
        expression: str | Formula,
        parameters: Parameters | None = None,
        *,
        x_min: float = -6.0,
        x_max: float = 6.0,
        **values: ParamValue,
    ) -> str:
        """f and f' of a formula over [x_min, x_max] as an SVG document."""
        call = operations.plot_formula(
            formula_of(expression, parameters), x_min=x_min, x_max=x_max, params=values
        )
        return self._send(call).decode()


class AsyncClient:
    """The same operations as ``Client``, awaited: ``async with AsyncClient(url) as client``."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        timeout: float | httpx.Timeout = 60.0,
        retry: RetryPolicy | None = None,
        json_max_elements: int = JSON_MAX_ELEMENTS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.json_max_elements = json_max_elements
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, transport=transport, headers=_HEADERS
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, call: operations.Call[_T]) -> _T:
        request = self._http.build_request(
            call.method, call.path, params=call.params, content=call.content, headers=call.headers
        )
        for attempt in itertools.count():
            try:
                response = await self._http.send(request, stream=True)
            except httpx.TransportError as error:
                wait = self.retry.after_error(attempt, error)
            else:
                try:
                    if response.is_success:
                        return call.parse(await _aread(response))
                    await response.aread()
                finally:
                    await response.aclose()
                wait = self.retry.after_response(attempt, response)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def evaluate(
        self,
        name: str,
        x: Any,
        outputs: Sequence[Output] = ("value",),
        *,
        dtype: Literal["float32", "float64"] | None = None,
        grad_output: Any = None,
        **params: ParamValue,
    ) -> dict[str, np.ndarray]:
        """As ``Client.evaluate``."""
        return await self._send(
            operations.evaluate(
                name,
                x,
                outputs=outputs,
                dtype=dtype,
                grad_output=grad_output,
                params=params,
                json_max_elements=self.json_max_elements,
            )
        )

    async def list_activations(self) -> list[ActivationSummary]:
        return await self._send(operations.list_activations())

    async def describe(
        self, name: str, *, lang: Literal["en", "zh"] | None = None, **params: ParamValue
    ) -> Description:
        return await self._send(operations.describe(name, lang=lang, params=params))

    async def compare(self, names: Sequence[str | Formula]) -> list[ComparisonRow]:
        return await self._send(operations.compare(names))

    async def plot_svg(
        self, name: str, *, x_min: float = -6.0, x_max: float = 6.0, **params: ParamValue
    ) -> str:
        call = operations.plot(name, "svg", x_min=x_min, x_max=x_max, params=params)
        return (await self._send(call)).decode()

    async def plot_png(
        self, name: str, *, x_min: float = -6.0, x_max: float = 6.0, **params: ParamValue
    ) -> bytes:
        return await self._send(
            operations.plot(name, "png", x_min=x_min, x_max=x_max, params=params)
        )

    async def simulate_gradient_flow(
        self,
        activation: str | Formula,
        *,
        depth: int,
        width: int | Sequence[int],
        batch: int,
        seed: int,
        **options: Any,
    ) -> GradientFlow:
        request = {"activation": activation, "depth": depth, "width": width, "batch": batch}
        return await self._send(
            operations.simulate_gradient_flow({**request, "seed": seed, **options})
        )

    async def critical_line(
        self,
        activation: str | Formula,
        sigma_b2: Sequence[float] | None = None,
        *,
        q_start: float | None = None,
        params: Mapping[str, ParamValue] | None = None,
    ) -> CriticalLine:
        request = {"activation": activation, "params": params, "sigma_b2": sigma_b2}
        return await self._send(operations.critical_line({**request, "q_start": q_start}))

    async def health(self) -> bool:
        return await self._send(operations.health())

    async def train(
        self,
        activation: str | Formula,
        *,
        depth: int,
        width: int | Sequence[int],
        task: str | Mapping[str, Any],
        training: Mapping[str, Any],
        seed: int,
        **options: Any,
    ) -> TrainingRun:
        """As ``Client.train``."""
        request = {"activation": activation, "depth": depth, "width": width, "task": task}
        return await self._send(
            operations.train({**request, "training": training, "seed": seed, **options})
        )

    async def compare_training(
        self,
        entrants: Sequence[Mapping[str, Any]],
        *,
        depth: int,
        width: int | Sequence[int],
        task: str | Mapping[str, Any],
        training: Mapping[str, Any],
        seed: int,
        activation: str | Formula | None = None,
        **options: Any,
    ) -> TrainingComparison:
        """As ``Client.compare_training``."""
        request = {"activation": activation, "depth": depth, "width": width, "task": task}
        call = operations.train_comparison(
            {**request, "training": training, "seed": seed, "entrants": entrants, **options}
        )
        return await self._send(call)

    async def formula(
        self,
        expression: str | Formula,
        parameters: Parameters | None = None,
        *,
        accuracy: bool = True,
        **values: ParamValue,
    ) -> FormulaAnalysis:
        """As ``Client.formula``."""
        made = formula_of(expression, parameters)
        return await self._send(operations.formula(made, params=values, accuracy=accuracy))

    async def evaluate_formula(
        self,
        expression: str | Formula,
        x: Any,
        outputs: Sequence[Output] = ("value",),
        *,
        dtype: Literal["float32", "float64"] | None = None,
        grad_output: Any = None,
        parameters: Parameters | None = None,
        **values: ParamValue,
    ) -> dict[str, np.ndarray]:
        """As ``Client.evaluate_formula``."""
        return await self._send(
            operations.evaluate_formula(
                formula_of(expression, parameters),
                x,
                outputs=outputs,
                dtype=dtype,
                grad_output=grad_output,
                params=values,
                json_max_elements=self.json_max_elements,
            )
        )

    async def describe_formula(
        self,
        expression: str | Formula,
        parameters: Parameters | None = None,
        *,
        lang: Literal["en", "zh"] | None = None,
        **values: ParamValue,
    ) -> Description:
        made = formula_of(expression, parameters)
        return await self._send(operations.describe_formula(made, lang=lang, params=values))

    async def plot_formula_svg(
        self,
        expression: str | Formula,
        parameters: Parameters | None = None,
        *,
        x_min: float = -6.0,
        x_max: float = 6.0,
        **values: ParamValue,
    ) -> str:
        call = operations.plot_formula(
            formula_of(expression, parameters), x_min=x_min, x_max=x_max, params=values
        )
        return (await self._send(call)).decode()
