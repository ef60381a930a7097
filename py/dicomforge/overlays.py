"""Overlay planes (PS3.3 C.9.2): reading them back, and burning masks into existing files.

Reading: :func:`read_overlays` lists the 60xx overlay planes of a pydicom
``Dataset`` as :class:`OverlayPlane` objects whose :meth:`OverlayPlane.bits`
gives one byte (0 or 1) per overlay pixel of one overlay frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dicomforge import kernels
from dicomforge.errors import InputError, UnsupportedError

__all__ = [
    "OVERLAY_GROUPS",
    "OverlayPlane",
    "read_overlays",
]

#: The 16 repeating groups an overlay may use: even groups 6000-601E (PS3.5 7.6).
OVERLAY_GROUPS = tuple(range(0x6000, 0x6020, 2))

_ROWS, _COLUMNS, _FRAMES, _DESCRIPTION, _TYPE = 0x0010, 0x0011, 0x0015, 0x0022, 0x0040
_ORIGIN, _FRAME_ORIGIN, _BITS_ALLOCATED, _BIT_POSITION = 0x0050, 0x0051, 0x0100, 0x0102
_LABEL, _DATA = 0x1500, 0x3000


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
    """
    planes = []
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
                data=bytes(_value(ds, group, _DATA, b"")),
            )
        )
    return planes
