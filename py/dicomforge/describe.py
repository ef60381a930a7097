"""What a dropped file is: a DICOM summary (patient, study, series, geometry) for listing.

Reads the header only (stops before Pixel Data), so it is cheap for large files.
"""

from __future__ import annotations

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


def describe_dicom(item: NamedInput) -> dict:
    """A short, JSON-ready summary of a DICOM file's header."""
    ds = read_header(item)
    missing = [k for k in ("SOPClassUID",) if k not in ds and k not in ds.get("file_meta", {})]
    if missing:
        raise InputError(f"missing required element(s): {', '.join(missing)}", item.name)
    tsyntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    sop_class = UID(str(ds.get("SOPClassUID", "")))
    return {
        "file": item.name,
        "sopClass": sop_class.name if sop_class else "",
        "modality": _text(ds, "Modality"),
        "patientName": _text(ds, "PatientName"),
        "patientId": _text(ds, "PatientID"),
        "studyDescription": _text(ds, "StudyDescription"),
        "seriesDescription": _text(ds, "SeriesDescription"),
        "seriesInstanceUid": _text(ds, "SeriesInstanceUID"),
        "rows": int(ds.get("Rows", 0) or 0),
        "columns": int(ds.get("Columns", 0) or 0),
        "frames": int(ds.get("NumberOfFrames", 1) or 1),
        "transferSyntax": UID(str(tsyntax)).name if tsyntax else "",
    }
