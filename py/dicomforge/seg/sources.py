"""The images a segmentation was drawn on: one :class:`SourceFrame` per source frame, checked.

Sources are single-frame images of one series (CT, MR, PET...), the frames of a multi-frame
image (Enhanced and Legacy Converted objects give each frame its own Plane Position), or
single 2D images without patient geometry (US, XC, CR), whose segmentation carries no plane
positions. Every source frame of one Segmentation has the same Rows/Columns and comes from one
series; a source that has patient geometry (Image Position/Orientation) but no Frame of
Reference is refused (its frames could not be placed).

:class:`FrameScan` gives one frame the face of :class:`~dicomforge.dicom.scan.DicomScan` that
:class:`~dicomforge.overlays.labels.LabelMatcher` reads, so label maps are matched to source
frames exactly as the overlay job matches them to files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pydicom

from dicomforge.dicom import tags
from dicomforge.dicom.encode import format_ds
from dicomforge.dicom.uids import SEGMENTATION_CLASSES
from dicomforge.errors import InputError, UnsupportedError, malformed_input
from dicomforge.inputs import NamedInput

__all__ = ["SourceFrame", "Sources", "read_sources", "FrameScan"]

_SLICE_THICKNESS, _FRAME_OF_REFERENCE, _SHARED_GROUPS = 0x00180050, 0x00200052, 0x52009229


@dataclass
class SourceFrame:
    """One frame of a source image. *frame* is its 1-based number in a multi-frame image (None
    for single-frame images); *position*, *orientation*, *spacing* are None without geometry."""

    name: str
    sop_class: str
    sop_uid: str
    frame: int | None
    rows: int
    columns: int
    position: tuple | None
    orientation: tuple | None
    spacing: tuple | None
    thickness: float | None
    instance_number: int | None

    @property
    def key(self) -> str:
        return self.sop_uid if self.frame is None else f"{self.sop_uid}#{self.frame}"


@dataclass
class Sources:
    """The checked source frames of one Segmentation, and the first source's header."""

    frames: list
    header: object  # pydicom Dataset (no Pixel Data)
    series_uid: str
    frame_of_reference: str | None

    @property
    def has_geometry(self) -> bool:
        return self.frames[0].position is not None


def _floats(value, count: int):
    try:
        numbers = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return numbers if len(numbers) == count else None


def _item(ds, sequence: str, inner: str):
    """``ds.<sequence>[0].<inner>``, or None."""
    seq = ds.get(sequence)
    if not seq:
        return None
    return seq[0].get(inner)


def _frame_geometry(ds, shared, per_frame, k: int):
    """(position, orientation, spacing, thickness) of frame *k* (0-based) of *ds*."""
    groups = [per_frame[k] if per_frame and k < len(per_frame) else None, shared]
    found = {}
    for name, sequence, inner in (("position", "PlanePositionSequence", "ImagePositionPatient"),
                                  ("orientation", "PlaneOrientationSequence", "ImageOrientationPatient"),
                                  ("spacing", "PixelMeasuresSequence", "PixelSpacing"),
                                  ("thickness", "PixelMeasuresSequence", "SliceThickness")):
        for group in groups:
            value = _item(group, sequence, inner) if group is not None else None
            if value is not None:
                found[name] = value
                break
    found.setdefault("position", ds.get("ImagePositionPatient"))
    found.setdefault("orientation", ds.get("ImageOrientationPatient"))
    found.setdefault("spacing", ds.get("PixelSpacing"))
    found.setdefault("thickness", ds.get("SliceThickness"))
    thickness = found["thickness"]
    return (_floats(found["position"], 3) if found["position"] is not None else None,
            _floats(found["orientation"], 6) if found["orientation"] is not None else None,
            _floats(found["spacing"], 2) if found["spacing"] is not None else None,
            float(thickness) if thickness not in (None, "") else None)


def _pydicom_frames(item: NamedInput) -> tuple[dict, list[SourceFrame]]:
    """A multi-frame image's frames (each frame's geometry from its functional groups)."""
    with malformed_input(item.name):
        try:
            ds = pydicom.dcmread(io.BytesIO(item.data), stop_before_pixels=True)
        except Exception as exc:  # pydicom raises many types for damaged files
            raise InputError(f"is not a readable DICOM file ({type(exc).__name__})", item.name) from None
        count = int(ds.get("NumberOfFrames", 1) or 1)
        shared = (ds.get("SharedFunctionalGroupsSequence") or [None])[0]
        per_frame = ds.get("PerFrameFunctionalGroupsSequence")
        frames = []
        for k in range(count):
            position, orientation, spacing, thickness = _frame_geometry(ds, shared, per_frame, k)
            if position is None or orientation is None:
                position = orientation = None
            number = ds.get("InstanceNumber")
            frames.append(SourceFrame(item.name, str(ds.SOPClassUID), str(ds.SOPInstanceUID), k + 1 if count > 1 else None,
                                      int(ds.Rows),
                                      int(ds.Columns), position, orientation, spacing, thickness,
                                      int(number) if number not in (None, "") else None))
        ids = {"series": str(ds.get("SeriesInstanceUID", "")), "frame_of_reference": str(ds.get("FrameOfReferenceUID", "") or "")}
        return ids, frames


