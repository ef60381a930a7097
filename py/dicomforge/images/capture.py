"""A decoded image -> one Secondary Capture Image Storage file (PS3.3 A.8.1), as Part 10 bytes.

Modules written (PS3.3 A.8.1.3): Patient (C.7.1.1), General Study (C.7.2.1), General Series
(C.7.3.1), General Equipment (C.7.5.1), SC Equipment (C.8.6.1), General Image (C.7.6.1),
Image Pixel (C.7.6.3), SC Image (C.8.6.2) and SOP Common (C.12.1); Explicit VR Little Endian,
with the file meta the series writer writes (:func:`dicomforge.series.template.file_meta`).

Decisions, each written where it is implemented:

- *photometric* ``"auto"``: MONOCHROME2 for grey images and for RGB images whose every pixel
  has R == G == B (one sample, the same values: no loss); RGB otherwise. ``"MONOCHROME2"``
  turns colour into grey with the Rec. 601 luma Y = 0.299 R + 0.587 G + 0.114 B, rounded
  half up (integer arithmetic, the same on every platform); ``"RGB"`` repeats a grey sample.
- Patient and study attributes come from *reference* (the keywords of
  :data:`dicomforge.series.source.REFERENCE_KEYWORDS`) unless the arguments give them; the
  Study Instance UID from *study_uid*, else the reference's, else a new one.
- Several images share a series when the caller passes the same *series_uid* and
  *study_uid* (and reference) to each call; without *series_uid* an image gets a series of
  its own, described by its file's stem unless *series_description* says otherwise.
- A JPEG source has been lossy compressed: Lossy Image Compression 01 (PS3.3 C.7.6.1.1.5).
"""

from __future__ import annotations

import io
import re
import sys
from array import array
from datetime import datetime
from pathlib import PurePosixPath

from pydicom import dcmwrite
from pydicom.dataset import Dataset

from dicomforge import __version__
from dicomforge.dicom.uids import is_uid, new_uid, root_problem, uid_problem
from dicomforge.errors import OptionsError
from dicomforge.series.pixels import SECONDARY_CAPTURE
from dicomforge.series.source import reference_values
from dicomforge.series.template import file_meta

from .decode import DecodedImage

__all__ = ["PHOTOMETRICS", "is_grey", "secondary_capture", "to_grey", "to_rgb"]

#: What *photometric* may be.
PHOTOMETRICS = ("auto", "RGB", "MONOCHROME2")
#: Lossy sources -> (0028,2114) Lossy Image Compression Method (PS3.3 C.7.6.1.1.5.1)
_LOSSY = {"jpeg": "ISO_10918_1"}
_CS = re.compile(r"^[A-Z0-9_ ]{1,16}$")  # a Code String (PS3.5 6.2)
_IS_RANGE = (-(2**31), 2**31 - 1)
#: Type 2 Patient and Study attributes: written empty when nothing gives them.
_TYPE2 = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "ReferringPhysicianName", "StudyID",
          "AccessionNumber")


# -- pixels ----------------------------------------------------------------------------------


def is_grey(image: DecodedImage) -> bool:
    """True for a one-sample image and for an RGB image whose every pixel has R == G == B."""
    if image.samples == 1:
        return True
    unit, pixels = image.bits // 8, image.pixels
    step = 3 * unit
    return all(pixels[k::step] == pixels[unit + k :: step] == pixels[2 * unit + k :: step] for k in range(unit))


def _y601(r: int, g: int, b: int) -> int:
    """Rec. 601 luma, rounded half up: (299 R + 587 G + 114 B) / 1000."""
    return (299 * r + 587 * g + 114 * b + 500) // 1000


def _words(data: bytes) -> array:
    values = array("H")
    values.frombytes(data)
    if sys.byteorder == "big":  # our 16-bit pixels are little-endian
        values.byteswap()
    return values


