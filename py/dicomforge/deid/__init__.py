"""De-identification: the PS3.15 Annex E Basic Application Level Confidentiality Profile
and its options (:mod:`.options`), from the standard's table (:mod:`.table`), applied to
Part 10 files one at a time (:func:`deidentify_file`) with UIDs and date shifts kept
consistent across a batch and, through the mapping the user keeps, across batches (:mod:`.mapping`).

What a file keeps: its transfer syntax and its Pixel Data as they were (compressed
frames untouched, PS3.15 E.1 leaves pixels to the Clean Pixel Data option, which this does
not offer: (0028,0301) *Burned In Annotation* is reported so the user knows). What it gets:
(0012,0062) *Patient Identity Removed* YES, (0012,0063) *De-identification Method* and
(0012,0064) its Code Sequence (CID 7050), (0028,0303) *Longitudinal Temporal Information
Modified*, a zero preamble (a preamble may hold a TIFF header with its own metadata), and file
meta of only its version, SOP class and instance, transfer syntax and dicomforge as its writer.
"""

from __future__ import annotations

import io

import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from dicomforge import __version__
from dicomforge.dicom.scan import check_header, unreadable
from dicomforge.errors import InputError
from dicomforge.inputs import NamedInput
from dicomforge.series.template import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME

from .apply import deidentify_dataset
from .mapping import DeidMapping
from .options import DATES, DeidOptions
from .table import ProfileTable

__all__ = ["DATES", "DeidMapping", "DeidOptions", "ProfileTable", "deidentify_file"]

# file meta kept: (0002,0001) version, (0002,0002) SOP class, (0002,0003) instance, (0002,0010) syntax;
# the rest (AE titles, presentation addresses, RTV fields, private information) names where it came from
_META_KEPT = (0x00020001, 0x00020002, 0x00020003, 0x00020010)
_TEMPORAL = {"remove": "REMOVED", "shift": "MODIFIED", "keep": "UNMODIFIED"}  # PS3.3 C.12.1.1.7


def _method_sequence(options: DeidOptions) -> Sequence:
    items = []
    for value, meaning in options.method_codes():
        item = Dataset()
        item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, "DCM", meaning
        items.append(item)
    return Sequence(items)


def _record(ds: Dataset, options: DeidOptions) -> None:
    """What PS3.15 E.1 asks a de-identifier to record (E.1.1 items 6 and 7), and the pseudonyms."""
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = options.method_text(__version__)
    ds.DeidentificationMethodCodeSequence = _method_sequence(options)
    ds.LongitudinalTemporalInformationModified = _TEMPORAL[options.dates]
    if options.patient_name:
        ds.PatientName = options.patient_name
    if options.patient_id:
        ds.PatientID = options.patient_id
    if not (options.patient_name + options.patient_id).isascii():
        ds.SpecificCharacterSet = "ISO_IR 192"  # (the pseudonym's characters; every text is written as UTF-8)


def deidentify_file(item: NamedInput, options: DeidOptions, mapping: DeidMapping,
                    table: ProfileTable) -> tuple[bytes, dict]:
    """*item* (a Part 10 file) de-identified: its bytes, and a report naming no original value
    (``output``: a file name from its new SOP Instance UID, ``changed``: ``[path, keyword,
    action]`` per attribute, ``burnedInAnnotation``, ``transferSyntax``). The original name
    goes only into *mapping* (``files``).

    Raises
    ------
    InputError
        *item* is not a DICOM Part 10 file, or its SOP Instance UID is missing.
    """
    check_header(item)
    try:
        ds = pydicom.dcmread(io.BytesIO(item.data))
    except Exception as exc:  # (pydicom raises many kinds on a damaged file)
        raise unreadable(item, exc) from None
    if "SOPInstanceUID" not in ds or not ds.file_meta.get("TransferSyntaxUID"):
        raise InputError("has no SOP Instance UID or no transfer syntax: not a DICOM composite instance", item.name)
    burned = str(ds.get("BurnedInAnnotation", "") or "unknown")
    changed = deidentify_dataset(ds, options, mapping, table)
    _record(ds, options)
    meta = ds.file_meta
    for tag in [t for t in meta.keys() if t not in _META_KEPT]:
        del meta[tag]
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.ImplementationClassUID, meta.ImplementationVersionName = IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME
    ds.preamble = b"\0" * 128
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    report = {"output": f"{ds.SOPInstanceUID}.dcm", "changed": changed, "burnedInAnnotation": burned,
              "transferSyntax": str(meta.TransferSyntaxUID)}
    return out.getvalue(), report
