"""numpy's .npz format: named arrays in a zip archive, each a .npy member."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np

from service.api.codecs.arrays import ArrayLimits, natural_float, to_dtype
from service.api.codecs.npy import npy_data, npy_header
from service.numerics import Array, InvalidInput

__all__ = ["NPZ_MEDIA_TYPE", "arrays_from_npz", "npz_bytes"]

NPZ_MEDIA_TYPE: Final = "application/x-npz"


def arrays_from_npz(
    body: bytes, *, names: Sequence[str], dtype: type[np.floating[Any]] | None, limits: ArrayLimits
) -> dict[str, Array]:
    """Named arrays from an uncompressed or deflated .npz archive; members other than ``names`` are refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except Exception as error:
        raise InvalidInput(["body"], f"is not a valid .npz archive: {error}") from None
    arrays: dict[str, Array] = {}
    with archive:
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            if name not in names:
                raise InvalidInput([name], f"is not an expected member; send {', '.join(names)}")
            try:
                member = archive.open(info)
            except Exception as error:  # encrypted, unknown compression, bad local header
                raise InvalidInput([name], f"could not be opened: {error}") from None
            with member:
                header = npy_header(member, loc=[name], limits=limits)
                try:
                    data = member.read(header.nbytes + 1)
                except Exception as error:  # a damaged member fails its CRC or inflation here
                    raise InvalidInput([name], f"could not be read: {error}") from None
                arrays[name] = npy_data(data, header, loc=[name])
    if not arrays:
        raise InvalidInput(["body"], f"the .npz archive is empty; send {', '.join(names)}")
    target = dtype or natural_float(arrays.get(names[0], next(iter(arrays.values()))))
    return {name: to_dtype(array, target, [name]) for name, array in arrays.items()}


def npz_bytes(arrays: Mapping[str, Array]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()
