"""numpy's .npz format: named arrays in a zip archive, each a .npy member."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from itertools import pairwise
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
    """Named arrays from an uncompressed or deflated .npz archive.

    The archive's directory is checked before anything is inflated: only the members
    ``names`` lists, each once, none overlapping another, none declaring more bytes than its
    array may have. A crafted archive (twenty directory entries for one member that inflates
    to 80 MB) would otherwise cost its inflation twenty times.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except Exception as error:
        raise InvalidInput(["body"], f"is not a valid .npz archive: {error}") from None
    with archive:
        members = _directory(archive.infolist(), names, limits)
        arrays = {name: _member(archive, info, name, limits) for name, info in members.items()}
    target = dtype or natural_float(arrays.get(names[0], next(iter(arrays.values()))))
    return {name: to_dtype(array, target, [name]) for name, array in arrays.items()}


# A .npy member is its header (at most 65,535 + 12 bytes in version 2.0) and its data.
_LARGEST_HEADER = 65_535 + 12


def _directory(
    entries: list[zipfile.ZipInfo], names: Sequence[str], limits: ArrayLimits
) -> dict[str, zipfile.ZipInfo]:
    """The archive's entries by member name, refused unless each is expected, unique, within
    its size and apart from the others."""
    if not entries:
        raise InvalidInput(["body"], f"the .npz archive is empty; send {', '.join(names)}")
    members: dict[str, zipfile.ZipInfo] = {}
    largest = limits.max_elements * 8 + _LARGEST_HEADER  # float64, the widest accepted
    for info in entries:
        name = info.filename.removesuffix(".npy")
        if name not in names:
            raise InvalidInput([name], f"is not an expected member; send {', '.join(names)}")
        if name in members:
            raise InvalidInput([name], "appears twice in the archive; send each member once")
        if info.file_size > largest:
            raise InvalidInput(
                [name], f"declares {info.file_size} bytes; an array within the limits has fewer"
            )
        members[name] = info
    spans = sorted(
        (info.header_offset, info.header_offset + 30 + len(info.filename) + info.compress_size)
        for info in members.values()
    )
    for (_, end), (start, _) in pairwise(spans):
        if start < end:
            raise InvalidInput(["body"], "has members whose data overlap; send each one apart")
    return members


def _member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: ArrayLimits
) -> Array:
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
    return npy_data(data, header, loc=[name])


def npz_bytes(arrays: Mapping[str, Array]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()
