"""Arrays in and out of request bodies, one module per format: JSON, .npy and .npz.

Each decoder refuses, naming the element or part at fault, what a body can get wrong (shape,
type, range, size, damaged bytes) before the core sees it; each encoder keeps every bit.
"""

from service.api.codecs.arrays import ArrayLimits
from service.api.codecs.json import (
    JSON_MEDIA_TYPE,
    array_from_json,
    duplicated_key,
    json_ready,
    load_json_arrays,
)
from service.api.codecs.npy import NPY_MEDIA_TYPE, array_from_npy, npy_bytes
from service.api.codecs.npz import NPZ_MEDIA_TYPE, arrays_from_npz, npz_bytes

__all__ = [
    "JSON_MEDIA_TYPE",
    "NPY_MEDIA_TYPE",
    "NPZ_MEDIA_TYPE",
    "ArrayLimits",
    "array_from_json",
    "array_from_npy",
    "arrays_from_npz",
    "duplicated_key",
    "json_ready",
    "load_json_arrays",
    "npy_bytes",
    "npz_bytes",
]
