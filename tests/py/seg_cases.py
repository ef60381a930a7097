"""Sources and label maps for the Segmentation tests: CT and oblique series (zarr_cases.ct_series),
a single US image without patient geometry, and label maps on a series' grid (standard library only)."""

from __future__ import annotations

import io
import math

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from dicomforge.formats.writers import write_nrrd
from dicomforge.inputs import NamedInput
from dicomforge.volume import Volume
from zarr_cases import ct_series

__all__ = ["ct_series", "us_image", "boxes", "label_input", "OBLIQUE", "OBLIQUE_STEP"]

_C30, _C20, _S20 = math.cos(math.pi / 6), math.cos(math.pi / 9), math.sin(math.pi / 9)
OBLIQUE = (round(_C30, 6), 0.5, 0.0, round(-0.5 * _C20, 6), round(_C30 * _C20, 6), round(_S20, 6))
OBLIQUE_STEP = tuple(3.0 * v for v in (0.5 * _S20, -_C30 * _S20, _C20))


def us_image(rows=48, columns=64) -> NamedInput:
    """A single-frame 8-bit US image: no Frame of Reference, no Image Position/Orientation."""
    meta = FileMetaDataset()
    uid = generate_uid()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = "1.2.840.10008.5.1.4.1.1.6.1", uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = meta.MediaStorageSOPClassUID, uid, "US"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.PatientName, ds.PatientID, ds.StudyDate, ds.StudyTime = "Test^US", "US1", "20240101", "120000"
    ds.SeriesNumber, ds.InstanceNumber, ds.PatientOrientation = 3, 1, ""
    ds.ImageType = ["ORIGINAL", "PRIMARY", "ABDOMINAL", "0001"]
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = rows, columns, 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = bytes((r * 5 + c) % 256 for r in range(rows) for c in range(columns))
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return NamedInput("us.dcm", out.getvalue())


def boxes(nx: int, ny: int, nz: int, boxes_: list) -> bytes:
    """A uint8 label map (x fastest) with *boxes_* ``(value, z0, z1, y0, y1, x0, x1)`` (ends excluded)."""
    data = bytearray(nx * ny * nz)
    for value, z0, z1, y0, y1, x0, x1 in boxes_:
        for z in range(z0, z1):
            for y in range(y0, y1):
                start = (z * ny + y) * nx
                data[start + x0 : start + x1] = bytes([value]) * (x1 - x0)
    return bytes(data)


def label_input(series: list[NamedInput], data: bytes, name: str = "labels.nrrd") -> NamedInput:
    """*data* (a uint8 label map) as a NRRD on the grid of *series* (read by our DICOM reader)."""
    from dicomforge.formats import read_dicom_series

    volume = read_dicom_series(series)[0]
    labels = Volume(data, "uint8", volume.size, volume.spacing, volume.origin, volume.direction, name=name)
    return NamedInput(name, b"".join(write_nrrd(labels)))
