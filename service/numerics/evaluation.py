"""Evaluate an activation's value and derivatives on an array, as one call."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

import numpy as np

from service.numerics import compiled
from service.numerics.catalog.entry import Activation, ElementwiseFn
from service.numerics.exceptions import InvalidInput, InvalidParameter
from service.numerics.types import OUTPUTS, Array, OutputName, ParamValue

__all__ = ["compile_kernels", "evaluate", "output_shape"]

_BLOCK = 1 << 16  # float64 elements per block: 512 KiB a temporary, within L2


def evaluate(
    activation: Activation,
    x: Array,
    *,
    params: Mapping[str, ParamValue],
    outputs: Collection[OutputName] = OUTPUTS[:1],
    grad_output: Array | None = None,
    kernels: bool = True,
    split_above: int = compiled.SPLIT_ABOVE,
) -> dict[OutputName, Array]:
    """The requested outputs of ``activation`` at ``x``, in ``x``'s dtype.

    ``gradient`` is d(sum(grad_output * f(x)))/dx. For an element-wise activation that is
    ``grad_output * f'(x)``, and f'(x) itself without ``grad_output``; ``second_derivative``
    is likewise ``grad_output * f''(x)``, the derivative of that gradient. For an axis-wise
    one it is the vector-Jacobian product, and ``grad_output`` (shaped like the value) is
    required. ``params`` must already be resolved.

    float32 inputs are computed in float64 and rounded once at the end: a chain of float32
    operations can drift by several ULP, the rounded float64 result stays within one. Where
    the activation has a compiled kernel for an output and dtype, that is one loop (on every
    core for arrays of at least ``split_above`` elements); ``kernels=False`` takes the numpy
    path, the definition the kernels are tested against, throughout.
    """
    _check_request(activation, x, params, outputs, grad_output)
    if x.size == 0:  # nothing to compute, and numpy's reductions refuse empty rows
        return {
            output: np.empty(
                output_shape(activation, x.shape, params) if output == "value" else x.shape,
                x.dtype,
            )
            for output in OUTPUTS
            if output in outputs
        }
    done = (
        _compiled(activation, x, params, outputs, grad_output, split_above=split_above)
        if kernels
        else {}
    )
    remaining = [output for output in OUTPUTS if output in outputs and output not in done]
    if not remaining:
        return done
    # The numpy path, under an errstate (whose entry and exit cost a small request 4% of its
    # time, so the compiled loops, which raise no floating-point warnings, go without): a
    # result beyond the float range is +-inf by IEEE rules, which is the right answer there;
    # intermediate overflows that would spoil a finite result are what the accuracy tests catch.
    # At x = +-inf a formula may make 0 * inf or inf - inf before its entry answers the limit
    # (catalog/limits.py); a NaN left where the truth is a number fails those tests as well.
    with np.errstate(over="ignore", invalid="ignore"):
        if activation.vjp is not None or not activation.blockwise or x.size <= _BLOCK:
            wide = _outputs(activation, x, params, remaining, grad_output)
            results = done | {
                output: result.astype(x.dtype, copy=False) for output, result in wide.items()
            }
        else:
            results = done | _blockwise(activation, x, params, remaining, grad_output)
    return {output: results[output] for output in OUTPUTS if output in results}


def _compiled(
    activation: Activation,
    x: Array,
    params: Mapping[str, ParamValue],
    outputs: Collection[OutputName],
    grad_output: Array | None,
    *,
    split_above: int,
) -> dict[OutputName, Array]:
    """The outputs that compiled kernels give for x's dtype; none if the entry has none."""
    if x.dtype not in (np.float32, np.float64):
        return {}
    if activation.axiswise:
        return _compiled_along_axis(
            activation, x, params, outputs, grad_output, split_above=split_above
        )
    bound = activation.kernel(params)
    if bound is None:
        return {}
    kernel, arguments = bound
    results: dict[OutputName, Array] = {}
    for output in OUTPUTS:
        function = kernel.function(output, x.dtype) if output in outputs else None
        if function is None:
            continue
        scale = None if output == "value" else grad_output
        at, upstream = x, scale
        if output == "second_derivative" and x.dtype == np.float32:
            # The float64 loop, rounded once: one loop fewer to compile for a rare request.
            at = x.astype(np.float64)
            upstream = None if scale is None else scale.astype(np.float64)
        result, declined = compiled.run(function, at, arguments, upstream, split_above=split_above)
        if result.dtype != x.dtype:  # rounded to float32: beyond its range, its infinity
            with np.errstate(over="ignore"):
                result = result.astype(x.dtype)
        if declined:  # the kernel's NaN, or an x not finite: those points alone, the numpy way
            points = np.flatnonzero(np.isnan(result) | ~np.isfinite(x))
            upstream = None if scale is None else scale.reshape(-1)[points]
            with np.errstate(over="ignore", invalid="ignore"):
                redone = _outputs(activation, x.reshape(-1)[points], params, [output], upstream)
            result.reshape(-1)[points] = redone[output]
        results[output] = result
    return results


