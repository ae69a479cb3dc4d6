"""Arrays in and out of request bodies, one module per format: JSON, .npy, .npz and the inference
protocol's tensors.

Each decoder refuses, naming the element or part at fault, what a body can get wrong (shape,
type, range, size, damaged bytes) before the core sees it; each encoder keeps every bit.
"""

from service.api.codecs.arrays import ArrayLimits
from service.api.codecs.json import (
    JSON_MEDIA_TYPE,
    JSON_NUMBER_BYTES,
    JSON_PART_ELEMENTS,
    array_from_json,
    duplicated_key,
    json_parts,
    json_ready,
    load_json_arrays,
    malformed_json,
)
from service.api.codecs.npy import NPY_MEDIA_TYPE, array_from_npy, npy_parts
from service.api.codecs.npz import NPZ_MEDIA_TYPE, arrays_from_npz, npz_parts
from service.api.codecs.tensors import (
    BINARY_HEADER,
    DATATYPES,
    OCTET_STREAM_MEDIA_TYPE,
    answer_parts,
    datatype_of,
    inference_body,
    inflate,
    output_tensor,
    tensor_from_request,
)

__all__ = [
    "BINARY_HEADER",
    "DATATYPES",
    "JSON_MEDIA_TYPE",
    "JSON_NUMBER_BYTES",
    "JSON_PART_ELEMENTS",
    "NPY_MEDIA_TYPE",
    "NPZ_MEDIA_TYPE",
    "OCTET_STREAM_MEDIA_TYPE",
    "ArrayLimits",
    "answer_parts",
    "array_from_json",
    "array_from_npy",
    "arrays_from_npz",
    "datatype_of",
    "duplicated_key",
    "inference_body",
    "inflate",
    "json_parts",
    "json_ready",
    "load_json_arrays",
    "malformed_json",
    "npy_parts",
    "npz_parts",
    "output_tensor",
    "tensor_from_request",
]
