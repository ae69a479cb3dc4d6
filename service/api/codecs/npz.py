"""numpy's .npz format: named arrays in a zip archive, each a .npy member."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Collection, Mapping, Sequence
from itertools import pairwise
from typing import Any, Final

import numpy as np

from service.api.codecs.arrays import ArrayLimits, natural_float, to_dtype
from service.api.codecs.npy import npy_data, npy_header, npy_parts
from service.numerics import Array, InvalidInput

__all__ = ["NPZ_MEDIA_TYPE", "arrays_from_npz", "npz_parts"]

NPZ_MEDIA_TYPE: Final = "application/x-npz"


def arrays_from_npz(
    body: bytes,
    *,
    names: Sequence[str],
    dtype: type[np.floating[Any]] | None,
    limits: ArrayLimits,
    infinite: Collection[str] = (),
) -> dict[str, Array]:
    """Named arrays from an uncompressed or deflated .npz archive; +-inf only in the members
    that ``infinite`` names, NaN in none.

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
    return {
        name: to_dtype(array, target, [name], infinities=name in infinite)
        for name, array in arrays.items()
    }


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


def npz_parts(arrays: Mapping[str, Array]) -> list[bytes | memoryview]:
    """An uncompressed .npz archive of ``arrays`` as parts, each array's data where it lies.

    np.savez copies every array twice (into the archive's stream, then out of it) and costs
    four times the CRC-32 it must compute; here the zip structure (APPNOTE 6.3: a local header
    before each member, the central directory after them) is written around the arrays'
    own memory, which only the CRC reads. Archives past zip's 4 GiB offsets take np.savez.
    """
    parts: list[bytes | memoryview] = []
    directory: list[bytes] = []
    offset = 0
    for name, array in arrays.items():
        header, data = npy_parts(array)
        size = len(header) + data.nbytes
        if offset + size >= _ZIP32_LIMIT:
            buffer = io.BytesIO()
            np.savez(buffer, **arrays)  # type: ignore[arg-type]
            return [buffer.getvalue()]
        filename = f"{name}.npy".encode()
        crc = zlib.crc32(data, zlib.crc32(header))
        fields = _ENTRY.pack(20, 0, 0, 0, _DOS_DATE, crc, size, size, len(filename), 0)
        parts += [_LOCAL + fields + filename, header, data]
        directory.append(
            _CENTRAL
            + struct.pack("<H", 20)
            + fields
            + _CENTRAL_TAIL.pack(0, 0, 0, 0, offset)
            + filename
        )
        offset += len(_LOCAL) + len(fields) + len(filename) + size
    listing = b"".join(directory)
    end = _END.pack(0x06054B50, 0, 0, len(directory), len(directory), len(listing), offset, 0)
    return [*parts, listing + end]


_ZIP32_LIMIT: Final = 0xFFFFFFFF
_LOCAL: Final = b"PK\x03\x04"
_CENTRAL: Final = b"PK\x01\x02"
# version needed, flags, method (stored), time, date, CRC-32, sizes, name and extra lengths
_ENTRY: Final = struct.Struct("<HHHHHIIIHH")
# comment length, disk, internal and external attributes, the local header's offset
_CENTRAL_TAIL: Final = struct.Struct("<HHHII")
_END: Final = struct.Struct("<IHHHHIIH")
_DOS_DATE: Final = (1 << 5) | 1  # 1980-01-01, zip's epoch: the same answer, byte for byte
