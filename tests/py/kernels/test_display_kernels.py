"""The display kernels: expected values, and the stdlib and numpy backends byte-identical."""

import random
import struct

import pytest

from dicomforge import kernels
from dicomforge.display.lut import split_tables as _split_tables
from dicomforge.errors import DicomForgeError

BACKENDS = kernels.available_backends()
STDLIB = kernels.get_backend("stdlib")


def _values(n, lo, hi, seed):
    rng = random.Random(seed)
    return [rng.randint(lo, hi) for _ in range(n)]


def _all_equal(method, *args):
    results = [getattr(b, method)(*args) for b in BACKENDS]
    assert all(r == results[0] for r in results), method
    return results[0]


class TestMaskStoredBits:
    def test_signed_12_bits(self, backend):
        """12 of 16 bits, signed: bit 11 is the sign, the bits above are garbage."""
        data = struct.pack("<4H", 0x0FFF, 0x0800, 0xF7FF, 0x1001)
        out = backend.mask_stored_bits(data, 2, 12, True)
        assert struct.unpack("<4h", out) == (-1, -2048, 2047, 1)

    def test_unsigned_12_bits(self, backend):
        """12 of 16 bits, unsigned: the high bits are masked off."""
        data = struct.pack("<2H", 0xFFFF, 0x1234)
        assert struct.unpack("<2H", backend.mask_stored_bits(data, 2, 12, False)) == (0x0FFF, 0x0234)

    @pytest.mark.parametrize("size,stored", [(1, 5), (2, 7), (2, 9), (2, 15), (4, 12), (4, 20), (4, 31)])
    @pytest.mark.parametrize("signed", [False, True])
    def test_backends_identical(self, size, stored, signed):
        """Every backend gives the same bytes for random input."""
        rng = random.Random(size * 100 + stored)
        data = bytes(rng.getrandbits(8) for _ in range(size * 301))
        _all_equal("mask_stored_bits", data, size, stored, signed)


class TestIntRange:
    @pytest.mark.parametrize("dtype,lo,hi", [("int16", -2048, 3071), ("uint16", 0, 4095), ("int8", -128, 127),
                                             ("uint8", 3, 250), ("int16", -32768, 32767), ("int32", -70000, 70000)])
    def test_matches_min_max(self, backend, dtype, lo, hi):
        """The extremes of random data, as min() and max() see them."""
        values = _values(5000, lo, hi, 3)
        code, size = kernels.DTYPES[dtype]
        data = struct.pack(f"<{len(values)}{code}", *values)
        assert backend.int_range(data, dtype) == (min(values), max(values))

    def test_single_value(self, backend):
        """One repeated value is both minimum and maximum."""
        assert backend.int_range(struct.pack("<3h", -5, -5, -5), "int16") == (-5, -5)

    def test_empty(self, backend):
        """An empty frame has no range."""
        with pytest.raises(DicomForgeError, match="no values"):
            backend.int_range(b"", "int16")


class TestApplyLut:
    @pytest.mark.parametrize("dtype,lo,hi", [("int16", -1024, 3071), ("uint16", 0, 4095), ("uint8", 0, 255),
                                             ("int8", -100, 100), ("int32", -5000, 5000), ("uint16", 100, 300)])
    def test_lookup(self, dtype, lo, hi):
        """Every element maps to lut[v - offset], identically on each backend."""
        values = _values(20000, lo, hi, 5)
        code, _ = kernels.DTYPES[dtype]
        data = struct.pack(f"<{len(values)}{code}", *values)
        lut = bytes((i * 37 + 11) % 256 for i in range(hi - lo + 1))
        out = _all_equal("apply_lut", data, dtype, lut, lo)
        assert out == bytes(lut[v - lo] for v in values)

    def test_clamped(self, backend):
        """Values outside the table take its first or last entry."""
        data = struct.pack("<3h", -10, 5, 100)
        assert backend.apply_lut(data, "int16", b"\x07\x08\x09", 4) == b"\x07\x08\x09"