def _frames_of(item: NamedInput) -> tuple[dict, list[SourceFrame]]:
    """``({series, frame_of_reference}, frames)`` of source *item*: a single-frame file from its
    header bytes (:func:`~dicomforge.dicom.scan.scan`, no pydicom parse: a 300-file series is
    read in a fraction of the time), a multi-frame one with pydicom (its functional groups)."""
    from dicomforge.dicom.scan import scan, sop_class_of

    if sop_class_of(item) in SEGMENTATION_CLASSES:
        raise UnsupportedError("is a Segmentation itself, not an image a segmentation is drawn on", item.name)
    found = scan(item, header_only=True)
    rows, columns, uid = found.number(tags.ROWS), found.number(tags.COLUMNS), found.text(tags.SOP_INSTANCE_UID)
    if rows is None or columns is None or not uid:
        raise InputError("is not an image (no Rows, Columns or SOP Instance UID)", item.name)
    if found.frames > 1 or found.raw(_SHARED_GROUPS) is not None:  # (geometry in functional groups)
        return _pydicom_frames(item)
    position, orientation = found.numbers(tags.IMAGE_POSITION_PATIENT), found.numbers(tags.IMAGE_ORIENTATION_PATIENT)
    spacing, thickness = found.numbers(tags.PIXEL_SPACING), found.numbers(_SLICE_THICKNESS)
    has_geometry = position is not None and len(position) == 3 and orientation is not None and len(orientation) == 6
    frame = SourceFrame(item.name, found.text(tags.SOP_CLASS_UID) or "", uid, None, rows, columns,
                        tuple(position) if has_geometry else None, tuple(orientation) if has_geometry else None,
                        tuple(spacing) if spacing and len(spacing) == 2 else None,
                        thickness[0] if thickness else None, found.number(tags.INSTANCE_NUMBER, "IS"))
    ids = {"series": found.text(tags.SERIES_INSTANCE_UID) or "", "frame_of_reference": found.text(_FRAME_OF_REFERENCE) or ""}
    return ids, [frame]


def _header(item: NamedInput):
    """The first source's header (patient and study are copied from it)."""
    with malformed_input(item.name):
        try:
            return pydicom.dcmread(io.BytesIO(item.data), stop_before_pixels=True)
        except Exception as exc:  # pydicom raises many types for damaged files
            raise InputError(f"is not a readable DICOM file ({type(exc).__name__})", item.name) from None


def read_sources(items: list[NamedInput]) -> Sources:
    """The source frames of *items* (in input order), checked to make one Segmentation."""
    if not items:
        raise InputError("no source images: give the DICOM images the segmentation was drawn on")
    frames, found = [], []
    for item in items:
        ids, item_frames = _frames_of(item)
        found.append((item.name, ids))
        frames += item_frames
    first_name = found[0][0]
    series = {ids["series"] for _, ids in found}
    if len(series) > 1:
        raise InputError(f"the source images belong to {len(series)} series: a Segmentation is made for the images "
                         "of one series (drop one series at a time)", first_name)
    for f in frames:
        if (f.rows, f.columns) != (frames[0].rows, frames[0].columns):
            raise InputError(f"is {f.columns}x{f.rows} (columns x rows), {frames[0].name} is "
                             f"{frames[0].columns}x{frames[0].rows}: not one series", f.name)
    with_geometry = [f for f in frames if f.position is not None]
    if with_geometry and len(with_geometry) != len(frames):
        lacking = next(f for f in frames if f.position is None)
        raise InputError("has no Image Position/Orientation (Patient) while other sources have them", lacking.name)
    reference = found[0][1]["frame_of_reference"] or None
    if with_geometry:
        for name, ids in found:
            if not ids["frame_of_reference"]:
                raise InputError("has Image Position/Orientation (Patient) but no Frame of Reference UID: its frames "
                                 "cannot be placed in a Segmentation", name)
        if len({ids["frame_of_reference"] for _, ids in found}) > 1:
            raise InputError("the source images have different Frames of Reference", first_name)
        if any(f.spacing is None for f in frames):
            raise InputError("has no Pixel Spacing: a Segmentation with plane positions needs it",
                             next(f for f in frames if f.spacing is None).name)
    return Sources(frames, _header(items[0]), series.pop(), reference if with_geometry else None)


class FrameScan:
    """One source frame as :class:`~dicomforge.overlays.labels.LabelMatcher` reads a file."""

    frames = 1

    def __init__(self, frame: SourceFrame) -> None:
        self.source = frame
        self.name = frame.name if frame.frame is None else f"{frame.name} (frame {frame.frame})"
        self._values = {tags.IMAGE_POSITION_PATIENT: frame.position, tags.IMAGE_ORIENTATION_PATIENT: frame.orientation,
                        tags.PIXEL_SPACING: frame.spacing}

    def raw(self, tag: int):
        value = self._values.get(tag)
        return None if value is None else "\\".join(format_ds(v) for v in value).encode()

    def text(self, tag: int):
        return self.source.key if tag == tags.SOP_INSTANCE_UID else None

    def number(self, tag: int, vr: str = "US"):
        return {tags.ROWS: self.source.rows, tags.COLUMNS: self.source.columns,
                tags.INSTANCE_NUMBER: self.source.instance_number}.get(tag)

    def numbers(self, tag: int):
        value = self._values.get(tag)
        return list(value) if value is not None else None
