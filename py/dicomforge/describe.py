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
from dicomforge.inputs import NamedInput

__all__ = ["describe_dicom"]


def _text(ds, keyword: str) -> str:
    value = ds.get(keyword, "")
    return "" if value is None else str(value)


def read_header(item: NamedInput, *, force: bool = False):
    """Parse the header of *item* with pydicom, or raise an InputError that says why not."""
    try:
        return pydicom.dcmread(BytesIO(item.data), stop_before_pixels=True, force=force)
    except InvalidDicomError:
        raise InputError(
            "not a DICOM file: no 'DICM' marker at byte 128 (is it a DICOM Part 10 file?)", item.name
        ) from None
    except Exception as exc:  # pydicom raises many types for damaged files
        raise InputError(f"DICOM header cannot be read: {exc}", item.name) from None


# (tag, summary key) of the text values listed; decoded with the file's character set
_TEXT_FIELDS = (
    (0x00080060, "modality"),
    (0x00100010, "patientName"),
    (0x00100020, "patientId"),
    (0x00081030, "studyDescription"),
    (0x0008103E, "seriesDescription"),
    (0x0020000E, "seriesInstanceUid"),
)


@lru_cache(maxsize=256)
def _uid_name(uid: str) -> str:
    """pydicom's name for a UID, once per UID: building a UID validates it, and a batch of
    files repeats the same few SOP classes and transfer syntaxes."""
    return UID(uid).name


def describe_dicom(item: NamedInput) -> dict:
    """A short, JSON-ready summary of a DICOM file's header, with its overlay planes.

    Reads the top-level elements with the overlay module's header scan (stops
    before Pixel Data; no pydicom parsing): about ten times cheaper than
    ``dcmread(stop_before_pixels=True)``, which matters for hundreds of files in
    the browser.
    """
    from dicomforge.overlays import describe_overlays, scan

    try:
        try:
            found = scan(item, header_only=True)
        except InputError:
            if not getattr(item, "partial", False):  # only the start of the file was handed over
                raise
            found = scan(item.complete(), header_only=True)
    except InputError as exc:
        if exc.message.startswith("not a DICOM Part 10 file"):
            raise InputError(
                "not a DICOM file: no 'DICM' marker at byte 128 (is it a DICOM Part 10 file?)", item.name
            ) from None
        raise InputError(f"DICOM header cannot be read: {exc.message}", item.name) from None
    sop_class = found.text(0x00080016)
    if not sop_class:
        raise InputError("missing required element(s): SOPClassUID", item.name)
    summary = {"file": item.name, "sopClass": _uid_name(sop_class)}
    summary.update({key: found.decoded(tag) for tag, key in _TEXT_FIELDS})
    summary["rows"] = found.number(0x00280010) or 0
    summary["columns"] = found.number(0x00280011) or 0
    summary["frames"] = found.frames
    summary["transferSyntax"] = _uid_name(found.transfer_syntax) if found.transfer_syntax else ""
    summary["overlays"] = describe_overlays(found)
    return summary
