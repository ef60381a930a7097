"""DICOM series reader: a set of single-frame DICOM files -> one :class:`Volume` per series.

pydicom parses the files; the geometry and pixel assembly are here, in pure
Python (no numpy in the browser). Steps, per (0020,000E) *Series Instance UID*:

1. check that every slice has the same (0028,0010) *Rows*, (0028,0011) *Columns*,
   pixel format and (0020,0037) *Image Orientation (Patient)*;
2. sort by (0020,0032) *Image Position (Patient)* projected on the slice normal
   (row cosine x column cosine, PS3.3 C.7.6.2.1.1);
3. spacing = mean gap; a warning names any gap more than 1% off the mean;
4. concatenate the Pixel Data: uncompressed (Implicit/Explicit VR Little Endian,
   Deflated, Explicit VR Big Endian) byte-swapped once to little-endian, compressed
   (RLE, JPEG, JPEG-LS, JPEG 2000, HTJ2K) decoded by :mod:`dicomforge.dicom.pixels`
   (colour as RGB).

(0028,1053) *Rescale Slope* / (0028,1052) *Rescale Intercept* are not applied
to the data; they go to :attr:`Volume.rescale` (an error if they vary between
slices, as in many PET series: one Volume has one rescale). Stored values are
kept as they are: no masking to (0028,0101) *Bits Stored* (decoded frames are masked
by their decoder). Multi-frame files raise :class:`UnsupportedError`.
"""

from __future__ import annotations

import math
from io import BytesIO
from typing import Iterator

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID

from dicomforge import kernels
from dicomforge.dicom.codecs import ENCAPSULATED
from dicomforge.dicom.fragments import frame_fragment
from dicomforge.dicom.lossy import lossy_history
from dicomforge.dicom.pixels import decode_frame, transfer_syntax
from dicomforge.dicom.scan import NOT_DICOM, check_header, unreadable
from dicomforge.errors import DicomForgeError, InputError, UnsupportedError, malformed_input
from dicomforge.geometry import GAP_TOLERANCE, SERIES_ORIENTATION_TOLERANCE, dot, frame_from_columns, normal
from dicomforge.inputs import NamedInput
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.volume import Volume

from . import _common

__all__ = ["read_dicom_series", "series_volumes", "read"]

# Transfer Syntax UID -> big endian?
NATIVE_SYNTAXES = {
    "1.2.840.10008.1.2": False,  # Implicit VR Little Endian
    "1.2.840.10008.1.2.1": False,  # Explicit VR Little Endian
    "1.2.840.10008.1.2.1.99": False,  # Deflated Explicit VR Little Endian
    "1.2.840.10008.1.2.2": True,  # Explicit VR Big Endian (retired)
}
# (BitsAllocated, PixelRepresentation) -> dtype
PIXEL_TYPES = {
    (8, 0): "uint8",
    (8, 1): "int8",
    (16, 0): "uint16",
    (16, 1): "int16",
    (32, 0): "uint32",
    (32, 1): "int32",
}
REQUIRED = ("Rows", "Columns", "BitsAllocated", "PixelRepresentation", "PixelData")
GEOMETRY = ("ImagePositionPatient", "ImageOrientationPatient")


def _load(item: NamedInput):
    """The full dataset of *item*, checked for a pixel format this reader can decode."""
    with malformed_input(item.name):
        return _checked_dataset(item)


