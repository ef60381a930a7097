"""The standard-library backend's display kernels: stored bits, lookup tables, RGBA, colour.

Why hand-written: see :mod:`dicomforge.kernels.stdlib_values`. Linear windows on 16-bit
data come as *split* tables (``high[H] + low[L]``), which these apply to all pixels at
once with big-integer lanes (SWAR) instead of one lookup per pixel.
"""

from __future__ import annotations

import sys
from array import array

from dicomforge.errors import DicomForgeError

from .common import (
    KEY_SIGNED, KEY_UNSIGNED, SPLIT_SHIFT, SPLIT_TOP, YBR_TO_RGB, check_split, check_whole, lookup, present, raw_table,
    tables_of_one,
)

__all__ = ["StdlibDisplay"]

_ONE_IF_NONZERO = bytes([0] + [1] * 255)  # bytes.translate table: 0 -> 0, anything else -> 1
_SPLIT_ROWS_MAX = 5  # at most this many ramp rows: row-wise lookup beats the SWAR lanes
_KEEP_IF_ZERO = bytes([0xFF] + [0] * 255)  # translate of 0/1 bytes: 0 -> 0xFF, 1 -> 0
_CLIP_BYTE = bytes([0] * 512 + list(range(256)) + [255] * 512)  # _CLIP_BYTE[v + 512]
_FILL = [bytes([0, c] + [0] * 254) for c in range(256)]  # 0/1 bytes: 1 -> c
_EQ_BYTE = tables_of_one(0xFF)  # table v: byte v -> 0xFF, others -> 0
_NE_BYTE = tables_of_one(0, 0xFF)  # table v: byte v -> 0, others -> 0xFF


def _stored_bits_tables(bits_stored: int, signed: bool) -> tuple[int, bytes, bytes]:
    """(byte index of the sign bit, translate table for that byte, fill for bytes above)."""
    top, bit = divmod(bits_stored - 1, 8)
    low_mask = (1 << (bit + 1)) - 1
    keep = bytes(
        (b & low_mask) | ((0xFF & ~low_mask) if signed and (b >> bit) & 1 else 0) for b in range(256)
    )
    fill = bytes(0xFF if (b >> bit) & 1 else 0 for b in range(256))
    return top, keep, fill


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
    return 0 if z < 0 else 255 if z >= SPLIT_TOP else z >> SPLIT_SHIFT


def _split_row_varies(base: int, low_table) -> bool:
    return _split_grey(base + min(low_table)) != _split_grey(base + max(low_table))


_LANE_ONES: dict = {}


def _lane_ones(n: int) -> int:
    """An integer with 1 in the lowest bit of each of *n* 16-bit lanes (cached)."""
    if n not in _LANE_ONES:
        if len(_LANE_ONES) > 8:
            _LANE_ONES.clear()
        _LANE_ONES[n] = int.from_bytes(b"\x01\x00" * n, "little")
    return _LANE_ONES[n]


class StdlibDisplay:
    """Display kernels on ``bytes.translate`` and big integers (needs :class:`StdlibValues`' ``_values``)."""

    def mask_stored_bits(self, data, itemsize: int, bits_stored: int, signed: bool) -> bytes:
        """Keep the low *bits_stored* bits of each little-endian *itemsize*-byte element and
        fill the bits above with the sign bit (*signed*) or zeros (PS3.5 8.1.1, PS3.3 C.7.6.3.1).

        Byte-level only: the byte holding the sign bit goes through one ``translate``
        table and the bytes above it are set from that byte's sign bit.
        """
        if bits_stored >= 8 * itemsize:
            return bytes(data)
        check_whole(data, itemsize, f"{itemsize}-byte")
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
        code, size = lookup(dtype)
        check_whole(data, size, dtype)
        if not len(data):
            raise DicomForgeError("no values: the range of an empty frame is undefined")
        if size > 2 or dtype.startswith("float"):
            low, high, _ = self.value_range(data, dtype)
            return (low, high)
        raw = bytes(data)
        signed = dtype.startswith("int")
        key = KEY_SIGNED if signed else KEY_UNSIGNED
        high = raw[size - 1 :: size]
        keys = present(high.translate(key) if signed else high)
        kmin, kmax = keys[0], keys[-1]
        if size == 1:
            return (kmin - 128, kmax - 128) if signed else (kmin, kmax)
        low = raw[0::2]
        low_int = int.from_bytes(low, "little")
        n = len(low)
        pick = high.translate(_EQ_BYTE[key[kmax]])  # 0xFF where the high byte is the largest
        low_max = present((int.from_bytes(pick, "little") & low_int).to_bytes(n, "little"))[-1]
        pick = high.translate(_NE_BYTE[key[kmin]])  # 0xFF where it is not the smallest
        low_min = present((int.from_bytes(pick, "little") | low_int).to_bytes(n, "little"))[0]
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
        code, size = lookup(dtype)
        check_whole(data, size, dtype)
        lut = bytes(lut)
        if not lut:
            raise DicomForgeError("an empty lookup table maps nothing")
        signed = dtype.startswith("int")
        if size <= 2 and not dtype.startswith("float"):
            table = raw_table(lut, offset, size, signed)
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
        check_split(high_table, low_table)
        raw = bytes(data)
        check_whole(raw, 2, "16-bit")
        n = len(raw) // 2
        if not n:
            return b""
        high = raw[1::2]
        lo_min, lo_max = min(low_table), max(low_table)
        ramp = [h for h in range(256) if high_table[h] + lo_max >= 0 and high_table[h] + lo_min < SPLIT_TOP]
        ramp = [h for h in ramp if _split_row_varies(high_table[h], low_table) and bytes((h,)) in high]
        if len(ramp) <= _SPLIT_ROWS_MAX:  # few rows with a ramp: the row-wise lookup is cheaper
            rows = [bytes((_split_grey(base + lo_min),)) * 256 for base in high_table]
            for h in ramp:
                base = high_table[h]
                rows[h] = bytes(_split_grey(base + c) for c in low_table)
            return _apply_rows(raw, b"".join(rows))
        # lanes of 16 bits: zb = z + (256 << 6) in [0, 3 << 14); bits 14-15 say below /
        # inside / above the 0-255 range, bits 6-13 hold the grey level.
        bias = SPLIT_TOP
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
        inside = (z >> (SPLIT_SHIFT + 8)) & ones
        above = (z >> (SPLIT_SHIFT + 9)) & ones
        grey = ((z >> SPLIT_SHIFT) & (inside * 0xFF)) | (above * 0xFF)
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
        check_whole(rgb, 3, "RGB")
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
        check_whole(raw, 3, "YBR")
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

