"""What a series written from a DICOM series keeps of it: patient, study, frame of reference,
modality and the acquisition attributes its IOD allows.

Re-exporting a DICOM series (to renumber it, change its description, or after a round trip
through a volume) should not lose who and what it shows: by default the written series joins
the source's study and frame of reference (the geometry is the same), keeps its modality, and
copies the acquisition attributes of that modality's image module (PS3.3 C.8.2.1 CT Image,
C.8.3.1 MR Image) and of the General Series module that describe the acquisition. Options the
user gives still win (:class:`~dicomforge.series.options.SeriesOptions`).
"""

from __future__ import annotations

from pydicom import config
from pydicom.dataset import Dataset
from pydicom.valuerep import validate_value

from dicomforge.dicom.lossy import lossy_history

__all__ = ["REFERENCE_KEYWORDS", "ACQUISITION", "SERIES_KEYWORDS", "source_modality", "reference_values",
           "copied_values"]

#: Patient and study attributes copied from a reference dataset (PS3.3 C.7.1.1, C.7.2.1, C.7.2.2).
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


#: Acquisition attributes copied when the written series keeps the source's modality.
ACQUISITION = {
    "CT": ("KVP", "DataCollectionDiameter", "ReconstructionDiameter", "DistanceSourceToDetector",
           "DistanceSourceToPatient", "GantryDetectorTilt", "TableHeight", "RotationDirection", "ExposureTime",
           "XRayTubeCurrent", "Exposure", "FilterType", "GeneratorPower", "FocalSpots", "ConvolutionKernel",
           "RevolutionTime", "SingleCollimationWidth", "TotalCollimationWidth", "SpiralPitchFactor",
           "ContrastBolusAgent"),
    "MR": ("ScanningSequence", "SequenceVariant", "ScanOptions", "MRAcquisitionType", "SequenceName",
           "RepetitionTime", "EchoTime", "EchoTrainLength", "InversionTime", "NumberOfAverages", "ImagingFrequency",
           "ImagedNucleus", "EchoNumbers", "MagneticFieldStrength", "PercentSampling", "PercentPhaseFieldOfView",
           "PixelBandwidth", "ReceiveCoilName", "TransmitCoilName", "FlipAngle", "AcquisitionMatrix",
           "InPlanePhaseEncodingDirection", "ContrastBolusAgent"),
}
#: General Series and Image Plane attributes of the acquisition, kept for any modality.
SERIES_KEYWORDS = ("SeriesDescription", "SliceThickness", "BodyPartExamined", "PatientPosition", "Laterality",
                   "ProtocolName", "PositionReferenceIndicator")


def source_modality(source: Dataset | None) -> str:
    """The source's (0008,0060) *Modality*, upper-cased; "" when there is none."""
    try:
        return str(source.get("Modality", "") or "").strip().upper() if source is not None else ""
    except Exception:  # a malformed value: as if there were none
        return ""


def _valid(elem):
    """*elem*'s value, checked against its VR: pydicom keeps text it could not convert (a DS
    that is no number) as the text it read; what it converted is valid."""
    value = elem.value
    for item in value if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue" else [value]:
        if type(item) is str:
            validate_value(elem.VR, item, config.RAISE)
    return value


def _encodable(elem) -> None:
    """Write *elem* as the series writer will (explicit VR little endian); raises if it cannot
    be (a text value under a binary VR, say, which pydicom keeps as it read it)."""
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_data_element

    fp = DicomBytesIO()
    fp.is_little_endian, fp.is_implicit_VR = True, False
    write_data_element(fp, elem)


def reference_values(reference: Dataset) -> tuple[dict, list[str]]:
    """``({keyword: text or list of texts}, [keywords left out])``: the patient and study
    attributes of :data:`REFERENCE_KEYWORDS` that *reference* has, and those it holds
    malformed."""
    values, malformed = {}, []
    for keyword in REFERENCE_KEYWORDS:
        try:
            if keyword not in reference or reference[keyword].VR == "SQ":
                continue
            value = _valid(reference[keyword])
            values[keyword] = (
                [str(v) for v in value] if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue"
                else str(value) if value is not None else ""
            )
        except Exception:  # pydicom raises many types for malformed values
            malformed.append(keyword)
    return values, malformed


def copied_values(source: Dataset, modality: str) -> tuple[dict, list[str]]:
    """``({keyword: value}, [keywords left out])``: the acquisition attributes to copy into a
    series of *modality* (those of :data:`SERIES_KEYWORDS`, and of :data:`ACQUISITION` when
    *modality* is the source's), and those whose value in the source is malformed. Sequences
    and empty values are neither."""
    keywords = SERIES_KEYWORDS + (ACQUISITION.get(modality, ()) if modality == source_modality(source) else ())
    values, malformed, scratch = {}, [], Dataset()
    for keyword in keywords:
        try:
            if keyword not in source or source[keyword].VR == "SQ" or source[keyword].value in (None, ""):
                continue
            value = _valid(source[keyword])
            setattr(scratch, keyword, value)
            _encodable(scratch[keyword])  # what writing it would do: a malformed value fails here
        except Exception:  # pydicom raises many types for malformed values
            malformed.append(keyword)
            continue
        values[keyword] = value
    values.update(lossy_history(source, ""))  # pixels once lossy compressed stay said to be (PS3.3 C.7.6.1.1.5)
    return values, malformed