def _checked_dataset(item: NamedInput):
    has_magic = bytes(item.data[128:132]) == b"DICM"
    if has_magic:
        check_header(item)
    try:
        ds = pydicom.dcmread(BytesIO(item.data), force=not has_magic)
    except Exception as exc:  # pydicom raises many types for damaged files
        raise unreadable(item, exc) from None
    syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    if syntax is None:
        implicit, little = ds.original_encoding
        if implicit:
            syntax = "1.2.840.10008.1.2"
        else:
            syntax = "1.2.840.10008.1.2.1" if little else "1.2.840.10008.1.2.2"
    syntax = str(syntax)
    if syntax not in NATIVE_SYNTAXES and syntax not in ENCAPSULATED:
        raise UnsupportedError(
            f"transfer syntax {UID(syntax).name} ({syntax}) is not supported: no codec for it",
            item.name,
        )
    missing = [k for k in REQUIRED if k not in ds]
    if missing and not has_magic and len(missing) == len(REQUIRED):  # forced read of something else
        raise InputError(NOT_DICOM, item.name)
    if missing:
        raise InputError(f"missing required element(s): {', '.join(missing)}", item.name)
    if int(ds.get("NumberOfFrames", 1) or 1) > 1:
        raise UnsupportedError(f"multi-frame image ({ds.NumberOfFrames} frames) is not supported", item.name)
    key = (int(ds.BitsAllocated), int(ds.PixelRepresentation))
    if key not in PIXEL_TYPES:
        raise UnsupportedError(f"BitsAllocated {key[0]} is not supported (8, 16 or 32)", item.name)
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
    decoded_colour = ("YBR_FULL", "YBR_FULL_422", "YBR_ICT", "YBR_RCT") if syntax in ENCAPSULATED else ()
    if photometric not in ("MONOCHROME1", "MONOCHROME2", "RGB", *decoded_colour):
        raise UnsupportedError(f"PhotometricInterpretation {photometric} is not supported", item.name)
    return ds, NATIVE_SYNTAXES.get(syntax, False)


def _format(ds) -> tuple:
    """What must be equal across the slices of one volume."""
    return (
        int(ds.Rows),
        int(ds.Columns),
        int(ds.get("SamplesPerPixel", 1)),
        PIXEL_TYPES[(int(ds.BitsAllocated), int(ds.PixelRepresentation))],
    )


def _slice_pixels(ds, name: str, nbytes: int, samples: int, itemsize: int) -> bytes:
    if transfer_syntax(ds) in ENCAPSULATED:
        data = decode_frame(ds, 0, name).data  # little endian; colour as 8-bit RGB
        if len(data) != nbytes:
            raise UnsupportedError(f"decoded frame has {len(data)} bytes, the series' other slices {nbytes}", name)
        return data
    data = ds.PixelData
    if len(data) < nbytes:
        raise InputError(f"Pixel Data has {len(data)} bytes, Rows x Columns needs {nbytes}", name)
    data = data[:nbytes]
    if samples == 3 and int(ds.get("PlanarConfiguration", 0)) == 1:  # RRR..GGG..BBB.. -> RGBRGB..
        data = kernels.interleave_planes(data, 3, itemsize)
    return data


