"""Large arrays on every core: the runs an array is cut into, and the numbers, which are the
serial loop's bit for bit."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

from service import numerics
from service.config import Settings
from service.numerics.compiled import cores


@pytest.fixture
def three_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if on three cores, whatever the machine has (a run per core, one more than most
    machines' halves, and an odd count)."""
    monkeypatch.setattr(cores, "count", lambda: 3)


@pytest.mark.usefixtures("three_cores")
@pytest.mark.parametrize("size", [0, 1, 1023, 4096, 1_000_003])
def test_runs_cover_the_array_on_aligned_boundaries(size: int) -> None:
    parts = cores.runs(size, 1000)
    assert parts[0][0] == 0 and parts[-1][1] == size
    assert all(stop == start for (_, stop), (start, _) in itertools.pairwise(parts))
    assert all(stop % cores.ALIGN == 0 for _, stop in parts[:-1])
    third = math.ceil(size / 3)
    step = math.ceil(third / cores.ALIGN) * cores.ALIGN
    assert len(parts) == (1 if size < 1000 else math.ceil(size / step))


@pytest.mark.usefixtures("three_cores")
def test_below_the_threshold_one_run() -> None:
    assert cores.runs(999_999, 1_000_000) == [(0, 999_999)]
    assert cores.split(lambda start, stop: stop - start, 10, 5) == 10


CASES = [
    ("gelu", {}),
    ("gelu", {"approximate": "tanh"}),
    ("sin", {"w0": 30.0}),  # with points the kernel declines, redone the numpy way
    ("relu", {}),
    ("softmax", {}),
    ("glu", {}),
]


@pytest.mark.usefixtures("three_cores")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "params"), CASES)
def test_split_gives_the_serial_numbers(
    name: str, params: dict[str, Any], dtype: type[np.floating[Any]]
) -> None:
    entry = numerics.get(name)
    resolved = entry.resolve(params)
    rng = np.random.default_rng(29)
    x = (rng.standard_normal((1001, 262)) * 4).astype(dtype)  # not multiples of anything
    x.reshape(-1)[::997] = 1e7  # sin's phase past its kernel's reach
    value_shape = numerics.output_shape(entry, x.shape, resolved)
    g = rng.standard_normal(value_shape).astype(dtype)
    outputs = (
        ["value", "gradient"] if entry.axiswise else ["value", "gradient", "second_derivative"]
    )
    serial, split = (
        numerics.evaluate(
            entry, x, params=resolved, outputs=outputs, grad_output=g, split_above=threshold
        )
        for threshold in (x.size + 1, 1000)
    )
    for output in outputs:
        assert np.array_equal(serial[output], split[output], equal_nan=True), output


def test_the_service_setting_defaults_to_the_core_default() -> None:
    assert Settings.model_fields["parallel_min_elements"].default == cores.SPLIT_ABOVE
