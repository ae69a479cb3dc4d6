"""The binary answers' encoders: what numpy and zip readers make of them, bit for bit."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from service.api import codecs

ARRAYS = {
    "value": np.linspace(-3, 3, 7, dtype=np.float32),
    "gradient": np.arange(12.0).reshape(3, 4)[:, ::2],  # not contiguous: copied to C order
    "second_derivative": np.float64(0.25).reshape(()),  # 0-d keeps its shape
    "empty": np.empty((3, 0, 2)),
}


def test_an_npz_answer_is_the_archive_np_savez_writes() -> None:
    body = b"".join(codecs.npz_parts(ARRAYS))
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None, "every member's CRC-32 holds"
        assert archive.namelist() == [f"{name}.npy" for name in ARRAYS]
    with np.load(io.BytesIO(body), allow_pickle=False) as loaded:
        for name, array in ARRAYS.items():
            assert loaded[name].dtype == array.dtype and loaded[name].shape == array.shape
            np.testing.assert_array_equal(loaded[name], array)
    limits = codecs.ArrayLimits(max_elements=100, max_dims=4)
    again = codecs.arrays_from_npz(body, names=list(ARRAYS), dtype=np.float64, limits=limits)
    np.testing.assert_array_equal(again["gradient"], ARRAYS["gradient"])


def test_the_same_arrays_give_the_same_bytes() -> None:
    first = b"".join(codecs.npz_parts(ARRAYS))
    assert first == b"".join(codecs.npz_parts({k: v.copy() for k, v in ARRAYS.items()}))


@pytest.mark.parametrize("array", list(ARRAYS.values()), ids=list(ARRAYS))
def test_an_npy_answer_is_the_file_np_save_writes(array: np.ndarray) -> None:
    expected = io.BytesIO()
    np.save(expected, array)
    assert b"".join(codecs.npy_parts(array)) == expected.getvalue()