def _series_volume(entries: list, warnings: list, budget: int) -> Volume:
    """One Volume from the (item, dataset, big_endian) entries of one series."""
    first_item, first = entries[0][0], entries[0][1]
    fmt = _format(first)
    for item, ds, _ in entries[1:]:
        if _format(ds) != fmt:
            raise InputError(
                f"slice has Rows/Columns/SamplesPerPixel/type {_format(ds)}, "
                f"{first_item.name} has {fmt}: not one volume",
                item.name,
            )
    rows, cols, samples, dtype = fmt
    if samples not in (1, 3):
        raise UnsupportedError(f"SamplesPerPixel {samples} is not supported", first_item.name)
    missing_geometry = [k for k in GEOMETRY if any(k not in ds for _, ds, _ in entries)]
    if missing_geometry and len(entries) > 1:
        raise InputError(
            f"cannot stack {len(entries)} slices: missing {', '.join(missing_geometry)}",
            first_item.name,
        )
    if missing_geometry:
        warnings.append(f"no {', '.join(missing_geometry)}: identity orientation, origin 0")
        iop, positions = [1.0, 0, 0, 0, 1.0, 0], [(0.0, 0.0, 0.0)]
    else:
        iop = [float(v) for v in first.ImageOrientationPatient]
        for item, ds, _ in entries:
            for keyword, count in (("ImageOrientationPatient", 6), ("ImagePositionPatient", 3)):
                values = ds[keyword].value
                found = len(values) if isinstance(values, (list, tuple)) or type(values).__name__ == "MultiValue" else 1
                if found != count:
                    raise InputError(f"{keyword} has {found} values, {count} expected", item.name)
            other = [float(v) for v in ds.ImageOrientationPatient]
            if max(abs(a - b) for a, b in zip(iop, other)) > SERIES_ORIENTATION_TOLERANCE:
                raise InputError(
                    f"ImageOrientationPatient {other} differs from {iop} in {first_item.name}",
                    item.name,
                )
    row, col = iop[:3], iop[3:]
    axis = normal(row, col)
    if not missing_geometry:
        entries = sorted(entries, key=lambda e: dot([float(v) for v in e[1].ImagePositionPatient], axis))
        positions = [tuple(float(v) for v in ds.ImagePositionPatient) for _, ds, _ in entries]
    depth = _slice_step(entries, positions, axis, warnings)
    if "PixelSpacing" in first:
        dy, dx = (float(v) for v in first.PixelSpacing)
    else:
        warnings.append("no PixelSpacing: using 1 mm")
        dy = dx = 1.0
    rescales = {
        (float(ds.get("RescaleSlope", 1) or 1), float(ds.get("RescaleIntercept", 0) or 0))
        for _, ds, _ in entries
    }
    if len(rescales) > 1:
        raise UnsupportedError(
            f"RescaleSlope/RescaleIntercept vary between slices ({len(rescales)} different pairs)",
            first_item.name,
        )
    if str(first.get("PhotometricInterpretation", "")) == "MONOCHROME1":
        warnings.append("MONOCHROME1: data kept as stored (low values display white)")
    size = (cols, rows, len(entries))
    itemsize = kernels.itemsize(dtype)
    _common.check_size(first_item.name, size, samples, dtype, None, budget)
    nbytes = _common.check_size(first_item.name, (cols, rows, 1), samples, dtype, None, budget)
    pixels = b"".join(_slice_pixels(ds, item.name, nbytes, samples, itemsize) for item, ds, _ in entries)
    _common.check_size(first_item.name, size, samples, dtype, len(pixels), budget)
    spacing, direction = frame_from_columns(
        [[c * dx for c in row], [c * dy for c in col], [c * depth for c in axis]], first_item.name, warnings
    )
    headers = [_header(ds) for _, ds, _ in entries]
    return Volume(
        data=_common.to_little(pixels, dtype, entries[0][2]),
        dtype=dtype,
        size=size,
        spacing=spacing,
        origin=positions[0],
        direction=direction,
        components=samples,
        rescale=rescales.pop(),
        name=entries[0][0].name,
        warnings=warnings,
        dicom_header=headers[0],
        slice_headers=headers,
    ).validate()


def _header(ds):
    """*ds* without Pixel Data (and what follows it), with its file meta and encoding. Elements
    are taken as read (not parsed): a malformed one fails only where it is used. A slice decoded
    from a lossy codestream says so (Lossy Image Compression "01", :mod:`dicomforge.dicom.lossy`)
    even when the file did not: what is made from it inherits that."""
    header = Dataset()
    for tag in ds.keys():
        if tag < 0x7FE00000:
            header[tag] = ds.get_item(tag)
    syntax = transfer_syntax(ds)
    if syntax in ENCAPSULATED:
        for keyword, value in lossy_history(ds, syntax, frame_fragment(ds, 0, 1)).items():
            setattr(header, keyword, value)
    header.file_meta = getattr(ds, "file_meta", FileMetaDataset())
    header.set_original_encoding(*ds.original_encoding, ds.original_character_set)
    return header


