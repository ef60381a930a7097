"""One frame's codestream out of encapsulated Pixel Data (PS3.5 A.4): pydicom finds it
(by the Basic or Extended Offset Table, or one fragment a frame); damaged encapsulation
becomes an :class:`InputError` in words."""

from __future__ import annotations

from dicomforge.errors import InputError, plain_reason

__all__ = ["frame_fragment"]


def frame_fragment(ds, frame: int, frames: int) -> bytes:
    """The codestream of frame *frame* (0-based) of *ds*'s *frames*."""
    from pydicom.encaps import get_frame

    data = ds.PixelData
    if not data:
        raise InputError("encapsulated Pixel Data is empty")
    extended = ds.get("ExtendedOffsetTable")
    table = (extended, ds.get("ExtendedOffsetTableLengths")) if extended else None
    try:
        return get_frame(data, frame, extended_offsets=table, number_of_frames=frames)
    except Exception as exc:  # pydicom reports damaged encapsulation in several ways
        raise InputError(f"encapsulated Pixel Data is damaged: frame {frame} cannot be found ({plain_reason(exc)})") from None
