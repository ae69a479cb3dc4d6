"""The Open Inference Protocol's tensors (KServe v2, Triton): JSON data and binary tensor data.

A request body is a JSON object; with the binary tensor data extension, the raw bytes of some
inputs follow it, the header ``Inference-Header-Content-Length`` giving the JSON's length and
each such input's ``binary_data_size`` parameter its share, in the order of the inputs
(little-endian, row-major, no padding). Answers follow the same layout. Sources: the protocol's
REST specification (kserve/open-inference-protocol, ``inference_rest.md``) and Triton's
``extension_binary_data.md``.

Decoding refuses what a body can get wrong (lengths that disagree, a shape over the limits,
non-finite numbers) naming the input at fault, before any array is built; binary inputs are
read where they lie, without a copy. Encoding keeps every bit.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import orjson

from service.api.codecs.arrays import ArrayLimits, to_dtype
from service.api.codecs.json import array_from_json, duplicated_key, json_ready
from service.errors import RequestProblem
from service.numerics import Array, InvalidInput

__all__ = [
    "BINARY_HEADER",
    "DATATYPES",
    "OCTET_STREAM_MEDIA_TYPE",
    "answer_parts",
    "datatype_of",
    "inference_body",
    "inflate",
    "output_tensor",
    "tensor_from_request",
]

BINARY_HEADER: Final = "inference-header-content-length"
OCTET_STREAM_MEDIA_TYPE: Final = "application/octet-stream"
DATATYPES: Final[Mapping[str, np.dtype[Any]]] = {
    "FP32": np.dtype("<f4"),
    "FP64": np.dtype("<f8"),
}
"""The protocol's datatypes the service accepts, and how their binary data is laid out."""

_DATATYPE_NAMES: Final = {dtype.type: name for name, dtype in DATATYPES.items()}


def datatype_of(array: Array) -> str:
    return _DATATYPE_NAMES[array.dtype.type]


def inflate(body: bytes, *, encoding: str, max_bytes: int) -> bytes:
    """A gzip- or deflate-encoded body (as tritonclient compresses requests), decompressed.

    Inflated at most to ``max_bytes``: a small body may expand a thousandfold, and the limit
    on bodies is a limit on what the service holds, not on what crossed the wire.
    """
    if encoding not in ("gzip", "deflate"):
        raise RequestProblem(
            415,
            "unsupported-content-encoding",
            f"Content-Encoding {encoding!r} is not accepted; send gzip, deflate or none",
        )
    inflater = zlib.decompressobj(wbits=32 + zlib.MAX_WBITS)  # a zlib or a gzip stream
    try:
        data = inflater.decompress(body, max_bytes + 1)
    except zlib.error as error:
        raise InvalidInput(["body"], f"is not valid {encoding} data: {error}") from None
    if len(data) > max_bytes:
        raise RequestProblem(
            413,
            "body-too-large",
            f"The request body inflates to more than {max_bytes} bytes",
            limit=max_bytes,
        )
    if not inflater.eof:
        raise InvalidInput(["body"], f"is truncated {encoding} data")
    return data


def inference_body(body: bytes, header_length: str | None) -> tuple[object, memoryview]:
    """The JSON object at the head of ``body`` (parsed), and the binary data after it."""
    if header_length is None:
        head, rest = body, memoryview(b"")
    else:
        digits = header_length.isascii() and header_length.isdigit()  # not "\u00b2"
        if not digits or int(header_length) > len(body):
            raise InvalidInput(
                [BINARY_HEADER],
                f"is {header_length!r}; it must be the length in bytes of the JSON object at the"
                f" head of the body, at most the body's {len(body)} bytes",
            )
        split = int(header_length)
        head, rest = body[:split], memoryview(body)[split:]
    try:
        document = orjson.loads(head)
    except orjson.JSONDecodeError as error:
        raise InvalidInput(["body"], f"is not a valid JSON object: {error}") from None
    twice = duplicated_key(head, parsed=document)
    if twice is not None:
        raise InvalidInput(["body", *twice], "is given twice; give each key once")
    return document, rest


def tensor_from_request(
    tensor: Mapping[str, Any],
    binary: memoryview,
    *,
    loc: Sequence[str | int],
    limits: ArrayLimits,
    infinities: bool = False,
) -> tuple[Array, memoryview]:
    """A request input (``name``, ``shape``, ``datatype``, ``data`` or ``binary_data_size``) as an
    array, and the binary data left after it. Binary data may hold +-inf if ``infinities``
    (JSON data has no infinities); NaN is refused.

    ``tensor`` has been validated for its types; what is checked here is that its parts agree.
    """
    shape = tuple(tensor["shape"])
    limits.check_shape(shape, [*loc, "shape"])
    dtype = DATATYPES[tensor["datatype"]]
    size = (tensor.get("parameters") or {}).get("binary_data_size")
    data = tensor.get("data")
    if (size is None) == (data is None):
        raise InvalidInput(
            loc,
            "has both data and a binary_data_size parameter; send one"
            if data is not None
            else "has neither data nor a binary_data_size parameter",
        )
    if data is not None:
        array = array_from_json(data, loc=[*loc, "data"], dtype=dtype.type, limits=limits)
        if array.shape != shape and not (array.ndim == 1 and array.size == math.prod(shape)):
            raise InvalidInput(
                [*loc, "data"],
                f"holds {array.size} numbers shaped {list(array.shape)}; shape {list(shape)}"
                " needs them nested that way or as one flat list",
            )
        return array.reshape(shape), binary
    expected = math.prod(shape) * dtype.itemsize
    if size != expected:
        raise InvalidInput(
            [*loc, "parameters", "binary_data_size"],
            f"is {size}, but {tensor['datatype']} data of shape {list(shape)} has {expected} bytes",
        )
    if size > len(binary):
        raise InvalidInput(
            [*loc, "parameters", "binary_data_size"],
            f"is {size}, but only {len(binary)} bytes of binary data are left in the body",
        )
    # A view of the body: the data where it lies, not read out as a copy. Sliced by the
    # integer it equals: a JSON size may be written 0.0.
    array = np.frombuffer(binary[:expected], dtype=dtype).reshape(shape)
    return to_dtype(array, dtype.type, loc, infinities=infinities), binary[expected:]


def output_tensor(name: str, array: Array, *, binary: bool) -> tuple[dict[str, Any], Any]:
    """A response output's JSON and, when ``binary``, the buffer that carries its data."""
    tensor: dict[str, Any] = {
        "name": name,
        "datatype": datatype_of(array),
        "shape": list(array.shape),
    }
    if not binary:
        tensor["data"] = json_ready(array.reshape(-1))  # the protocol's flat, row-major list
        return tensor, None
    # Not np.ascontiguousarray: it makes a 0-d array 1-d; the bytes are the same either way.
    data = np.require(array, dtype=array.dtype.newbyteorder("<"), requirements="C")
    tensor["parameters"] = {"binary_data_size": data.nbytes}
    return tensor, data.reshape(-1).data  # flat: the same bytes, any shape


def answer_parts(document: Mapping[str, Any], buffers: Sequence[Any]) -> list[Any]:
    """The parts of an answer's body: its JSON, then the buffers (not copied)."""
    return [orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY), *buffers]