class TestApplySplitLut:
    @pytest.mark.parametrize("a,b", [(255 / 4095, 0.0), (0.06, -40.0), (0.5, -300.0), (1.0, 127.5),
                                     (-0.1, 300.0), (0.9, -1500.0), (0.0, 100.0)])
    @pytest.mark.parametrize("signed", [False, True])
    def test_identical_to_formula(self, a, b, signed):
        """Each backend (SWAR or row-wise in stdlib) gives clamp((high[H] + low[L]) >> 6)."""
        high, low = _split_tables(signed, a, b)
        values = _values(30000, -2048 if signed else 0, 4095, 9)
        code = "h" if signed else "H"
        data = struct.pack(f"<{len(values)}{code}", *values)

        def grey(v):
            z = high[(v >> 8) & 0xFF] + low[v & 0xFF]
            return 0 if z < 0 else 255 if z >= 256 << 6 else z >> 6

        expected = bytes(grey(v) for v in values)
        assert _all_equal("apply_split_lut", data, high, low) == expected

    def test_within_one_of_real_formula(self):
        """The fixed-point tables stay within one grey level of round(a * v + b)."""
        a, b = 255 / 1799, 100.3
        high, low = _split_tables(True, a, b)
        for v in range(-2048, 3072, 7):
            z = high[(v >> 8) & 0xFF] + low[v & 0xFF]
            g = 0 if z < 0 else 255 if z >= 256 << 6 else z >> 6
            assert abs(g - min(max(round(a * v + b), 0), 255)) <= 1

    def test_bad_tables(self, backend):
        """Tables outside the documented ranges are refused."""
        with pytest.raises(DicomForgeError, match="low-byte entries"):
            backend.apply_split_lut(b"\x00\x00", [0] * 256, [-1] * 256)


class TestRgba:
    def test_grey(self, backend):
        """Grey g becomes (g, g, g, 255)."""
        assert backend.grey_to_rgba(b"\x00\x80") == b"\x00\x00\x00\xff\x80\x80\x80\xff"

    def test_overlay_on_top(self):
        """Overlay pixels take the colour, later overlays win, others stay grey."""
        grey = bytes(range(0, 200, 20))
        first = bytes([1, 1, 0, 0, 0, 0, 0, 0, 0, 1])
        second = bytes([0, 1, 1, 0, 0, 0, 0, 0, 0, 0])
        out = _all_equal("grey_to_rgba", grey, [(first, (255, 255, 0)), (second, (0, 0, 255))])
        assert out[0:4] == b"\xff\xff\x00\xff"
        assert out[4:8] == b"\x00\x00\xff\xff"
        assert out[12:16] == bytes((60, 60, 60, 255))

    def test_rgb(self):
        """RGB gains an opaque alpha; overlays are drawn the same way."""
        rgb = bytes(range(30))
        mask = bytes([0] * 9 + [1])
        out = _all_equal("rgb_to_rgba", rgb, [(mask, (1, 2, 3))])
        assert out[:4] == b"\x00\x01\x02\xff" and out[-4:] == b"\x01\x02\x03\xff"

    def test_mask_size(self, backend):
        """A mask of another size is refused."""
        with pytest.raises(DicomForgeError, match="overlay mask has 1 pixels, the image 2"):
            backend.grey_to_rgba(b"\x00\x00", [(b"\x01", (1, 1, 1))])


class TestYbrFullToRgb:
    def test_grey_axis(self, backend):
        """Cb = Cr = 128 is grey: R = G = B = Y."""
        assert backend.ybr_full_to_rgb(bytes([77, 128, 128])) == bytes([77, 77, 77])

    def test_backends_identical_and_close_to_pydicom(self):
        """All backends agree, and are within 1 of pydicom's conversion."""
        np = pytest.importorskip("numpy")
        from pydicom.pixels import convert_color_space

        rng = random.Random(4)
        data = bytes(rng.getrandbits(8) for _ in range(3 * 4000))
        out = _all_equal("ybr_full_to_rgb", data)
        ref = convert_color_space(np.frombuffer(data, np.uint8).reshape(-1, 3), "YBR_FULL", "RGB")
        assert np.abs(np.frombuffer(out, np.uint8).reshape(-1, 3).astype(int) - ref).max() <= 1


class TestToIndex16:
    def test_shifted(self):
        """(v - base) >> shift, identical on each backend."""
        values = [0, 70000, 140000, 1 << 20]
        data = struct.pack("<4I", *values)
        out = _all_equal("to_index16", data, "uint32", 0, 5)
        assert struct.unpack("<4H", out) == tuple(v >> 5 for v in values)
