"""A DICOM Segmentation in: its segments, each frame's mask, and a label map on its images' grid.

Reads BINARY and LABELMAP Segmentations (ours, highdicom's, dcmqi's; FRACTIONAL ones are
thresholded at half their maximum). Each frame knows the segment it shows (Segment
Identification, or the pixel values of a LABELMAP), the source image (and frame) it derives
from and its Image Position. :func:`label_volume` stacks the frames into a label map (voxel =
segment number) on the grid of the source images when they are among the inputs, else on the
grid the frames' positions span (Spacing Between Slices, or the smallest gap, apart).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pydicom

from dicomforge import kernels
from dicomforge.errors import GeometryError, InputError, UnsupportedError, malformed_input
from dicomforge.geometry import dot, frame_from_columns, normal
from dicomforge.inputs import NamedInput
from dicomforge.volume import Volume

from .codes import rgb_of

__all__ = ["SegInfo", "read_segmentation", "label_volume", "segment_planes", "PLANE_BASE"]

#: Segment n's plane in the viewer goes by the number PLANE_BASE + n (overlay groups are 0x60xx).
PLANE_BASE = 0x10000


@dataclass
class SegInfo:
    """What a Segmentation holds: ``segments`` ({number, label, category, type, color}), its
    ``frames`` ((segment or None, source SOP UID, source frame, position) each), and geometry."""

    name: str
    type: str
    rows: int
    columns: int
    segments: list
    frames: list
    orientation: tuple | None
    spacing: tuple | None
    spacing_between: float | None
    series_uid: str
    pixels: bytes = field(repr=False, default=b"")
    bits: int = 1
    maximum: int = 1

    def mask(self, k: int) -> bytes:
        """Frame *k* as one byte per pixel: 0/1 (BINARY, FRACTIONAL), segment numbers (LABELMAP)."""
        count = self.rows * self.columns
        if self.bits == 1:
            start = k * count
            first = start // 8
            raw = kernels.unpack_bits(self.pixels[first : (start + count + 7) // 8 + 1], count + start % 8)
            return raw[start % 8 :]
        if self.bits == 16:
            raise UnsupportedError("16-bit Segmentation frames (more than 255 segments) are not supported", self.name)
        data = self.pixels[k * count : (k + 1) * count]
        if self.type == "FRACTIONAL":  # (in the segment where at least half)
            return data.translate(bytes(1 if 2 * b >= self.maximum else 0 for b in range(256)))
        return data


def _code(item, keyword: str) -> list:
    seq = item.get(keyword)
    if not seq:
        return ["", "", ""]
    return [str(seq[0].get("CodeValue", "")), str(seq[0].get("CodingSchemeDesignator", "")),
            str(seq[0].get("CodeMeaning", ""))]


def _floats(value, n):
    try:
        found = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return found if len(found) == n else None


def _first(group, sequence: str, keyword: str):
    seq = group.get(sequence) if group is not None else None
    return seq[0].get(keyword) if seq else None


def read_segmentation(item: NamedInput) -> SegInfo:
    """The Segmentation *item* (kept with the input: the viewer asks once per image)."""
    remembered = item.memo.get("segmentation")
    if remembered is not None:
        return remembered
    with malformed_input(item.name, "Segmentation"):
        try:
            ds = pydicom.dcmread(io.BytesIO(item.data))
        except Exception as exc:  # pydicom raises many types for damaged files
            raise InputError(f"is not a readable DICOM file ({type(exc).__name__})", item.name) from None
        info = _info(ds, item.name)
    item.memo["segmentation"] = info
    return info


def _info(ds, name: str) -> SegInfo:
    kind = str(ds.get("SegmentationType", ""))
    if kind not in ("BINARY", "LABELMAP", "FRACTIONAL"):
        raise UnsupportedError(f"Segmentation Type {kind!r} is not supported (BINARY, LABELMAP, FRACTIONAL)", name)
    if "PixelData" not in ds:
        raise InputError("the Segmentation has no Pixel Data", name)
    rows, columns, count = int(ds.Rows), int(ds.Columns), int(ds.get("NumberOfFrames", 1) or 1)
    bits = int(ds.BitsAllocated)
    if bits not in (1, 8, 16):
        raise UnsupportedError(f"Bits Allocated {bits} is not supported in a Segmentation", name)
    expected = (rows * columns * count * bits + 7) // 8
    if len(ds.PixelData) < expected:
        raise InputError(f"Pixel Data has {len(ds.PixelData)} bytes, {count} frames of {columns}x{rows} need {expected}",
                         name)
    segments = []
    for s in ds.get("SegmentSequence") or []:
        if s.get("SegmentNumber") is None:
            raise InputError("a Segment Sequence item has no Segment Number", name)
        number = int(s.SegmentNumber)
        if number == 0:
            continue  # (a label map's background)
        lab = s.get("RecommendedDisplayCIELabValue")
        segments.append({"number": number, "label": str(s.get("SegmentLabel", f"Segment {number}")),
                         "category": _code(s, "SegmentedPropertyCategoryCodeSequence"),
                         "type": _code(s, "SegmentedPropertyTypeCodeSequence"),
                         "color": list(rgb_of(lab)) if lab and len(lab) == 3 else None})
    shared = (ds.get("SharedFunctionalGroupsSequence") or [None])[0]
    per_frame = ds.get("PerFrameFunctionalGroupsSequence") or []
    if len(per_frame) != count:
        raise InputError(f"{len(per_frame)} Per-frame Functional Groups items for {count} frames", name)
    frames = []
    for group in per_frame:
        segment = _first(group, "SegmentIdentificationSequence", "ReferencedSegmentNumber")
        if segment is None:
            segment = _first(shared, "SegmentIdentificationSequence", "ReferencedSegmentNumber")
        derivation = group.get("DerivationImageSequence")
        source = derivation[0].get("SourceImageSequence") if derivation else None
        reference = source[0] if source else None
        position = _first(group, "PlanePositionSequence", "ImagePositionPatient")
        frames.append((int(segment) if segment is not None else None,
                       str(reference.get("ReferencedSOPInstanceUID", "")) if reference is not None else "",
                       int(reference.get("ReferencedFrameNumber", 0) or 0) if reference is not None else 0,
                       _floats(position, 3) if position is not None else None))
    if kind != "LABELMAP" and any(f[0] is None for f in frames):
        raise InputError("a frame does not say which segment it shows (Segment Identification Sequence)", name)
    orientation = _first(shared, "PlaneOrientationSequence", "ImageOrientationPatient")
    spacing = _first(shared, "PixelMeasuresSequence", "PixelSpacing")
    between = _first(shared, "PixelMeasuresSequence", "SpacingBetweenSlices")
    referenced = ds.get("ReferencedSeriesSequence")
    return SegInfo(name, kind, rows, columns, segments, frames,
                   _floats(orientation, 6) if orientation is not None else None,
                   _floats(spacing, 2) if spacing is not None else None,
                   float(between) if between not in (None, "") else None,
                   str(referenced[0].get("SeriesInstanceUID", "")) if referenced else "",
                   bytes(ds.PixelData), bits, int(ds.get("MaximumFractionalValue", 1) or 1))


def _grid(info: SegInfo, partners: dict) -> tuple[list, tuple]:
    """``(slice positions along the normal order, axis)``: the source images' among *partners*
    when they are there, else the span of the frames' positions."""
    from .sources import read_sources

    row, col = info.orientation[:3], info.orientation[3:]
    axis = normal(row, col)
    referenced = {uid for _, uid, _, _ in info.frames}
    sources = [p for p in partners.values() if bytes(p.data[128:132]) == b"DICM" and p.name != info.name]
    positions = []
    if sources:
        try:
            found = read_sources([s.complete() for s in sources if _is_image(s)])
            if found.series_uid == info.series_uid or referenced & {f.sop_uid for f in found.frames}:
                positions = [f.position for f in found.frames if f.position is not None]
        except (InputError, UnsupportedError):
            positions = []
    if not positions:
        positions = [p for _, _, _, p in info.frames if p is not None]
    depths = sorted({round(dot(p, axis), 4): p for p in positions}.items())
    if len(depths) > 1 and not sources:
        gaps = [b[0] - a[0] for a, b in zip(depths, depths[1:])]
        step = info.spacing_between or min(gaps)
        count = round((depths[-1][0] - depths[0][0]) / step) + 1
        first = depths[0][1]
        return [tuple(c + k * step * a for c, a in zip(first, axis)) for k in range(count)], axis
    return [p for _, p in depths], axis


