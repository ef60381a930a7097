"""dicomforge.series checked by programs nobody here wrote: SimpleITK, dcm2niix + nibabel,
dciodvfy (dicom3tools) and dcmftest (dcmtk). Each test skips where its checker is missing."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from dicomforge import kernels
from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import plan_series
from test_series import FLIPPED, IDENTITY, make_volume, rotation

GEOMETRIES = {
    "axial": dict(direction=IDENTITY, spacing=(0.8, 0.6, 2.5)),
    "oblique": dict(direction=rotation(20, -35, 50), spacing=(0.9, 0.7, 1.3)),
    "flipped": dict(direction=FLIPPED, spacing=(1.0, 1.0, 1.0)),
    "anisotropic": dict(direction=rotation(0, 90, 0), spacing=(0.3, 2.0, 5.5)),
}


def tool(name: str) -> str:
    """Path of an external program: on PATH or beside this Python (a virtualenv's bin)."""
    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if not found:
        pytest.skip(f"{name} is not installed here")
    return found


def write_files(volume, options, folder: Path) -> list[Path]:
    plan = plan_series(volume, options)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in plan.files():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths, plan


def expected_geometry(volume):
    """What a reader sorting by the normal sees: a left-handed volume comes back reversed."""
    nz = volume.size[2]
    row, col, axis = volume.direction
    normal = (row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0])
    if sum(a * b for a, b in zip(normal, axis)) > 0:
        return volume.origin, volume.direction, list(range(nz))
    return volume.position(nz - 1), (row, col, tuple(-c for c in axis)), list(range(nz - 1, -1, -1))


def voxels(volume, order) -> list:
    code = kernels.DTYPES[volume.dtype][0]
    out = []
    for k in order:
        data = volume.slice_data(k)
        out.extend(struct.unpack("<%d%s" % (len(data) // kernels.itemsize(volume.dtype), code), data))
    return out


class TestSimpleITK:
    @pytest.mark.parametrize("geometry", sorted(GEOMETRIES))
    @pytest.mark.parametrize("dtype", ["int16", "uint16", "uint8", "int8", "float32"])
    @pytest.mark.parametrize("modality", ["CT", "MR", "OT"])
    def test_series_reader(self, tmp_path, geometry, dtype, modality):
        """ImageSeriesReader gives back size, spacing, origin, direction and voxels."""
        sitk = pytest.importorskip("SimpleITK")
        volume = make_volume(dtype, size=(11, 7, 5), origin=(-50.5, 12.25, 100.0), **GEOMETRIES[geometry])
        paths, plan = write_files(volume, SeriesOptions(modality=modality), tmp_path)
        reader = sitk.ImageSeriesReader()
        reader.SetFileNames(list(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(tmp_path))))
        image = reader.Execute()
        origin, direction, order = expected_geometry(volume)
        assert image.GetSize() == volume.size
        assert image.GetSpacing() == pytest.approx(volume.spacing, abs=1e-4)
        assert image.GetOrigin() == pytest.approx(origin, abs=1e-4)
        matrix = [direction[j][i] for i in range(3) for j in range(3)]  # row-major, columns = axes
        assert image.GetDirection() == pytest.approx(matrix, abs=1e-4)
        got = list(sitk.GetArrayViewFromImage(image).ravel())
        want = [v * volume.rescale[0] + volume.rescale[1] for v in voxels(volume, order)]
        if dtype.startswith("float"):
            assert max(abs(float(a) - b) for a, b in zip(got, want)) <= plan.max_error * 1.0001 + 1e-6
        else:
            assert [float(v) for v in got] == want


class TestDcm2niix:
    @pytest.mark.parametrize("geometry", sorted(GEOMETRIES))
    def test_affine_and_voxels(self, tmp_path, geometry):
        """dcm2niix's NIfTI affine (RAS) matches the input's within 1e-3 mm; voxels match."""
        nib = pytest.importorskip("nibabel")
        np = pytest.importorskip("numpy")
        exe = tool("dcm2niix")
        volume = make_volume("int16", size=(12, 9, 6), origin=(-30.0, 40.5, -12.0), **GEOMETRIES[geometry])
        write_files(volume, SeriesOptions(modality="CT"), tmp_path / "dcm")
        out = tmp_path / "nii"
        out.mkdir()
        run = subprocess.run([exe, "-z", "n", "-f", "vol", "-o", str(out), str(tmp_path / "dcm")],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr
        image = nib.load(str(out / "vol.nii"))
        data = np.asarray(image.dataobj)
        # our voxel (i, j, k) -> LPS; RAS = diag(-1, -1, 1) LPS
        lps = np.eye(4)
        for axis in range(3):
            lps[:3, axis] = np.array(volume.direction[axis]) * volume.spacing[axis]
        lps[:3, 3] = volume.origin
        ours = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps
        theirs = image.affine
        # dcm2niix may reorder or flip axes: compare where every voxel centre lands
        ii, jj, kk = np.meshgrid(*(np.arange(n) for n in volume.size), indexing="ij")
        ours_pts = ours @ np.stack([ii.ravel(), jj.ravel(), kk.ravel(), np.ones(ii.size)])
        values = np.frombuffer(volume.data, "<i2").reshape(volume.size[::-1]).transpose(2, 1, 0)
        inverse = np.linalg.inv(theirs)
        idx = inverse @ ours_pts
        assert np.abs(idx - np.round(idx)).max() * max(volume.spacing) < 1e-3
        idx = np.round(idx[:3]).astype(int)
        assert (theirs @ np.vstack([idx, np.ones(idx.shape[1])]) - ours_pts).__abs__().max() < 1e-3
        assert np.array_equal(data[idx[0], idx[1], idx[2]], values.ravel())


class TestValidators:
    @pytest.mark.parametrize("modality", ["CT", "MR", "OT"])
    @pytest.mark.parametrize("dtype", ["int16", "uint16", "float32", "uint8"])
    def test_dciodvfy_no_errors(self, tmp_path, modality, dtype):
        """dciodvfy reports no errors for CT, MR and the default Secondary Capture."""
        exe = tool("dciodvfy")
        volume = make_volume(dtype, size=(8, 6, 2), direction=rotation(5, 10, 15))
        options = SeriesOptions(modality=modality, patient_name="Doe^Jane", patient_id="P1", series_description="x")
        paths, _ = write_files(volume, options, tmp_path)
        for path in paths:
            run = subprocess.run([exe, str(path)], capture_output=True, text=True)
            errors = [line for line in (run.stdout + run.stderr).splitlines() if line.startswith("Error")]
            assert not errors, f"{path.name}: {errors}"

    def test_dciodvfy_rgb(self, tmp_path):
        """RGB Secondary Capture has no errors either."""
        exe = tool("dciodvfy")
        paths, _ = write_files(make_volume("uint8", size=(4, 4, 2), components=3), SeriesOptions(), tmp_path)
        run = subprocess.run([exe, str(paths[0])], capture_output=True, text=True)
        assert not [line for line in (run.stdout + run.stderr).splitlines() if line.startswith("Error")]

    @pytest.mark.parametrize("modality", ["CT", "MR", "OT"])
    def test_dcmftest(self, tmp_path, modality):
        """dcmftest accepts every file as DICOM Part 10."""
        exe = tool("dcmftest")
        paths, _ = write_files(make_volume(size=(5, 5, 3)), SeriesOptions(modality=modality), tmp_path)
        run = subprocess.run([exe, *map(str, paths)], capture_output=True, text=True)
        assert run.returncode == 0
        assert run.stdout.count("yes:") == len(paths), run.stdout
