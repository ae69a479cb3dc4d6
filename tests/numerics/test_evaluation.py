"""evaluate() refuses what it cannot do, saying why, before any work."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from service import numerics


def _run(name: str, x: np.ndarray, outputs: list[numerics.OutputName], **kwargs: object) -> object:
    entry = numerics.get(name)
    params = entry.resolve(kwargs.pop("params", {}))  # type: ignore[arg-type]
    return numerics.evaluate(entry, x, params=params, outputs=outputs, **kwargs)  # type: ignore[arg-type]


def test_axiswise_gradient_needs_grad_output() -> None:
    with pytest.raises(numerics.InvalidInput, match="vector-Jacobian product") as caught:
        _run("softmax", np.zeros(3), ["gradient"])
    assert caught.value.loc == ("grad_output",)


def test_axiswise_has_no_second_derivative() -> None:
    with pytest.raises(numerics.InvalidInput, match="element-wise activations only"):
        _run("softmax", np.zeros(3), ["second_derivative"])


def test_glu_needs_an_even_axis() -> None:
    with pytest.raises(numerics.InvalidInput, match="length 5 along axis 0"):
        _run("glu", np.zeros((5, 4)), ["value"], params={"axis": 0})
    assert _run("glu", np.zeros((5, 4)), ["value"])["value"].shape == (5, 2)  # type: ignore[index]


def test_axis_out_of_range_names_the_range() -> None:
    with pytest.raises(numerics.InvalidParameter, match="is 2 but x has 2 dimension"):
        _run("softmax", np.zeros((2, 3)), ["value"], params={"axis": 2})
    with pytest.raises(numerics.InvalidInput, match="scalar"):
        _run("softmax", np.zeros(()), ["value"])


def test_glu_grad_output_has_the_shape_of_the_value() -> None:
    with pytest.raises(numerics.InvalidInput, match=r"the value of glu has shape \[2, 2\]"):
        _run("glu", np.zeros((2, 4)), ["gradient"], grad_output=np.ones((2, 4)))
    result = _run("glu", np.zeros((2, 4)), ["gradient"], grad_output=np.ones((2, 2)))
    assert result["gradient"].shape == (2, 4)  # type: ignore[index]


def test_second_derivative_is_scaled_by_grad_output() -> None:
    x, upstream = np.array([-1.0, 0.5, 2.0]), np.array([2.0, -3.0, 0.5])
    plain = _run("tanh", x, ["second_derivative"])["second_derivative"]  # type: ignore[index]
    scaled = _run("tanh", x, ["second_derivative"], grad_output=upstream)["second_derivative"]  # type: ignore[index]
    assert np.array_equal(scaled, plain * upstream)


@pytest.mark.parametrize("name", ["gelu", "mish", "relu", "tanhshrink", "softplus"])
def test_blocks_do_not_show(name: str) -> None:
    # Element-wise entries are evaluated in blocks: however x is split, the numbers agree.
    x = np.random.default_rng(9).normal(scale=5, size=(3, 50_001)).astype(np.float32)
    outputs: list[numerics.OutputName] = ["value", "gradient", "second_derivative"]
    whole = _run(name, x, outputs)
    part = _run(name, x[:, 7:], outputs)
    for output in outputs:
        assert np.array_equal(whole[output][:, 7:], part[output])  # type: ignore[index]
        assert whole[output].dtype == np.float32  # type: ignore[index]


@pytest.mark.parametrize("name", sorted(numerics.ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 4)])
def test_empty_arrays_give_empty_results(
    name: str, dtype: type[np.floating[Any]], shape: tuple[int, ...]
) -> None:
    entry = numerics.get(name)
    params = entry.resolve({})
    value_shape = numerics.evaluation.output_shape(entry, shape, params)
    outputs = ["value", "gradient"]
    results = numerics.evaluate(
        entry,
        np.empty(shape, dtype),
        params=params,
        outputs=outputs,
        grad_output=np.empty(value_shape, dtype),
    )
    assert results["value"].shape == value_shape
    assert results["gradient"].shape == shape
    assert all(result.dtype == dtype for result in results.values())