def _is_image(item: NamedInput) -> bool:
    from dicomforge.dicom.scan import sop_class_of
    from dicomforge.dicom.uids import SEGMENTATION_CLASSES

    return sop_class_of(item) not in SEGMENTATION_CLASSES


def label_volume(item: NamedInput, partners: dict | None = None, header_only: bool = False) -> Volume:
    """The Segmentation *item* as a label map (uint8: the segment numbers; at most 255 segments)."""
    info = read_segmentation(item)
    numbers = [s["number"] for s in info.segments] or [1]
    if max(numbers) > 255:
        raise UnsupportedError(f"{max(numbers)} segments cannot be stacked into one 8-bit label map here", item.name)
    dtype = "uint8"
    if info.orientation is None or any(p is None for _, _, _, p in info.frames):
        if len(info.frames) > len(info.segments or [1]) and info.type != "LABELMAP":
            raise UnsupportedError("the Segmentation's frames have no plane positions: it can be shown over its "
                                   "images, not stacked into a volume", item.name)
        slots, axis, spacing = [None], (0.0, 0.0, 1.0), (1.0, 1.0)
        row, col = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0)
    else:
        slots, axis = _grid(info, partners if partners is not None else {})
        row, col = info.orientation[:3], info.orientation[3:]
        spacing = info.spacing or (1.0, 1.0)
    step = dot([b - a for a, b in zip(slots[0], slots[1])], axis) if len(slots) > 1 else (info.spacing_between or 1.0)
    warnings: list = []
    sp, direction = frame_from_columns([[c * spacing[1] for c in row], [c * spacing[0] for c in col],
                                        [c * step for c in axis]], item.name, warnings)
    volume = Volume(None, dtype, (info.columns, info.rows, len(slots)), sp, slots[0] or (0.0, 0.0, 0.0), direction,
                    name=item.name, warnings=warnings)
    volume.segments = info.segments
    if header_only:
        return volume
    volume.data = _stack(info, slots, axis, step, warnings)
    return volume.validate()