def _outputs(
    activation: Activation,
    x: Array,
    params: Mapping[str, ParamValue],
    outputs: Collection[OutputName],
    grad_output: Array | None,
) -> dict[OutputName, Array]:
    """The requested outputs at x, in float64."""
    wide = x.astype(np.float64, copy=False)
    results: dict[OutputName, Array] = {}
    if "value" in outputs:
        results["value"] = activation.forward(wide, **params)
    if activation.vjp is not None:
        if "gradient" in outputs:
            upstream = grad_output.astype(np.float64, copy=False)  # type: ignore[union-attr]
            results["gradient"] = activation.vjp(wide, upstream, **params)
        return results
    derivatives: tuple[tuple[OutputName, ElementwiseFn | None], ...] = (
        ("gradient", activation.derivative),
        ("second_derivative", activation.second_derivative),
    )
    for output, derivative in derivatives:
        if output in outputs and derivative is not None:
            slope = derivative(wide, **params)
            if grad_output is not None:
                # In place, but for a 0-d x, whose derivative numpy gives as a scalar.
                slope = (
                    np.multiply(slope, grad_output, out=slope)
                    if slope.ndim
                    else slope * grad_output
                )
            results[output] = slope
    return _nan_where_nan(wide, results)


def _nan_where_nan(x: Array, results: dict[OutputName, Array]) -> dict[OutputName, Array]:
    """NaN in, NaN out, as the compiled loops have it: a piecewise function's formula may
    answer a number there (relu' is x > 0, 0 at NaN)."""
    missing = np.isnan(x)
    if not missing.any():
        return results
    return {output: np.where(missing, np.nan, result) for output, result in results.items()}


def _compiled_along_axis(
    activation: Activation,
    x: Array,
    params: Mapping[str, ParamValue],
    outputs: Collection[OutputName],
    grad_output: Array | None,
    *,
    split_above: int,
) -> dict[OutputName, Array]:
    kernel = activation.axis_kernel(params)
    functions = None if kernel is None else kernel.functions(x.dtype)
    if functions is None:
        return {}
    forward, vjp = functions
    axis = int(params["axis"])
    results: dict[OutputName, Array] = {}
    if "value" in outputs:
        results["value"] = forward(x, axis, split_above=split_above)
    if "gradient" in outputs:
        results["gradient"] = vjp(x, grad_output, axis, split_above=split_above)
    return results


def _blockwise(
    activation: Activation,
    x: Array,
    params: Mapping[str, ParamValue],
    outputs: Collection[OutputName],
    grad_output: Array | None,
) -> dict[OutputName, Array]:
    """_outputs of an element-wise activation, block by block into arrays of x's dtype.

    The same numbers, but every float64 temporary then fits in cache and is recycled by the
    allocator, and float32 results are rounded straight into their array: a fresh temporary
    of a million points costs more in page faults than most of the arithmetic done on it.
    """
    flat = x.reshape(-1)
    upstream = None if grad_output is None else grad_output.reshape(-1)
    requested = [output for output in OUTPUTS if output in outputs]
    results: dict[OutputName, Array] = {
        output: np.empty(flat.shape, x.dtype) for output in requested
    }
    for start in range(0, flat.size, _BLOCK):
        block = slice(start, start + _BLOCK)
        part = _outputs(
            activation,
            flat[block],
            params,
            requested,
            None if upstream is None else upstream[block],
        )
        for output in requested:
            results[output][block] = part[output]
    return {output: result.reshape(x.shape) for output, result in results.items()}


