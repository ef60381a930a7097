"""Inputs for the Zarr and export tests: DICOM series as scanners write them, and stores as inputs."""

from __future__ import annotations

import io
import random
import zipfile

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from dicomforge.inputs import NamedInput

__all__ = ["ct_series", "zip_of", "folder_inputs", "entries_of"]


def ct_series(n=5, rows=6, columns=8, iop=(1, 0, 0, 0, 1, 0), origin=(-100.0, -50.0, 10.0), step=(0, 0, 2.5),
              spacing=(0.7, 0.8), slope=1.0, intercept=-1024.0, signed=True, seed=0) -> list[NamedInput]:
    """A CT series (files in shuffled order); stored value of (slice k, row r, column c) is
    1000 + 100k + 10r + c, so every voxel says where it belongs."""
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    order = list(range(n))
    random.Random(seed).shuffle(order)
    files = []
    normal = (iop[1] * iop[5] - iop[2] * iop[4], iop[2] * iop[3] - iop[0] * iop[5], iop[0] * iop[4] - iop[1] * iop[3])
    for k in range(n):
        meta = FileMetaDataset()
        sop = generate_uid()
        meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = CTImageStorage, sop
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, sop
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.Modality, ds.PatientName, ds.PatientID = "CT", "Test^Synthetic", "SYN001"
        ds.PatientBirthDate, ds.PatientSex, ds.AccessionNumber, ds.StudyID = "19700101", "O", "ACC1", "S1"
        ds.StudyDate, ds.StudyTime, ds.AcquisitionTime = "20240101", "120000", f"1200{k:02d}"
        ds.SeriesNumber, ds.InstanceNumber, ds.SeriesDescription = 3, k + 1, "synthetic"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.ImageOrientationPatient = [float(v) for v in iop]
        position = [o + k * s for o, s in zip(origin, step)]
        ds.ImagePositionPatient = position
        ds.SliceLocation = round(sum(p * q for p, q in zip(position, normal)), 4)
        ds.PixelSpacing, ds.SliceThickness = list(spacing), 2.5
        ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = slope, intercept, "HU"
        ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = rows, columns, 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, int(signed)
        values = [1000 + 100 * k + 10 * r + c for r in range(rows) for c in range(columns)]
        ds.PixelData = __import__("struct").pack(f"<{len(values)}{'h' if signed else 'H'}", *values)
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        files.append(NamedInput(f"IM{order[k]:04d}.dcm", out.getvalue()))
    return sorted(files, key=lambda f: f.name)


def entries_of(events) -> dict:
    """The ``file`` events of a job as ``{name: bytes}``."""
    return {e["name"]: bytes(e["data"]) for e in events if e["type"] == "file"}


def zip_of(entries: dict, name: str = "store.zarr.zip", prefix: str = "") -> NamedInput:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for key, data in entries.items():
            archive.writestr(prefix + key, data)
    return NamedInput(name, out.getvalue())


def folder_inputs(entries: dict, folder: str = "scan.zarr") -> list[NamedInput]:
    return [NamedInput(f"{folder}/{key}", data) for key, data in entries.items()]


def dataset(item: NamedInput):
    return pydicom.dcmread(io.BytesIO(item.data))