def _stack(info: SegInfo, slots: list, axis, step: float, warnings: list) -> bytes:
    pixels = info.rows * info.columns
    base = dot(slots[0], axis) if slots[0] is not None else 0.0
    planes: dict[int, int] = {}
    overlaps = 0
    for k, (segment, _, _, position) in enumerate(info.frames):
        index = 0 if position is None else round((dot(position, axis) - base) / step) if step else 0
        if not 0 <= index < len(slots):
            raise GeometryError(f"frame {k + 1} lies at {dot(position, axis):.6g} mm along the normal, outside the "
                                f"{len(slots)} slices of its images", info.name)
        mask = info.mask(k)
        if info.type == "LABELMAP":
            values = int.from_bytes(mask, "little")
        else:
            values = int.from_bytes(bytes(mask).translate(bytes([0] + [min(segment, 255)] * 255)), "little")
        held = planes.get(index, 0)
        if held and values and (held & int.from_bytes(bytes(mask).translate(bytes([0] + [255] * 255)), "little")):
            overlaps += 1
        planes[index] = held | values if not held else _overwrite(held, values, mask, pixels)
    if overlaps:
        warnings.append(f"segments overlap in {overlaps} frame(s): a voxel shows the last segment drawn on it")
    out = bytearray(pixels * len(slots))
    for index, values in planes.items():
        out[index * pixels : (index + 1) * pixels] = values.to_bytes(pixels, "little")
    return bytes(out)


def _overwrite(held: int, values: int, mask, pixels: int) -> int:
    """*held* with the voxels of *mask* replaced by *values* (one byte each)."""
    keep = int.from_bytes(bytes(mask).translate(bytes([255] + [0] * 255)), "little")
    return (held & keep) | values


def segment_planes(info: SegInfo, sop_uid: str, frame: int) -> list[dict]:
    """The segments drawn on frame *frame* (1-based; 0 or 1 for single-frame images) of image
    *sop_uid*, as the viewer's overlay planes: ``group`` (:data:`PLANE_BASE` + segment number),
    ``label``, ``color`` (RGB), ``bits`` (one byte 0/1 per pixel). Every segment is listed,
    empty on this image or not, so that the toggles stay the same from image to image."""
    planes = {}
    for k, (segment, uid, number, _) in enumerate(info.frames):
        if uid != sop_uid or (number or 1) != (frame or 1):
            continue
        mask = info.mask(k)
        found = [(segment, mask)] if info.type != "LABELMAP" else [
            (s["number"], kernels.equal_mask(mask, "uint8", s["number"])) for s in info.segments]
        for number_, bits in found:
            held = planes.get(number_)
            planes[number_] = bits if held is None else bytes(a | b for a, b in zip(held, bits))
    blank = bytes(info.rows * info.columns)
    return [{"group": PLANE_BASE + s["number"], "label": s["label"], "description": f"segment {s['number']} of {info.name}",
             "type": "SEG", "color": list(s["color"] or (255, 128, 0)), "bits": planes.get(s["number"], blank)}
            for s in info.segments]
