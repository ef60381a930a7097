"""Volume + SeriesOptions -> one DICOM Part 10 file per slice, produced lazily.

The per-series elements are encoded once, with pydicom, into byte segments; each
slice then encodes only what differs (SOP Instance UID in the file meta and the
dataset, Instance Number, Image Position (Patient), Slice Location, the Pixel
Data header) and joins the segments in ascending tag order. The result is byte
for byte what :func:`pydicom.dcmwrite` writes for the same dataset
(``tests/py/test_series.py`` proves it with :meth:`SeriesPlan.dataset`).

Decisions, each written where it is implemented:

* SOP class by modality: CT -> CT Image Storage, MR -> MR Image Storage,
  anything else -> Secondary Capture Image Storage (Modality as given, "OT" by
  default), with the Image Plane attributes written too.
* Pixels: 8/16-bit integers are stored as they are (8-bit widened to 16 for CT
  and MR, whose IODs require Bits Allocated 16), signed as their dtype is; their
  window comes from a sample of slices (:func:`_value_range`), and Smallest/Largest
  Image Pixel Value are not written. Other types become int16 with a
  Rescale Slope/Intercept fitted to the range of the whole volume (lossless for
  integers whose range spans at most 65536 values). The rounding is that of
  :func:`dicomforge.kernels.rescale_to_int16` (half to even). NaN or infinite
  voxels are rejected with an InputError before any file is produced.
* A left-handed volume (direction[2] opposite to row x column) is written with
  its slices in reverse order, so that Instance Number always grows along the
  normal a viewer computes from Image Orientation (Patient).
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterator

from pydicom.charset import convert_encodings
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from dicomforge import __version__, kernels
from dicomforge.errors import InputError, OptionsError, UnsupportedError
from dicomforge.volume import Volume

__all__ = [
    "SeriesOptions",
    "SeriesPlan",
    "plan_series",
    "write_series",
    "format_ds",
    "SOP_CLASSES",
]

#: Modality -> (SOP Class UID, name). Anything not listed is Secondary Capture.
SOP_CLASSES = {
    "CT": ("1.2.840.10008.5.1.4.1.1.2", "CT Image Storage"),
    "MR": ("1.2.840.10008.5.1.4.1.1.4", "MR Image Storage"),
}
SECONDARY_CAPTURE = ("1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage")

#: UUID-derived (PS3.5 B.2) Implementation Class UID of dicomforge.
IMPLEMENTATION_CLASS_UID = "2.25.240021473307454419458400779633009377137"
IMPLEMENTATION_VERSION_NAME = ("DICOMFORGE_" + __version__.replace(".", ""))[:16]

_EXPLICIT_LE = str(ExplicitVRLittleEndian)
_UID_RE = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")
_CS_RE = re.compile(r"^[A-Z0-9_ ]{1,16}$")

# Patient and study attributes copied from a reference dataset (PS3.3 C.7.1.1, C.7.2.1, C.7.2.2).
REFERENCE_KEYWORDS = (
    "PatientName",
    "PatientID",
    "IssuerOfPatientID",
    "PatientBirthDate",
    "PatientSex",
    "OtherPatientNames",
    "EthnicGroup",
    "PatientComments",
    "PatientAge",
    "PatientSize",
    "PatientWeight",
    "StudyInstanceUID",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
    "StudyID",
    "AccessionNumber",
    "StudyDescription",
)

# Elements that differ from slice to slice, in tag order.
_PER_SLICE = (0x00080018, 0x00200013, 0x00200032, 0x00201041, 0x7FE00010)


@dataclass
class SeriesOptions:
    """What the user chooses about the series; every field has a usable default.

    Attributes
    ----------
    series_description : str
        (0008,103E) *Series Description*.
    series_number : int
        (0020,0011) *Series Number*.
    modality : str
        "CT" (CT Image Storage), "MR" (MR Image Storage) or anything else (Secondary
        Capture Image Storage with that *Modality*; "OT" by default).
    instance_start : int
        *Instance Number* of the first slice along the normal.
    file_pattern : str
        printf-style file name given the instance number, e.g. ``slice_%04d.dcm``.
    patient_name, patient_id, study_description : str
        Override those of *reference* when not empty.
    study_instance_uid : str
        Join this existing study instead of starting a new one.
    uid_prefix : str
        Root for generated UIDs (ending in "."); ``"2.25."`` + UUID when empty.
    reference : pydicom Dataset or None
        Patient and study attributes are copied from it (:data:`REFERENCE_KEYWORDS`).
    """

    series_description: str = ""
    series_number: int = 1
    modality: str = "OT"
    instance_start: int = 1
    file_pattern: str = "slice_%04d.dcm"
    patient_name: str = ""
    patient_id: str = ""
    study_description: str = ""
    study_instance_uid: str = ""
    uid_prefix: str = ""
    reference: Dataset | None = None


def format_ds(value: float) -> str:
    """*value* as a Decimal String of at most 16 characters (PS3.5 6.2), as exact as fits.

    The shortest round-trip form when it fits, else the most significant digits that
    fit: 16 characters keep at least 10 significant digits, i.e. better than 1e-4 mm
    for any coordinate below 1e6 mm.
    """
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{value} cannot be written as a decimal string")
    if value == 0:
        return "0"
    text = repr(value)
    if text.endswith(".0"):
        text = text[:-2]
    if len(text) <= 16:
        return text
    for digits in range(15, 0, -1):
        text = f"{value:.{digits}g}"
        if len(text) <= 16:
            return text
    raise ValueError(f"{value} cannot be written as a decimal string")  # pragma: no cover


def _geometry_ds(value: float) -> str:
    """A coordinate or cosine, with rounding noise below 1e-10 written as 0."""
    return format_ds(0.0 if abs(value) < 1e-10 else value)


def _cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _dot(a, b) -> float:
    return sum(x * y for x, y in zip(a, b))


def _orientation_label(axis) -> str:
    """PS3.3 C.7.6.1.1.1 letters for an LPS direction, strongest component first."""
    letters = []
    for i in sorted(range(3), key=lambda i: -abs(axis[i])):
        if abs(axis[i]) > 1e-4:
            letters.append("LPH"[i] if axis[i] > 0 else "RAF"[i])
    return "".join(letters)


def _element(tag: int, vr: bytes, value: bytes) -> bytes:
    """One explicit VR little endian element with a 2-byte length (PS3.5 7.1.2)."""
    return struct.pack("<HH2sH", tag >> 16, tag & 0xFFFF, vr, len(value)) + value


def _ui(uid: str) -> bytes:
    raw = uid.encode("ascii")
    return raw + b"\x00" if len(raw) % 2 else raw


def _text(value: str) -> bytes:
    raw = value.encode("ascii")
    return raw + b" " if len(raw) % 2 else raw


@dataclass
class _Pixels:
    """How voxels become Pixel Data."""

    stored: str  # "int16", "uint16", "int8", "uint8" or "rgb"
    convert: tuple | None  # (slope, intercept) for kernels.rescale_to_int16, else None
    rescale: tuple[float, float] | None  # written Rescale Slope / Intercept
    window: tuple[float, float] | None  # (center, width)
    note: str  # Derivation Description
    max_error: float = 0.0


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
    pixels: _Pixels
    template: Dataset
    study_uid: str
    series_uid: str
    frame_of_reference_uid: str
    normal: tuple[float, float, float]
    warnings: list[str] = field(default_factory=list)
    _segments: list = field(default_factory=list, repr=False)

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
            0x00080018: sop_uid,
            0x00200013: self.options.instance_start + index,
            0x00200032: [_geometry_ds(v) for v in position],
            0x00201041: _geometry_ds(_dot(position, self.normal)),
            0x7FE00010: self._pixel_data(k),
        }

    def _pixel_data(self, k: int):
        data = self.volume.slice_data(k)
        if self.pixels.convert is not None:
            data = kernels.rescale_to_int16(data, self.volume.dtype, *self.pixels.convert)
        return data

    def _new_uid(self) -> str:
        return generate_uid(self.options.uid_prefix or None)

    def dataset(self, index: int, sop_uid: str | None = None) -> Dataset:
        """File *index* as a pydicom Dataset (with file meta): the slow reference path."""
        ds = _copy_dataset(self.template)
        values = self._slice_values(index, sop_uid or self._new_uid())
        for tag, value in values.items():
            if tag == 0x7FE00010:
                value = bytes(value)
            ds[tag].value = value
        ds.file_meta = _file_meta(self.sop_class, values[0x00080018])
        return ds

    def encode(self, index: int, sop_uid: str | None = None) -> bytes:
        """File *index* as Part 10 bytes, from the segments encoded once."""
        values = self._slice_values(index, sop_uid or self._new_uid())
        uid = _ui(values[0x00080018])
        meta_tail = self._segments[1]
        meta_uid = _element(0x00020003, b"UI", uid)
        group_length = len(self._segments[0][1]) + len(meta_uid) + len(meta_tail)
        parts = [
            self._segments[0][0],
            _element(0x00020000, b"UL", struct.pack("<I", group_length)),
            self._segments[0][1],
            meta_uid,
            meta_tail,
        ]
        for static, tag in self._segments[2:]:
            parts.append(static)
            if tag == 0x00080018:
                parts.append(_element(tag, b"UI", uid))
            elif tag == 0x00200013:
                parts.append(_element(tag, b"IS", _text(str(values[tag]))))
            elif tag == 0x00200032:
                parts.append(_element(tag, b"DS", _text("\\".join(values[tag]))))
            elif tag == 0x00201041:
                parts.append(_element(tag, b"DS", _text(values[tag])))
            elif tag == 0x7FE00010:
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


def _copy_dataset(ds: Dataset) -> Dataset:
    out = Dataset()
    for elem in ds:
        out.add_new(elem.tag, elem.VR, elem.value)
    return out


def _file_meta(sop_class: str, sop_uid: str) -> FileMetaDataset:
    meta = FileMetaDataset()
    meta.FileMetaInformationVersion = b"\x00\x01"
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = _EXPLICIT_LE
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    return meta


# -- options ---------------------------------------------------------------------------------


def _check_options(options: SeriesOptions, count: int) -> str:
    """Validate *options*; return the modality, upper-cased."""
    problems = []
    modality = (options.modality or "OT").strip().upper()
    if not _CS_RE.match(modality):
        problems.append(f"modality {options.modality!r} must be 1-16 letters, digits or '_'")
    for name, limit in (("series_description", 64), ("study_description", 64), ("patient_id", 64)):
        value = getattr(options, name)
        if len(value) > limit or "\\" in value:
            problems.append(f"{name} must be at most {limit} characters without '\\'")
    if len(options.patient_name) > 64 * 5 or "\\" in options.patient_name:
        problems.append("patient_name is too long or contains '\\'")
    if not isinstance(options.series_number, int) or not 0 <= options.series_number <= 2**31 - 1:
        problems.append(f"series_number must be an integer from 0 to 2147483647, got {options.series_number!r}")
    start = options.instance_start
    if not isinstance(start, int) or start < 0 or start + count - 1 > 2**31 - 1:
        problems.append(f"instance_start must be an integer from 0, got {start!r}")
    uid = options.study_instance_uid
    if uid and (len(uid) > 64 or not _UID_RE.match(uid)):
        problems.append(f"study_instance_uid {uid!r} is not a valid UID (digits and dots, <= 64)")
    prefix = options.uid_prefix
    if prefix and (len(prefix) > 54 or not prefix.endswith(".") or not _UID_RE.match(prefix[:-1])):
        problems.append(f"uid_prefix {prefix!r} must be a UID root ending in '.', <= 54 characters")
    try:
        first, last = options.file_pattern % start, options.file_pattern % (start + 1)
    except (TypeError, ValueError):
        problems.append(f"file_pattern {options.file_pattern!r} needs exactly one integer field like %04d")
    else:
        if first == last:
            problems.append(f"file_pattern {options.file_pattern!r} gives every file the same name")
        elif first.startswith("/") or ".." in first.split("/"):
            problems.append(f"file_pattern {options.file_pattern!r} must give a relative name")
    if problems:
        raise OptionsError("; ".join(problems))
    return modality


# -- pixels ----------------------------------------------------------------------------------


#: 8/16-bit integers are stored as they are, so their range only sets the window:
#: it is taken from at most this many slices spread over the volume.
WINDOW_SAMPLE_SLICES = 12


def _value_range(volume: Volume) -> tuple:
    """``(min, max, nonfinite)`` as far as the conversion needs it.

    Float and 32/64-bit data: exact, over every voxel (the rescale is fitted to it).
    8/16-bit integers are stored without change (signedness follows the dtype) and
    widening 8 to 16 bits needs no offset, so the range only decides the window: the
    range of :data:`WINDOW_SAMPLE_SLICES` slices evenly spread (first and last
    included) is close enough and scanning the whole volume costs seconds in wasm.
    Each sampled slice's exact range comes from :func:`kernels.int_range` (a few
    C-level passes whatever the values).
    """
    dtype = volume.dtype
    nz = volume.size[2]
    if dtype not in ("int8", "uint8", "int16", "uint16"):
        return kernels.value_range(volume.data, dtype)
    count = min(nz, WINDOW_SAMPLE_SLICES)
    picks = sorted({round(i * (nz - 1) / max(count - 1, 1)) for i in range(count)})
    ranges = [kernels.int_range(volume.slice_data(k), dtype) for k in picks]
    return (min(r[0] for r in ranges), max(r[1] for r in ranges), 0)


def _plan_pixels(volume: Volume, modality: str) -> _Pixels:
    dtype, name = volume.dtype, volume.name or None
    if volume.components == 3 and dtype == "uint8":
        if modality in SOP_CLASSES:
            raise OptionsError(
                f"RGB volumes cannot be written as {modality} images (PS3.3 requires "
                "MONOCHROME); choose another modality such as OT",
                name,
            )
        return _Pixels("rgb", None, None, None, f"converted by dicomforge {__version__}")
    if volume.components != 1:
        nx, ny, nz = volume.size
        raise UnsupportedError(
            f"voxels of shape {nx}x{ny}x{nz}x{volume.components} ({dtype}) cannot be written: "
            "only scalar volumes and RGB uint8 are supported",
            name,
        )
    lo, hi, bad = _value_range(volume)
    if bad:
        raise InputError(
            f"{bad} voxels are NaN or infinite; DICOM pixel data cannot hold them "
            "(replace them in the source image)",
            name,
        )
    slope0, intercept0 = (float(v) for v in volume.rescale)
    if not (math.isfinite(slope0) and math.isfinite(intercept0)) or slope0 == 0:
        raise InputError(f"rescale slope/intercept {volume.rescale} is not usable", name)
    real = sorted((lo * slope0 + intercept0, hi * slope0 + intercept0))
    if not all(math.isfinite(v) for v in (*real, real[1] - real[0], float(hi) - float(lo))):
        raise InputError(
            f"values from {lo:.6g} to {hi:.6g} with rescale slope {slope0:.6g} and intercept "
            f"{intercept0:.6g} overflow what DICOM can describe (the real value range is "
            "not finite); check scl_slope/scl_inter or the voxel values in the source image",
            name,
        )
    source = f"{dtype} voxels converted by dicomforge {__version__}"
    is_int = not dtype.startswith("float")
    wide = dtype not in ("int16", "uint16", "int8", "uint8") or (
        dtype in ("int8", "uint8") and modality in SOP_CLASSES  # CT/MR need 16 bits
    )
    convert = None
    stored = dtype
    max_error = 0.0
    scale, offset = 1.0, 0.0  # stored = (raw - offset) / scale
    if wide:
        stored = "int16"
        exact_ok = is_int and hi - lo <= 65535 and max(abs(lo), abs(hi)) <= 2**53
        if exact_ok:
            offset = 0.0 if lo >= -32768 and hi <= 32767 else float(lo + 32768)
            convert = (1.0, offset)
            note = source + " to int16 without loss"
        else:
            scale = float(format_ds((hi - lo) / 65534)) if hi > lo else 1.0
            offset = float(format_ds((hi + lo) / 2))
            convert = (scale, offset)
            # worst case: half a step inside the range, or what clamping costs at its ends
            err = scale / 2
            for v in (lo, hi):
                k = kernels.rescale_to_int16(struct.pack("<d", v), "float64", scale, offset)
                err = max(err, abs(struct.unpack("<h", k)[0] * scale + offset - v))
            max_error = err * abs(slope0) * (1 + 1e-9)
            note = (
                f"{source} to int16: value = stored * {format_ds(scale * slope0)} + "
                f"{format_ds(offset * slope0 + intercept0)}, rounded half to even; "
                f"maximum reconstruction error {max_error:.6g}"
            )
    else:
        note = source + " without change"
    slope_w, intercept_w = scale * slope0, offset * slope0 + intercept0
    integral = is_int and float(slope_w).is_integer() and float(intercept_w).is_integer() and not (
        wide and convert[0] != 1.0
    )
    if integral:  # PS3.3 C.11.2.1.2.1: lo maps to the darkest, hi to the brightest value
        window = ((real[0] + real[1] + 1) / 2, real[1] - real[0] + 1)
    else:
        window = ((real[0] + real[1]) / 2, max(real[1] - real[0], 1.0))
    return _Pixels(stored, convert, (slope_w, intercept_w), window, note[:1024], max_error)


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
    modality = _check_options(options, nz)
    pixels = _plan_pixels(volume, modality)
    sop_class, _ = SOP_CLASSES.get(modality, SECONDARY_CAPTURE)

    row, col, slice_axis = volume.direction
    normal = _cross(row, col)
    right_handed = _dot(normal, slice_axis) > 0
    order = list(range(nz)) if right_handed else list(range(nz - 1, -1, -1))

    prefix = options.uid_prefix or None
    reference = options.reference
    study_uid = options.study_instance_uid or (
        str(reference.StudyInstanceUID) if reference is not None and reference.get("StudyInstanceUID") else ""
    ) or generate_uid(prefix)
    series_uid, for_uid = generate_uid(prefix), generate_uid(prefix)

    ds = _template(volume, options, modality, pixels, study_uid, series_uid, for_uid, sop_class)
    plan = SeriesPlan(
        volume, options, sop_class, order, pixels, ds, study_uid, series_uid, for_uid, normal
    )
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
    plan._segments = _encode_segments(ds, sop_class)
    return plan


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


def _template(volume, options, modality, pixels, study_uid, series_uid, for_uid, sop_class) -> Dataset:
    """Slice 0's dataset; the per-slice elements are placeholders of the right VR."""
    nx, ny, nz = volume.size
    now = datetime.now()
    date, time = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    ds = Dataset()
    ref = options.reference
    copied = {}
    if ref is not None:
        for keyword in REFERENCE_KEYWORDS:
            if keyword in ref and ref[keyword].VR != "SQ":
                value = ref[keyword].value
                copied[keyword] = (
                    [str(v) for v in value] if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue"
                    else str(value) if value is not None else ""
                )
    ds.ImageType = ["DERIVED", "SECONDARY"] + (["AXIAL"] if modality == "CT" else ["OTHER"] if modality == "MR" else [])
    ds.InstanceCreationDate, ds.InstanceCreationTime = date, time
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = "1.2"  # per slice
    ds.StudyDate = copied.get("StudyDate", date)
    ds.SeriesDate = date
    ds.ContentDate = date
    ds.StudyTime = copied.get("StudyTime", time)
    ds.SeriesTime = time
    ds.ContentTime = time
    ds.AccessionNumber = copied.get("AccessionNumber", "")
    ds.Modality = modality
    if sop_class == SECONDARY_CAPTURE[0]:
        ds.ConversionType = "WSD"  # PS3.3 C.8.6.1: workstation
    ds.Manufacturer = "dicomforge"
    ds.ReferringPhysicianName = copied.get("ReferringPhysicianName", "")
    ds.StudyDescription = options.study_description or copied.get("StudyDescription", "")
    if options.series_description:
        ds.SeriesDescription = options.series_description
    ds.DerivationDescription = pixels.note
    ds.PatientName = options.patient_name or copied.get("PatientName", "")
    ds.PatientID = options.patient_id or copied.get("PatientID", "")
    for keyword in ("IssuerOfPatientID", "OtherPatientNames", "EthnicGroup", "PatientComments",
                    "PatientAge", "PatientSize", "PatientWeight"):
        if keyword in copied:
            setattr(ds, keyword, copied[keyword])
    ds.PatientBirthDate = copied.get("PatientBirthDate", "")
    ds.PatientSex = copied.get("PatientSex", "")
    if modality == "MR":  # PS3.3 C.8.3.1: the MR Image module's type 1 and 2 attributes
        ds.ScanningSequence = "RM"  # research mode: unknown
        ds.SequenceVariant = "NONE"
        ds.ScanOptions = ""
        ds.MRAcquisitionType = ""
        ds.RepetitionTime = ""
        ds.EchoTime = ""
        ds.EchoTrainLength = ""
    ds.SliceThickness = format_ds(volume.spacing[2])
    if modality == "CT":  # PS3.3 C.8.2.1: KVP is type 2
        ds.KVP = ""
    ds.SpacingBetweenSlices = format_ds(volume.spacing[2])
    ds.SoftwareVersions = f"dicomforge {__version__}"
    if modality in SOP_CLASSES:  # PS3.3 C.7.3.1: type 2C for CT and MR, value unknown
        ds.PatientPosition = ""
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.StudyID = copied.get("StudyID", "")
    ds.SeriesNumber = options.series_number
    ds.AcquisitionNumber = ""
    ds.Laterality = ""  # PS3.3 C.7.3.1: type 2C, unknown for a converted volume
    ds.InstanceNumber = options.instance_start  # per slice
    row, col = volume.direction[0], volume.direction[1]
    ds.PatientOrientation = [_orientation_label(row), _orientation_label(col)]
    ds.ImagePositionPatient = ["0", "0", "0"]  # per slice
    ds.ImageOrientationPatient = [_geometry_ds(v) for v in (*row, *col)]
    ds.FrameOfReferenceUID = for_uid
    ds.PositionReferenceIndicator = ""
    ds.SliceLocation = "0"  # per slice
    if pixels.stored == "rgb":
        ds.SamplesPerPixel = 3
        ds.PhotometricInterpretation = "RGB"
        ds.PlanarConfiguration = 0  # PS3.3 C.7.6.3.1.3: colour-by-pixel
    else:
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = ny, nx
    ds.PixelSpacing = [format_ds(volume.spacing[1]), format_ds(volume.spacing[0])]  # row \ column
    bits = 8 if pixels.stored in ("uint8", "int8", "rgb") else 16
    ds.BitsAllocated = bits
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 1 if pixels.stored in ("int8", "int16") else 0
    if pixels.window is not None:
        ds.WindowCenter = format_ds(pixels.window[0])
        ds.WindowWidth = format_ds(pixels.window[1])
    if pixels.rescale is not None and (modality == "CT" or pixels.rescale != (1.0, 0.0)):
        ds.RescaleIntercept = format_ds(pixels.rescale[1])
        ds.RescaleSlope = format_ds(pixels.rescale[0])
        if modality != "CT":
            ds.RescaleType = "US"  # PS3.3 C.11.1.1.2: unspecified
    ds.add_new(0x7FE00010, "OB" if bits == 8 else "OW", b"")  # per slice
    texts = [v for e in ds if e.VR in ("LO", "SH", "PN", "ST", "LT", "UT") for v in ([e.value] if not isinstance(e.value, (list, tuple)) else e.value)]
    if any(not str(v).isascii() for v in texts):
        ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8
    return ds


def _encode_segments(ds: Dataset, sop_class: str) -> list:
    """Encode the shared elements once.

    Returns ``[(preamble + "DICM", meta elements before (0002,0003)), meta elements after
    (0002,0003), (bytes before per-slice tag, tag), ...]``.
    """

    def encode(elements) -> bytes:
        fp = DicomBytesIO()
        fp.is_little_endian = True
        fp.is_implicit_VR = False
        for elem in elements:
            write_data_element(fp, elem, encodings)
        return fp.getvalue()

    encodings = convert_encodings(ds.get("SpecificCharacterSet"))
    meta = _file_meta(sop_class, "1.2")
    head = encode([meta[0x00020001], meta[0x00020002]])
    tail = encode([meta[t] for t in (0x00020010, 0x00020012, 0x00020013)])
    segments: list = [(b"\x00" * 128 + b"DICM", head), tail]
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
