"""The ``js`` backend: the bulk kernels as JavaScript loops over typed arrays, for Pyodide.

A host that runs dicomforge in Pyodide registers a JavaScript module named
``dicomforge_js_kernels`` (the worker registers ``web/worker/kernels.js``) before importing
dicomforge; where no such module is importable this backend does not exist. Buffers go
across as they are (Pyodide hands JavaScript a view of them on the wasm heap, no copy) and
each result is written by JavaScript into a ``bytearray`` allocated here; the one copy left
is the ``bytes`` made of it on return (a memcpy, against a loop per element), plus the
aligned copy JavaScript makes of an input at an address that is not a multiple of its
element size. Arguments are checked here first, so a wrong length or element type is a
:class:`~dicomforge.errors.DicomForgeError` before any memory is touched; an error JavaScript
raises anyway becomes one too.

What JavaScript cannot do exactly as the reference does falls back to the standard-library
kernels this class inherits: 64-bit integer elements (no DICOM pixel data has them, and
doubles cannot hold them exactly), floats through ``apply_lut`` and ``to_index16``, integer
results of ``rescale_values`` that do not fit (the reference raises), and 8-bit lookups
(``bytes.translate`` is already one C pass).
"""

from __future__ import annotations

from array import array

from dicomforge.errors import DicomForgeError

from .common import YBR_TO_RGB, all_zero, check_split, check_whole, contiguous, dtype_bytes, lookup, raw_table
from .stdlib import StdlibKernels

__all__ = ["JsKernels", "JS_MODULE"]

#: The name the host registers its JavaScript kernels under.
JS_MODULE = "dicomforge_js_kernels"

_WIDE = ("int64", "uint64")


def _narrow(dtype: str) -> bool:
    return dtype not in _WIDE


def _exact(value) -> bool:
    """Whether integer *value* is a double exactly (a larger one reaches JavaScript as a BigInt)."""
    return abs(value) < 2**53