def to_grey(image: DecodedImage) -> DecodedImage:
    """*image* as one sample: the red sample where R == G == B everywhere (exact), else the
    Rec. 601 luma, rounded half up."""
    if image.samples == 1:
        return image
    unit, pixels = image.bits // 8, image.pixels
    if is_grey(image):
        grey = bytearray(len(pixels) // 3)
        for k in range(unit):
            grey[k::unit] = pixels[k :: 3 * unit]
        grey = bytes(grey)
    elif unit == 1:
        grey = bytes(map(_y601, pixels[0::3], pixels[1::3], pixels[2::3]))
    else:
        words = _words(pixels)
        out = array("H", map(_y601, words[0::3], words[1::3], words[2::3]))
        if sys.byteorder == "big":
            out.byteswap()
        grey = out.tobytes()
    return DecodedImage(image.width, image.height, 1, image.bits, grey, image.had_alpha, image.source)


def to_rgb(image: DecodedImage) -> DecodedImage:
    """*image* as three samples: a grey sample repeated as R, G and B."""
    if image.samples == 3:
        return image
    unit, pixels = image.bits // 8, image.pixels
    rgb = bytearray(len(pixels) * 3)
    for c in range(3):
        for k in range(unit):
            rgb[c * unit + k :: 3 * unit] = pixels[k::unit]
    return DecodedImage(image.width, image.height, 3, image.bits, bytes(rgb), image.had_alpha, image.source)


def _stored(image: DecodedImage, photometric: str) -> tuple[DecodedImage, str]:
    """``(image as stored, what was done to it)``."""
    if photometric == "RGB":
        return to_rgb(image), "grey repeated as R, G and B" if image.samples == 1 else ""
    if image.samples == 1:
        return image, ""
    if photometric == "auto":
        return (to_grey(image), "R = G = B stored as one grey sample") if is_grey(image) else (image, "")
    if is_grey(image):
        return to_grey(image), "R = G = B stored as one grey sample"
    return to_grey(image), "colour converted to grey (Rec. 601 luma 0.299 R + 0.587 G + 0.114 B, rounded)"


# -- the file --------------------------------------------------------------------------------


def _check(name, modality, photometric, series_uid, study_uid, instance_number, series_number, uid_prefix):
    fields = {}
    if photometric not in PHOTOMETRICS:
        fields["photometric"] = f"photometric {photometric!r} is not one of {', '.join(PHOTOMETRICS)}"
    if not isinstance(modality, str) or not _CS.match(modality):
        fields["modality"] = f"modality {modality!r} is not 1-16 upper-case letters, digits, '_' or ' '"
    for key, value in (("series_uid", series_uid), ("study_uid", study_uid)):
        problem = uid_problem(key, value or "")
        if problem:
            fields[key] = problem
    problem = root_problem("uid_prefix", uid_prefix)
    if problem:
        fields["uid_prefix"] = problem
    for key, value in (("instance_number", instance_number), ("series_number", series_number)):
        if value is not None and (type(value) is not int or not _IS_RANGE[0] <= value <= _IS_RANGE[1]):
            fields[key] = f"{key} {value!r} is not a whole number from {_IS_RANGE[0]} to {_IS_RANGE[1]}"
    if fields:
        raise OptionsError("; ".join(fields.values()), name, fields)


def secondary_capture(
    image: DecodedImage,
    name: str,
    *,
    reference: Dataset | None = None,
    patient_name: str = "",
    patient_id: str = "",
    study_description: str = "",
    series_description: str = "",
    modality: str = "OT",
    photometric: str = "auto",
    series_uid: str | None = None,
    study_uid: str | None = None,
    instance_number: int = 1,
    series_number: int | None = 1,
    uid_prefix: str = "",
    warnings: list | None = None,
) -> bytes:
    """*image* (decoded from the file *name*) as a Secondary Capture Image Storage Part 10 file.

    Parameters
    ----------
    reference : pydicom.dataset.Dataset, optional
        Its Patient and General Study attributes are copied (the arguments win).
    photometric : {"auto", "RGB", "MONOCHROME2"}
        See the module's decisions.
    series_uid, study_uid : str, optional
        Pass the same ones to each call to put several images in one series.
    series_number : int or None
        (0020,0011) *Series Number*; None writes it empty (type 2).
    uid_prefix : str
        Root of the UIDs made here (ending in "."); empty: "2.25." UUID-derived UIDs.
    warnings : list, optional
        What the user should know (alpha dropped, colour made grey, values not copied) is
        appended to it.

    Raises
    ------
    OptionsError
        An argument out of range (every problem named, by field).
    """
    _check(name, modality, photometric, series_uid, study_uid, instance_number, series_number, uid_prefix)
    stored, note = _stored(image, photometric)
    copied, malformed = reference_values(reference) if reference is not None else ({}, [])
    if warnings is not None:
        if image.had_alpha:
            warnings.append(f"{name}: transparency (alpha) dropped; transparent pixels keep their colour")
        if note.startswith("colour"):
            warnings.append(f"{name}: {note}")
        if malformed:
            warnings.append(f"{name}: not copied from the reference, as the values there are malformed: "
                            f"{', '.join(malformed)}")

    now = datetime.now()
    date, time = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    sop_uid = new_uid(uid_prefix)
    own_study = copied.pop("StudyInstanceUID", "")
    ds = Dataset()
    for keyword, value in copied.items():  # Patient (C.7.1.1) and General Study (C.7.2.1)
        setattr(ds, keyword, value)
    for keyword in _TYPE2:
        if keyword not in ds:
            setattr(ds, keyword, "")
    if patient_name:
        ds.PatientName = patient_name
    if patient_id:
        ds.PatientID = patient_id
    if study_description:
        ds.StudyDescription = study_description
    ds.StudyInstanceUID = study_uid or (own_study if is_uid(own_study) else "") or new_uid(uid_prefix)
    ds.StudyDate = copied.get("StudyDate", date)
    ds.StudyTime = copied.get("StudyTime", time)

    ds.Modality = modality  # General Series (C.7.3.1)
    ds.SeriesInstanceUID = series_uid or new_uid(uid_prefix)
    ds.SeriesNumber = series_number if series_number is not None else ""
    description = series_description or ("" if series_uid else PurePosixPath(name.replace("\\", "/")).stem)
    if description:
        ds.SeriesDescription = description[:64]
    ds.SeriesDate, ds.SeriesTime = date, time
    ds.Laterality = ""  # type 2C (paired body part), unknown for a captured image; dciodvfy asks for it
    ds.Manufacturer = "dicomforge"  # General Equipment (C.7.5.1)
    ds.SoftwareVersions = f"dicomforge {__version__}"
    ds.ConversionType = "WSD"  # SC Equipment (C.8.6.1): workstation
    ds.DateOfSecondaryCapture, ds.TimeOfSecondaryCapture = date, time  # SC Image (C.8.6.2)

    ds.ImageType = ["DERIVED", "SECONDARY"]  # General Image (C.7.6.1)
    ds.InstanceNumber = instance_number
    ds.PatientOrientation = ""  # type 2C: no patient directions are known for a captured image
    ds.ContentDate, ds.ContentTime = date, time
    ds.DerivationDescription = "; ".join(filter(None, [f"{image.source.upper()} image converted by dicomforge",
                                                       note, "alpha dropped" if image.had_alpha else ""]))
    if image.source in _LOSSY:  # C.7.6.1.1.5: once lossy compressed, always said to be
        ds.LossyImageCompression = "01"
        ds.LossyImageCompressionMethod = _LOSSY[image.source]

    ds.SamplesPerPixel = stored.samples  # Image Pixel (C.7.6.3)
    ds.PhotometricInterpretation = "RGB" if stored.samples == 3 else "MONOCHROME2"
    if stored.samples == 3:
        ds.PlanarConfiguration = 0  # C.7.6.3.1.3: colour-by-pixel
    ds.Rows, ds.Columns = stored.height, stored.width
    ds.BitsAllocated = ds.BitsStored = stored.bits
    ds.HighBit = stored.bits - 1
    ds.PixelRepresentation = 0
    ds.add_new(0x7FE00010, "OB" if stored.bits == 8 else "OW", stored.pixels)

    ds.SOPClassUID = SECONDARY_CAPTURE[0]  # SOP Common (C.12.1)
    ds.SOPInstanceUID = sop_uid
    ds.InstanceCreationDate, ds.InstanceCreationTime = date, time
    texts = [v for e in ds if e.VR in ("LO", "SH", "PN", "ST", "LT", "UT")
             for v in (e.value if isinstance(e.value, (list, tuple)) or type(e.value).__name__ == "MultiValue"
                       else [e.value])]
    if any(not str(v).isascii() for v in texts):
        ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8
    ds.file_meta = file_meta(SECONDARY_CAPTURE[0], sop_uid)
    out = io.BytesIO()
    dcmwrite(out, ds, enforce_file_format=True)
    return out.getvalue()
