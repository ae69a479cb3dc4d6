"""The service's operations as requests to send and parsers of their answers, without I/O:
``Client`` and ``AsyncClient`` send the same ``Call`` each their own way.

Evaluation chooses its encoding by size: JSON for small arrays, where it costs least, and
.npy (.npz with grad_output or several outputs) for large ones, where JSON would cost more
than the evaluation; the numbers are the same either way, bit for bit, since the dtype is
always sent (an array's own float type unless ``dtype`` says otherwise).
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
import numpy as np

from service.client.formulas import Formula, FormulaAnalysis
from service.client.results import (
    ActivationSummary,
    ComparisonRow,
    CriticalLine,
    Description,
    GradientFlow,
    ParamValue,
    comparison_from_json,
)
from service.client.training import TrainingComparison, TrainingRun

__all__ = [
    "Body",
    "Call",
    "announced_length",
    "compare",
    "critical_line",
    "describe",
    "describe_formula",
    "evaluate",
    "evaluate_formula",
    "formula",
    "health",
    "list_activations",
    "plot",
    "plot_formula",
    "simulate_gradient_flow",
    "train",
    "train_comparison",
]

PREFIX = "/api/v1"
FORMULAS = f"{PREFIX}/formulas"
FORMULA_HEADER = "X-Activation-Formula"
NPY = "application/x-npy"
NPZ = "application/x-npz"
JSON = "application/json"
_T = TypeVar("_T")
Body = bytes | bytearray
"""An answer's body: a bytearray when read into a buffer of its announced size."""


@dataclass(frozen=True, slots=True)
class Call(Generic[_T]):
    """One request, and how to read the body of its successful answer."""

    method: str
    path: str
    parse: Callable[[Body], _T]
    params: httpx.QueryParams | None = None
    content: bytes | None = None
    headers: dict[str, str] | None = None


def _activation(name: str) -> str:
    return f"{PREFIX}/activations/{quote(name, safe='')}"


def _text(value: ParamValue) -> str:
    """A parameter as the query string writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _json(document: object) -> bytes:
    """A request body; a Formula anywhere in it is written as its formula object."""
    return json.dumps(document, allow_nan=False, separators=(",", ":"), default=_encoded).encode()


def _encoded(value: object) -> object:
    if isinstance(value, Formula):
        return value.to_json()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _natural_dtype(x: np.ndarray) -> str:
    """As the service chooses: float32 for floats of 4 bytes or fewer, in either byte order."""
    return "float32" if x.dtype.kind == "f" and x.dtype.itemsize <= 4 else "float64"


def _unmasked(values: Any, name: str) -> np.ndarray:
    """``values`` as an array; a masked array is refused, as np.asarray would drop its mask."""
    if isinstance(values, np.ma.MaskedArray):
        raise TypeError(
            f"{name} is a masked array, whose mask would be lost: pass {name}.filled(value) or"
            f" {name}.compressed()"
        )
    return np.asarray(values)


def _json_carries(array: np.ndarray) -> bool:
    """Whether JSON's nested lists say what ``array`` is: numbers JSON writes (not a long
    double, a complex number or a date, which go in binary for the service to read or name),
    in a shape the lists keep (no empty axis but the last: (0, 3) would be [], read as (0,))."""
    return array.dtype.kind in "biufO" and array.dtype.itemsize <= 8 and 0 not in array.shape[:-1]


def npy_bytes(array: np.ndarray) -> bytes:
    """``array`` as a .npy file, its data copied once."""
    array = np.require(array, requirements="C")
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(array))
    return b"".join((header.getvalue(), array.data))


_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def npy_array(content: Body | memoryview) -> np.ndarray:
    """The array of a .npy file: a view of writable memory (a bytearray's), else a copy."""
    # The header is at most 64 KiB: only that is copied into a stream to parse it.
    stream = io.BytesIO(bytes(memoryview(content)[: 1 << 17]))
    read_header = _HEADER_READERS[np.lib.format.read_magic(stream)]
    shape, fortran, dtype = read_header(stream)
    flat = np.frombuffer(content, dtype=dtype, offset=stream.tell())
    array = flat.reshape(shape, order="F" if fortran else "C")
    return array if flat.flags.writeable else array.copy()


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length


def npz_arrays(content: Body, names: Sequence[str]) -> dict[str, np.ndarray]:
    """The members ``names`` of a .npz archive, each a view of ``content`` where it is stored
    uncompressed (as the service writes them), else as numpy reads it.

    numpy's reader copies each member twice (zipfile's read, then the array); here only the
    archive's directory is read. Its CRC-32s are not checked: they guard a file at rest, and
    this body arrived whole over one connection, to the length it announced.
    """
    with zipfile.ZipFile(_Reader(memoryview(content))) as archive:
        members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
    if any(members[name].compress_type != zipfile.ZIP_STORED for name in names):
        with np.load(io.BytesIO(content), allow_pickle=False) as loaded:
            return {name: loaded[name] for name in names}
    view, arrays = memoryview(content), {}
    for name in names:
        info = members[name]
        signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(view, info.header_offset)
        if signature != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"no local header for member {name!r}")
        start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        arrays[name] = npy_array(view[start : start + info.file_size])
    return arrays


