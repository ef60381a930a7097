"""Volume + SeriesOptions -> one DICOM Part 10 file per slice, produced lazily.

The per-series elements are encoded once, with pydicom, into byte segments; each slice
then encodes only what differs (SOP Instance UID in the file meta and the dataset,
Instance Number, Image Position (Patient), Slice Location, the Pixel Data header) and
joins the segments in ascending tag order. The result is byte for byte what
:func:`pydicom.dcmwrite` writes for the same dataset (``tests/py/series`` proves it with
:meth:`SeriesPlan.dataset`). A left-handed volume (direction[2] opposite to row x column)
is written with its slices in reverse order, so that Instance Number always grows along
the normal a viewer computes from Image Orientation (Patient).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Callable, Iterator

from pydicom.charset import convert_encodings
from pydicom.dataset import Dataset

from dicomforge import kernels
from dicomforge.dicom import tags
from dicomforge.dicom.encode import element, pad
from dicomforge.dicom.uids import is_uid, new_uid
from dicomforge.geometry import dot, normal
from dicomforge.volume import Volume

from .options import SeriesOptions
from .pixels import SECONDARY_CAPTURE, SOP_CLASSES, PixelPlan, plan_pixels
from .source import copied_values, reference_values, source_modality
from .template import FileMetaEncoder, copy_dataset, encode_elements, file_meta, geometry_ds, template

__all__ = ["SeriesPlan", "plan_series", "write_series"]

_SLICE_LOCATION = 0x00201041
# Elements that differ from slice to slice, in tag order.
_PER_SLICE = (tags.SOP_INSTANCE_UID, tags.INSTANCE_NUMBER, tags.IMAGE_POSITION_PATIENT, _SLICE_LOCATION, tags.PIXEL_DATA)


def _text(value: str) -> bytes:
    return pad(value.encode("ascii"), b"IS")


@dataclass
class SeriesPlan:
    """Everything decided about a series before its first file: see :func:`plan_series`.

    Attributes
    ----------
    count : int
        Number of files.
    warnings : list of str
        What the user should know (lossy conversion with its maximum error, ...).
    max_error : float
        Largest difference between a voxel and its value read back (0 when lossless).
    study_uid, series_uid, frame_of_reference_uid : str
        Shared by every file.
    """

    volume: Volume
    options: SeriesOptions
    sop_class: str
    order: list[int]
    pixels: PixelPlan
    template: Dataset
    study_uid: str
    series_uid: str
    frame_of_reference_uid: str
    normal: tuple[float, float, float]
    warnings: list[str] = field(default_factory=list)
    _segments: list = field(default_factory=list, repr=False)
    _meta: object = field(default=None, repr=False)

    @property
    def count(self) -> int:
        return len(self.order)

    @property
    def max_error(self) -> float:
        return self.pixels.max_error

    def file_name(self, index: int) -> str:
        return self.options.file_pattern % (self.options.instance_start + index)

    # -- per slice -------------------------------------------------------------------------

    def _slice_values(self, index: int, sop_uid: str) -> dict:
        k = self.order[index]
        position = self.volume.position(k)
        return {
            tags.SOP_INSTANCE_UID: sop_uid,
            tags.INSTANCE_NUMBER: self.options.instance_start + index,
            tags.IMAGE_POSITION_PATIENT: [geometry_ds(v) for v in position],
            _SLICE_LOCATION: geometry_ds(dot(position, self.normal)),
            tags.PIXEL_DATA: self._pixel_data(k),
        }

    def _pixel_data(self, k: int):
        data = self.volume.slice_data(k)
        if self.pixels.convert is not None:
            data = kernels.rescale_to_int16(data, self.volume.dtype, *self.pixels.convert)
        return data

    def _new_uid(self) -> str:
        return new_uid(self.options.uid_prefix)

    def dataset(self, index: int, sop_uid: str | None = None) -> Dataset:
        """File *index* as a pydicom Dataset (with file meta): the slow reference path."""
        ds = copy_dataset(self.template)
        values = self._slice_values(index, sop_uid or self._new_uid())
        for tag, value in values.items():
            if tag == tags.PIXEL_DATA:
                value = bytes(value)
            ds[tag].value = value
        ds.file_meta = file_meta(self.sop_class, values[tags.SOP_INSTANCE_UID])
        return ds

    def encode(self, index: int, sop_uid: str | None = None) -> bytes:
        """File *index* as Part 10 bytes, from the segments encoded once."""
        values = self._slice_values(index, sop_uid or self._new_uid())
        uid = pad(values[tags.SOP_INSTANCE_UID].encode("ascii"), b"UI")
        parts = [self._meta(values[tags.SOP_INSTANCE_UID])]
        for static, tag in self._segments:
            parts.append(static)
            if tag == tags.SOP_INSTANCE_UID:
                parts.append(element(tag, b"UI", uid))
            elif tag == tags.INSTANCE_NUMBER:
                parts.append(element(tag, b"IS", _text(str(values[tag]))))
            elif tag == tags.IMAGE_POSITION_PATIENT:
                parts.append(element(tag, b"DS", _text("\\".join(values[tag]))))
            elif tag == _SLICE_LOCATION:
                parts.append(element(tag, b"DS", _text(values[tag])))
            elif tag == tags.PIXEL_DATA:
                pixels = values[tag]
                odd = len(pixels) % 2
                vr = b"OB" if self.pixels.stored in ("uint8", "int8", "rgb") else b"OW"
                parts.append(
                    struct.pack("<HH2sHI", 0x7FE0, 0x0010, vr, 0, len(pixels) + odd)
                )
                parts.append(pixels)
                if odd:
                    parts.append(b"\x00")
        return b"".join(parts)

    def files(self, progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[str, bytes]]:
        """Yield ``(file name, Part 10 bytes)`` per slice, in Instance Number order.

        *progress*, when given, is called as ``progress(done, total)`` before each file
        is yielded; it may raise :class:`~dicomforge.errors.Cancelled` to stop.
        """
        total = self.count
        for index in range(total):
            data = self.encode(index)
            if progress is not None:
                progress(index + 1, total)
            yield self.file_name(index), data



# -- the plan --------------------------------------------------------------------------------


def plan_series(volume: Volume, options: SeriesOptions | None = None) -> SeriesPlan:
    """Check *volume* and *options*, decide everything and encode the shared elements.

    Raises
    ------
    GeometryError, InputError
        Sheared or NaN geometry, wrong buffer size, NaN or infinite voxels.
    UnsupportedError
        Multi-component voxels other than RGB uint8.
    OptionsError
        An option out of range (every problem named in one message).
    """
    options = options or SeriesOptions()
    volume.validate()
    nx, ny, nz = volume.size
    source = volume.dicom_header if options.from_source else None
    modality = options.checked(nz, source_modality(source))
    pixels = plan_pixels(volume, modality)
    sop_class, _ = SOP_CLASSES.get(modality, SECONDARY_CAPTURE)

    row, col, slice_axis = volume.direction
    slice_normal = normal(row, col)
    right_handed = dot(slice_normal, slice_axis) > 0
    order = list(range(nz)) if right_handed else list(range(nz - 1, -1, -1))

    prefix = options.uid_prefix
    reference = options.reference if options.reference is not None else source
    study_uid = options.study_instance_uid or _uid(reference, "StudyInstanceUID") or new_uid(prefix)
    # the same voxels on the same grid: the source's frame of reference still holds
    series_uid, for_uid = new_uid(prefix), _uid(source, "FrameOfReferenceUID") or new_uid(prefix)

    copied, malformed = reference_values(reference) if reference is not None else ({}, [])
    acquired, bad = copied_values(source, modality) if source is not None else ({}, [])
    ds = template(volume, options, modality, pixels, study_uid, series_uid, for_uid, sop_class, copied, acquired)
    plan = SeriesPlan(
        volume, options, sop_class, order, pixels, ds, study_uid, series_uid, for_uid, slice_normal
    )
    if malformed or bad:
        plan.warnings.append(f"not copied from {'the source series' if reference is source else 'the reference'}, "
                             f"as the values there are malformed: {', '.join(malformed + bad)}")
    if pixels.max_error:
        plan.warnings.append(
            f"{volume.dtype} voxels stored as 16-bit integers with Rescale Slope/Intercept: "
            f"values read back differ by at most {pixels.max_error:.6g}"
        )
    if not right_handed:
        plan.warnings.append(
            "the volume is left-handed: slices are numbered in reverse so that Instance "
            "Number grows along the normal of Image Orientation (Patient)"
        )
    plan._segments = _encode_segments(ds)
    plan._meta = FileMetaEncoder(sop_class)
    return plan


def _uid(ds, keyword: str) -> str:
    """*ds*'s UID *keyword* when it has a valid one, else ""."""
    try:
        value = str(ds.get(keyword, "") or "").strip() if ds is not None else ""
    except Exception:  # a malformed value: as if there were none
        return ""
    return value if is_uid(value) else ""


def write_series(
    volume: Volume,
    options: SeriesOptions | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    warnings: list | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(file name, Part 10 bytes)`` for each slice of *volume*, one at a time.

    Everything is checked before the first file (see :func:`plan_series`); the plan's
    warnings (maximum reconstruction error of a lossy conversion, ...) are appended to
    *warnings* when a list is given.
    """
    plan = plan_series(volume, options)
    if warnings is not None:
        warnings.extend(plan.warnings)
    return plan.files(progress)



def _encode_segments(ds: Dataset) -> list:
    """Encode the shared elements once: ``[(bytes before per-slice tag, tag), ...]``."""
    encodings = convert_encodings(ds.get("SpecificCharacterSet"))

    def encode(elements) -> bytes:
        return encode_elements(elements, encodings)

    segments: list = []
    run = []
    for elem in ds:
        if elem.tag in _PER_SLICE:
            segments.append((encode(run), int(elem.tag)))
            run = []
        else:
            run.append(elem)
    if run:  # nothing comes after Pixel Data today, but keep anything that might
        segments.append((encode(run), None))
    return segments
