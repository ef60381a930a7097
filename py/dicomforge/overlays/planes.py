"""Overlay planes (PS3.3 C.9.2) as they are in a file: read with pydicom, or listed from a header scan.

:func:`read_overlays` gives the 60xx planes of a pydicom ``Dataset`` as :class:`OverlayPlane`
objects whose :meth:`OverlayPlane.bits` unpacks one overlay frame; :func:`describe_overlays`
lists the planes of a file for the page from a header scan (no pydicom parsing, Pixel Data
not read).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from dicomforge import kernels
from dicomforge.dicom import tags
from dicomforge.dicom.scan import DicomScan, scan
from dicomforge.errors import InputError, UnsupportedError
from dicomforge.inputs import NamedInput

__all__ = ["OverlayPlane", "read_overlays", "describe_overlays"]

OVERLAY_GROUPS = tags.OVERLAY_GROUPS
_ROWS, _COLUMNS, _FRAMES = tags.OVERLAY_ROWS, tags.OVERLAY_COLUMNS, tags.OVERLAY_FRAMES
_DESCRIPTION, _TYPE, _ORIGIN = tags.OVERLAY_DESCRIPTION, tags.OVERLAY_TYPE, tags.OVERLAY_ORIGIN
_FRAME_ORIGIN, _BITS_ALLOCATED = tags.OVERLAY_FRAME_ORIGIN, tags.OVERLAY_BITS_ALLOCATED
_LABEL, _DATA = tags.OVERLAY_LABEL, tags.OVERLAY_DATA


@dataclass
class OverlayPlane:
    """One overlay plane (60xx group) as stored in a dataset.

    Attributes
    ----------
    group : int
        The repeating group, 0x6000..0x601E.
    rows, columns : int
        (60xx,0010) *Overlay Rows*, (60xx,0011) *Overlay Columns*.
    origin : tuple of int
        (60xx,0050) *Overlay Origin* ``(row, column)``, 1-based as stored (1\\1 is the
        top left image pixel).
    frames : int
        (60xx,0015) *Number of Frames in Overlay*, 1 when absent.
    frame_origin : int
        (60xx,0051) *Image Frame Origin*: the image frame (1-based) overlay frame 0 applies to.
    type : str
        (60xx,0040) *Overlay Type*, ``"G"`` (graphics) or ``"R"`` (ROI).
    label, description : str
        (60xx,1500) *Overlay Label*, (60xx,0022) *Overlay Description*.
    data : bytes
        (60xx,3000) *Overlay Data*, bit-packed, least significant bit first.
    """

    group: int
    rows: int
    columns: int
    origin: tuple[int, int] = (1, 1)
    frames: int = 1
    frame_origin: int = 1
    type: str = "G"
    label: str = ""
    description: str = ""
    data: bytes = field(default=b"", repr=False)

    def bits(self, frame_index: int = 0) -> bytes:
        """``rows * columns`` bytes of 0 or 1 for overlay frame *frame_index* (0-based).

        Frames are packed one after the other without byte alignment: frame f starts
        at bit ``f * rows * columns`` of (60xx,3000) *Overlay Data* (PS3.3 C.9.2.1.3).
        """
        if not 0 <= frame_index < self.frames:
            raise InputError(
                f"overlay {self.group:04X} has {self.frames} frame(s), "
                f"frame index {frame_index} does not exist"
            )
        count = self.rows * self.columns
        start = frame_index * count
        skip = start % 8
        chunk = memoryview(self.data)[start // 8 :]
        if len(chunk) * 8 < skip + count:
            raise InputError(
                f"overlay {self.group:04X}: Overlay Data has {len(self.data)} bytes, "
                f"frame {frame_index} of {self.rows}x{self.columns} needs "
                f"{(start + count + 7) // 8}"
            )
        unpacked = kernels.unpack_bits(chunk, skip + count)
        return unpacked[skip:] if skip else unpacked

    def count_set(self, frame_index: int | None = None) -> int:
        """Number of set pixels in one overlay frame, or in all of them (None)."""
        frames = range(self.frames) if frame_index is None else (frame_index,)
        return sum(self.bits(f).count(1) for f in frames)


def _value(ds, group: int, element: int, default=None):
    elem = ds.get((group << 16) | element)
    if elem is None or elem.value is None or elem.value == "":
        return default
    return elem.value


def read_overlays(ds) -> list[OverlayPlane]:
    """The overlay planes of pydicom Dataset *ds*, in group order.

    Only overlays stored in (60xx,3000) *Overlay Data* with (60xx,0100) *Overlay
    Bits Allocated* 1 are read. Overlays embedded in the high bits of Pixel Data
    (retired, PS3.3 C.9.2.1.1 of older editions) raise :class:`UnsupportedError`.
    A group with Overlay Data but no Overlay Rows/Columns is an :class:`InputError`.
    Overlay Data read from a big endian file is byte-swapped back to the bit order
    of PS3.3 C.9.2.1.3 (pydicom keeps OW bytes as stored; dcmtk swaps them).
    """
    planes = []
    encoding = getattr(ds, "original_encoding", None) or (None, True)
    big_endian = encoding[1] is False
    for group in OVERLAY_GROUPS:
        tag_rows = (group << 16) | _ROWS
        tag_data = (group << 16) | _DATA
        if tag_rows not in ds and tag_data not in ds:
            continue
        bits_allocated = _value(ds, group, _BITS_ALLOCATED, 1)
        if tag_data not in ds or int(bits_allocated) != 1:
            raise UnsupportedError(
                f"overlay {group:04X} is embedded in the Pixel Data (Overlay Bits Allocated "
                f"{bits_allocated}); only overlays in Overlay Data (60xx,3000) are supported"
            )
        rows = _value(ds, group, _ROWS)
        columns = _value(ds, group, _COLUMNS)
        missing = [name for name, v in (("Overlay Rows", rows), ("Overlay Columns", columns)) if v is None]
        if missing:
            raise InputError(f"overlay {group:04X} lacks {' and '.join(missing)}")
        data = bytes(_value(ds, group, _DATA, b""))
        if big_endian and len(data) % 2 == 0:  # OW words in the file's byte order (PS3.5 7.3)
            data = kernels.byteswap(data, 2)
        origin = _value(ds, group, _ORIGIN, (1, 1))
        origin = tuple(int(v) for v in origin) if len(origin) == 2 else (1, 1)
        planes.append(
            OverlayPlane(
                group=group,
                rows=int(rows),
                columns=int(columns),
                origin=origin,
                frames=int(_value(ds, group, _FRAMES, 1)),
                frame_origin=int(_value(ds, group, _FRAME_ORIGIN, 1)),
                type=str(_value(ds, group, _TYPE, "G")).strip(),
                label=str(_value(ds, group, _LABEL, "")).strip(),
                description=str(_value(ds, group, _DESCRIPTION, "")).strip(),
                data=data,
            )
        )
    return planes



def describe_overlays(item: NamedInput | DicomScan) -> list[dict]:
    """The overlay planes of DICOM file *item*, JSON-ready, for the page.

    Read from a header scan (:func:`scan`, no pydicom parsing, Pixel Data not
    read). Each: ``group`` (int), ``label``, ``description``, ``rows``,
    ``columns``, ``frames``, ``type``, ``origin`` and ``count`` (set pixels over
    all frames; None for an overlay embedded in Pixel Data, which has no
    (60xx,3000) *Overlay Data*).
    """
    scan_ = item if isinstance(item, DicomScan) else scan(item, header_only=True)
    fmt = "<" if scan_.little else ">"
    out = []
    for group in scan_.overlay_groups():
        base = group << 16
        rows, columns = scan_.number(base | _ROWS), scan_.number(base | _COLUMNS)
        if rows is None or columns is None:
            continue  # a 60xx group without an overlay plane (e.g. only a group length)
        frames = scan_.number(base | _FRAMES, "IS") or 1
        origin_raw = scan_.raw(base | _ORIGIN) or b""
        origin = list(struct.unpack(fmt + "hh", origin_raw)) if len(origin_raw) == 4 else [1, 1]
        data = scan_.raw(base | _DATA)
        count = None
        if data is not None:
            total = rows * columns * frames
            if not scan_.little and len(data) % 2 == 0:  # OW words in the file's byte order
                data = kernels.byteswap(data, 2)
            packed = data[: (total + 7) // 8]
            count = (int.from_bytes(packed, "little") & ((1 << total) - 1)).bit_count()
        out.append({
            "group": group, "label": scan_.decoded(base | _LABEL),
            "description": scan_.decoded(base | _DESCRIPTION),
            "rows": rows, "columns": columns, "frames": frames,
            "type": (scan_.text(base | _TYPE) or "G").strip(), "origin": origin, "count": count,
        })
    return out
