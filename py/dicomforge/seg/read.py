"""A DICOM Segmentation in: its segments, each frame's mask, and a label map on its images' grid.

Reads BINARY and LABELMAP Segmentations (ours, highdicom's, dcmqi's; FRACTIONAL ones are
thresholded at half their maximum). Each frame knows the segment it shows (Segment
Identification, or the pixel values of a LABELMAP), the source image (and frame) it derives
from and its Image Position. :func:`label_volume` stacks the frames into a label map (voxel =
segment number) on the grid of the source images when they are among the inputs, else on the
grid the frames' positions span (Spacing Between Slices, or the smallest gap, apart).
"""

from __future__ import annotations

import bisect
import io
import math
from dataclasses import dataclass, field

import pydicom

from dicomforge import kernels
from dicomforge.errors import GeometryError, InputError, UnsupportedError, malformed_input, plain_reason
from dicomforge.geometry import dot, frame_from_columns, normal
from dicomforge.formats._common import check_size
from dicomforge.inputs import NamedInput
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.volume import Volume

from .codes import rgb_of
from .sources import _floats, _item

__all__ = ["SegInfo", "read_segmentation", "label_volume", "segment_planes", "PLANE_BASE"]

#: Segment n's plane in the viewer goes by the number PLANE_BASE + n (overlay groups are 0x60xx).
PLANE_BASE = 0x10000
# translate tables: a mask's set pixels -> 255, and -> 0 with the others -> 255
_SET, _CLEAR = bytes([0] + [255] * 255), bytes([255] + [0] * 255)


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


def _first(group, sequence: str, keyword: str):
    return _item(group, sequence, keyword) if group is not None else None


def read_segmentation(item: NamedInput) -> SegInfo:
    """The Segmentation *item* (kept with the input: the viewer asks once per image)."""
    remembered = item.memo.get("segmentation")
    if remembered is not None:
        return remembered
    with malformed_input(item.name, "Segmentation"):
        try:
            ds = pydicom.dcmread(io.BytesIO(item.data))
        except Exception as exc:  # pydicom raises many types for damaged files
            raise InputError(f"is not a readable DICOM file ({plain_reason(exc)})", item.name) from None
        info = _info(ds, item.name)
    item.memo["segmentation"] = info
    return info


def _info(ds, name: str) -> SegInfo:
    from dicomforge.dicom.codecs import ENCAPSULATED

    syntax = str(getattr(ds, "file_meta", {}).get("TransferSyntaxUID", "") or "")
    if syntax in ENCAPSULATED:
        raise UnsupportedError(f"a Segmentation in {pydicom.uid.UID(syntax).name} is not read here: its frames must "
                               "be uncompressed (Explicit or Implicit VR Little Endian, or Deflated)", name)
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
    first = per_frame[0] if per_frame else None  # (what the shared groups lack, the frames may carry)
    orientation, spacing, between = (
        next((v for v in (_first(shared, sequence, keyword), _first(first, sequence, keyword)) if v is not None), None)
        for sequence, keyword in (("PlaneOrientationSequence", "ImageOrientationPatient"),
                                  ("PixelMeasuresSequence", "PixelSpacing"), ("PixelMeasuresSequence", "SpacingBetweenSlices")))
    referenced = ds.get("ReferencedSeriesSequence")
    return SegInfo(name, kind, rows, columns, segments, frames,
                   _floats(orientation, 6) if orientation is not None else None,
                   _floats(spacing, 2) if spacing is not None else None,
                   float(between) if between not in (None, "") else None,
                   str(referenced[0].get("SeriesInstanceUID", "")) if referenced else "",
                   bytes(ds.PixelData), bits, int(ds.get("MaximumFractionalValue", 1) or 1))


def _referenced_sources(info: SegInfo, partners: dict) -> list:
    """The source images of *info* among *partners*: DICOM images of its referenced series."""
    from dicomforge.dicom import tags
    from dicomforge.dicom.scan import scan, sop_class_of
    from dicomforge.dicom.uids import SEGMENTATION_CLASSES

    found = []
    for p in partners.values():
        if p.name == info.name or bytes(p.data[128:132]) != b"DICM" or sop_class_of(p) in SEGMENTATION_CLASSES:
            continue
        try:
            if scan(p, header_only=True).text(tags.SERIES_INSTANCE_UID) == info.series_uid:
                found.append(p.complete())
        except (InputError, UnsupportedError):
            continue
    return found