def output_shape(
    activation: Activation, shape: tuple[int, ...], params: Mapping[str, ParamValue]
) -> tuple[int, ...]:
    """The shape of f(x) for an x of ``shape``: the same, or halved along ``axis``."""
    if not activation.halves_axis:
        return shape
    axis = int(params["axis"]) % len(shape)
    return (*shape[:axis], shape[axis] // 2, *shape[axis + 1 :])


def _check_request(
    activation: Activation,
    x: Array,
    params: Mapping[str, ParamValue],
    outputs: Collection[OutputName],
    grad_output: Array | None,
) -> None:
    """Refuse, saying why, what cannot be evaluated: before any work is done."""
    if activation.axiswise:
        _check_axis(activation, x.shape, int(params["axis"]))
        if "second_derivative" in outputs:
            raise InvalidInput(
                ("outputs",),
                f"second_derivative is defined for element-wise activations only; {activation.name}"
                " is axis-wise (its second derivative is a 3-tensor): ask for value or gradient",
            )
        if "gradient" in outputs and grad_output is None:
            raise InvalidInput(
                ("grad_output",),
                f"is required for the gradient of {activation.name}: it is axis-wise, so the"
                " gradient is the vector-Jacobian product with grad_output, and a default of ones"
                " is meaningless for it (for softmax it would be all zeros)",
            )
    elif "second_derivative" in outputs and activation.second_derivative is None:
        raise InvalidInput(("outputs",), f"{activation.name} has no second derivative")
    if grad_output is not None:
        expected = output_shape(activation, x.shape, params)
        if grad_output.shape != expected:
            what = "x" if expected == x.shape else f"the value of {activation.name}"
            raise InvalidInput(
                ("grad_output",),
                f"has shape {list(grad_output.shape)} but {what} has shape {list(expected)}",
            )


def _check_axis(activation: Activation, shape: tuple[int, ...], axis: int) -> None:
    ndim = len(shape)
    if ndim == 0:
        raise InvalidInput(
            ("x",), f"is a scalar; {activation.name} works along an axis, so x needs at least one"
        )
    if not -ndim <= axis < ndim:
        raise InvalidParameter(
            "axis", f"is {axis} but x has {ndim} dimension(s): use {-ndim} to {ndim - 1}"
        )
    length = shape[axis]
    if activation.halves_axis and length % 2:
        raise InvalidInput(
            ("x",),
            f"has length {length} along axis {axis}; {activation.name} splits that axis into two"
            " halves, so its length must be even",
        )


def compile_kernels(activations: Iterable[Activation]) -> None:
    """Compile every kernel of ``activations`` for the argument types requests give.

    numba compiles a loop on its first call; this makes that call for each loop a request
    can reach (each output, each dtype, with and without grad_output), on an array of one or
    two points, so that no request pays for it later.
    """
    for activation in activations:
        for kernel in activation.kernels:
            for dtype in (np.float32, np.float64):
                point: Array = np.zeros(1, dtype)
                row: Array = np.zeros((1, 2), dtype)
                if isinstance(kernel, compiled.AxisKernel):
                    functions = kernel.functions(np.dtype(dtype))
                    if functions is not None:
                        forward, vjp = functions
                        vjp(row, np.zeros_like(forward(row, -1)), -1)
                    continue
                # The arguments' types are what is compiled for, not their values.
                arguments = (0.0,) * len(activation.kernel_parameters(kernel))
                for output in OUTPUTS:
                    function = kernel.function(output, np.dtype(dtype))
                    # float32's second derivative runs the float64 loop (see _compiled).
                    skip = output == "second_derivative" and dtype == np.float32
                    if function is not None and not skip:
                        compiled.run(function, point, arguments)
                        if output != "value":
                            compiled.run(function, point, arguments, point)
