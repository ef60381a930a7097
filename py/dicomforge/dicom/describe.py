"""What a dropped file is: a DICOM summary (patient, study, series, geometry) for listing.

Reads the header only (a scan of the top-level elements that stops before Pixel
Data), so it is cheap for large files and for hundreds of them.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO

import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID

from dicomforge.errors import InputError
from dicomforge.geometry import dot, normal
from dicomforge.inputs import NamedInput
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.overlays.planes import describe_overlays

from . import tags
from .scan import NOT_DICOM, NOT_PART10, scan, unreadable

__all__ = ["describe_dicom", "read_header"]


def read_header(item: NamedInput, *, force: bool = False):
    """Parse the header of *item* with pydicom, or raise an InputError that says why not."""
    try:
        return pydicom.dcmread(BytesIO(item.data), stop_before_pixels=True, force=force)
    except InvalidDicomError:
        raise InputError(NOT_DICOM, item.name) from None
    except Exception as exc:  # pydicom raises many types for damaged files
        raise unreadable(item, exc, "DICOM header cannot be read") from None


# (tag, summary key) of the text values listed; decoded with the file's character set
_TEXT_FIELDS = (
    (tags.MODALITY, "modality"),
    (tags.PATIENT_NAME, "patientName"),
    (tags.PATIENT_ID, "patientId"),
    (tags.STUDY_DESCRIPTION, "studyDescription"),
    (tags.SERIES_DESCRIPTION, "seriesDescription"),
    (tags.SERIES_INSTANCE_UID, "seriesInstanceUid"),
    (tags.SOP_INSTANCE_UID, "sopInstanceUid"),
)


@lru_cache(maxsize=256)
def _uid_name(uid: str) -> str:
    """pydicom's name for a UID, once per UID: building a UID validates it, and a batch of
    files repeats the same few SOP classes and transfer syntaxes."""
    return UID(uid).name


def describe_dicom(item: NamedInput, budget: int = PLATFORM_MAX_BYTES) -> dict:
    """A short, JSON-ready summary of a DICOM file's header, with its overlay planes.

    Reads the top-level elements with the header scan (:func:`~dicomforge.dicom.scan.scan`,
    stops before Pixel Data; no pydicom parsing): about ten times cheaper than
    ``dcmread(stop_before_pixels=True)``, which matters for hundreds of files in the
    browser. *budget*: the most a deflated data set may inflate to.
    """
    try:
        try:
            found = scan(item, header_only=True, budget=budget)
        except InputError:
            if not getattr(item, "partial", False):  # only the start of the file was handed over
                raise
            found = scan(item.complete(), header_only=True, budget=budget)
    except InputError as exc:
        if exc.message.startswith(NOT_PART10):
            raise InputError(NOT_DICOM, item.name) from None
        raise InputError(f"DICOM header cannot be read: {exc.message}", item.name) from None
    sop_class = found.text(tags.SOP_CLASS_UID)
    if not sop_class:
        raise InputError("missing required element(s): SOPClassUID", item.name)
    summary = {"file": item.name, "sopClass": _uid_name(sop_class)}
    summary.update({key: found.decoded(tag) for tag, key in _TEXT_FIELDS})
    summary["rows"] = found.number(tags.ROWS) or 0
    summary["columns"] = found.number(tags.COLUMNS) or 0
    summary["frames"] = found.frames
    summary["transferSyntax"] = _uid_name(found.transfer_syntax) if found.transfer_syntax else ""
    summary["instanceNumber"], summary["position"] = _place(found)
    summary["overlays"] = describe_overlays(found)
    return summary


def _place(found) -> tuple[int | None, float | None]:
    """(0020,0013) *Instance Number* and the position along the slice normal (mm): what a
    viewer orders a series' images by. None where the file lacks (or garbles) them."""
    try:
        number = found.number(tags.INSTANCE_NUMBER, "IS")
    except InputError:
        number = None
    try:
        ipp, iop = found.numbers(tags.IMAGE_POSITION_PATIENT), found.numbers(tags.IMAGE_ORIENTATION_PATIENT)
    except InputError:
        return number, None
    if not ipp or not iop or len(ipp) != 3 or len(iop) != 6:
        return number, None
    return number, dot(ipp, normal(iop[:3], iop[3:]))
