"""What both pixel backends share: the element types, argument checks and a few tables.

Buffers are ``bytes``-like, little-endian, C order; element types are named as numpy
names them (``"int16"``, ``"float32"``...), in one table (:data:`DTYPES`).
"""

from __future__ import annotations

import struct

from dicomforge.errors import DicomForgeError

__all__ = [
    "DTYPES", "INT16_MIN", "INT16_MAX", "YBR_TO_RGB", "SPLIT_SHIFT", "SPLIT_TOP", "KEY_SIGNED", "KEY_UNSIGNED",
    "itemsize", "lookup", "check_whole", "check_swappable", "contiguous", "dtype_bytes", "all_zero", "present", "distinct_bytes", "raw_table",
    "check_split", "tables_of_one", "interleave_planes",
]

# (dtype name, array typecode, itemsize): one table, everything else derives from it.
_DTYPE_TABLE = (
    ("int8", "b", 1),
    ("uint8", "B", 1),
    ("int16", "h", 2),
    ("uint16", "H", 2),
    ("int32", "i", 4),
    ("uint32", "I", 4),
    ("int64", "q", 8),
    ("uint64", "Q", 8),
    ("float32", "f", 4),
    ("float64", "d", 8),
)
DTYPES = {name: (code, size) for name, code, size in _DTYPE_TABLE}

#: Stored 16-bit range that ``rescale_to_int16`` clamps to.
INT16_MIN, INT16_MAX = -32768, 32767

#: YBR_FULL -> RGB (PS3.3 C.7.6.3.1.2) in 16-bit fixed point: ((R from Cr,), (G from Cb, G
#: from Cr), (B from Cb,)); e.g. R = Y + ((91881 * (Cr - 128) + 32768) >> 16), clamped.
YBR_TO_RGB = ((91881,), (-22554, -46802), (116130,))

SPLIT_SHIFT = 6  # apply_split_lut: z is in 1/64 grey levels
SPLIT_TOP = 256 << SPLIT_SHIFT  # z at or above this is grey 255

#: translate tables: byte -> order-preserving unsigned key (xor 0x80 for signed bytes; the
#: mapping is its own inverse, so it maps keys back to bytes too)
KEY_SIGNED = bytes(b ^ 0x80 for b in range(256))
KEY_UNSIGNED = bytes(range(256))


def itemsize(dtype: str) -> int:
    """Bytes per element of *dtype*."""
    return lookup(dtype)[1]


_ZERO_BLOCK = bytes(1 << 16)


def all_zero(data) -> bool:
    """Whether every byte of *data* is 0 (an empty mask: most slices of a label map).

    The same for both backends: ``bytes.startswith`` compares blocks of zeros with
    ``memcmp`` (far cheaper than ``bytes.strip`` or ``bytes.count``, see
    ``docs/measurements.md``), and stops at the first block
    holding a nonzero byte.
    """
    raw = data if isinstance(data, bytes) else bytes(data)
    block = len(_ZERO_BLOCK)
    whole = len(raw) - len(raw) % block
    for at in range(0, whole, block):
        if not raw.startswith(_ZERO_BLOCK, at):
            return False
    return raw.endswith(_ZERO_BLOCK[: len(raw) - whole])


def lookup(dtype: str) -> tuple[str, int]:
    try:
        return DTYPES[dtype]
    except KeyError:
        raise DicomForgeError(f"unknown element type {dtype!r}") from None


def contiguous(data):
    """*data* as a buffer every backend can view whole: a strided memoryview as its bytes."""
    return bytes(data) if isinstance(data, memoryview) and not data.c_contiguous else data


def check_swappable(itemsize: int) -> None:
    """Byte swaps are for elements of 2, 4 or 8 bytes (1: nothing to swap)."""
    if itemsize not in (1, 2, 4, 8):
        raise DicomForgeError(f"cannot swap the bytes of {itemsize}-byte elements (2, 4 or 8)")


def check_whole(data, size: int, dtype: str) -> None:
    if len(data) % size:
        raise DicomForgeError(
            f"{len(data)} bytes is not a whole number of {dtype} elements ({size} bytes each)"
        )




def dtype_bytes(value, dtype: str) -> bytes | None:
    """*value* as one little-endian *dtype* element, or None when *dtype* cannot hold it."""
    code, _ = lookup(dtype)
    if not dtype.startswith("float"):
        if value != int(value):
            return None
        value = int(value)
    try:
        packed = struct.pack("<" + code, value)
    except (struct.error, OverflowError):
        return None
    if dtype.startswith("float") and struct.unpack("<" + code, packed)[0] != value:
        return None
    return packed


ALL_BYTES = bytes(range(256))


def present(buf: bytes) -> bytes:
    """The byte values occurring in *buf*, ascending (two C-level translate passes)."""
    return ALL_BYTES.translate(None, ALL_BYTES.translate(None, buf))


def distinct_bytes(buf: bytes, signed: bool) -> list:
    """The distinct values of 8-bit elements, ascending, by :func:`present`: both backends use
    it, because two C-level passes beat ``numpy.unique``, which sorts every element."""
    found = list(present(buf))
    if signed:
        found = sorted(b - 256 if b >= 128 else b for b in found)
    return found


def raw_table(lut: bytes, offset: int, size: int, signed: bool) -> bytes:
    """*lut* (entry 0 for value *offset*, clamped at both ends) as a table indexed by the
    raw unsigned element: 256 entries for 8-bit data, 65536 for 16-bit."""
    span = 1 << (8 * size)
    smallest = -(span >> 1) if signed else 0
    first = offset - smallest  # index of lut[0] in value order
    ordered = bytearray(lut[:1] * span)
    lo, hi = max(0, -first), min(len(lut), span - first)
    if lo < hi:
        ordered[first + lo : first + hi] = lut[lo:hi]
    end = first + len(lut)
    if end < span:
        ordered[max(end, 0) :] = lut[-1:] * (span - max(end, 0))
    if signed:
        ordered = ordered[span >> 1 :] + ordered[: span >> 1]
    return bytes(ordered)


def check_split(high_table, low_table) -> None:
    if len(high_table) != 256 or len(low_table) != 256:
        raise DicomForgeError("a split lookup table needs 256 high-byte and 256 low-byte entries")
    if min(low_table) < 0 or max(low_table) > 255 << SPLIT_SHIFT:
        raise DicomForgeError(f"split low-byte entries must lie in 0..{255 << SPLIT_SHIFT}")
    if min(high_table) < -SPLIT_TOP or max(high_table) > SPLIT_TOP:
        raise DicomForgeError(f"split high-byte entries must lie in {-SPLIT_TOP}..{SPLIT_TOP}")


_LANE_ONES: dict = {}


def tables_of_one(value: int, fill: int = 0) -> list[bytes]:
    """256 ``bytes.translate`` tables: table *t* maps byte *t* to *value* and every other byte to
    *fill* (built without a Python step per entry: the kernels import quickly)."""
    tables = []
    for t in range(256):
        table = bytearray((fill,)) * 256
        table[t] = value
        tables.append(bytes(table))
    return tables


def interleave_planes(data, samples: int, size: int) -> bytes:
    """Colour-by-plane samples (RRR..GGG..BBB.., PS3.3 C.7.6.3.1.3 Planar Configuration 1) as
    colour-by-pixel (RGBRGB..), for samples of *size* bytes. One slice assignment per sample
    byte: the same speed with either backend."""
    out = bytearray(len(data))
    plane = len(data) // samples
    for sample in range(samples):
        for byte in range(size):
            out[sample * size + byte :: samples * size] = data[sample * plane + byte : (sample + 1) * plane : size]
    return bytes(out)
