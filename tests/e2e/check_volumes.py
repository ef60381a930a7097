"""The Zarr / volume export e2e test's fixtures and oracles (run by tests/e2e/volumes.spec.js).

    write DIR                 a CT series (12 files, 64x48, rescale -1024) into DIR; prints the names
    zarr DIR STORE.zip        zarr-python opens the zip store: voxels equal the series', OME-Zarr valid
    nifti DIR FILE.nii.gz     dcm2niix on DIR agrees with FILE (affine within 1e-3 mm, voxels equal)
    nrrd DIR FILE.nrrd        pynrrd reads the series' real values (HU) in LPS
    series DIR SERIES.zip     the rebuilt series has every attribute and pixel of DIR's files
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

import numpy as np  # noqa: E402
import pydicom  # noqa: E402

from zarr_cases import ct_series  # noqa: E402


def write(folder: str) -> None:
    for item in ct_series(n=12, rows=48, columns=64, spacing=(0.6, 0.7), step=(0, 0, 1.25)):
        (Path(folder) / item.name).write_bytes(item.data)
        print(item.name)


def _volume(folder: str) -> np.ndarray:
    slices = sorted((pydicom.dcmread(p) for p in Path(folder).glob("IM*.dcm")), key=lambda d: float(d.ImagePositionPatient[2]))
    return np.stack([d.pixel_array for d in slices])


def check_zarr(folder: str, store: str) -> None:
    import zarr
    from ome_zarr_models.v05 import Image

    opened = zarr.storage.ZipStore(store, mode="r")
    array = zarr.open_array(opened, path="0", mode="r")
    assert np.array_equal(array[:], _volume(folder)), "voxels differ"
    Image.from_zarr(zarr.open_group(opened, mode="r"))
    assert array.attrs["dicomforge"]["dicom"]["shared"]["00100010"]["Value"] == [{"Alphabetic": "Test^Synthetic"}]


def check_nifti(folder: str, path: str) -> None:
    import nibabel as nib

    tool = shutil.which("dcm2niix") or shutil.which("dcm2niix", path=str(Path(sys.executable).parent))
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([tool, "-z", "n", "-b", "n", "-f", "ref", "-o", out, folder], check=True, capture_output=True)
        a, b = (nib.as_closest_canonical(nib.load(p)) for p in (Path(out) / "ref.nii", path))
        assert np.abs(a.affine - b.affine).max() < 1e-3, (a.affine, b.affine)
        assert np.array_equal(a.get_fdata(), b.get_fdata()), "voxels differ"


def check_nrrd(folder: str, path: str) -> None:
    """pynrrd reads real values (the series' rescale applied: int16 HU) on the series' grid."""
    import nrrd

    data, header = nrrd.read(path)
    assert np.array_equal(data.transpose(2, 1, 0), _volume(folder).astype(np.int32) - 1024), "voxels differ"
    assert header["space"] == "left-posterior-superior" and np.allclose(header["space origin"], [-100, -50, 10])


def check_series(folder: str, archive: str) -> None:
    originals = {d.SOPInstanceUID: d for d in (pydicom.dcmread(p) for p in Path(folder).glob("IM*.dcm"))}
    with zipfile.ZipFile(archive) as z:
        rebuilt = [pydicom.dcmread(io.BytesIO(z.read(n))) for n in z.namelist()]
    assert len(rebuilt) == len(originals)
    for ds in rebuilt:
        original = originals[ds.SOPInstanceUID]
        assert set(original.keys()) == set(ds.keys())
        assert all(ds[e.tag].value == e.value for e in original), ds.SOPInstanceUID


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"write": write, "zarr": check_zarr, "nifti": check_nifti, "nrrd": check_nrrd, "series": check_series}[command](*args)
    if command != "write":
        print("ok")
