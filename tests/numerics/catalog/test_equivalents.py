"""What the catalog documents runs: every PyTorch call an entry names as its equivalent runs as
written on float32 and float64 tensors, and gives the service's values away from kinks."""

from __future__ import annotations

import ast
from typing import Any

import numpy as np
import pytest

from service import numerics
from service.numerics.catalog import declared

torch = pytest.importorskip("torch")

CALLS = [
    pytest.param(entry, equivalent.call, id=entry.name)
    for entry in numerics.ACTIVATIONS.values()
    for equivalent in entry.equivalents
    if equivalent.library == "torch"
]
TOLERANCE = {np.float32: (2e-6, 1e-6), np.float64: (1e-13, 1e-15)}  # rtol, atol


def _run(call: str, x: Any, params: dict[str, Any]) -> Any:
    """The documented call, run as written: statements, then the expression that is the value,
    with torch, x and the entry's parameters (by their names) in scope."""
    *statements, last = ast.parse(call).body
    assert isinstance(last, ast.Expr), f"{call} does not end with its value"
    scope = {"torch": torch, "x": x, **params}
    exec(compile(ast.Module(statements, type_ignores=[]), call, "exec"), scope)
    return eval(compile(ast.Expression(last.value), call, "eval"), scope)


def _points(entry: numerics.Activation, dtype: type[np.floating[Any]]) -> np.ndarray:
    """Inputs in [-6, 6], 1e-3 or more away from every kink; rows of 8 for an axis-wise entry."""
    rng = np.random.default_rng(3)
    x = rng.uniform(-6, 6, 4000)
    if entry.axiswise:
        return x.reshape(-1, 8).astype(dtype)
    kinks = np.array([0.0, *declared(entry.facts.kinks, entry.resolve({}))])
    far = np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > 1e-3
    return x[far].astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(("entry", "call"), CALLS)
def test_the_documented_torch_call_runs_and_agrees(
    entry: numerics.Activation, call: str, dtype: type[np.floating[Any]]
) -> None:
    x = _points(entry, dtype)
    theirs = _run(call, torch.from_numpy(x), entry.resolve({}))
    assert theirs.dtype == torch.from_numpy(x).dtype, f"{call} changes the dtype"
    ours = numerics.evaluate(entry, x, params=entry.resolve({}))["value"]
    rtol, atol = TOLERANCE[dtype]
    np.testing.assert_allclose(theirs.numpy(), ours, rtol=rtol, atol=atol, err_msg=call)
