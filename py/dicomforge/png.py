"""A minimal PNG writer on the standard library (zlib): 8-bit grey, RGB and RGBA.

PNG (ISO/IEC 15948, W3C PNG 2nd ed.): signature, IHDR, one IDAT, IEND; every row
starts with filter byte 0 (None). Enough for previews; no palette, no 16-bit.
"""

from __future__ import annotations

import struct
import zlib

from dicomforge.errors import OptionsError

__all__ = ["MODES", "encode_png", "decode_png"]

#: mode -> (PNG colour type, bytes per pixel)
MODES = {"L": (0, 1), "RGB": (2, 3), "RGBA": (6, 4)}
_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png(width: int, height: int, pixels, mode: str = "RGBA", level: int = 6) -> bytes:
    """PNG file bytes of *pixels* (row by row, *mode* ``L``, ``RGB`` or ``RGBA``)."""
    if mode not in MODES:
        raise OptionsError(f"unknown PNG mode {mode!r} (known: {', '.join(MODES)})")
    colour_type, size = MODES[mode]
    stride = width * size
    pixels = bytes(pixels)
    if width < 1 or height < 1 or len(pixels) != stride * height:
        raise OptionsError(f"{len(pixels)} bytes do not make a {width}x{height} {mode} image ({stride * height} needed)")
    rows = bytearray((stride + 1) * height)  # filter byte 0, then the row
    for y in range(height):
        start = y * (stride + 1) + 1
        rows[start : start + stride] = pixels[y * stride : (y + 1) * stride]
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(rows), level)) + _chunk(b"IEND", b"")


def decode_png(data: bytes) -> tuple:
    """``(width, height, mode, pixels)`` of a PNG written by :func:`encode_png` (filter 0
    rows only; for tests and round trips, not a general decoder)."""
    if data[:8] != _SIGNATURE:
        raise OptionsError("not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, _, colour_type = header[:4]
    mode = {v[0]: k for k, v in MODES.items()}[colour_type]
    stride = width * MODES[mode][1]
    raw = zlib.decompress(idat)
    if any(raw[y * (stride + 1)] for y in range(height)):
        raise OptionsError("decode_png reads filter-0 rows only")
    return width, height, mode, b"".join(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)] for y in range(height))