class _Reader(io.RawIOBase):
    """A seekable reader over memory, for zipfile to read an archive's directory from
    without a copy of the whole body."""

    def __init__(self, view: memoryview) -> None:
        self._view, self._at = view, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._at, io.SEEK_END: len(self._view)}[whence]
        self._at = max(0, base + offset)
        return self._at

    def tell(self) -> int:
        return self._at

    def readinto(self, buffer: Any) -> int:
        chunk = self._view[self._at : self._at + len(buffer)]
        memoryview(buffer).cast("B")[: len(chunk)] = chunk
        self._at += len(chunk)
        return len(chunk)


def announced_length(response: httpx.Response) -> int | None:
    """The size of the answer's body as sent, to read it into one buffer of that size (one copy
    less than httpx's joining of the chunks, and a writable array for a .npy body); None when
    it is not known in advance, or the body is encoded."""
    length = response.headers.get("content-length", "")
    if "content-encoding" in response.headers or not (length.isascii() and length.isdigit()):
        return None
    return int(length)


def evaluate(
    name: str,
    x: Any,
    *,
    outputs: Sequence[str],
    dtype: str | None,
    grad_output: Any,
    params: Mapping[str, ParamValue],
    json_max_elements: int,
) -> Call[dict[str, np.ndarray]]:
    return _evaluation(
        f"{_activation(name)}/evaluate",
        x,
        outputs=outputs,
        dtype=dtype,
        grad_output=grad_output,
        params=params,
        json_max_elements=json_max_elements,
    )


def evaluate_formula(
    formula: Formula,
    x: Any,
    *,
    outputs: Sequence[str],
    dtype: str | None,
    grad_output: Any,
    params: Mapping[str, ParamValue],
    json_max_elements: int,
) -> Call[dict[str, np.ndarray]]:
    """As ``evaluate``: the formula in the JSON body, or in a header beside a binary one."""
    document = formula.to_json()
    return _evaluation(
        f"{FORMULAS}/evaluate",
        x,
        outputs=outputs,
        dtype=dtype,
        grad_output=grad_output,
        params=params,
        json_max_elements=json_max_elements,
        in_json={"activation": document},
        in_headers={FORMULA_HEADER: json.dumps(document, separators=(",", ":"))},
    )


def _evaluation(
    path: str,
    x: Any,
    *,
    outputs: Sequence[str],
    dtype: str | None,
    grad_output: Any,
    params: Mapping[str, ParamValue],
    json_max_elements: int,
    in_json: Mapping[str, Any] | None = None,
    in_headers: Mapping[str, str] | None = None,
) -> Call[dict[str, np.ndarray]]:
    x = _unmasked(x, "x")
    upstream = None if grad_output is None else _unmasked(grad_output, "grad_output")
    dtype = dtype or _natural_dtype(x)
    outputs = list(outputs)
    arrays = [x] if upstream is None else [x, upstream]
    small = sum(a.size for a in arrays) <= json_max_elements
    # Non-finite inputs go in binary (JSON cannot carry them at all): the service answers an
    # x of +-inf with the limits there, and names a NaN, the element at fault.
    if (
        small
        and all(map(_json_carries, arrays))
        and all(np.isfinite(a).all() for a in arrays if a.dtype.kind == "f")
    ):
        document: dict[str, Any] = {
            **(in_json or {}),
            "x": x.tolist(),
            "dtype": dtype,
            "outputs": outputs,
            "params": dict(params),
        }
        if upstream is not None:
            document["grad_output"] = upstream.tolist()

        def from_json(body: Body) -> dict[str, np.ndarray]:
            answer = json.loads(body)
            return {output: np.array(answer[output], dtype=dtype) for output in outputs}

        return Call(
            "POST",
            path,
            from_json,
            content=_json(document),
            headers={"content-type": JSON},
        )
    query: list[tuple[str, Any]] = [("outputs", output) for output in outputs]
    query.append(("dtype", dtype))
    query += [(key, _text(value)) for key, value in params.items()]
    if upstream is None:
        content, media_type = npy_bytes(x), NPY
    else:
        buffer = io.BytesIO()
        np.savez(buffer, x=x, grad_output=upstream)
        content, media_type = buffer.getvalue(), NPZ
    one = len(outputs) == 1

    def from_binary(body: Body) -> dict[str, np.ndarray]:
        return {outputs[0]: npy_array(body)} if one else npz_arrays(body, outputs)

    return Call(
        "POST",
        path,
        from_binary,
        params=httpx.QueryParams(query),
        content=content,
        headers={"content-type": media_type, "accept": NPY if one else NPZ, **(in_headers or {})},
    )