class JsKernels(StdlibKernels):
    """The kernels on JavaScript typed arrays (:mod:`web/worker/kernels.js`)."""

    name = "js"

    def __init__(self) -> None:
        import importlib

        self.js = importlib.import_module(JS_MODULE)  # ImportError where no host registered it
        self._functions: dict = {}  # kernel name -> its JsProxy (a lookup through the module costs ~4-18 us)

    def _run(self, kernel: str, *args):
        """Call the JavaScript kernel *kernel*; an error it raises becomes a DicomForgeError."""
        function = self._functions.get(kernel)
        if function is None:
            function = self._functions[kernel] = getattr(self.js, kernel)
        # JavaScript views only contiguous buffers: a strided memoryview goes as its bytes
        args = [contiguous(a) for a in args]
        try:
            return function(*args)
        except Exception as error:
            if type(error).__name__ != "JsException":
                raise
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise DicomForgeError(f"pixel kernel {kernel} failed: {message}") from None

    # --- values --------------------------------------------------------------------------

    def byteswap(self, data, itemsize: int) -> bytes:
        if itemsize not in (2, 4, 8):
            return super().byteswap(data, itemsize)  # (1: a copy; others refused as the reference does)
        check_whole(data, itemsize, f"{itemsize}-byte")
        out = bytearray(len(data))
        self._run("byteswap", data, out, itemsize)
        return bytes(out)

    def _range(self, data, dtype: str, skip: str) -> tuple:
        out = bytearray(24)
        self._run("valueRange", data, dtype, out, skip)
        low, high, bad = array("d", out)
        if dtype.startswith("float"):
            return float(low), float(high), int(bad)
        return int(low), int(high), 0

    def min_max(self, data, dtype: str) -> tuple:
        _, size = lookup(dtype)
        check_whole(data, size, dtype)
        if not _narrow(dtype):
            return super().min_max(data, dtype)
        if not len(data):
            return (float("nan"), float("nan"))
        return self._range(data, dtype, "nan")[:2]

    def value_range(self, data, dtype: str) -> tuple:
        _, size = lookup(dtype)
        check_whole(data, size, dtype)
        if not len(data):
            return (float("nan"), float("nan"), 0)
        if not _narrow(dtype):
            return super().value_range(data, dtype)
        return self._range(data, dtype, "nonfinite")

    def rescale_to_int16(self, data, dtype: str, slope: float, intercept: float) -> bytes:
        _, size = lookup(dtype)
        check_whole(data, size, dtype)
        slope, intercept = float(slope), float(intercept)
        if not slope or slope != slope:
            raise DicomForgeError(f"rescale slope must be a nonzero number, got {slope!r}")
        if not _narrow(dtype):
            return super().rescale_to_int16(data, dtype, slope, intercept)
        out = bytearray(2 * (len(data) // size))
        self._run("rescaleToInt16", data, dtype, slope, intercept, out)
        return bytes(out)

    def rescale_values(self, data, dtype: str, slope: float, intercept: float, target: str) -> bytes:
        _, size = lookup(dtype)
        check_whole(data, size, dtype)
        _, out_size = lookup(target)
        if _narrow(dtype) and _narrow(target):
            out = bytearray(out_size * (len(data) // size))
            if self._run("rescaleValues", data, dtype, float(slope), float(intercept), target, out):
                return bytes(out)
        return super().rescale_values(data, dtype, slope, intercept, target)  # (raises as the reference does)

    def pack_bits(self, mask) -> bytes:
        size = (len(mask) + 7) // 8
        out = bytearray(size + size % 2)
        self._run("packBits", mask, out)
        return bytes(out)

    def unpack_bits(self, data, count: int) -> bytes:
        nbytes = (count + 7) // 8
        if len(data) < nbytes:
            raise DicomForgeError(f"{len(data)} bytes hold fewer than {count} bits")
        out = bytearray(count)
        self._run("unpackBits", data, count, out)
        return bytes(out)

    def _equal(self, data, dtype: str, value, bits: bool) -> bytes:
        _, size = lookup(dtype)
        check_whole(data, size, dtype)
        n = len(data) // size
        length = (n + 7) // 8 if bits else n
        target = dtype_bytes(value, dtype)
        if target is None:
            return bytes(length)
        out = bytearray(length)
        self._run("equalMask", data, size, target, out, bits)
        return bytes(out)

    def equal_mask(self, data, dtype: str, value) -> bytes:
        return self._equal(data, dtype, value, False)

    def equal_bits(self, data, dtype: str, value) -> bytes:
        return self._equal(data, dtype, value, True)

    def distinct_values(self, data, dtype: str) -> list:
        code, size = lookup(dtype)
        check_whole(data, size, dtype)
        if not _narrow(dtype) or size == 1:  # 8-bit: two bytes.translate passes beat a loop (17 against 96 ms for 32 MB)
            return super().distinct_values(data, dtype)
        return array(code, self._run("distinctValues", data, dtype).to_bytes()).tolist()

    # --- display -------------------------------------------------------------------------

    def mask_stored_bits(self, data, itemsize: int, bits_stored: int, signed: bool) -> bytes:
        if bits_stored >= 8 * itemsize:
            return bytes(data)
        check_whole(data, itemsize, f"{itemsize}-byte")
        if itemsize not in (1, 2, 4) or bits_stored < 1:
            return super().mask_stored_bits(data, itemsize, bits_stored, signed)
        out = bytearray(len(data))
        self._run("maskStoredBits", data, itemsize, bits_stored, bool(signed), out)
        return bytes(out)

    def int_range(self, data, dtype: str) -> tuple:
        _, size = lookup(dtype)
        check_whole(data, size, dtype)
        if not len(data):
            raise DicomForgeError("no values: the range of an empty frame is undefined")
        if dtype.startswith("float") or not _narrow(dtype):
            return super().int_range(data, dtype)
        return self._range(data, dtype, "nan")[:2]

    def apply_lut(self, data, dtype: str, lut, offset: int) -> bytes:
        _, size = lookup(dtype)
        check_whole(data, size, dtype)
        lut = bytes(lut)
        if not lut:
            raise DicomForgeError("an empty lookup table maps nothing")
        if dtype.startswith("float") or not _narrow(dtype) or size == 1 or not _exact(offset):
            return super().apply_lut(data, dtype, lut, offset)
        out = bytearray(len(data) // size)
        if size == 2:
            self._run("applyRawTable", data, size, raw_table(lut, offset, size, dtype.startswith("int")), out)
        else:
            self._run("applyLut", data, dtype, lut, float(offset), out)  # (a float: an int may arrive as a BigInt)
        return bytes(out)

    def apply_split_lut(self, data, high_table, low_table) -> bytes:
        check_split(high_table, low_table)
        check_whole(data, 2, "16-bit")
        out = bytearray(len(data) // 2)
        if out:
            self._run("applySplitLut", data, array("i", high_table), array("i", low_table), out)
        return bytes(out)

    def grey_to_rgba(self, grey, overlays=()) -> bytes:
        return self._rgba_of(grey, 1, overlays)

    def rgb_to_rgba(self, rgb, overlays=()) -> bytes:
        check_whole(rgb, 3, "RGB")
        return self._rgba_of(rgb, 3, overlays)

    def _rgba_of(self, data, channels: int, overlays) -> bytes:
        n = len(data) // channels
        out = bytearray(4 * n)
        self._run("toRgba", data, channels, out)
        for mask, colour in overlays:
            if len(mask) != n:
                raise DicomForgeError(f"overlay mask has {len(mask)} pixels, the image {n}")
            if all_zero(mask):  # (as the reference: nothing drawn, the colour not looked at)
                continue
            r, g, b = (c & 0xFF for c in colour[:3])
            self._run("drawMask", mask, out, r, g, b)
        return bytes(out)

    def ybr_full_to_rgb(self, data) -> bytes:
        check_whole(data, 3, "YBR")
        (rcr,), (gcb, gcr), (bcb,) = YBR_TO_RGB
        out = bytearray(len(data))
        self._run("ybrFullToRgb", data, out, rcr, gcb, gcr, bcb)
        return bytes(out)

    def to_index16(self, data, dtype: str, base: int, shift: int) -> bytes:
        _, size = lookup(dtype)
        check_whole(data, size, dtype)
        if dtype.startswith("float") or not _narrow(dtype) or not _exact(base) or not 0 <= shift <= 52:
            return super().to_index16(data, dtype, base, shift)
        out = bytearray(2 * (len(data) // size))
        self._run("toIndex16", data, dtype, float(base), int(shift), out)  # (a float: an int may arrive as a BigInt)
        return bytes(out)

    # --- Blosc shuffles ------------------------------------------------------------------

    def _shuffled(self, kernel: str, block, typesize: int, inverse: bool) -> bytes:
        out = bytearray(len(block))
        self._run(kernel, block, typesize, out, inverse)
        body = len(block) // typesize * typesize
        out[body:] = block[body:]
        return bytes(out)

    def shuffle_bytes(self, block, typesize: int) -> bytes:
        if typesize <= 1:
            return bytes(block)
        return self._shuffled("shuffleBytes", block, typesize, False)

    def unshuffle_bytes(self, block, typesize: int) -> bytes:
        if typesize <= 1:
            return bytes(block)
        return self._shuffled("shuffleBytes", block, typesize, True)

    def bitshuffle(self, block, typesize: int) -> bytes:
        n = len(block) // typesize
        if n % 8 or not n:
            return bytes(block)
        return self._shuffled("bitshuffle", block, typesize, False)

    def bitunshuffle(self, block, typesize: int) -> bytes:
        n = len(block) // typesize
        if n % 8 or not n:
            return bytes(block)
        return self._shuffled("bitshuffle", block, typesize, True)
