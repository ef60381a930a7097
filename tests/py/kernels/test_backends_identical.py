"""Every backend against the standard-library reference, byte for byte, on hostile values.

Runs natively (numpy against stdlib) and in Pyodide under Node (the worker's JavaScript
kernels against stdlib: ``make test-pyodide``), so the three backends give identical bytes.
Inputs: every element type, NaN, +-inf, -0.0, values that overflow int16, half-way cases
of the rounding, odd lengths and buffers at odd addresses (a memoryview one byte into its
object). An input the reference refuses must be refused by the other backend too.
"""

import math
import random
import struct
import sys

import pytest

from dicomforge import kernels
from dicomforge.errors import DicomForgeError

STDLIB = kernels.get_backend("stdlib")
OTHERS = [b for b in kernels.available_backends() if b.name != "stdlib"]
pytestmark = pytest.mark.skipif(not OTHERS, reason="only the stdlib backend here")

NAN, INF = float("nan"), float("inf")
FLOATS = [0.0, -0.0, NAN, INF, -INF, 0.5, -0.5, 1.5, 2.5, -2.5, -3.5, 32766.5, 32767.5, -32768.5, -32769.0,
          1e-45, 3.4e38, -3.4e38, 65535.5, 1.0, 7.0]
INT_DTYPES = ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64")


def _edges(dtype: str) -> bytes:
    code, size = kernels.DTYPES[dtype]
    if dtype.startswith("float"):
        values = FLOATS
    else:
        bits = 8 * size
        lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if dtype.startswith("int") else (0, 2**bits - 1)
        values = [lo, hi, 0, 1, lo + 1, hi - 1, min(hi, 32767), max(lo, -32768), min(hi, 255)]
    return struct.pack(f"<{len(values)}{code}", *values)


def _inputs(dtype: str, seed: int = 0) -> list:
    """(label, buffer) pairs: edges, random bytes of odd lengths, and the same at an odd address."""
    size = kernels.itemsize(dtype)
    rng = random.Random(seed)
    cases = [("edges", _edges(dtype)), ("one", rng.randbytes(size)), ("empty", b"")]
    for n in (7, 1001):
        cases.append((f"random{n}", rng.randbytes(size * n)))
    cases += [(f"{label}@odd", memoryview(b"\x5a" + bytes(data))[1:]) for label, data in cases[:4]]
    return cases


def _outcome(method, *args):
    """The result (bytes as bytes, anything else by repr) or the type of error raised."""
    try:
        result = method(*args)
    except (DicomForgeError, ValueError, OverflowError, TypeError, KeyError, ZeroDivisionError) as error:
        return ("raises", type(error).__name__ if not isinstance(error, DicomForgeError) else "DicomForgeError")
    if isinstance(result, (bytes, bytearray)):
        return ("bytes", bytes(result))
    return ("value", repr(result))


def _same(name: str, *args) -> None:
    expected = _outcome(getattr(STDLIB, name), *args)
    for backend in OTHERS:
        got = _outcome(getattr(backend, name), *args)
        if expected[0] == "raises" and backend.name == "numpy" and name == "rescale_values":
            continue  # numpy casts what the reference refuses (out of range): not compared
        assert got == expected, f"{backend.name}.{name} differs from stdlib"


@pytest.mark.parametrize("dtype", sorted(kernels.DTYPES))
def test_ranges(dtype):
    """min_max, value_range and (integers) int_range: the same values and types."""
    for _, data in _inputs(dtype, 1):
        _same("min_max", data, dtype)
        _same("value_range", data, dtype)
        if dtype in INT_DTYPES and len(data):
            _same("int_range", data, dtype)


@pytest.mark.parametrize("dtype", sorted(kernels.DTYPES))
@pytest.mark.parametrize("slope, intercept", [(1.0, 0.0), (0.5, 0.25), (-3.0, 1000.0), (2.0, 1.0), (1e-3, -0.5)])
def test_rescale_to_int16(dtype, slope, intercept):
    """Half-way cases round to even, overflow clamps, NaN gives -32768: identical bytes."""
    for _, data in _inputs(dtype, 2):
        _same("rescale_to_int16", data, dtype, slope, intercept)


@pytest.mark.parametrize("dtype", sorted(kernels.DTYPES))
@pytest.mark.parametrize("target", ["float32", "float64", "int16", "uint16", "int32"])
def test_rescale_values(dtype, target):
    """slope * v + intercept stored as *target*; where the reference refuses, so does js."""
    for _, data in _inputs(dtype, 3):
        _same("rescale_values", data, dtype, 0.75, -2.0, target)
        _same("rescale_values", data, dtype, 1.0, 0.0, target)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 8])
def test_byteswap(size):
    for _, data in _inputs("uint8", 4):
        _same("byteswap", data, size)


