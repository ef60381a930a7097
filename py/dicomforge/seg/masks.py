"""Which pixels of each source frame belong to each segment: from a label map on the sources' grid
(matched by :class:`~dicomforge.overlays.labels.LabelMatcher`, as the overlay job does) or from
masks an editor hands over per SOP Instance UID.

Masks are made frame by frame when the writer asks (:meth:`FrameLabels.mask`), never all at
once: a 512x512x300 map with 5 labels would be 400 MB of masks.

Editor masks (the ``masks`` option): SOP Instance UID -> ``rows*columns*frames`` bytes of
label values (0 = background, n = label n), or a list of such byte strings, one binary mask
(nonzero = set) per segment.
"""

from __future__ import annotations

from dataclasses import dataclass

from dicomforge import kernels
from dicomforge.kernels.common import dtype_bytes
from dicomforge.errors import InputError, OptionsError
from dicomforge.overlays.labels import LabelMatcher, label_text
from dicomforge.volume import Volume

from .codes import cielab_of, segment_codes
from .options import MAX_SEGMENTS
from .sources import FrameScan, Sources

__all__ = ["Segment", "FrameLabels", "from_label_map", "from_masks"]


@dataclass
class Segment:
    """One segment: its number, the label value it comes from, and what it is."""

    number: int
    value: object
    label: str
    category: tuple
    type: tuple
    cielab: list


def _segments(values: list, names) -> list[Segment]:
    """One segment per label value; *names*: label value (or its text) -> name, or a list of
    names in the order of *values*."""
    if len(values) > MAX_SEGMENTS:
        raise InputError(f"{len(values)} labels: a Segmentation holds at most {MAX_SEGMENTS} segments")
    if isinstance(names, (list, tuple)):
        names = dict(zip(values, names))
    out = []
    for i, value in enumerate(values):
        name = str(names.get(value, names.get(label_text(value), f"Segment {label_text(value)}")))[:64]
        category, kind, rgb = segment_codes(name, i)
        out.append(Segment(i + 1, value, name, category, kind, cielab_of(rgb)))
    return out


class FrameLabels:
    """Masks of each segment on each source frame (by index in ``Sources.frames``)."""

    def __init__(self, segments: list[Segment], sources: Sources, warnings: list[str]) -> None:
        self.segments, self.sources, self.warnings = segments, sources, warnings
        self.pixels = sources.frames[0].rows * sources.frames[0].columns

    def values(self, i: int):
        """``(label values, dtype)`` of frame *i*, or None when nothing is drawn on it."""
        raise NotImplementedError

    def mask(self, i: int, segment: Segment):
        """One byte per pixel of frame *i* (nonzero = in *segment*), or None when none is."""
        return self._where(kernels.equal_mask, i, segment)

    def packed(self, i: int, segment: Segment):
        """Frame *i*'s pixels in *segment*, one bit each (pixel 0 in bit 0), or None when none is."""
        return self._where(kernels.equal_bits, i, segment)

    def _where(self, kernel, i: int, segment: Segment):
        """``kernel(values, dtype, segment value)`` on frame *i*, or None when the segment's
        value is not on it or the result is all zeros."""
        found = self.values(i)
        if found is None or not self._present(i, *found, segment.value):
            return None
        out = kernel(found[0], found[1], segment.value)
        return None if kernels.all_zero(out) else out

    def value_table(self) -> bytes | None:
        """translate table from one-byte label values to segment numbers (others to 0), or None
        when the labels are not one-byte values (or are binary masks)."""
        return None

    def _present(self, i: int, data, dtype: str, value) -> bool:
        """Whether *value* may be in frame *i* (one-byte labels: whether it is). Each frame is looked
        at once, whatever the order frames are asked in: its labelled pixels (most frames of a
        label map hold few labels or none) are searched for every segment's value."""
        seen = self.__dict__.setdefault("_seen", {})
        if i not in seen:
            if kernels.all_zero(data):
                seen[i] = frozenset()
            elif kernels.itemsize(dtype) != 1:
                seen[i] = None  # (any value may be there)
            else:
                labelled = bytes(data).translate(None, b"\x00")
                seen[i] = frozenset(s.value for s in self.segments
                                    if (dtype_bytes(s.value, dtype) or b"\x00") in labelled)
        return seen[i] is None or value in seen[i]


class _LabelMapFrames(FrameLabels):
    def __init__(self, segments, sources, warnings, volume: Volume, slices: list) -> None:
        super().__init__(segments, sources, warnings)
        self.volume, self.slices = volume, slices

    def values(self, i: int):
        return self.volume.slice_data(self.slices[i]), self.volume.dtype

    def value_table(self) -> bytes | None:
        return _table(self.segments, self.volume.dtype)


def _table(segments: list, dtype: str) -> bytes | None:
    if kernels.itemsize(dtype) != 1 or segments[-1].number > 255:
        return None
    table = bytearray(256)
    for segment in segments:
        table[dtype_bytes(segment.value, dtype)[0]] = segment.number
    return bytes(table)


