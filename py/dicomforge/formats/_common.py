"""Helpers shared by the volume readers: size checks, decompression, partners, geometry.

Pure standard library, so that the readers run in Pyodide where numpy, nibabel,
pynrrd and SimpleITK are absent. Bulk byte work goes through
:mod:`dicomforge.kernels`; nothing here loops over voxels.
"""

from __future__ import annotations

import bz2
import sys
import zlib
from array import array

from dicomforge import kernels
from dicomforge.errors import InputError, MissingPartnerError, UnsupportedError, plain_reason
from dicomforge.inputs import NamedInput
from dicomforge.kinds import basename

__all__ = [
    "check_size",
    "decompress",
    "find_partner",
    "parse_ascii",
    "pad_to_3d",
    "to_little",
]

# array typecodes per dtype, derived from the one table in kernels
_TYPECODES = {name: code for name, (code, _size) in kernels.DTYPES.items()}




def find_partner(partners: dict | None, wanted: str, name: str, holds: str = "data") -> NamedInput:
    """The partner file called *wanted* (matched by basename, then case-insensitively), which
    holds *name*'s *holds* ("data", or "header" for a NIfTI ``.img``).

    Raises
    ------
    MissingPartnerError
        Naming *wanted*, when it was not dropped together with *name*.
    """
    wanted = basename(wanted)
    by_base = {basename(key): item for key, item in (partners or {}).items()}
    if wanted in by_base:
        return by_base[wanted]
    folded = {key.lower(): item for key, item in by_base.items()}
    if wanted.lower() in folded:
        return folded[wanted.lower()]
    raise MissingPartnerError(
        f"its {holds} is in {wanted!r}, which is missing: drop {wanted!r} together with "
        f"{basename(name)!r}",
        name,
    )


def check_size(name: str, size, components: int, dtype: str, available: int | None, budget: int) -> int:
    """Validate declared dimensions against the limit and the data; return the byte count.

    Raises :class:`InputError` for non-positive dimensions, sizes above *budget* (the
    memory budget, :mod:`dicomforge.limits`) and data shorter than the header
    declares (the message carries the numbers: "header says 512x512x300 int16 =
    157286400 bytes, file has 1024").
    """
    if any(n <= 0 for n in size):
        raise InputError(f"dimensions must be positive, header says {'x'.join(map(str, size))}", name)
    count = components * kernels.itemsize(dtype)
    for n in size:
        count *= n
    shape = "x".join(map(str, size)) + (f"x{components}" if components > 1 else "")
    limit = budget
    if count > limit:
        raise InputError(
            f"header says {shape} {dtype} = {count} bytes, more than the {limit} byte limit "
            "(the memory budget)",
            name,
        )
    if available is not None and available < count:
        raise InputError(f"header says {shape} {dtype} = {count} bytes, file has {available}", name)
    return count


def decompress(data, method: str, name: str, budget: int, limit: int | None = None) -> bytes:
    """Inflate gzip (all members), zlib or bzip2 *data*, producing at most *limit* + 1 bytes.

    The bound (*budget*, the memory budget, when *limit* is None or larger) protects
    against decompression bombs; callers compare the result's length with what the
    header declares. Any decoding failure is an :class:`InputError` naming the method.
    """
    limit = budget if limit is None else min(limit, budget)
    members = []  # what each member inflated to: joined only when there are several
    size = 0
    rest = data
    try:
        while len(rest) and size <= limit:
            if method == "bzip2":
                engine = bz2.BZ2Decompressor()
            else:  # 47: zlib or gzip header, detected; 31: gzip only
                engine = zlib.decompressobj(31 if method == "gzip" else 47)
            members.append(engine.decompress(rest, min(limit + 1 - size, sys.maxsize)))
            size += len(members[-1])
            if not engine.eof:
                if size > limit:
                    break
                raise InputError(f"{method} data is truncated (ends inside the stream)", name)
            rest = engine.unused_data
            if method != "gzip" or not rest.startswith(b"\x1f\x8b"):
                break  # trailing bytes after the only/last member are ignored
    except (OSError, zlib.error, EOFError, ValueError) as exc:
        raise InputError(f"{method} data does not decompress: {plain_reason(exc)}", name) from None
    return members[0] if len(members) == 1 else b"".join(members)


def to_little(data, dtype: str, big_endian: bool):
    """*data* as little-endian bytes (byteswapped via kernels when *big_endian*).

    Data that is little-endian already is not copied: a read-only byte memoryview over
    *data* comes back (a 150 MB volume copied once more is 150 MB more wasm memory).
    """
    size = kernels.itemsize(dtype)
    if big_endian and size > 1:
        return kernels.byteswap(data, size)
    if isinstance(data, bytes):
        return data
    return memoryview(data).cast("B").toreadonly()


def parse_ascii(tokens, dtype: str, count: int, name: str) -> bytes:
    """Parse the first *count* whitespace-separated numbers of *tokens* into little-endian bytes."""
    values = array(_TYPECODES[dtype])
    convert = float if dtype.startswith("float") else _to_int
    try:
        for token in tokens:
            if len(values) == count:
                break
            values.append(convert(token))
    except (ValueError, OverflowError) as exc:
        raise InputError(f"ASCII data holds a value that is not {dtype}: {plain_reason(exc)}", name) from None
    if len(values) < count:
        raise InputError(f"header says {count} values, ASCII data has {len(values)}", name)
    if sys.byteorder == "big" and values.itemsize > 1:
        values.byteswap()
    return values.tobytes()


def _to_int(token: str) -> int:
    try:
        return int(token)
    except ValueError:
        value = float(token)
        if value != int(value):
            raise ValueError(f"{token!r} is not an integer") from None
        return int(value)


def pad_to_3d(size, name: str) -> tuple[int, int, int]:
    """Sizes of a 1D-3D image as ``(nx, ny, nz)``, missing axes of size 1."""
    size = tuple(int(n) for n in size)
    if not 1 <= len(size) <= 3:
        raise UnsupportedError(f"{len(size)}D images are not supported (need 1D to 3D)", name)
    return size + (1,) * (3 - len(size))
