"""The standard-library backend's value kernels: ranges, rescaling, bits, masks, distinct values.

Why hand-written: numpy has no Pyodide wheel reachable here, so the browser needs these
on ``array``, ``bytes.translate`` and big-integer bit tricks, with no Python step per
element wherever a C-level pass can do the work. They return the same bytes as
:mod:`dicomforge.kernels.numpy_backend` (``tests/py/kernels`` proves it).
"""

from __future__ import annotations

import binascii
import sys
from array import array

from dicomforge.errors import DicomForgeError

from .common import (
    INT16_MAX, INT16_MIN, KEY_SIGNED, KEY_UNSIGNED, all_zero, check_swappable, check_whole, contiguous, distinct_bytes, dtype_bytes, lookup,
    tables_of_one,
)

__all__ = ["StdlibValues"]

# pack_bits / unpack_bits tables (stdlib): hex digit <-> the 1, 2 or 4 pixel bits it carries
_HEX = b"0123456789abcdef"
_PACK_1 = bytes([_HEX[0]] + [_HEX[1]] * 255)  # pixel -> "0" / "1"
_PACK_2 = bytes(_HEX[((v >> 4) & 1) | ((v & 1) << 1)] for v in range(256))  # 0xab -> a | b << 1
_PACK_4 = bytes(_HEX[((v >> 4) & 3) | ((v & 3) << 2)] for v in range(256))  # 0xab -> a | b << 2
_SWAP_NIBBLES = bytes(((v >> 4) | (v << 4)) & 0xFF for v in range(256))
_UNPACK_4 = bytes((_HEX.find(c) & 3) << 4 | _HEX.find(c) >> 2 if c in _HEX else 0 for c in range(256))
_UNPACK_2 = bytes((_HEX.find(c) & 1) << 4 | _HEX.find(c) >> 1 if c in _HEX else 0 for c in range(256))
_UNPACK_1 = bytes(1 if c == _HEX[1] else 0 for c in range(256))

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


_EQUAL_TABLES = tables_of_one(1)  # table t: byte t -> 1, others -> 0


class StdlibValues:
    """Value kernels on ``array``, ``bytes.translate`` and big integers."""

    def byteswap(self, data, itemsize: int) -> bytes:
        """Reverse the byte order of every *itemsize*-byte element of *data*."""
        if itemsize == 1:
            return bytes(data)
        check_swappable(itemsize)
        code = {2: "H", 4: "I", 8: "Q"}[itemsize]
        values = array(code)
        check_whole(data, itemsize, f"{itemsize}-byte")
        values.frombytes(data)
        values.byteswap()
        return values.tobytes()

    def _values(self, data, dtype: str) -> array:
        code, size = lookup(dtype)
        check_whole(data, size, dtype)
        values = array(code)
        values.frombytes(contiguous(data))
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
        code, size = lookup(dtype)
        check_whole(data, size, dtype)
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
        key = KEY_SIGNED if signed else KEY_UNSIGNED
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
        code, size = lookup(dtype)
        check_whole(data, size, dtype)
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
        if all_zero(raw):  # nothing to pack: an empty mask (most of a label map) costs a memcmp
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
        code, size = lookup(dtype)
        check_whole(data, size, dtype)
        n = len(data) // size
        target = dtype_bytes(value, dtype)
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
        code, size = lookup(dtype)
        check_whole(data, size, dtype)
        raw = bytes(data)
        floating = dtype.startswith("float")
        if not floating and all(not raw[j::size].translate(None, b"\x00") for j in range(1, size)):
            return distinct_bytes(raw[0::size] if size > 1 else raw, dtype == "int8")  # (values 0-255)
        values = self._values(raw, dtype)
        return sorted({v for v in values if v == v})