def _check_labels(present: list, labels, source: str) -> list:
    nonzero = [v for v in present if v != 0]
    if not labels:
        if not nonzero:
            raise InputError(f"{source} has no nonzero values: nothing to segment")
        return nonzero
    missing = [v for v in labels if v not in present]
    if missing:
        raise OptionsError(f"label(s) {', '.join(map(label_text, missing))} are not in {source} "
                           f"(labels present: {', '.join(map(label_text, nonzero)) or 'none'})")
    others = [v for v in nonzero if v not in labels]
    if others:
        raise InputError(f"{source} holds label(s) {', '.join(map(label_text, others[:10]))} that are not among the "
                         f"labels chosen ({', '.join(map(label_text, labels))}): choose every label, or none for all")
    return list(labels)


def from_label_map(volume: Volume, sources: Sources, labels=None, names=None) -> FrameLabels:
    """The masks of *volume*'s labels on each source frame, matched by geometry."""
    volume.validate()
    if volume.components != 1 or volume.dtype.startswith("float"):
        raise InputError(f"a label map must hold one whole number per voxel, not {volume.dtype} x{volume.components}",
                         volume.name or None)
    chosen = _check_labels(volume.distinct_values(), labels, volume.name or "the label map")
    matcher = LabelMatcher(volume, chosen)
    scans = [FrameScan(f) for f in sources.frames]
    warnings = matcher.place(scans)
    slices = [matcher.slice_index(s) for s in scans]  # a frame on no slice: a GeometryError naming it
    return _LabelMapFrames(_segments(chosen, names or {}), sources, warnings, volume, slices)


class _EditorFrames(FrameLabels):
    def __init__(self, segments, sources, given: dict, binary: bool) -> None:
        super().__init__(segments, sources, [])
        self.given, self.binary = given, binary

    def _slice(self, data, i: int):
        frame = self.sources.frames[i].frame
        start = ((frame or 1) - 1) * self.pixels
        return memoryview(data)[start : start + self.pixels]

    def values(self, i: int):
        data = self.given.get(self.sources.frames[i].sop_uid)
        return None if data is None else (self._slice(data, i), "uint8")

    def value_table(self) -> bytes | None:
        return None if self.binary else _table(self.segments, "uint8")

    def mask(self, i: int, segment: Segment):
        if not self.binary:
            return super().mask(i, segment)
        masks = self.given.get(self.sources.frames[i].sop_uid)
        if masks is None or segment.number > len(masks):
            return None
        mask = self._slice(masks[segment.number - 1], i)
        return None if kernels.all_zero(mask) else mask

    def packed(self, i: int, segment: Segment):
        if not self.binary:
            return super().packed(i, segment)
        mask = self.mask(i, segment)
        return None if mask is None else kernels.pack_bits(mask)[: (self.pixels + 7) // 8]


def from_masks(masks: dict, sources: Sources, labels=None, names=None) -> FrameLabels:
    """Segments from editor masks (see the module's docstring), checked against the sources."""
    if not isinstance(masks, dict) or not masks:
        raise OptionsError("masks must map SOP Instance UIDs to mask bytes (or lists of them)")
    frames_of = {}
    for f in sources.frames:
        frames_of[f.sop_uid] = frames_of.get(f.sop_uid, 0) + 1
    unknown = [uid for uid in masks if uid not in frames_of]
    for uid, given in masks.items():
        parts = given if isinstance(given, (list, tuple)) else [given]
        if not parts or not all(isinstance(m, (bytes, bytearray, memoryview)) for m in parts):
            raise OptionsError(f"the mask for {uid} must be bytes (label values per pixel) or a non-empty list of "
                               f"bytes (binary masks), got {type(given).__name__}")
    if len({isinstance(m, (list, tuple)) for m in masks.values()}) > 1:
        raise OptionsError("masks: give label values (bytes) for every image, or lists of binary masks for every image")
    if unknown:
        raise InputError(f"masks were given for {len(unknown)} SOP Instance UID(s) that are not among the source "
                         f"images: {', '.join(map(str, unknown[:3]))}")
    pixels = sources.frames[0].rows * sources.frames[0].columns
    binary = any(isinstance(m, (list, tuple)) for m in masks.values())
    for uid, given in masks.items():
        for mask in given if binary else [given]:
            if len(mask) != pixels * frames_of[uid]:
                raise InputError(f"the mask for {uid} has {len(mask)} bytes, its image needs {pixels * frames_of[uid]} "
                                 f"(rows x columns x frames)")
    if binary:
        count = max(len(m) for m in masks.values())
        values = list(range(1, count + 1))
    else:
        present = sorted({v for m in masks.values() for v in kernels.distinct_values(m, "uint8")})
        values = _check_labels(present, labels, "the masks")
    return _EditorFrames(_segments(values, names or {}), sources, masks, binary)
