"""Whether pixels were lossy compressed once (PS3.3 C.7.6.1.1.5): a file decoded from a lossy
codestream, and anything derived from it, must keep saying so (Lossy Image Compression "01",
its method and ratio).

JPEG baseline and extended are always lossy. JPEG-LS near-lossless, JPEG 2000 and HTJ2K
transfer syntaxes may also hold reversible data: their codestream says which (the JPEG-LS
scan's NEAR, the JPEG 2000 wavelet transform of the COD marker). Hand-written: a few marker
bytes, read where pydicom's and the codecs' APIs do not expose them.
"""

from __future__ import annotations

import struct

__all__ = ["METHOD", "lossy_codestream", "lossy_history"]

#: Transfer syntax -> (0028,2114) Lossy Image Compression Method of a lossy codestream in it.
METHOD = {
    "1.2.840.10008.1.2.4.50": "ISO_10918_1",
    "1.2.840.10008.1.2.4.51": "ISO_10918_1",
    "1.2.840.10008.1.2.4.81": "ISO_14495_1",
    "1.2.840.10008.1.2.4.91": "ISO_15444_1",
    "1.2.840.10008.1.2.4.203": "ISO_15444_15",
}
_ALWAYS = ("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51")


def lossy_codestream(syntax: str, fragment: bytes | None) -> bool:
    """True when a frame coded in *syntax* (its codestream *fragment*, when at hand) lost
    information: always for JPEG baseline/extended; for JPEG-LS a NEAR above 0; for JPEG 2000
    and HTJ2K the irreversible (9-7) wavelet; a codestream that cannot be read counts as lossy
    for those syntaxes (the safe side of the history)."""
    if syntax in _ALWAYS:
        return True
    if syntax not in METHOD:
        return False
    try:
        if syntax == "1.2.840.10008.1.2.4.81":
            return _jpeg_ls_near(fragment) != 0
        return _j2k_transform(fragment) == 0
    except (IndexError, struct.error, TypeError, ValueError):
        return True


def lossy_history(ds, syntax: str, fragment: bytes | None = None) -> dict:
    """The Lossy Image Compression elements a copy of *ds* (coded in *syntax*) must carry: its
    own when it says "01", else "01" and the method when its codestream was lossy; {} when
    its pixels never lost anything."""
    said = str(ds.get("LossyImageCompression", "") or "").strip() == "01"
    coded = lossy_codestream(syntax, fragment)
    if not said and not coded:
        return {}
    history = {"LossyImageCompression": "01"}
    for keyword in ("LossyImageCompressionMethod", "LossyImageCompressionRatio"):
        if ds.get(keyword):
            history[keyword] = ds[keyword].value
    if "LossyImageCompressionMethod" not in history and coded:
        history["LossyImageCompressionMethod"] = METHOD[syntax]
    return history


def _markers(data: bytes, start: int, stop: int):
    """(marker, position) of the marker segments from *start* up to marker *stop*."""
    pos = start
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        yield marker, pos
        if marker == stop:
            return
        pos += 2 + struct.unpack_from(">H", data, pos + 2)[0]


def _jpeg_ls_near(data: bytes) -> int:
    for marker, pos in _markers(data, 2, 0xDA):
        if marker == 0xDA:  # SOS: Ls, Ns, (Cs, Tm) x Ns, NEAR, ILV, ...
            return data[pos + 5 + 2 * data[pos + 4]]
    raise ValueError("no scan header")


def _j2k_transform(data: bytes) -> int:
    for marker, pos in _markers(data, 2, 0x90):
        if marker == 0x52:  # COD: Lcod, Scod, SGcod (4), SPcod: levels, xcb, ycb, style, transform
            return data[pos + 13]
    raise ValueError("no COD marker")
