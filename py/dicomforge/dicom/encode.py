"""Data elements and values as bytes, in any of the uncompressed encodings (PS3.5 7.1, 6.2).

The splicing writers (overlay planes, the series writer's per-slice elements) encode a
few elements themselves instead of going through pydicom's writer, which would need the
whole dataset parsed: these are the rules they share.
"""

from __future__ import annotations

import math
import struct

__all__ = ["LONG_VRS", "UNDEFINED_LENGTH", "element", "pad", "text_bytes", "format_ds"]

#: VRs whose explicit-VR header has 2 reserved bytes and a 4-byte length (PS3.5 7.1.2).
LONG_VRS = frozenset((b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV"))
#: The value length of an undefined-length sequence or item (PS3.5 7.1.3).
UNDEFINED_LENGTH = 0xFFFFFFFF


def element(tag: int, vr: bytes, value: bytes, implicit: bool = False, little: bool = True) -> bytes:
    """One element with a defined length, explicit VR little endian unless told otherwise."""
    fmt = "<" if little else ">"
    group, elem = tag >> 16, tag & 0xFFFF
    if implicit:
        return struct.pack(fmt + "HHI", group, elem, len(value)) + value
    if vr in LONG_VRS:
        return struct.pack(fmt + "HH2sHI", group, elem, vr, 0, len(value)) + value
    return struct.pack(fmt + "HH2sH", group, elem, vr, len(value)) + value


def pad(raw: bytes, vr: bytes) -> bytes:
    """*raw* padded to an even length: UI with NUL, text with a space (PS3.5 6.2)."""
    if len(raw) % 2:
        return raw + (b"\x00" if vr == b"UI" else b" ")
    return raw


def text_bytes(text: str, limit: int, charset: str | None) -> bytes:
    """*text* (at most *limit* characters, backslashes replaced) in the file's character set
    (0008,0005) *charset*; characters it cannot hold become ``?``."""
    text = text.replace("\\", "/")[:limit]
    if text.isascii():
        return text.encode("ascii")
    if charset:
        from pydicom.charset import convert_encodings, encode_string

        try:
            return encode_string(text, convert_encodings(charset.split("\\")))
        except (LookupError, ValueError):
            pass
    return text.encode("ascii", "replace")


def format_ds(value: float) -> str:
    """*value* as a Decimal String of at most 16 characters (PS3.5 6.2), as exact as fits.

    The shortest round-trip form when it fits, else the most significant digits that
    fit: 16 characters keep at least 10 significant digits, i.e. better than 1e-4 mm
    for any coordinate below 1e6 mm.
    """
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{value} cannot be written as a decimal string")
    if value == 0:
        return "0"
    text = repr(value)
    if text.endswith(".0"):
        text = text[:-2]
    if len(text) <= 16:
        return text
    for digits in range(15, 0, -1):
        text = f"{value:.{digits}g}"
        if len(text) <= 16:
            return text
    raise ValueError(f"{value} cannot be written as a decimal string")  # pragma: no cover
