"""Tests for dicomforge.kernels: expected values, and both backends byte-identical."""

import os
import random
import struct
import subprocess
import sys

import pytest

from dicomforge import kernels
from dicomforge.errors import DicomForgeError

BACKENDS = kernels.available_backends()

HAVE_BOTH = len(BACKENDS) == 2


def _random_bytes(n: int, seed: int) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.getrandbits(8) for _ in range(n))


class TestSelection:
    def test_best_backend(self):
        """Without a choice, numpy where it imports, else the JavaScript kernels where the host
        registered them, else the standard library."""
        names = [b.name for b in BACKENDS]
        best = "numpy" if "numpy" in names else "js" if "js" in names else "stdlib"
        assert kernels.get_backend().name == best
        if sys.platform == "emscripten":  # the test runner registers the worker's kernels
            assert "js" in names

    def test_use_backend(self):
        """use_backend switches every kernel function and says which backend it replaced."""
        active = kernels.BACKEND
        try:
            assert kernels.use_backend("stdlib") == active
            assert kernels.BACKEND == "stdlib"
            assert kernels.byteswap.__self__.name == "stdlib"
        finally:
            kernels.use_backend(active)
        assert kernels.BACKEND == active and kernels.rescale_to_int16.__self__.name == active

    @pytest.mark.skipif(sys.platform == "emscripten", reason="no child processes in Pyodide")
    @pytest.mark.parametrize("name", [b.name for b in BACKENDS])
    def test_forced_backend_respected(self, name):
        """DICOMFORGE_BACKEND chooses the backend a fresh interpreter imports."""
        env = {**os.environ, "DICOMFORGE_BACKEND": name, "PYTHONPATH": os.pathsep.join(sys.path)}
        code = "from dicomforge import kernels; print(kernels.BACKEND)"
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
        assert out.strip() == name

    def test_unknown_backend(self):
        """Asking for a backend that does not exist is a clear error."""
        with pytest.raises(DicomForgeError, match="'fortran' is not available"):
            kernels.get_backend("fortran")


class TestByteswap:
    def test_int16(self, backend):
        """Two-byte elements are reversed."""
        assert backend.byteswap(b"\x01\x02\x03\x04", 2) == b"\x02\x01\x04\x03"

    def test_int32(self, backend):
        """Four-byte elements are reversed."""
        assert backend.byteswap(struct.pack(">i", -5), 4) == struct.pack("<i", -5)

    def test_partial_element(self, backend):
        """A buffer that is not whole elements is rejected with the numbers."""
        with pytest.raises(DicomForgeError, match="3 bytes is not a whole number"):
            backend.byteswap(b"abc", 2)


class TestMinMax:
    def test_int16(self, backend):
        """Signed 16-bit extremes."""
        data = struct.pack("<5h", 3, -32768, 7, 32767, 0)
        assert backend.min_max(data, "int16") == (-32768, 32767)

    def test_uint32(self, backend):
        """Unsigned 32-bit values stay unsigned."""
        assert backend.min_max(struct.pack("<2I", 4000000000, 1), "uint32") == (1, 4000000000)

    def test_float_ignores_nan(self, backend):
        """NaN is ignored for float data."""
        data = struct.pack("<3f", float("nan"), -1.5, 2.25)
        assert backend.min_max(data, "float32") == (-1.5, 2.25)

    def test_unknown_dtype(self, backend):
        """An unknown element type names itself."""
        with pytest.raises(DicomForgeError, match="unknown element type 'complex64'"):
            backend.min_max(b"", "complex64")


class TestPackBits:
    def test_lsb_first(self, backend):
        """Pixel 0 is bit 0; output is padded to an even length."""
        assert backend.pack_bits(bytes([1, 0, 0, 0, 0, 0, 0, 0, 0, 1])) == b"\x01\x02"

    def test_nonzero_is_set(self, backend):
        """Any nonzero byte counts as set."""
        assert backend.pack_bits(bytes([255, 7, 0, 2, 0, 0, 0, 128])) == b"\x8b\x00"

    def test_odd_count_padding(self, backend):
        """17 pixels need 3 bytes, padded to 4."""
        assert backend.pack_bits(b"\x01" * 17) == b"\xff\xff\x01\x00"

    @pytest.mark.parametrize("count", [1, 7, 8, 9, 567 * 652])
    def test_roundtrip(self, backend, count):
        """unpack_bits inverts pack_bits for sizes that are not multiples of 8."""
        mask = bytes(b & 1 for b in _random_bytes(count, count))
        assert backend.unpack_bits(backend.pack_bits(mask), count) == mask

    @pytest.mark.parametrize("count", [1, 17, 1 << 16, (1 << 16) + 5, 3 << 16, 567 * 652])
    def test_empty_and_one_pixel(self, backend, count):
        """An all-zero mask packs to zeros (even length); one set pixel anywhere, the last
        one included, is found (kernels.all_zero checks 64 kB blocks and the tail)."""
        size = (count + 7) // 8
        assert backend.pack_bits(bytes(count)) == bytes(size + size % 2)
        assert kernels.all_zero(bytes(count)) and kernels.all_zero(memoryview(bytes(count)))
        for at in sorted({0, count // 2, (1 << 16) - 1, count - 1}):
            if at >= count:
                continue
            mask = bytearray(count)
            mask[at] = 7
            assert not kernels.all_zero(mask), at
            expected = bytearray(count)
            expected[at] = 1
            assert backend.unpack_bits(backend.pack_bits(mask), count) == expected

    def test_unpack_too_short(self, backend):
        """Too few bytes for the bit count is an error with the numbers."""
        with pytest.raises(DicomForgeError, match="2 bytes hold fewer than 17 bits"):
            backend.unpack_bits(b"\x00\x00", 17)


@pytest.mark.skipif(not HAVE_BOTH, reason="only one backend here")
class TestBackendsIdentical:
    @pytest.mark.parametrize("dtype", sorted(kernels.DTYPES))
    def test_min_max(self, dtype):
        """Both backends agree on min/max for every element type."""
        data = _random_bytes(kernels.itemsize(dtype) * 999, 1)
        std, np_ = BACKENDS
        assert std.min_max(data, dtype) == pytest.approx(np_.min_max(data, dtype), nan_ok=True)

    @pytest.mark.parametrize("size", [2, 4, 8])
    def test_byteswap(self, size):
        """Both backends swap identically."""
        data = _random_bytes(size * 1001, size)
        std, np_ = BACKENDS
        assert std.byteswap(data, size) == np_.byteswap(data, size)

    @pytest.mark.parametrize("count", [1, 15, 256 * 256, 567 * 652])
    def test_pack_unpack(self, count):
        """Both backends pack and unpack to identical bytes."""
        mask = _random_bytes(count, 7)
        std, np_ = BACKENDS
        packed = std.pack_bits(mask)
        assert packed == np_.pack_bits(mask)
        assert std.unpack_bits(packed, count) == np_.unpack_bits(packed, count)
