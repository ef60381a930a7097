"""The dataset every file of a written series shares: slice 0's elements, per-slice ones as placeholders.

Decisions, each written where it is implemented: SOP class by modality (CT -> CT Image
Storage, MR -> MR Image Storage, anything else -> Secondary Capture Image Storage with
that Modality, "OT" by default, the Image Plane attributes written too); patient and
study attributes copied from a reference dataset (:data:`.source.REFERENCE_KEYWORDS`) unless the
options override them; UTF-8 (ISO_IR 192) when any text is not ASCII.
"""

from __future__ import annotations

import struct
from datetime import datetime

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element
from pydicom.uid import ExplicitVRLittleEndian

from dicomforge import __version__
from dicomforge.dicom import tags
from dicomforge.dicom.encode import element, format_ds, pad
from dicomforge.display.presets import CT_DEFAULT, CT_PRESETS
from dicomforge.kinds import stem
from dicomforge.geometry import ZERO, orientation_label

from .pixels import SECONDARY_CAPTURE, SOP_CLASSES

__all__ = ["IMPLEMENTATION_CLASS_UID", "IMPLEMENTATION_VERSION_NAME", "CT_WINDOW", "template", "file_meta",
           "copy_dataset", "geometry_ds", "FileMetaEncoder", "encode_elements"]

#: UUID-derived (PS3.5 B.2) Implementation Class UID of dicomforge.
IMPLEMENTATION_CLASS_UID = "2.25.240021473307454419458400779633009377137"
IMPLEMENTATION_VERSION_NAME = ("DICOMFORGE_" + __version__.replace(".", ""))[:16]
_EXPLICIT_LE = str(ExplicitVRLittleEndian)




#: (center, width) of the window a CT series opens with: the viewers' default for CT.
CT_WINDOW = next((center, width) for name, center, width in CT_PRESETS if name == CT_DEFAULT)


def volume_label(name: str) -> str:
    """A series description from an input's file name: ``brain_t1`` for ``scans/brain_t1.nii.gz``."""
    return stem(name).replace("\\", "_") if name else ""


def geometry_ds(value: float) -> str:
    """A coordinate or cosine, with rounding noise below 1e-10 written as 0."""
    return format_ds(0.0 if abs(value) < ZERO else value)


def copy_dataset(ds: Dataset) -> Dataset:
    out = Dataset()
    for elem in ds:
        out.add_new(elem.tag, elem.VR, elem.value)
    return out


def file_meta(sop_class: str, sop_uid: str) -> FileMetaDataset:
    meta = FileMetaDataset()
    meta.FileMetaInformationVersion = b"\x00\x01"
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = _EXPLICIT_LE
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    return meta



def encode_elements(elements, encodings=None) -> bytes:
    """*elements* encoded Explicit VR Little Endian, as pydicom writes them."""
    fp = DicomBytesIO()
    fp.is_little_endian, fp.is_implicit_VR = True, False
    for elem in elements:
        write_data_element(fp, elem, encodings)
    return fp.getvalue()


class FileMetaEncoder:
    """The preamble and File Meta Information of files of one SOP class, encoded once: each file
    adds only its SOP Instance UID. The bytes are what ``pydicom.filewriter.write_file_meta_info``
    writes for :func:`file_meta` (the series tests compare them)."""

    def __init__(self, sop_class: str) -> None:
        meta = file_meta(sop_class, "1.2")
        self.head = encode_elements([meta[0x00020001], meta[0x00020002]])
        self.tail = encode_elements([meta[t] for t in (0x00020010, 0x00020012, 0x00020013)])

    def __call__(self, sop_uid: str) -> bytes:
        uid = element(tags.MEDIA_STORAGE_SOP_INSTANCE_UID, b"UI", pad(sop_uid.encode("ascii"), b"UI"))
        length = len(self.head) + len(uid) + len(self.tail)
        return b"".join([b"\x00" * 128, b"DICM", element(tags.META_GROUP_LENGTH, b"UL", struct.pack("<I", length)),
                         self.head, uid, self.tail])


def template(volume, options, modality, pixels, study_uid, series_uid, for_uid, sop_class, copied=None,
             acquired=None) -> Dataset:
    """Slice 0's dataset; the per-slice elements are placeholders of the right VR.

    *copied*: patient and study values (:func:`.source.reference_values`), which the options
    override; *acquired*: the source series' acquisition (:func:`.source.copied_values`).
    """
    nx, ny, nz = volume.size
    now = datetime.now()
    date, time = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    ds = Dataset()
    copied, acquired = copied or {}, acquired or {}
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
    description = options.series_description or acquired.get("SeriesDescription") or volume_label(volume.name)
    if description:
        ds.SeriesDescription = description[:64]
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
    ds.PatientOrientation = [orientation_label(row), orientation_label(col)]
    ds.ImagePositionPatient = ["0", "0", "0"]  # per slice
    ds.ImageOrientationPatient = [geometry_ds(v) for v in (*row, *col)]
    ds.FrameOfReferenceUID = for_uid
    ds.PositionReferenceIndicator = ""
    for keyword, value in acquired.items():  # the source's acquisition (its IOD's attributes)
        if keyword == "SeriesDescription":
            continue  # (written above: the option wins)
        if keyword != "PatientPosition" or modality in SOP_CLASSES:
            setattr(ds, keyword, value)
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
        center, width = pixels.window
        if modality == "CT" and center - width / 2 <= -500 and center + width / 2 >= 100:
            # Hounsfield units from air to tissue: viewers open the first window, the soft-tissue one
            ds.WindowCenter = [format_ds(CT_WINDOW[0]), format_ds(center)]
            ds.WindowWidth = [format_ds(CT_WINDOW[1]), format_ds(width)]
            ds.WindowCenterWidthExplanation = ["SOFT TISSUE", "FULL RANGE"]
        else:
            ds.WindowCenter = format_ds(center)
            ds.WindowWidth = format_ds(width)
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