def test_odd_arguments():
    """Strided views, integers past 2**53, negative shifts, overlays with odd colours: what the
    reference does, the others do (a result or the same error)."""
    strided = memoryview(bytes(range(64)))[::2]
    _same("pack_bits", strided)
    _same("value_range", strided, "uint8")
    _same("rescale_to_int16", memoryview(struct.pack("<8h", *range(8)))[::2], "int16", 1.0, 0.0)
    data = struct.pack("<3i", 5, -7, 2**31 - 1)
    for offset in (2**60, -(2**60), 2**53, -(2**53) + 1):
        _same("apply_lut", data, "int32", bytes(range(10)), offset)
    for base, shift in ((-(2**60), 50), (0, -1), (0, 60), (2**53, 0)):
        _same("to_index16", data, "int32", base, shift)
    _same("grey_to_rgba", b"\x01\x02", [(b"\x00\x00", (1, 2))])  # an empty mask: its colour unused
    _same("grey_to_rgba", b"\x01\x02", [(b"\x00\x01", (1, 2))])
    _same("grey_to_rgba", b"\x01\x02", [(b"\x00\x01", (1.5, 2, 3))])
    _same("rgb_to_rgba", b"\x01\x02\x03", [(b"\x01", (300, -1, 2, 9))])


@pytest.mark.parametrize("dtype", sorted(kernels.DTYPES))
def test_equal_and_distinct(dtype):
    """equal_mask / equal_bits compare bit patterns (-0.0 is not 0.0; NaN matches nothing)."""
    for _, data in _inputs(dtype, 5):
        values = [0, 1, -1, 255, 32767, 0.5, -0.0, NAN, INF]
        for value in values:
            _same("equal_mask", data, dtype, value)
            _same("equal_bits", data, dtype, value)
        _same("distinct_values", data, dtype)  # (by repr: the sign of a zero counts)
    zeros = struct.pack("<3d", 0.0, -0.0, 1.0), struct.pack("<3d", -0.0, 0.0, -1.0)
    for data in zeros if dtype == "float64" else ():
        _same("distinct_values", data, dtype)


def test_bits():
    """pack_bits / unpack_bits on odd lengths and odd addresses."""
    rng = random.Random(6)
    for n in (0, 1, 7, 8, 9, 1001):
        mask = bytes(rng.choice((0, 0, 1, 200)) for _ in range(n))
        for data in (mask, memoryview(b"\x01" + mask)[1:]):
            _same("pack_bits", data)
            packed = STDLIB.pack_bits(data)
            _same("unpack_bits", packed, n)
            _same("unpack_bits", memoryview(b"\x00" + packed)[1:], n)
    _same("unpack_bits", b"\x00", 9)


@pytest.mark.parametrize("size, stored, signed", [(1, 7, True), (2, 12, True), (2, 12, False), (2, 1, True),
                                                  (4, 20, True), (4, 31, False), (2, 16, True)])
def test_mask_stored_bits(size, stored, signed):
    for _, data in _inputs(f"uint{8 * size}", 7):
        _same("mask_stored_bits", data, size, stored, signed)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_lookups(dtype):
    """apply_lut (clamped at both ends) and to_index16 (clamped to 0..65535)."""
    lut = bytes(range(7, 250))
    for _, data in _inputs(dtype, 8):
        for offset in (-100, 0, 1000):
            _same("apply_lut", data, dtype, lut, offset)
        for base, shift in ((0, 0), (-32768, 1), (1000, 4)):
            _same("to_index16", data, dtype, base, shift)
    _same("apply_lut", b"\x00\x00", "int16", b"", 0)


def test_split_lut():
    rng = random.Random(9)
    high = [rng.randint(-(256 << 6), 256 << 6) for _ in range(256)]
    low = [rng.randint(0, 255 << 6) for _ in range(256)]
    for _, data in _inputs("uint16", 9):
        _same("apply_split_lut", data, high, low)
    _same("apply_split_lut", b"\x00\x00", high[:3], low)


def test_rgba_and_colour():
    rng = random.Random(10)
    for n in (1, 7, 1001):
        grey, rgb = rng.randbytes(n), rng.randbytes(3 * n)
        overlays = [(bytes(rng.choice((0, 1, 9)) for _ in range(n)), (255, 0, 300)),
                    (memoryview(b"\x00" + bytes(rng.choice((0, 1)) for _ in range(n)))[1:], (1, 2, 3))]
        for data in (grey, memoryview(b"\x00" + grey)[1:]):
            _same("grey_to_rgba", data, overlays)
        _same("rgb_to_rgba", rgb, overlays)
        _same("ybr_full_to_rgb", rgb)
        _same("ybr_full_to_rgb", memoryview(b"\x00" + rgb)[1:])
    _same("grey_to_rgba", b"\x01\x02", [(b"\x01", (1, 2, 3))])
    _same("rgb_to_rgba", b"\x01\x02", [])


@pytest.mark.parametrize("typesize", [1, 2, 3, 4, 8])
def test_shuffles(typesize):
    """Byte shuffle and bitshuffle both ways, trailing bytes copied, odd addresses."""
    rng = random.Random(11)
    for n in (0, 5, 8, 64, 1000):
        for extra in (0, 1):
            block = rng.randbytes(n * typesize + extra * (typesize - 1 if typesize > 1 else 0))
            for data in (block, memoryview(b"\x00" + block)[1:]):
                for name in ("shuffle_bytes", "unshuffle_bytes", "bitshuffle", "bitunshuffle"):
                    _same(name, data, typesize)