def list_activations() -> Call[list[ActivationSummary]]:
    return Call(
        "GET",
        f"{PREFIX}/activations",
        lambda body: [ActivationSummary.from_json(a) for a in json.loads(body)["activations"]],
    )


def describe(name: str, *, lang: str | None, params: Mapping[str, ParamValue]) -> Call[Description]:
    query: list[tuple[str, Any]] = [(key, _text(value)) for key, value in params.items()]
    if lang is not None:
        query.append(("lang", lang))
    return Call(
        "GET",
        _activation(name),
        lambda body: Description.from_json(json.loads(body)),
        params=httpx.QueryParams(query),
    )


def compare(activations: Sequence[str | Formula]) -> Call[list[ComparisonRow]]:
    """GET /compare for names, POST /compare when a formula is among them."""
    names = [a for a in activations if isinstance(a, str)]
    if len(names) == len(activations):
        return Call(
            "GET",
            f"{PREFIX}/compare",
            _comparison,
            params=httpx.QueryParams({"names": ",".join(names)}),
            headers={"accept": JSON},
        )
    return Call(
        "POST",
        f"{PREFIX}/compare",
        _comparison,
        content=_json({"activations": list(activations)}),
        headers={"content-type": JSON, "accept": JSON},
    )


def plot(
    name: str, fmt: str, *, x_min: float, x_max: float, params: Mapping[str, ParamValue]
) -> Call[bytes]:
    query: list[tuple[str, Any]] = [("x_min", repr(float(x_min))), ("x_max", repr(float(x_max)))]
    query += [(key, _text(value)) for key, value in params.items()]
    path = f"{_activation(name)}/plot.{fmt}"
    return Call("GET", path, bytes, params=httpx.QueryParams(query))


def _comparison(body: Body) -> list[ComparisonRow]:
    return comparison_from_json(json.loads(body))


def formula(
    formula: Formula, *, params: Mapping[str, ParamValue], accuracy: bool
) -> Call[FormulaAnalysis]:
    return Call(
        "POST",
        FORMULAS,
        lambda body: FormulaAnalysis.from_json(json.loads(body)),
        content=_json(
            {"activation": formula.to_json(), "params": dict(params), "accuracy": accuracy}
        ),
        headers={"content-type": JSON},
    )


def describe_formula(
    formula: Formula, *, lang: str | None, params: Mapping[str, ParamValue]
) -> Call[Description]:
    return Call(
        "POST",
        f"{FORMULAS}/describe",
        lambda body: Description.from_json(json.loads(body)),
        params=httpx.QueryParams({} if lang is None else {"lang": lang}),
        content=_json({"activation": formula.to_json(), "params": dict(params)}),
        headers={"content-type": JSON},
    )


def plot_formula(
    formula: Formula, *, x_min: float, x_max: float, params: Mapping[str, ParamValue]
) -> Call[bytes]:
    document = {"activation": formula.to_json(), "params": dict(params)}
    return Call(
        "POST",
        f"{FORMULAS}/plot.svg",
        bytes,
        content=_json({**document, "x_min": float(x_min), "x_max": float(x_max)}),
        headers={"content-type": JSON},
    )


def simulate_gradient_flow(request: Mapping[str, Any]) -> Call[GradientFlow]:
    return _simulation("gradient-flow", GradientFlow.from_json, request)


def critical_line(request: Mapping[str, Any]) -> Call[CriticalLine]:
    return _simulation("critical-line", CriticalLine.from_json, request)


def train(request: Mapping[str, Any]) -> Call[TrainingRun]:
    return _simulation("training", TrainingRun.from_json, request)


def train_comparison(request: Mapping[str, Any]) -> Call[TrainingComparison]:
    return _simulation("training-comparison", TrainingComparison.from_json, request)


def _simulation(operation: str, parse: Callable[[Any], _T], request: Mapping[str, Any]) -> Call[_T]:
    """POST /simulations/<operation> with the fields of ``request`` given (None: left out)."""
    return Call(
        "POST",
        f"{PREFIX}/simulations/{operation}",
        lambda body: parse(json.loads(body)),
        content=_json({k: v for k, v in request.items() if v is not None}),
        headers={"content-type": JSON},
    )


def health() -> Call[bool]:
    return Call("GET", "/healthz", lambda body: json.loads(body).get("status") == "ok")
