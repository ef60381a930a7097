"""A DICOM series rebuilt from a Zarr store that carries its attributes: the seed's round trip.

Each slice is the store's shared attributes plus that slice's own, and the slice of the
array as Pixel Data, written Explicit VR Little Endian with the original SOP class: the
DICOM -> Zarr -> DICOM round trip gives the same pixels, the same geometry and the same
attribute values. UIDs are kept unless the user asks to renew them (``renew_uids``); then
Study, Series, SOP Instance and Frame of Reference UIDs are replaced consistently: the
same old UID gets the same new one everywhere in the job, so slices stay in one series.

The shared elements are encoded once; each slice encodes only its own (a few), so a 300-slice
series costs 300 small JSON conversions, not 300 whole datasets. The bytes equal what
``pydicom.dcmwrite`` writes for the same dataset (``tests/py/zarr`` proves it).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Iterator

from pydicom.charset import convert_encodings
from pydicom.dataset import Dataset

from dicomforge.dicom.uids import new_uid
from dicomforge.errors import InputError, plain_reason
from dicomforge.kernels import itemsize
from dicomforge.series.template import FileMetaEncoder, encode_elements
from dicomforge.volume import Volume

__all__ = ["Rebuild", "RENEWED", "rebuild_problem"]

#: The UIDs ``renew_uids`` replaces (with every other element that holds one of their values).
RENEWED = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID")
_PIXEL_DATA = 0x7FE00010
_RENEWED_TAGS = ("0020000D", "0020000E", "00080018", "00200052")
_SIGNED = ("int8", "int16", "int32")


def rebuild_problem(volume: Volume) -> str | None:
    """Why *volume*'s voxels no longer fit its stored DICOM attributes (then the series is
    written as a new one), or None."""
    header = volume.dicom_header
    nx, ny, _ = volume.size
    try:
        expected = (int(header.Rows), int(header.Columns), int(header.BitsAllocated), int(header.PixelRepresentation),
                    int(header.get("SamplesPerPixel", 1)))
    except (AttributeError, TypeError, ValueError):
        return "the stored DICOM attributes lack Rows, Columns, Bits Allocated or Pixel Representation"
    if volume.dtype.startswith("float"):
        return f"the array is {volume.dtype}, not integer pixels"
    actual = (ny, nx, itemsize(volume.dtype) * 8, int(volume.dtype in _SIGNED), volume.components)
    if actual != expected:
        return (f"the array (rows, columns, bits, signed, samples) {actual} does not match the stored DICOM "
                f"attributes {expected}")
    return _geometry_problem(volume, header)


def _geometry_problem(volume: Volume, header) -> str | None:
    """Why the store's geometry (origin, spacing, direction) no longer matches the Image Plane
    attributes it keeps for slice 0 (a resampled or edited store), or None."""
    try:
        position = [float(v) for v in header.ImagePositionPatient]
        orientation = [float(v) for v in header.ImageOrientationPatient]
        spacing = [float(v) for v in header.PixelSpacing]
    except (AttributeError, TypeError, ValueError):
        return None  # (no Image Plane attributes to compare: a secondary capture, say)
    row, col, _ = volume.direction
    pairs = [*zip(position, volume.origin), *zip(orientation, (*row, *col)),
             (spacing[0], volume.spacing[1]), (spacing[1], volume.spacing[0])]
    worst = max(abs(a - b) for a, b in pairs)
    if worst > 1e-3:
        return f"the store's geometry differs from its DICOM Image Plane attributes (by up to {worst:.3g})"
    return None


@dataclass
class Rebuild:
    """Rebuilds the series of volumes with stored DICOM attributes; one per job (the UID map: the
    same old UID gets the same new one in every store of the job).

    Attributes
    ----------
    renew_uids : bool
    overrides : dict
        Keyword -> value the user set (Series Description, Patient's Name...): they win.
    uid_prefix : str
    series_uid : str
        The Series Instance UID of the last series rebuilt.
    """

    renew_uids: bool = False
    overrides: dict = field(default_factory=dict)
    uid_prefix: str = ""
    series_uid: str = ""
    _uids: dict = field(default_factory=dict)

    def _plan_uids(self, stored) -> None:
        """A new UID for every Study, Series, SOP Instance and Frame of Reference UID the store
        holds, before any slice is written: a slice referring to a later one gets its new UID."""
        for attributes in (stored.shared, *stored.per_slice):
            for tag in _RENEWED_TAGS:
                value = (attributes.get(tag) or {}).get("Value") if isinstance(attributes.get(tag), dict) else None
                if value and isinstance(value[0], str):
                    self._uids.setdefault(value[0], new_uid(self.uid_prefix))

    def _renewed(self, ds: Dataset) -> None:
        """Every UI value in *ds* (nested sequences included) that is a renewed UID, replaced."""
        for elem in ds.iterall():
            if elem.VR == "UI" and isinstance(elem.value, str) and elem.value in self._uids:
                elem.value = self._uids[elem.value]

    def files(self, volume: Volume, pattern: str = "slice_%04d.dcm", start: int = 1) -> Iterator[tuple[str, bytes]]:
        """``(file name, Part 10 bytes)`` of each slice of *volume*, in z order."""
        stored = volume.stored_dicom
        shared = self._dataset(stored.shared, "shared")
        if self.renew_uids:
            self._plan_uids(stored)
            self._renewed(shared)
        for keyword, value in self.overrides.items():  # (after renewing: what the user set wins)
            setattr(shared, keyword, value)
        if volume.components == 3:
            shared.PhotometricInterpretation, shared.PlanarConfiguration = "RGB", 0
        self.series_uid = str(shared.get("SeriesInstanceUID", ""))
        encodings = convert_encodings(shared.get("SpecificCharacterSet", None) or "ISO_IR 6")
        common = {int(elem.tag): encode_elements([elem], encodings) for elem in shared}
        metas: dict = {}
        for k in range(volume.size[2]):
            own = self._dataset(stored.per_slice[k], f"slice {k}")
            if self.renew_uids:
                self._renewed(own)
            merged = dict(common)
            merged.update((int(elem.tag), encode_elements([elem], encodings)) for elem in own)
            merged.pop(_PIXEL_DATA, None)
            sop_class, sop_uid = (str(own.get("SOPClassUID", shared.get("SOPClassUID", ""))),
                                  str(own.get("SOPInstanceUID", shared.get("SOPInstanceUID", ""))))
            if not sop_class or not sop_uid:
                raise InputError(f"the stored DICOM attributes of slice {k} have no SOP Class or SOP Instance UID",
                                 volume.name)
            meta = metas.get(sop_class) or metas.setdefault(sop_class, FileMetaEncoder(sop_class))
            yield pattern % (start + k), _part10(meta(sop_uid), merged, volume, k)

    def _dataset(self, json_model: dict, what: str) -> Dataset:
        try:
            return Dataset.from_json(json_model)
        except Exception as exc:  # pydicom raises many types for malformed JSON
            raise InputError(f"the stored DICOM attributes ({what}) are not valid DICOM JSON ({plain_reason(exc)})") from None


def _part10(meta: bytes, elements: dict, volume: Volume, k: int) -> bytes:
    pixels = volume.slice_data(k)
    odd = len(pixels) % 2
    vr = b"OB" if itemsize(volume.dtype) == 1 else b"OW"
    parts = [meta, *(elements[tag] for tag in sorted(elements)),
             struct.pack("<HH2sHI", 0x7FE0, 0x0010, vr, 0, len(pixels) + odd), pixels]
    if odd:
        parts.append(b"\x00")
    return b"".join(parts)