def _grid(info: SegInfo, partners: dict, budget: int) -> tuple[list, tuple]:
    """``(slice positions in order along the normal, axis)``: the source images' positions when
    they are among *partners*, else a regular grid spanning the frames' positions (Spacing Between
    Slices apart when it is a usable number, else the smallest gap)."""
    from .sources import read_sources

    row, col = info.orientation[:3], info.orientation[3:]
    axis = normal(row, col)
    positions = []
    sources = _referenced_sources(info, partners)
    if sources:
        try:
            positions = [f.position for f in read_sources(sources).frames if f.position is not None]
        except (InputError, UnsupportedError):
            positions = []
    from_sources = bool(positions)
    if not positions:
        positions = [p for _, _, _, p in info.frames if p is not None]
    depths = sorted({round(dot(p, axis), 4): p for p in positions}.items())
    if len(depths) < 2 or from_sources:
        return [p for _, p in depths], axis
    gaps = [b[0] - a[0] for a, b in zip(depths, depths[1:])]
    between = info.spacing_between
    step = between if between is not None and math.isfinite(between) and between >= min(gaps) * 0.5 else min(gaps)
    count = round((depths[-1][0] - depths[0][0]) / step) + 1
    check_size(info.name, (info.columns, info.rows, count), 1, "uint8", None, budget)
    first = depths[0][1]
    return [tuple(c + k * step * a for c, a in zip(first, axis)) for k in range(count)], axis


def label_volume(item: NamedInput, partners: dict | None = None, header_only: bool = False,
                 budget: int = PLATFORM_MAX_BYTES) -> Volume:
    """The Segmentation *item* as a label map (uint8: the segment numbers; at most 255 segments)."""
    info = read_segmentation(item)
    numbers = [s["number"] for s in info.segments] or [1]
    if max(numbers) > 255:
        raise UnsupportedError(f"{max(numbers)} segments cannot be stacked into one 8-bit label map here", item.name)
    if info.orientation is None or any(p is None for _, _, _, p in info.frames):
        if len(info.frames) > len(info.segments or [1]) and info.type != "LABELMAP":
            raise UnsupportedError("the Segmentation's frames have no plane positions: it can be shown over its "
                                   "images, not stacked into a volume", item.name)
        slots, axis, spacing = [None], (0.0, 0.0, 1.0), info.spacing or (1.0, 1.0)
        row, col = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0)
    else:
        slots, axis = _grid(info, partners if partners is not None else {}, budget)
        row, col = info.orientation[:3], info.orientation[3:]
        spacing = info.spacing or (1.0, 1.0)
    depths = [dot(p, axis) for p in slots] if slots[0] is not None else [0.0]
    gaps = [b - a for a, b in zip(depths, depths[1:])]
    step = sum(gaps) / len(gaps) if gaps else (info.spacing_between or 1.0)
    if not (math.isfinite(step) and step > 0):
        step = 1.0
    warnings: list = []
    sp, direction = frame_from_columns([[c * spacing[1] for c in row], [c * spacing[0] for c in col],
                                        [c * step for c in axis]], item.name, warnings)
    volume = Volume(None, "uint8", (info.columns, info.rows, len(slots)), sp, slots[0] or (0.0, 0.0, 0.0), direction,
                    name=item.name, warnings=warnings)
    volume.segments = info.segments
    check_size(item.name, volume.size, 1, "uint8", None, budget)
    if header_only:
        return volume
    volume.data = _stack(info, depths, axis, warnings)
    return volume.validate()


def _slot(depths: list, depth: float) -> int | None:
    """The index of the slice nearest *depth* (within half the gap around it), or None."""
    at = bisect.bisect_left(depths, depth)
    best = min((i for i in (at - 1, at) if 0 <= i < len(depths)), key=lambda i: abs(depths[i] - depth))
    gaps = [abs(depths[j + 1] - depths[j]) for j in (best - 1, best) if 0 <= j < len(depths) - 1] or [2e-3]
    return best if abs(depths[best] - depth) <= max(0.5 * min(gaps), 1e-3) else None


def _stack(info: SegInfo, depths: list, axis, warnings: list) -> bytes:
    pixels = info.rows * info.columns
    planes: dict[int, int] = {}
    overlaps = 0
    for k, (segment, _, _, position) in enumerate(info.frames):
        index = 0 if position is None else _slot(depths, dot(position, axis))
        if index is None:
            raise GeometryError(f"frame {k + 1} lies at {dot(position, axis):.6g} mm along the normal, on none of the "
                                f"{len(depths)} slices of its images", info.name)
        mask = info.mask(k)
        if info.type == "LABELMAP":
            values = int.from_bytes(mask, "little")
        else:
            values = int.from_bytes(bytes(mask).translate(bytes([0] + [min(segment, 255)] * 255)), "little")
        held = planes.get(index, 0)
        if held and values and (held & int.from_bytes(bytes(mask).translate(_SET), "little")):
            overlaps += 1
        planes[index] = held | values if not held else _overwrite(held, values, mask, pixels)
    if overlaps:
        warnings.append(f"segments overlap in {overlaps} frame(s): a voxel shows the last segment drawn on it")
    out = bytearray(pixels * len(depths))
    for index, values in planes.items():
        out[index * pixels : (index + 1) * pixels] = values.to_bytes(pixels, "little")
    return bytes(out)


def _overwrite(held: int, values: int, mask, pixels: int) -> int:
    """*held* with the voxels of *mask* replaced by *values* (one byte each)."""
    keep = int.from_bytes(bytes(mask).translate(_CLEAR), "little")
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