def _slice_step(entries, positions, axis, warnings) -> float:
    """Mean distance between slices along the axis; warn about uneven gaps and tilt."""
    first = entries[0][1]
    if len(positions) == 1:
        return float(first.get("SpacingBetweenSlices", 0) or first.get("SliceThickness", 0) or 1.0)
    depths = [dot(p, axis) for p in positions]
    gaps = [b - a for a, b in zip(depths, depths[1:])]
    for k, gap in enumerate(gaps):
        if gap < 1e-4:
            raise InputError(
                f"two slices at the same position {positions[k]} ({entries[k + 1][0].name})",
                entries[k][0].name,
            )
    mean = (depths[-1] - depths[0]) / len(gaps)
    uneven = [(k, g) for k, g in enumerate(gaps) if abs(g - mean) > GAP_TOLERANCE * mean]
    if uneven:
        k, gap = max(uneven, key=lambda kg: abs(kg[1] - mean))
        warnings.append(
            f"slice spacing is not uniform: gap of {gap:.4g} mm between {entries[k][0].name} and "
            f"{entries[k + 1][0].name} (mean {mean:.4g} mm, {len(uneven)} uneven gaps)"
        )
    step = [(b - a) / len(gaps) for a, b in zip(positions[0], positions[-1])]
    if math.dist(step, [c * mean for c in axis]) > 1e-3 * max(mean, 1.0):
        warnings.append("slice positions are not along the slice normal (gantry tilt?): stored unsheared")
    return mean


def _group(items: list, failures: list | None = None) -> list[list]:
    """The loaded files by series, in input order. A file that cannot be loaded raises, or
    goes to *failures* as ``(name, error)`` when a list is given (the others still group)."""
    groups: dict[str, list] = {}
    for item in items:
        try:
            ds, big = _load(item)
            uid = _series_uid(ds, item.name)
        except DicomForgeError as error:
            if failures is None:
                raise
            failures.append((item.name, error.with_file(item.name)))
            continue
        groups.setdefault(uid, []).append((item, ds, big))
    return list(groups.values())


def _series_uid(ds, name: str) -> str:
    """(0020,000E) *Series Instance UID* ("" when absent); a malformed one is an InputError."""
    with malformed_input(name):
        return str(ds.get("SeriesInstanceUID", ""))


def read_dicom_series(items: list[NamedInput], budget: int = PLATFORM_MAX_BYTES) -> list[Volume]:
    """One :class:`Volume` per (0020,000E) *Series Instance UID* among *items*, in input order;
    *budget*: the most bytes one series' voxels may take."""
    return [_checked_series_volume(entries, budget) for entries in _group(items)]


def series_volumes(items: list[NamedInput], budget: int = PLATFORM_MAX_BYTES) -> Iterator[tuple[str, Volume | DicomForgeError]]:
    """``(name, Volume or DicomForgeError)`` per series among *items* (named after its first
    file) and per file that cannot be read: a bad file, or a series that cannot be stacked,
    fails alone and the other series are still read."""
    failures: list = []
    groups = _group(items, failures)
    yield from failures
    for entries in groups:
        try:
            yield entries[0][0].name, _checked_series_volume(entries, budget)
        except DicomForgeError as error:
            yield entries[0][0].name, error.with_file(entries[0][0].name)


def _checked_series_volume(entries: list, budget: int) -> Volume:
    """:func:`_series_volume`, with a malformed value in any file reported as an InputError."""
    with malformed_input(entries[0][0].name):
        return _series_volume(entries, [], budget)


def read(item: NamedInput, partners: dict | None = None, budget: int = PLATFORM_MAX_BYTES) -> Volume:
    """The Volume of *item*'s series, stacked with the DICOM files of that series among *partners*.

    Partners that are not readable DICOM images, or belong to another series, are left out.
    """
    ds, big = _load(item)
    uid = _series_uid(ds, item.name)
    entries = [(item, ds, big)]
    for other in (partners or {}).values():
        if other.name == item.name or bytes(other.data[128:132]) != b"DICM":
            continue
        try:
            other_ds, other_big = _load(other)
            same_series = _series_uid(other_ds, other.name) == uid
        except DicomForgeError:
            continue
        if same_series:
            entries.append((other, other_ds, other_big))
    return _checked_series_volume(entries, budget)
