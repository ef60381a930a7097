"""Tests for dicomforge.png: round trips through zlib, and bad sizes."""

import struct
import zlib

import pytest

from dicomforge.errors import OptionsError
from dicomforge.png import decode_png, encode_png


def _idat_rows(png: bytes, stride: int, height: int) -> bytes:
    """The raw rows of a filter-0 PNG, read with zlib only (independent of decode_png)."""
    pos, idat = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        if png[pos + 4 : pos + 8] == b"IDAT":
            idat += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    assert all(raw[y * (stride + 1)] == 0 for y in range(height))
    return b"".join(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)] for y in range(height))


class TestEncodePng:
    def test_rgba_round_trip(self):
        """RGBA pixels come back unchanged from the zlib stream."""
        pixels = bytes((i * 7) % 256 for i in range(5 * 3 * 4))
        png = encode_png(5, 3, pixels, "RGBA")
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert _idat_rows(png, 20, 3) == pixels
        assert decode_png(png) == (5, 3, "RGBA", pixels)

    def test_grey_round_trip(self):
        """Grey pixels come back unchanged; IHDR says colour type 0, depth 8."""
        pixels = bytes(range(12))
        png = encode_png(4, 3, pixels, "L")
        assert png[24:26] == b"\x08\x00"
        assert _idat_rows(png, 4, 3) == pixels

    def test_crc(self):
        """Every chunk carries the CRC of its type and body."""
        png = encode_png(1, 1, b"\x01\x02\x03", "RGB")
        pos = 8
        while pos < len(png):
            (length,) = struct.unpack(">I", png[pos : pos + 4])
            body = png[pos + 4 : pos + 8 + length]
            assert struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])[0] == zlib.crc32(body)
            pos += 12 + length

    def test_wrong_size(self):
        """A buffer that is not width x height pixels is refused with the numbers."""
        with pytest.raises(OptionsError, match="5 bytes do not make a 2x2 L image"):
            encode_png(2, 2, b"12345", "L")

    def test_unknown_mode(self):
        """Only L, RGB and RGBA are written."""
        with pytest.raises(OptionsError, match="unknown PNG mode"):
            encode_png(1, 1, b"\x00", "P")
