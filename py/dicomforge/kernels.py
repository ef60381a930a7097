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
    "byteswap",
    "min_max",
    "pack_bits",
    "unpack_bits",
    "value_range",
    "rescale_to_int16",
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
        ones = bytes(mask).translate(_ONE_IF_NONZERO)
        nbytes = (len(ones) + 7) // 8
        ones += bytes(nbytes * 8 - len(ones))
        packed = 0
        for bit in range(8):
            # every byte of the slice is 0 or 1, so a shift by < 8 never carries
            packed |= int.from_bytes(ones[bit::8], "little") << bit
        out = packed.to_bytes(nbytes, "little")
        return out + b"\x00" if nbytes % 2 else out

    def unpack_bits(self, data, count: int) -> bytes:
        """Inverse of :meth:`pack_bits`: *count* bytes of 0 or 1."""
        nbytes = (count + 7) // 8
        if len(data) < nbytes:
            raise DicomForgeError(f"{len(data)} bytes hold fewer than {count} bits")
        packed = int.from_bytes(bytes(data[:nbytes]), "little")
        lows = int.from_bytes(b"\x01" * nbytes, "little")
        out = bytearray(nbytes * 8)
        for bit in range(8):
            out[bit::8] = ((packed >> bit) & lows).to_bytes(nbytes, "little")
        return bytes(out[:count])


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
value_range = _active.value_range
rescale_to_int16 = _active.rescale_to_int16
