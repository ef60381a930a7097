"""Tests for kernels.value_range and kernels.rescale_to_int16: expected values, both backends identical."""

import math
import random
import struct

import pytest

from dicomforge import kernels
from dicomforge.errors import DicomForgeError
from dicomforge.kernels.stdlib_values import _RANGE_CHUNK

BACKENDS = kernels.available_backends()
HAVE_BOTH = len(BACKENDS) == 2
NAN, INF = float("nan"), float("inf")


def _random_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def _narrow_bytes(n: int, seed: int) -> bytes:
    """Bytes drawn from a random sub-range, so that high bytes repeat (the realistic case)."""
    rng = random.Random(seed)
    lo = rng.randrange(256)
    hi = rng.randrange(lo, 256)
    return bytes(rng.randint(lo, hi) for _ in range(n))


class TestValueRange:
    @pytest.mark.parametrize(
        "dtype, values",
        [
            ("int8", [5, -128, 127, 0]),
            ("uint8", [200, 3, 255]),
            ("int16", [-1024, 3071, 0, -1023, 3070]),
            ("uint16", [65535, 0, 1000]),
            ("int32", [-(2**31), 2**31 - 1]),
            ("uint64", [2**64 - 1, 7]),
        ],
    )
    def test_integers(self, backend, dtype, values):
        """Exact extremes of integer data, as ints."""
        code, _ = kernels.DTYPES[dtype]
        data = struct.pack("<%d%s" % (len(values), code), *values)
        lo, hi, bad = backend.value_range(data, dtype)
        assert (lo, hi, bad) == (min(values), max(values), 0)
        assert isinstance(lo, int) and isinstance(hi, int)

    def test_int16_extreme_low_bytes(self, backend):
        """The low byte decides among values that share the extreme high byte."""
        values = [0x0B00, 0x0BB7, 0x0B10, -0x0400, -0x03FF, 0x0A00] * 300
        data = struct.pack("<%dh" % len(values), *values)
        assert backend.value_range(data, "int16") == (-0x0400, 0x0BB7, 0)

    def test_int16_many_extremes(self, backend):
        """Thousands of elements share the extreme high byte (big-integer masking path)."""
        rng = random.Random(3)
        values = [rng.randint(-1024, 2999) for _ in range(300_000)]
        data = struct.pack("<%dh" % len(values), *values)
        assert backend.value_range(data, "int16") == (min(values), max(values), 0)

    def test_float_nonfinite_counted(self, backend):
        """NaN and infinities are counted and left out of the extremes."""
        data = struct.pack("<5f", NAN, -1.5, INF, 2.25, -INF)
        assert backend.value_range(data, "float32") == (-1.5, 2.25, 3)

    def test_all_nan(self, backend):
        """No finite value: (nan, nan, count)."""
        lo, hi, bad = backend.value_range(struct.pack("<2d", NAN, NAN), "float64")
        assert math.isnan(lo) and math.isnan(hi) and bad == 2

    def test_empty(self, backend):
        """Empty data: (nan, nan, 0)."""
        lo, hi, bad = backend.value_range(b"", "int16")
        assert math.isnan(lo) and math.isnan(hi) and bad == 0

    def test_partial_element(self, backend):
        """A buffer that is not whole elements is rejected with the numbers."""
        with pytest.raises(DicomForgeError, match="3 bytes is not a whole number of int16"):
            backend.value_range(b"abc", "int16")