# --- the JavaScript backend's safety (Pyodide) -----------------------------------------------

JS = next((b for b in OTHERS if b.name == "js"), None)
needs_js = pytest.mark.skipif(JS is None, reason="the js backend runs in Pyodide with the worker's kernels")


def _series_pixels() -> list:
    """The Pixel Data of every file the series job writes from the float32 phantom (rescaled
    to int16 by the active backend)."""
    import io

    import pydicom

    from dicomforge import jobs
    from dicomforge.inputs import NamedInput
    from dicomforge.phantom import phantom_nifti

    nifti = phantom_nifti((64, 64, 6))
    header, voxels = nifti[:352], nifti[352:]  # int16 voxels -> float32 ones (datatype 16, 32 bits)
    values = struct.unpack(f"<{len(voxels) // 2}h", voxels)
    header = header[:70] + struct.pack("<hh", 16, 32) + header[74:]
    data = header + struct.pack(f"<{len(values)}f", *(v + 0.25 for v in values))
    events = list(jobs.start("series", [NamedInput("phantom_f32.nii", data)], {}))
    files = [e["data"] for e in events if e["type"] == "file"]
    assert files, [e for e in events if e["type"] in ("error", "failed")]
    return [pydicom.dcmread(io.BytesIO(bytes(f))).PixelData for f in files]


@needs_js
def test_js_error_releases_buffers_and_next_job_runs():
    """A kernel that throws mid-way is a DicomForgeError, its buffer views are released (a
    bytearray with a view still held could not be resized), and the next kernel and the next
    job run, with the bytes the reference gives."""
    data = bytearray(b"\x01\x02\x03\x04")
    with pytest.raises(DicomForgeError, match="pixel kernel byteswap failed"):
        JS._run("byteswap", data, bytearray(3), 2)  # an output too short: refused in JavaScript
    data.extend(b"\x05\x06")  # BufferError if a view were still held
    assert JS.byteswap(data, 2) == b"\x02\x01\x04\x03\x06\x05"
    active = kernels.use_backend("js")
    try:
        with_js = _series_pixels()
    finally:
        kernels.use_backend("stdlib")
    try:
        assert with_js == _series_pixels()
    finally:
        kernels.use_backend(active)


@needs_js
def test_js_checks_before_touching_memory():
    """Wrong lengths and element types are refused in Python, with the numbers."""
    with pytest.raises(DicomForgeError, match="3 bytes is not a whole number of float32"):
        JS.rescale_to_int16(b"abc", "float32", 1.0, 0.0)
    with pytest.raises(DicomForgeError, match="unknown element type 'float16'"):
        JS.value_range(b"ab", "float16")
    with pytest.raises(DicomForgeError, match="overlay mask has 2 pixels, the image 3"):
        JS.grey_to_rgba(b"abc", [(b"\x01\x01", (1, 2, 3))])


@needs_js
def test_js_job_after_the_heap_grows():
    """A job, then 256 MB more heap (every view made before is detached), then the same job:
    the same files, byte for byte."""
    active = kernels.use_backend("js")
    try:
        before = _series_pixels()
        grown = [bytearray(64 << 20) for _ in range(4)]
        assert _series_pixels() == before
        del grown
    finally:
        kernels.use_backend(active)


@needs_js
def test_js_after_the_heap_grows():
    """Kernels hold no view across calls: after the wasm heap grows (which detaches every
    earlier view) they still read and write the right memory."""
    data = struct.pack("<4f", 1.5, -2.5, NAN, 70000.0)
    before = JS.rescale_to_int16(data, "float32", 1.0, 0.0)
    grown = [bytearray(64 << 20) for _ in range(4)]  # 256 MB more: the heap has to grow
    grown[-1][-1] = 1
    after = JS.rescale_to_int16(data, "float32", 1.0, 0.0)
    assert before == after == struct.pack("<4h", 2, -2, -32768, 32767)
    assert JS.value_range(data, "float32") == (-2.5, 70000.0, 1)
    del grown


@pytest.mark.skipif(sys.platform != "emscripten", reason="the active backend in Pyodide")
def test_pyodide_runs_the_js_backend_by_default():
    """The browser's configuration: with the kernels registered and nothing forced, js is active."""
    import os

    if os.environ.get("DICOMFORGE_BACKEND", "js") == "js":
        assert kernels.BACKEND == "js"


def test_half_way_cases_round_to_even():
    """The reference itself: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2, -3.5 -> -4."""
    data = struct.pack("<5d", 0.5, 1.5, 2.5, -2.5, -3.5)
    for backend in [STDLIB, *OTHERS]:
        assert struct.unpack("<5h", backend.rescale_to_int16(data, "float64", 1.0, 0.0)) == (0, 2, 2, -2, -4)
        assert math.isnan(backend.value_range(struct.pack("<d", NAN), "float64")[0])
