"""A JPEG 2000 Lossless CT series for the compressed-input e2e test: six slices of pydicom's
CT_small.dcm (each shifted in value, 2.5 mm apart, one series), compressed by pydicom with
pylibjpeg-openjpeg. Also checks a downloaded series against it.

    python tests/e2e/make_compressed.py write DIR        -> the file names, one a line
    python tests/e2e/make_compressed.py check DIR ZIP    -> "ok" or the problem (exit 1)
"""

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import JPEG2000Lossless, generate_uid

SLICES = 6


def source_arrays():
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm", download=False))
    return [(ds.pixel_array + 7 * k).astype(ds.pixel_array.dtype) for k in range(SLICES)]


def write(folder: Path) -> None:
    series = generate_uid()
    for k, array in enumerate(source_arrays()):
        ds = pydicom.dcmread(get_testdata_file("CT_small.dcm", download=False))
        ds.SeriesInstanceUID, ds.SOPInstanceUID = series, generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [-158.1, -179.0, -75.7 + 2.5 * k]
        ds.SliceThickness = 2.5
        ds.compress(JPEG2000Lossless, array, encoding_plugin="pylibjpeg")
        name = f"ct_j2k_{k:02d}.dcm"
        ds.save_as(folder / name, enforce_file_format=True)
        print(name)


def check(folder: Path, zip_path: Path) -> str:
    with zipfile.ZipFile(zip_path) as archive:
        names = sorted(n for n in archive.namelist() if n.endswith(".dcm"))
        if len(names) != SLICES:
            return f"{len(names)} files in the zip, expected {SLICES}"
        arrays = source_arrays()
        for k, name in enumerate(names):
            data = archive.read(name)
            ds = pydicom.dcmread(io.BytesIO(data))
            if ds.file_meta.TransferSyntaxUID.is_compressed:
                return f"{name} is still compressed ({ds.file_meta.TransferSyntaxUID.name})"
            if not (ds.pixel_array == arrays[k]).all():
                return f"{name}: pixels differ from slice {k}"
            (folder / "check.dcm").write_bytes(data)
            run = subprocess.run(["dcmftest", str(folder / "check.dcm")], capture_output=True, text=True)
            if not run.stdout.startswith("yes"):
                return f"{name}: dcmftest says {run.stdout.strip()}"
    return "ok"


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(Path(sys.argv[2]))
    else:
        verdict = check(Path(sys.argv[2]), Path(sys.argv[3]))
        print(verdict)
        sys.exit(verdict != "ok")