class TestRescaleToInt16:
    def test_identity(self, backend):
        """Slope 1, intercept 0 keeps int16 values."""
        data = struct.pack("<4h", -32768, -1, 0, 32767)
        assert backend.rescale_to_int16(data, "int16", 1.0, 0.0) == data

    def test_widen_uint8_and_int8(self, backend):
        """8-bit values widen to int16 unchanged."""
        assert backend.rescale_to_int16(bytes([0, 1, 255]), "uint8", 1, 0) == struct.pack("<3h", 0, 1, 255)
        raw = struct.pack("<3b", -128, -1, 127)
        assert backend.rescale_to_int16(raw, "int8", 1, 0) == struct.pack("<3h", -128, -1, 127)

    def test_round_half_to_even(self, backend):
        """Ties go to the even integer, like numpy.rint."""
        data = struct.pack("<6d", 0.5, 1.5, 2.5, -0.5, -1.5, -2.5)
        assert backend.rescale_to_int16(data, "float64", 1, 0) == struct.pack("<6h", 0, 2, 2, 0, -2, -2)

    def test_clamp_and_nan(self, backend):
        """Out-of-range values clamp; NaN gives -32768."""
        data = struct.pack("<6d", 1e300, -1e300, INF, -INF, NAN, 32767.5)
        expected = struct.pack("<6h", 32767, -32768, 32767, -32768, -32768, 32767)
        assert backend.rescale_to_int16(data, "float64", 1, 0) == expected

    def test_slope_intercept(self, backend):
        """stored = round((v - intercept) / slope)."""
        data = struct.pack("<3f", 10.0, 10.5, 9.0)
        assert backend.rescale_to_int16(data, "float32", 0.25, 10.0) == struct.pack("<3h", 0, 2, -4)

    def test_zero_slope(self, backend):
        """A zero slope is an error, not a division by zero."""
        with pytest.raises(DicomForgeError, match="slope must be a nonzero number"):
            backend.rescale_to_int16(b"\x00\x00", "int16", 0.0, 0.0)


def _edge_values(dtype: str) -> bytes:
    code, size = kernels.DTYPES[dtype]
    if dtype.startswith("float"):
        values = [0.0, -0.0, NAN, INF, -INF, 0.5, -0.5, 32767.5, -32768.5, 1e-45, 3.4e38, -3.4e38]
    else:
        bits = size * 8
        lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if dtype.startswith("int") else (0, 2**bits - 1)
        values = [lo, hi, 0, 1, -1 if lo else 2, lo + 1, hi - 1]
    return struct.pack("<%d%s" % (len(values), code), *values)


@pytest.mark.skipif(not HAVE_BOTH, reason="only one backend here")
class TestBackendsIdentical:
    @pytest.mark.parametrize("dtype", sorted(kernels.DTYPES))
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_value_range(self, dtype, seed):
        """Both backends find the same range, on random and on narrow-range data."""
        std, np_ = BACKENDS
        size = kernels.itemsize(dtype)
        for data in (_random_bytes(size * 4099, seed), _narrow_bytes(size * 4099, seed), _edge_values(dtype)):
            assert repr(std.value_range(data, dtype)) == repr(np_.value_range(data, dtype))

    def test_value_range_large_16bit(self):
        """Several scan chunks, extremes in later chunks."""
        std, np_ = BACKENDS
        for dtype in ("int16", "uint16"):
            data = _narrow_bytes(3 * _RANGE_CHUNK + 6, 9) + _random_bytes(10, 4)
            assert std.value_range(data, dtype) == np_.value_range(data, dtype)

    @pytest.mark.parametrize("dtype", sorted(kernels.DTYPES))
    @pytest.mark.parametrize(
        "slope, intercept",
        [(1.0, 0.0), (0.37, 12.5), (-3.0, 1000.0), (1e-30, 0.0), (2.5e9, -7.0), (1.0, 32768.0), (0.5, -0.25)],
    )
    def test_rescale(self, dtype, slope, intercept):
        """Both backends give identical bytes, on random data (NaN, inf included) and edges."""
        std, np_ = BACKENDS
        size = kernels.itemsize(dtype)
        for data in (_random_bytes(size * 2053, 5), _narrow_bytes(size * 2053, 6), _edge_values(dtype)):
            assert std.rescale_to_int16(data, dtype, slope, intercept) == np_.rescale_to_int16(
                data, dtype, slope, intercept
            )

    def test_rescale_in_range_float(self):
        """The fast stdlib path (no clamping needed) agrees with numpy."""
        std, np_ = BACKENDS
        rng = random.Random(8)
        values = [rng.uniform(-1000.0, 3000.0) for _ in range(20000)]
        data = struct.pack("<%df" % len(values), *values)
        slope, intercept = 4000.0 / 65534, 1000.0
        assert std.rescale_to_int16(data, "float32", slope, intercept) == np_.rescale_to_int16(
            data, "float32", slope, intercept
        )
