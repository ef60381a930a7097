"""The few bulk pixel operations, with a numpy backend and a standard-library backend.

Why hand-written: numpy has no Pyodide wheel reachable here, so the browser runs
the standard-library backend; natively (or where Pyodide's numpy is hosted) numpy
is used. Both backends are classes with the same methods and must return
identical bytes for identical input: ``tests/py/test_kernels.py`` proves it.
Nothing outside this module knows which backend is active.

Buffers are ``bytes``-like, little-endian, C order; element types are named as
numpy names them (``"int16"``, ``"float32"``...).

The backend is chosen once at import: numpy when importable, else the standard
library. ``DICOMFORGE_BACKEND=stdlib`` (or ``numpy``) in the environment forces
one, which is how the test suite runs every test on both.
"""

from __future__ import annotations

import binascii
import os
import sys
from array import array

from dicomforge.errors import DicomForgeError

__all__ = [
    "BACKEND",
    "DTYPES",
    "StdlibKernels",
    "NumpyKernels",
    "available_backends",
    "get_backend",
    "itemsize",
    "all_zero",
    "byteswap",
    "min_max",
    "pack_bits",
    "unpack_bits",
    "equal_mask",
    "distinct_values",
    "value_range",
    "rescale_to_int16",
    "YBR_TO_RGB",
    "mask_stored_bits",
    "int_range",
    "apply_lut",
    "apply_split_lut",
    "grey_to_rgba",
    "rgb_to_rgba",
    "ybr_full_to_rgb",
    "to_index16",
    "INT16_MIN",
    "INT16_MAX",
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

_ONE_IF_NONZERO = bytes([0] + [1] * 255)  # bytes.translate table: 0 -> 0, anything else -> 1

# pack_bits / unpack_bits tables (stdlib): hex digit <-> the 1, 2 or 4 pixel bits it carries
_HEX = b"0123456789abcdef"
_PACK_1 = bytes([_HEX[0]] + [_HEX[1]] * 255)  # pixel -> "0" / "1"
_PACK_2 = bytes(_HEX[((v >> 4) & 1) | ((v & 1) << 1)] for v in range(256))  # 0xab -> a | b << 1
_PACK_4 = bytes(_HEX[((v >> 4) & 3) | ((v & 3) << 2)] for v in range(256))  # 0xab -> a | b << 2
_SWAP_NIBBLES = bytes(((v >> 4) | (v << 4)) & 0xFF for v in range(256))
_UNPACK_4 = bytes((_HEX.find(c) & 3) << 4 | _HEX.find(c) >> 2 if c in _HEX else 0 for c in range(256))
_UNPACK_2 = bytes((_HEX.find(c) & 1) << 4 | _HEX.find(c) >> 1 if c in _HEX else 0 for c in range(256))
_UNPACK_1 = bytes(1 if c == _HEX[1] else 0 for c in range(256))

# --- shared by value_range / rescale_to_int16 (both backends) ---------------------------

#: Stored 16-bit range that :func:`rescale_to_int16` clamps to.
INT16_MIN, INT16_MAX = -32768, 32767
_MAGIC = 6755399441055744.0  # 1.5 * 2**52: x + _MAGIC rounds x half-to-even to an integer


def _scalar_to_int16(value, slope: float, intercept: float) -> int:
    """The reference definition of :func:`rescale_to_int16` for one value.

    ``x = (float(value) - intercept) / slope`` in IEEE double precision, rounded half to
    even, clamped to [-32768, 32767]; NaN gives -32768.
    """
    x = (float(value) - intercept) / slope
    if x != x:
        return INT16_MIN
    if x >= INT16_MAX:
        return INT16_MAX
    if x <= INT16_MIN:
        return INT16_MIN
    return round(x)  # Python's round() on a float is half-to-even, like numpy.rint


def _signed_byte_key() -> bytes:
    """translate table: signed byte -> order-preserving unsigned key (xor 0x80)."""
    return bytes(b ^ 0x80 for b in range(256))


_KEY_SIGNED = _signed_byte_key()
_KEY_UNSIGNED = bytes(range(256))
_DELETE_BELOW = [bytes(range(t)) for t in range(257)]  # translate(None, ...) keeps >= t
_DELETE_FROM = [bytes(range(t, 256)) for t in range(257)]  # keeps < t
_SIGN_FILL = bytes(0xFF if b & 0x80 else 0 for b in range(256))
_MAGIC_BYTE6 = bytes(0x37 if b & 0x80 else 0x38 for b in range(256))
_RANGE_CHUNK = 1 << 20  # bytes per chunk of the stdlib 8/16-bit range scan


def _max_byte(buf: bytes) -> int:
    """Largest byte of non-empty *buf*: binary search with C-speed translate passes."""
    lo, hi = 0, 255
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if buf.translate(None, _DELETE_BELOW[mid]):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _min_byte(buf: bytes) -> int:
    """Smallest byte of non-empty *buf*."""
    lo, hi = 0, 255
    while lo < hi:
        mid = (lo + hi) // 2
        if buf.translate(None, _DELETE_FROM[mid + 1]):
            hi = mid
        else:
            lo = mid + 1
    return lo



def itemsize(dtype: str) -> int:
    """Bytes per element of *dtype*."""
    return _lookup(dtype)[1]


_ZERO_BLOCK = bytes(1 << 16)


def all_zero(data) -> bool:
    """Whether every byte of *data* is 0 (an empty mask: most slices of a label map).

    The same for both backends: ``bytes.startswith`` compares blocks of zeros with
    ``memcmp``, 1.6 µs for 64 kB natively and 8-10 µs in Pyodide (``bytes.strip``
    took 190 and 260 µs, ``bytes.count`` 35 and 30), and stops at the first block
    holding a nonzero byte.
    """
    raw = data if isinstance(data, bytes) else bytes(data)
    block = len(_ZERO_BLOCK)
    whole = len(raw) - len(raw) % block
    for at in range(0, whole, block):
        if not raw.startswith(_ZERO_BLOCK, at):
            return False
    return raw.endswith(_ZERO_BLOCK[: len(raw) - whole])


def _lookup(dtype: str) -> tuple[str, int]:
    try:
        return DTYPES[dtype]
    except KeyError:
        raise DicomForgeError(f"unknown element type {dtype!r}") from None


def _check_whole(data, size: int, dtype: str) -> None:
    if len(data) % size:
        raise DicomForgeError(
            f"{len(data)} bytes is not a whole number of {dtype} elements ({size} bytes each)"
        )


_EQUAL_TABLES = [bytes(1 if b == t else 0 for b in range(256)) for t in range(256)]


def _dtype_bytes(value, dtype: str) -> bytes | None:
    """*value* as one little-endian *dtype* element, or None when *dtype* cannot hold it."""
    import struct

    code, _ = _lookup(dtype)
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


# --- shared by the display kernels (both backends) ----------------------------------------

#: YBR_FULL -> RGB (PS3.3 C.7.6.3.1.2) in 16-bit fixed point: ((R from Cr,), (G from Cb, G
#: from Cr), (B from Cb,)); e.g. R = Y + ((91881 * (Cr - 128) + 32768) >> 16), clamped.
YBR_TO_RGB = ((91881,), (-22554, -46802), (116130,))

_SPLIT_SHIFT = 6  # apply_split_lut: z is in 1/64 grey levels
_SPLIT_TOP = 256 << _SPLIT_SHIFT  # z at or above this is grey 255
_SPLIT_ROWS_MAX = 5  # at most this many ramp rows: row-wise lookup beats the SWAR lanes
_KEEP_IF_ZERO = bytes([0xFF] + [0] * 255)  # translate of 0/1 bytes: 0 -> 0xFF, 1 -> 0
_CLIP_BYTE = bytes([0] * 512 + list(range(256)) + [255] * 512)  # _CLIP_BYTE[v + 512]
_FILL = [bytes([0, c] + [0] * 254) for c in range(256)]  # 0/1 bytes: 1 -> c


_ALL_BYTES = bytes(range(256))
_EQ_BYTE = [bytes(0xFF if b == v else 0 for b in range(256)) for v in range(256)]
_NE_BYTE = [bytes(0 if b == v else 0xFF for b in range(256)) for v in range(256)]


def _present(buf: bytes) -> bytes:
    """The byte values occurring in *buf*, ascending (two C-level translate passes)."""
    return _ALL_BYTES.translate(None, _ALL_BYTES.translate(None, buf))


def _distinct_bytes(buf: bytes, signed: bool) -> list:
    """The distinct values of 8-bit elements, ascending, by :func:`_present` (both backends:
    21 ms for 33 MB natively, where ``numpy.unique`` sorts them all in 180 ms)."""
    found = list(_present(buf))
    if signed:
        found = sorted(b - 256 if b >= 128 else b for b in found)
    return found


def _stored_bits_tables(bits_stored: int, signed: bool) -> tuple[int, bytes, bytes]:
    """(byte index of the sign bit, translate table for that byte, fill for bytes above)."""
    top, bit = divmod(bits_stored - 1, 8)
    low_mask = (1 << (bit + 1)) - 1
    keep = bytes(
        (b & low_mask) | ((0xFF & ~low_mask) if signed and (b >> bit) & 1 else 0) for b in range(256)
    )
    fill = bytes(0xFF if (b >> bit) & 1 else 0 for b in range(256))
    return top, keep, fill


def _raw_table(lut: bytes, offset: int, size: int, signed: bool) -> bytes:
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


def _apply_rows(raw: bytes, table: bytes) -> bytes:
    """``table[v]`` for each little-endian uint16 *v* of *raw*, row by row (see apply_lut)."""
    high = raw[1::2]
    const = bytearray(256)
    varying = []
    for h in range(256):
        row = table[h << 8 : (h + 1) << 8]
        if row.count(row[0]) == 256:
            const[h] = row[0]
        elif bytes((h,)) in high:
            varying.append((h, row))
    out = high.translate(const)
    if not varying:
        return out
    low = raw[0::2]
    acc = int.from_bytes(out, "little")
    for h, row in varying:
        acc |= int.from_bytes(high.translate(_EQ_BYTE[h]), "little") & int.from_bytes(low.translate(row), "little")
    return acc.to_bytes(len(high), "little")


def _split_grey(z: int) -> int:
    """Grey level of a split-table sum (apply_split_lut)."""
    return 0 if z < 0 else 255 if z >= _SPLIT_TOP else z >> _SPLIT_SHIFT


def _split_row_varies(base: int, low_table) -> bool:
    return _split_grey(base + min(low_table)) != _split_grey(base + max(low_table))


def _check_split(high_table, low_table) -> None:
    if len(high_table) != 256 or len(low_table) != 256:
        raise DicomForgeError("a split lookup table needs 256 high-byte and 256 low-byte entries")
    if min(low_table) < 0 or max(low_table) > 255 << _SPLIT_SHIFT:
        raise DicomForgeError(f"split low-byte entries must lie in 0..{255 << _SPLIT_SHIFT}")
    if min(high_table) < -_SPLIT_TOP or max(high_table) > _SPLIT_TOP:
        raise DicomForgeError(f"split high-byte entries must lie in {-_SPLIT_TOP}..{_SPLIT_TOP}")


_LANE_ONES: dict = {}


def _lane_ones(n: int) -> int:
    """An integer with 1 in the lowest bit of each of *n* 16-bit lanes (cached)."""
    if n not in _LANE_ONES:
        if len(_LANE_ONES) > 8:
            _LANE_ONES.clear()
        _LANE_ONES[n] = int.from_bytes(b"\x01\x00" * n, "little")
    return _LANE_ONES[n]


class StdlibKernels:
    """Kernels on ``array``, ``bytes.translate`` and big-integer bit tricks."""

    name = "stdlib"

    def byteswap(self, data, itemsize: int) -> bytes:
        """Reverse the byte order of every *itemsize*-byte element of *data*."""
        if itemsize == 1:
            return bytes(data)
        code = {2: "H", 4: "I", 8: "Q"}[itemsize]
        values = array(code)
        _check_whole(data, itemsize, f"{itemsize}-byte")
        values.frombytes(data)
        values.byteswap()
        return values.tobytes()

    def _values(self, data, dtype: str) -> array:
        code, size = _lookup(dtype)
        _check_whole(data, size, dtype)
        values = array(code)
        values.frombytes(data)
        if sys.byteorder == "big" and size > 1:
            values.byteswap()
        return values

    def min_max(self, data, dtype: str) -> tuple[float, float]:
        """Smallest and largest element of *data*, ignoring NaN; ``(nan, nan)`` if none."""
        values = self._values(data, dtype)
        if dtype.startswith("float"):
            finite = [v for v in values if v == v]  # NaN != NaN
            if not finite:
                return (float("nan"), float("nan"))
            return (float(min(finite)), float(max(finite)))
        if not values:
            return (float("nan"), float("nan"))
        return (min(values), max(values))

    def value_range(self, data, dtype: str) -> tuple:
        """``(min, max, nonfinite)`` of *data*: extremes of the finite elements and the
        number of NaN or infinite elements. ``(nan, nan, n)`` when nothing is finite.

        Integers come back as ``int``, floats as ``float``. 8- and 16-bit data are scanned
        with ``bytes.translate`` on the high bytes (no per-element Python work).
        """
        code, size = _lookup(dtype)
        _check_whole(data, size, dtype)
        if not len(data):
            return (float("nan"), float("nan"), 0)
        if size <= 2 and not dtype.startswith("float"):
            return self._range_8_16(bytes(data), size, dtype.startswith("int"))
        values = self._values(data, dtype)
        if not dtype.startswith("float"):
            return (min(values), max(values), 0)
        total = sum(values)  # finite iff every element is (a float64 sum of floats cannot overflow here)
        if total - total == 0.0:
            return (float(min(values)), float(max(values)), 0)
        finite = [v for v in values if v - v == 0.0]  # NaN and +-inf give NaN
        bad = len(values) - len(finite)
        if not finite:
            return (float("nan"), float("nan"), bad)
        return (float(min(finite)), float(max(finite)), bad)

    def _range_8_16(self, data: bytes, size: int, signed: bool) -> tuple:
        # Keys are high bytes mapped so that unsigned byte order is value order (xor 0x80
        # for signed data; the mapping is its own inverse, so it maps keys back to bytes too).
        # Per chunk: one strided copy of the high bytes and one translate that deletes the
        # keys already known to be in range; usually nothing is left and that is all.
        key = _KEY_SIGNED if signed else _KEY_UNSIGNED
        step = _RANGE_CHUNK - _RANGE_CHUNK % size
        kmin, kmax = 256, -1
        low_min, low_max = 256, -1  # 16 bit: extreme low bytes among elements with key kmin/kmax
        for start in range(0, len(data), step):
            stop = start + step
            high = data[start + size - 1 : stop : size]
            if kmax < 0:
                rest = high
            else:
                rest = high.translate(None, bytes(key[k] for k in range(kmin, kmax + 1)))
            if rest:
                keys = rest.translate(key) if signed else rest
                new_min, new_max = _min_byte(keys), _max_byte(keys)
                if new_min < kmin:
                    kmin, low_min = new_min, 256
                if new_max > kmax:
                    kmax, low_max = new_max, -1
            if size == 1:
                continue
            if low_max < 255:
                low_max = self._extreme_low(data, start, high, key[kmax], low_max, True)
            if low_min > 0:
                low_min = self._extreme_low(data, start, high, key[kmin], low_min, False)
        if size == 1:
            return (kmin - 128, kmax - 128, 0) if signed else (kmin, kmax, 0)
        offset = 32768 if signed else 0
        return (kmin * 256 + low_min - offset, kmax * 256 + low_max - offset, 0)

    @staticmethod
    def _extreme_low(data: bytes, start: int, high: bytes, raw: int, best: int, largest: bool) -> int:
        """Improve *best*, the largest (or smallest) low byte of the 16-bit elements whose
        high byte is *raw*, with the chunk of *data* at *start* (*high*: its high bytes)."""
        needle = bytes((raw,))
        at = high.find(needle)
        if at < 0:
            return best
        found = []  # few occurrences (the usual case for the maximum): look at each
        while at >= 0 and len(found) < 256:
            found.append(data[start + 2 * at])
            at = high.find(needle, at + 1)
        if at < 0:
            return max(best, max(found)) if largest else min(best, min(found))
        # many: mask the low bytes with big-integer AND / OR, then keep the improvements
        n = len(high)
        low = data[start : start + 2 * n : 2]
        if largest:
            pick = high.translate(bytes(0xFF if b == raw else 0 for b in range(256)))
            masked = int.from_bytes(pick, "little") & int.from_bytes(low, "little")
            rest = masked.to_bytes(n, "little").translate(None, _DELETE_BELOW[best + 1])
            return _max_byte(rest) if rest else best
        pick = high.translate(bytes(0 if b == raw else 0xFF for b in range(256)))
        masked = int.from_bytes(pick, "little") | int.from_bytes(low, "little")
        rest = masked.to_bytes(n, "little").translate(None, _DELETE_FROM[best])
        return _min_byte(rest) if rest else best

    def rescale_to_int16(self, data, dtype: str, slope: float, intercept: float) -> bytes:
        """Map *data* to little-endian int16: ``round((v - intercept) / slope)``.

        Exactly: ``x = (float(v) - intercept) / slope`` in IEEE double precision, rounded
        half to even (``numpy.rint``), clamped to [-32768, 32767]; NaN gives -32768. Both
        backends return identical bytes. 8-bit input goes through a 256-entry table;
        anything else costs one Python-level step per element.
        """
        code, size = _lookup(dtype)
        _check_whole(data, size, dtype)
        slope, intercept = float(slope), float(intercept)
        if not slope or slope != slope:
            raise DicomForgeError(f"rescale slope must be a nonzero number, got {slope!r}")
        n = len(data) // size
        out = bytearray(2 * n)
        if size == 1:  # every possible value through the reference formula, once
            signed = dtype == "int8"
            mapped = [
                _scalar_to_int16(b - 256 if signed and b >= 128 else b, slope, intercept) & 0xFFFF
                for b in range(256)
            ]
            raw = bytes(data)
            out[0::2] = raw.translate(bytes(m & 0xFF for m in mapped))
            out[1::2] = raw.translate(bytes(m >> 8 for m in mapped))
            return bytes(out)
        values = self._values(data, dtype)
        magic = _MAGIC
        z = array("d", [(v - intercept) / slope + magic for v in values])
        if sys.byteorder == "big":
            z.byteswap()
        zb = z.tobytes()
        out[0::2] = zb[0::8]
        out[1::2] = zb[1::8]
        # z == _MAGIC + k exactly (k in int16 range, no NaN) iff its upper six bytes are
        # those of _MAGIC + k: sign fill, sign fill, ..., 0x38 or 0x37, 0x43.
        fill = zb[1::8].translate(_SIGN_FILL)
        if not (
            zb[7::8] == b"\x43" * n
            and zb[6::8] == fill.translate(_MAGIC_BYTE6)
            and zb[2::8] == fill
            and zb[3::8] == fill
            and zb[4::8] == fill
            and zb[5::8] == fill
        ):  # out of range, infinite or NaN somewhere: the per-element reference
            exact = array("h", [_scalar_to_int16(v, slope, intercept) for v in values])
            if sys.byteorder == "big":
                exact.byteswap()
            return exact.tobytes()
        return bytes(out)

    def pack_bits(self, mask) -> bytes:
        """Pack one byte per pixel (nonzero = set) into bits, least significant first.

        Pixel 0 goes to bit 0 of byte 0 (PS3.5 8.1.2 / PS3.3 C.9.2.1.3 overlay
        order); the result is padded with zero bytes to an even length.
        """
        # Three halvings with binascii.unhexlify, which joins two hex digits into a byte:
        # pixels -> "0"/"1" digits -> 2-bit digits -> 4-bit digits -> bytes; the tables
        # put each pair back in least-significant-first order (no big integers).
        raw = bytes(mask)
        if all_zero(raw):  # nothing to pack (180 µs a 256x256 mask in Pyodide otherwise)
            size = (len(raw) + 7) // 8
            return bytes(size + size % 2)
        if len(raw) % 8:
            raw += bytes(8 - len(raw) % 8)
        join = binascii.unhexlify
        out = join(join(join(raw.translate(_PACK_1)).translate(_PACK_2)).translate(_PACK_4)).translate(_SWAP_NIBBLES)
        return out + b"\x00" if len(out) % 2 else out

    def unpack_bits(self, data, count: int) -> bytes:
        """Inverse of :meth:`pack_bits`: *count* bytes of 0 or 1."""
        nbytes = (count + 7) // 8
        if len(data) < nbytes:
            raise DicomForgeError(f"{len(data)} bytes hold fewer than {count} bits")
        split = binascii.hexlify  # the same three steps as pack_bits, backwards
        packed = bytes(data[:nbytes]).translate(_SWAP_NIBBLES)
        return split(split(split(packed).translate(_UNPACK_4)).translate(_UNPACK_2)).translate(_UNPACK_1)[:count]

    def equal_mask(self, data, dtype: str, value) -> bytes:
        """One byte per element of *data*: 1 where the element equals *value*, else 0.

        Compared byte plane by byte plane with ``bytes.translate`` and a big-integer AND
        (no per-element Python work). A *value* that *dtype* cannot hold matches nothing.
        """
        code, size = _lookup(dtype)
        _check_whole(data, size, dtype)
        n = len(data) // size
        target = _dtype_bytes(value, dtype)
        if target is None:
            return bytes(n)
        raw = bytes(data)
        if size == 1:
            return raw.translate(_EQUAL_TABLES[target[0]])
        acc = -1
        for j in range(size):
            acc &= int.from_bytes(raw[j::size].translate(_EQUAL_TABLES[target[j]]), "little")
        return acc.to_bytes(n, "little")

    def distinct_values(self, data, dtype: str) -> list:
        """The distinct values of *data*, ascending (NaN left out); ints or floats."""
        code, size = _lookup(dtype)
        _check_whole(data, size, dtype)
        raw = bytes(data)
        floating = dtype.startswith("float")
        if not floating and all(not raw[j::size].translate(None, b"\x00") for j in range(1, size)):
            return _distinct_bytes(raw[0::size] if size > 1 else raw, dtype == "int8")  # (values 0-255)
        values = self._values(raw, dtype)
        return sorted({v for v in values if v == v})
    # --- display pipeline (pixels.py / display.py) ----------------------------------------

    def mask_stored_bits(self, data, itemsize: int, bits_stored: int, signed: bool) -> bytes:
        """Keep the low *bits_stored* bits of each little-endian *itemsize*-byte element and
        fill the bits above with the sign bit (*signed*) or zeros (PS3.5 8.1.1, PS3.3 C.7.6.3.1).

        Byte-level only: the byte holding the sign bit goes through one ``translate``
        table and the bytes above it are set from that byte's sign bit.
        """
        if bits_stored >= 8 * itemsize:
            return bytes(data)
        _check_whole(data, itemsize, f"{itemsize}-byte")
        top, keep, fill = _stored_bits_tables(bits_stored, signed)
        raw = bytes(data)
        out = bytearray(raw)
        sign_byte = raw[top::itemsize]
        out[top::itemsize] = sign_byte.translate(keep)
        above = sign_byte.translate(fill) if signed else bytes(len(sign_byte))
        for k in range(top + 1, itemsize):
            out[k::itemsize] = above
        return bytes(out)

    def int_range(self, data, dtype: str) -> tuple:
        """``(min, max)`` of integer *data* (non-empty). 8/16-bit: which byte values occur
        is one ``bytes.translate`` with *data* as the deletion set, so a frame costs a few
        C-level passes whatever its values."""
        code, size = _lookup(dtype)
        _check_whole(data, size, dtype)
        if not len(data):
            raise DicomForgeError("no values: the range of an empty frame is undefined")
        if size > 2 or dtype.startswith("float"):
            low, high, _ = self.value_range(data, dtype)
            return (low, high)
        raw = bytes(data)
        signed = dtype.startswith("int")
        key = _KEY_SIGNED if signed else _KEY_UNSIGNED
        high = raw[size - 1 :: size]
        keys = _present(high.translate(key) if signed else high)
        kmin, kmax = keys[0], keys[-1]
        if size == 1:
            return (kmin - 128, kmax - 128) if signed else (kmin, kmax)
        low = raw[0::2]
        low_int = int.from_bytes(low, "little")
        n = len(low)
        pick = high.translate(_EQ_BYTE[key[kmax]])  # 0xFF where the high byte is the largest
        low_max = _present((int.from_bytes(pick, "little") & low_int).to_bytes(n, "little"))[-1]
        pick = high.translate(_NE_BYTE[key[kmin]])  # 0xFF where it is not the smallest
        low_min = _present((int.from_bytes(pick, "little") | low_int).to_bytes(n, "little"))[0]
        offset = 32768 if signed else 0
        return (kmin * 256 + low_min - offset, kmax * 256 + low_max - offset)

    def apply_lut(self, data, dtype: str, lut, offset: int) -> bytes:
        """One byte per element: ``lut[v - offset]`` for each element *v* of *data*.

        Values below *offset* take ``lut[0]``, values past the end ``lut[-1]``. 8-bit data
        is one ``bytes.translate``; 16-bit data splits each value into its high and low
        byte: rows of the 65536-entry table that are constant over the low byte become
        one ``translate`` of the high bytes, every other row present costs a
        ``translate`` of the low bytes and a big-integer select.
        """
        code, size = _lookup(dtype)
        _check_whole(data, size, dtype)
        lut = bytes(lut)
        if not lut:
            raise DicomForgeError("an empty lookup table maps nothing")
        signed = dtype.startswith("int")
        if size <= 2 and not dtype.startswith("float"):
            table = _raw_table(lut, offset, size, signed)
            if size == 1:
                return bytes(data).translate(table)
            return _apply_rows(bytes(data), table)
        last = len(lut) - 1
        return bytes(lut[min(max(v - offset, 0), last)] for v in self._values(data, dtype))

    def apply_split_lut(self, data, high_table, low_table) -> bytes:
        """Grey bytes of 16-bit little-endian *data* through a *split* table.

        For an element with high byte ``H`` and low byte ``L`` (raw bytes),
        ``z = high_table[H] + low_table[L]`` in units of 1/64 grey level and the result
        is ``clamp(z >> 6, 0, 255)`` (``z < 0`` gives 0). A linear window is exactly such
        a table, which lets this backend add all pixels at once with big-integer lanes
        (SWAR) instead of looking each one up. Requires ``0 <= low_table[L] <= 255 << 6``
        and ``-(256 << 6) <= high_table[H] <= 256 << 6``.
        """
        _check_split(high_table, low_table)
        raw = bytes(data)
        _check_whole(raw, 2, "16-bit")
        n = len(raw) // 2
        if not n:
            return b""
        high = raw[1::2]
        lo_min, lo_max = min(low_table), max(low_table)
        ramp = [h for h in range(256) if high_table[h] + lo_max >= 0 and high_table[h] + lo_min < _SPLIT_TOP]
        ramp = [h for h in ramp if _split_row_varies(high_table[h], low_table) and bytes((h,)) in high]
        if len(ramp) <= _SPLIT_ROWS_MAX:  # few rows with a ramp: the row-wise lookup is cheaper
            rows = [bytes((_split_grey(base + lo_min),)) * 256 for base in high_table]
            for h in ramp:
                base = high_table[h]
                rows[h] = bytes(_split_grey(base + c) for c in low_table)
            return _apply_rows(raw, b"".join(rows))
        # lanes of 16 bits: zb = z + (256 << 6) in [0, 3 << 14); bits 14-15 say below /
        # inside / above the 0-255 range, bits 6-13 hold the grey level.
        bias = _SPLIT_TOP
        a = [x + bias for x in high_table]
        lanes_a = bytearray(2 * n)
        lanes_a[0::2] = high.translate(bytes(x & 0xFF for x in a))
        lanes_a[1::2] = high.translate(bytes(x >> 8 for x in a))
        low = raw[0::2]
        lanes_c = bytearray(2 * n)
        lanes_c[0::2] = low.translate(bytes(x & 0xFF for x in low_table))
        lanes_c[1::2] = low.translate(bytes(x >> 8 for x in low_table))
        z = int.from_bytes(lanes_a, "little") + int.from_bytes(lanes_c, "little")
        ones = _lane_ones(n)
        inside = (z >> (_SPLIT_SHIFT + 8)) & ones
        above = (z >> (_SPLIT_SHIFT + 9)) & ones
        grey = ((z >> _SPLIT_SHIFT) & (inside * 0xFF)) | (above * 0xFF)
        return grey.to_bytes(2 * n, "little")[0::2]

    def grey_to_rgba(self, grey, overlays=()) -> bytes:
        """RGBA bytes (alpha 255) from one grey byte per pixel, with *overlays* drawn on top.

        *overlays* is a sequence of ``(mask, (r, g, b))``: *mask* has one byte per pixel,
        nonzero where the colour replaces the image; later overlays cover earlier ones.
        """
        grey = bytes(grey)
        return self._rgba([grey, grey, grey], overlays)

    def rgb_to_rgba(self, rgb, overlays=()) -> bytes:
        """RGBA bytes (alpha 255) from pixel-interleaved 8-bit RGB, *overlays* as in
        :meth:`grey_to_rgba`."""
        rgb = bytes(rgb)
        _check_whole(rgb, 3, "RGB")
        return self._rgba([rgb[0::3], rgb[1::3], rgb[2::3]], overlays)

    @staticmethod
    def _rgba(channels: list, overlays) -> bytes:
        n = len(channels[0])
        for mask, colour in overlays:
            mask = bytes(mask)
            if len(mask) != n:
                raise DicomForgeError(f"overlay mask has {len(mask)} pixels, the image {n}")
            ones = mask.translate(_ONE_IF_NONZERO)
            if not ones.count(1):
                continue
            keep = int.from_bytes(ones.translate(_KEEP_IF_ZERO), "little")
            channels = [
                ((int.from_bytes(ch, "little") & keep) | int.from_bytes(ones.translate(_FILL[c & 0xFF]), "little")).to_bytes(n, "little")
                for ch, c in zip(channels, colour)
            ]
        out = bytearray(4 * n)
        out[0::4], out[1::4], out[2::4] = channels
        out[3::4] = b"\xff" * n
        return bytes(out)

    def ybr_full_to_rgb(self, data) -> bytes:
        """Pixel-interleaved 8-bit YBR_FULL to RGB (PS3.3 C.7.6.3.1.2), in the integer
        arithmetic of :data:`YBR_TO_RGB` (16 fractional bits, rounded, clamped)."""
        raw = bytes(data)
        _check_whole(raw, 3, "YBR")
        (rcr,), (gcb, gcr), (bcb,) = YBR_TO_RGB
        half = 1 << 15
        r_add = [(rcr * (v - 128) + half) >> 16 for v in range(256)]
        b_add = [(bcb * (v - 128) + half) >> 16 for v in range(256)]
        g_cb = [gcb * (v - 128) + half for v in range(256)]
        g_cr = [gcr * (v - 128) for v in range(256)]
        clip = _CLIP_BYTE
        y, cb, cr = raw[0::3], raw[1::3], raw[2::3]
        out = bytearray(len(raw))
        out[0::3] = bytes([clip[yy + r_add[v] + 512] for yy, v in zip(y, cr)])
        out[1::3] = bytes([clip[yy + ((g_cb[b] + g_cr[r]) >> 16) + 512] for yy, b, r in zip(y, cb, cr)])
        out[2::3] = bytes([clip[yy + b_add[v] + 512] for yy, v in zip(y, cb)])
        return bytes(out)

    def to_index16(self, data, dtype: str, base: int, shift: int) -> bytes:
        """Little-endian uint16 ``(v - base) >> shift`` for each element (clamped to
        0..65535): wide-range (32-bit) frames reduced to a table index."""
        values = array("H", [min(max((v - base) >> shift, 0), 65535) for v in self._values(data, dtype)])
        if sys.byteorder == "big":
            values.byteswap()
        return values.tobytes()


class NumpyKernels:
    """The same kernels on numpy arrays."""

    name = "numpy"

    def __init__(self) -> None:
        import numpy

        self.np = numpy

    def _values(self, data, dtype: str):
        _, size = _lookup(dtype)
        _check_whole(data, size, dtype)
        return self.np.frombuffer(data, dtype=self.np.dtype(dtype).newbyteorder("<"))

    def byteswap(self, data, itemsize: int) -> bytes:
        if itemsize == 1:
            return bytes(data)
        _check_whole(data, itemsize, f"{itemsize}-byte")
        return self.np.frombuffer(data, dtype=f"u{itemsize}").byteswap().tobytes()

    def min_max(self, data, dtype: str) -> tuple[float, float]:
        values = self._values(data, dtype)
        if dtype.startswith("float"):
            values = values[~self.np.isnan(values)]
            if not values.size:
                return (float("nan"), float("nan"))
            return (float(values.min()), float(values.max()))
        if not values.size:
            return (float("nan"), float("nan"))
        return (int(values.min()), int(values.max()))

    def value_range(self, data, dtype: str) -> tuple:
        np = self.np
        values = self._values(data, dtype)
        if not values.size:
            return (float("nan"), float("nan"), 0)
        if not dtype.startswith("float"):
            return (int(values.min()), int(values.max()), 0)
        finite = np.isfinite(values)
        bad = int(values.size - np.count_nonzero(finite))
        if bad:
            values = values[finite]
            if not values.size:
                return (float("nan"), float("nan"), bad)
        return (float(values.min()), float(values.max()), bad)

    def rescale_to_int16(self, data, dtype: str, slope: float, intercept: float) -> bytes:
        np = self.np
        slope, intercept = float(slope), float(intercept)
        if not slope or slope != slope:
            raise DicomForgeError(f"rescale slope must be a nonzero number, got {slope!r}")
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            x = (self._values(data, dtype).astype(np.float64) - intercept) / slope
            np.rint(x, out=x)
            np.clip(x, INT16_MIN, INT16_MAX, out=x)
            nan = np.isnan(x)
            if nan.any():
                x[nan] = INT16_MIN
            return x.astype("<i2").tobytes()

    def pack_bits(self, mask) -> bytes:
        bits = self.np.frombuffer(bytes(mask), dtype=self.np.uint8) != 0
        out = self.np.packbits(bits, bitorder="little").tobytes()
        return out + b"\x00" if len(out) % 2 else out

    def unpack_bits(self, data, count: int) -> bytes:
        nbytes = (count + 7) // 8
        if len(data) < nbytes:
            raise DicomForgeError(f"{len(data)} bytes hold fewer than {count} bits")
        raw = self.np.frombuffer(bytes(data[:nbytes]), dtype=self.np.uint8)
        return self.np.unpackbits(raw, count=count, bitorder="little").tobytes()

    def equal_mask(self, data, dtype: str, value) -> bytes:
        target = _dtype_bytes(value, dtype)
        values = self._values(data, dtype)
        if target is None:
            return bytes(values.size)
        wanted = self.np.frombuffer(target, dtype=values.dtype)[0]
        return (values.view(values.dtype.newbyteorder("<")) == wanted).view(self.np.uint8).tobytes()

    def distinct_values(self, data, dtype: str) -> list:
        if dtype in ("uint8", "int8"):
            return _distinct_bytes(bytes(data), dtype == "int8")
        values = self.np.unique(self._values(data, dtype))
        if dtype.startswith("float"):
            values = values[~self.np.isnan(values)]
        return values.tolist()
    # --- display pipeline ----------------------------------------------------------------

    def mask_stored_bits(self, data, itemsize: int, bits_stored: int, signed: bool) -> bytes:
        if bits_stored >= 8 * itemsize:
            return bytes(data)
        _check_whole(data, itemsize, f"{itemsize}-byte")
        np = self.np
        values = np.frombuffer(data, dtype=np.dtype(f"u{itemsize}").newbyteorder("<"))
        shift = 8 * itemsize - bits_stored
        if signed:
            values = values.view(np.dtype(f"i{itemsize}").newbyteorder("<"))
            return ((values << shift) >> shift).astype(values.dtype).tobytes()
        return (values & ((1 << bits_stored) - 1)).astype(values.dtype).tobytes()

    def int_range(self, data, dtype: str) -> tuple:
        if not len(data):
            raise DicomForgeError("no values: the range of an empty frame is undefined")
        values = self._values(data, dtype)
        return (int(values.min()), int(values.max()))

    def apply_lut(self, data, dtype: str, lut, offset: int) -> bytes:
        np = self.np
        lut = bytes(lut)
        if not lut:
            raise DicomForgeError("an empty lookup table maps nothing")
        _, size = _lookup(dtype)
        if size <= 2 and not dtype.startswith("float"):  # one take through the raw-value table
            table = np.frombuffer(_raw_table(lut, offset, size, dtype.startswith("int")), dtype=np.uint8)
            _check_whole(data, size, dtype)
            return table[np.frombuffer(bytes(data), dtype=f"<u{size}")].tobytes()
        values = self._values(data, dtype).astype(np.int64)
        index = np.clip(values - offset, 0, len(lut) - 1)
        return np.frombuffer(lut, dtype=np.uint8)[index].tobytes()

    def apply_split_lut(self, data, high_table, low_table) -> bytes:
        _check_split(high_table, low_table)
        np = self.np
        _check_whole(data, 2, "16-bit")
        z = np.asarray(high_table, dtype=np.int32)[:, None] + np.asarray(low_table, dtype=np.int32)[None, :]
        table = (np.clip(z, 0, _SPLIT_TOP - 1) >> _SPLIT_SHIFT).astype(np.uint8).ravel()  # index H * 256 + L
        return table[np.frombuffer(bytes(data), dtype="<u2")].tobytes()

    def grey_to_rgba(self, grey, overlays=()) -> bytes:
        np = self.np
        g = np.frombuffer(bytes(grey), dtype=np.uint8)
        if not overlays:  # grey * 0x010101 + opaque alpha, as little-endian uint32
            return (g.astype("<u4") * 0x010101 | 0xFF000000).astype("<u4").tobytes()
        return self._rgba(np.repeat(g[:, None], 3, axis=1), overlays)

    def rgb_to_rgba(self, rgb, overlays=()) -> bytes:
        _check_whole(rgb, 3, "RGB")
        return self._rgba(self.np.frombuffer(bytes(rgb), dtype=self.np.uint8).reshape(-1, 3), overlays)

    def _rgba(self, rgb, overlays) -> bytes:
        np = self.np
        out = np.empty((rgb.shape[0], 4), dtype=np.uint8)
        out[:, :3] = rgb
        out[:, 3] = 255
        for mask, colour in overlays:
            m = np.frombuffer(bytes(mask), dtype=np.uint8)
            if m.size != rgb.shape[0]:
                raise DicomForgeError(f"overlay mask has {m.size} pixels, the image {rgb.shape[0]}")
            out[m != 0, :3] = [c & 0xFF for c in colour[:3]]
        return out.tobytes()

    def ybr_full_to_rgb(self, data) -> bytes:
        np = self.np
        _check_whole(data, 3, "YBR")
        ybr = np.frombuffer(bytes(data), dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        y, cb, cr = ybr[:, 0], ybr[:, 1] - 128, ybr[:, 2] - 128
        (rcr,), (gcb, gcr), (bcb,) = YBR_TO_RGB
        half = 1 << 15
        out = np.empty_like(ybr)
        out[:, 0] = y + ((rcr * cr + half) >> 16)
        out[:, 1] = y + ((gcb * cb + gcr * cr + half) >> 16)
        out[:, 2] = y + ((bcb * cb + half) >> 16)
        return np.clip(out, 0, 255).astype(np.uint8).tobytes()

    def to_index16(self, data, dtype: str, base: int, shift: int) -> bytes:
        np = self.np
        values = self._values(data, dtype).astype(np.int64)
        return np.clip((values - base) >> shift, 0, 65535).astype("<u2").tobytes()


def available_backends() -> list:
    """Every backend that can run here: always stdlib, numpy when importable."""
    backends = [StdlibKernels()]
    try:
        backends.append(NumpyKernels())
    except ImportError:
        pass
    return backends


def get_backend(name: str | None = None):
    """The backend called *name* (``"numpy"``, ``"stdlib"``), or the best one here."""
    by_name = {b.name: b for b in available_backends()}
    if name in (None, "", "auto"):
        return by_name.get("numpy", by_name["stdlib"])
    if name not in by_name:
        raise DicomForgeError(
            f"pixel backend {name!r} is not available here (available: {', '.join(by_name)})"
        )
    return by_name[name]


_active = get_backend(os.environ.get("DICOMFORGE_BACKEND"))

#: Name of the active backend: ``"numpy"`` or ``"stdlib"``.
BACKEND: str = _active.name

byteswap = _active.byteswap
min_max = _active.min_max
pack_bits = _active.pack_bits
unpack_bits = _active.unpack_bits
equal_mask = _active.equal_mask
distinct_values = _active.distinct_values
value_range = _active.value_range
rescale_to_int16 = _active.rescale_to_int16
mask_stored_bits = _active.mask_stored_bits
int_range = _active.int_range
apply_lut = _active.apply_lut
apply_split_lut = _active.apply_split_lut
grey_to_rgba = _active.grey_to_rgba
rgb_to_rgba = _active.rgb_to_rgba
ybr_full_to_rgb = _active.ybr_full_to_rgb
to_index16 = _active.to_index16
