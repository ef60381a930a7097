"""A Segmentation's frames: their pixels (bit-packed or label values) and their Per-frame
Functional Groups, encoded by hand.

Hand-written because pydicom builds and writes a Dataset per nested item: for a 300-slice
series with 5 segments that is ~1500 frames x 12 datasets, seconds in the browser. Each
item here is a few fixed byte strings joined with the values that vary (source UID, position,
dimension values), Explicit VR Little Endian with defined lengths, tags in ascending order;
``tests/py/seg`` reads them back with pydicom, highdicom and dciodvfy.

Binary pixels: one bit per pixel, pixel 0 in bit 0, frames packed one after another with no
padding between them (a frame of rows x columns not a multiple of 8 starts mid-byte), the
whole padded to an even length (PS3.5 8.1.1, PS3.3 C.8.20.2.1).
"""

from __future__ import annotations

import struct

from dicomforge import kernels
from dicomforge.dicom.encode import element, format_ds, pad

__all__ = ["frame_item", "pack_frames"]



def _item(content: bytes) -> bytes:
    return struct.pack("<HHI", 0xFFFE, 0xE000, len(content)) + content


def _sequence(tag: int, *items: bytes) -> bytes:
    return element(tag, b"SQ", b"".join(_item(i) for i in items))


def _text(tag: int, vr: bytes, value: str) -> bytes:
    return element(tag, vr, pad(value.encode("ascii"), vr))


def _code_item(code: tuple) -> bytes:
    """The content of one code sequence item (value, scheme, meaning)."""
    value, scheme, meaning = code
    return (_text(0x00080100, b"SH", value) + _text(0x00080102, b"SH", scheme)
            + element(0x00080104, b"LO", pad(meaning.encode("utf-8"), b"LO")))


_PURPOSE = _sequence(0x0040A170, _code_item(("121322", "DCM", "Source image for image processing operation")))
_DERIVATION_CODE = _sequence(0x00089215, _code_item(("113076", "DCM", "Segmentation")))
_PRESERVED = _text(0x0028135A, b"CS", "YES")


def frame_item(segment: int | None, index: int | None, source) -> bytes:
    """One item of (5200,9230) Per-frame Functional Groups Sequence: the source image (and frame)
    it derives from, the dimension index values (segment, position index), its Plane Position
    when the sources have geometry, and the segment it shows (binary Segmentations)."""
    reference = _text(0x00081150, b"UI", source.sop_class) + _text(0x00081155, b"UI", source.sop_uid)
    if source.frame is not None:
        reference += _text(0x00081160, b"IS", str(source.frame))
    derivation = _sequence(0x00082112, reference + _PRESERVED + _PURPOSE) + _DERIVATION_CODE
    values = [v for v in (segment, index) if v is not None]
    parts = [_sequence(0x00089124, derivation),
             _sequence(0x00209111, element(0x00209157, b"UL", struct.pack(f"<{len(values)}I", *values)))]
    if source.position is not None:
        parts.append(_sequence(0x00209113, _text(0x00200032, b"DS", "\\".join(format_ds(v) for v in source.position))))
    if segment is not None:
        parts.append(_sequence(0x0062000A, element(0x0062000B, b"US", struct.pack("<H", segment))))
    return _item(b"".join(parts))


def pack_frames(masks: list, pixels: int) -> bytes:
    """Binary frames (one byte per pixel each, nonzero = set) packed one after another."""
    if pixels % 8 == 0:
        out = [kernels.pack_bits(m)[: pixels // 8] for m in masks]
    else:  # a frame ends mid-byte: pack eight frames at a time (a whole number of bytes)
        out = []
        for start in range(0, len(masks), 8):
            group = masks[start : start + 8]
            bits = len(group) * pixels
            out.append(kernels.pack_bits(b"".join(bytes(m) for m in group))[: (bits + 7) // 8])
    data = b"".join(out)
    return data + b"\x00" if len(data) % 2 else data
