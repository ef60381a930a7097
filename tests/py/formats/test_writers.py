"""Volume export (NIfTI-1, NRRD, MetaImage) checked by the tools that own those formats: dcm2niix and
nibabel for NIfTI, pynrrd for NRRD, SimpleITK for MetaImage; and read back by our own readers."""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from dicomforge import jobs
from dicomforge.formats import read_volume
from dicomforge.formats.writers import write_metaimage, write_nifti, write_nrrd
from dicomforge.inputs import NamedInput
from dicomforge.volume import Volume
from zarr_cases import ct_series, entries_of, zip_of


# rows 30 degrees about z, columns tilted 20 degrees out of the axial plane; slices 3 mm apart along the normal
_C30, _S30, _C20, _S20 = math.cos(math.pi / 6), 0.5, math.cos(math.pi / 9), math.sin(math.pi / 9)
OBLIQUE = (round(_C30, 6), 0.5, 0.0, round(-_S30 * _C20, 6), round(_C30 * _C20, 6), round(_S20, 6))
OBLIQUE_STEP = tuple(3.0 * v for v in (_S30 * _S20, -_C30 * _S20, _C30 * _C30 * _C20 + _S30 * _S30 * _C20))


def _volume(dtype="int16", rescale=(1.0, 0.0), components=1):
    code = {"int16": "h", "uint8": "B", "float32": "f", "uint16": "H"}[dtype]
    nx, ny, nz = 6, 5, 4
    values = [(i * 13) % 200 for i in range(nx * ny * nz * components)]
    direction = ((0.0, 0.8, 0.6), (0.0, -0.6, 0.8), (1.0, 0.0, 0.0))  # oblique, right-handed
    return Volume(struct.pack(f"<{len(values)}{code}", *values), dtype, (nx, ny, nz), (0.7, 0.9, 2.5),
                  (-10.0, 20.5, 5.0), direction, components, rescale, name="v")


def _close(a: Volume, b: Volume, tol=1e-5):
    assert b.size == a.size and b.components == a.components
    for x, y in zip((*a.spacing, *a.origin, *sum(a.direction, ())), (*b.spacing, *b.origin, *sum(b.direction, ()))):
        assert abs(x - y) < tol


@pytest.mark.parametrize("writer, name", [(lambda v: write_nifti(v, True), "x.nii.gz"), (lambda v: write_nifti(v, False), "x.nii"),
                                          (write_nrrd, "x.nrrd"), (lambda v: write_nrrd(v, True), "x.nrrd"),
                                          (write_metaimage, "x.mha"), (lambda v: write_metaimage(v, True), "x.mha")])
@pytest.mark.parametrize("dtype", ["int16", "uint8", "float32"])
def test_our_readers_read_what_we_write(writer, name, dtype):
    volume = _volume(dtype)
    back = read_volume(NamedInput(name, b"".join(writer(volume))))
    _close(volume, back)
    assert bytes(back.data) == bytes(volume.data) and back.dtype == dtype


def test_rgb_and_rescale():
    rgb = _volume("uint8", components=3)
    for writer, name in ((write_nifti, "c.nii.gz"), (write_nrrd, "c.nrrd"), (write_metaimage, "c.mha")):
        back = read_volume(NamedInput(name, b"".join(writer(rgb))))
        assert bytes(back.data) == bytes(rgb.data) and back.components == 3
    ct = _volume("int16", rescale=(1.0, -1024.0))
    nifti = read_volume(NamedInput("ct.nii", b"".join(write_nifti(ct, False))))
    assert nifti.rescale == (1.0, -1024.0) and bytes(nifti.data) == bytes(ct.data)
    nrrd = read_volume(NamedInput("ct.nrrd", b"".join(write_nrrd(ct))))  # real values, whole: int16
    assert nrrd.dtype == "int16" and struct.unpack("<h", nrrd.data[2:4])[0] == 13 - 1024
    half = read_volume(NamedInput("h.mha", b"".join(write_metaimage(_volume("uint16", rescale=(0.5, -3.0))))))
    assert half.dtype == "float32" and struct.unpack("<f", half.data[4:8])[0] == 13 * 0.5 - 3.0


try:
    import numpy
except ImportError:  # (Pyodide: the oracles below need numpy)
    numpy = None


@pytest.mark.skipif(numpy is None, reason="the oracles need numpy")
class TestOracles:
    np = numpy

    def test_nibabel(self, tmp_path):
        nib = pytest.importorskip("nibabel")
        volume = _volume("int16", rescale=(2.0, -7.0))
        path = tmp_path / "v.nii.gz"
        path.write_bytes(b"".join(write_nifti(volume)))
        image = nib.load(path)
        stored = self.np.frombuffer(volume.data, "<i2").reshape(4, 5, 6).transpose(2, 1, 0)
        assert self.np.array_equal(image.get_fdata(), stored * 2.0 - 7.0)
        lps_to_ras = self.np.diag([-1.0, -1.0, 1.0])
        columns = self.np.array(volume.direction).T * self.np.array(volume.spacing)
        assert self.np.allclose(image.affine[:3, :3], lps_to_ras @ columns, atol=1e-6)
        assert self.np.allclose(image.affine[:3, 3], lps_to_ras @ self.np.array(volume.origin), atol=1e-6)
        assert self.np.allclose(image.get_qform(), image.get_sform(), atol=1e-5)
        assert (int(image.header["qform_code"]), int(image.header["sform_code"])) == (1, 1)

    @pytest.mark.parametrize("case", ["axial-CT", "sagittal-CT", "oblique-CT", "unsigned-slope"])
    def test_dcm2niix_agrees(self, case, tmp_path):
        nib = pytest.importorskip("nibabel")
        tool = shutil.which("dcm2niix") or shutil.which("dcm2niix", path=str(Path(sys.executable).parent))
        if tool is None:  # (make test installs it with the test extras: natively its absence is a failure)
            pytest.skip("no child processes in Pyodide") if sys.platform == "emscripten" else pytest.fail("no dcm2niix")
        series = {"axial-CT": lambda: ct_series(),
                  "sagittal-CT": lambda: ct_series(iop=(0, 1, 0, 0, 0, -1), origin=(20.0, -60.0, 80.0), step=(-2.0, 0, 0)),
                  "oblique-CT": lambda: ct_series(iop=OBLIQUE, origin=(5.0, -20.0, -30.0), step=OBLIQUE_STEP),
                  "unsigned-slope": lambda: ct_series(slope=0.5, intercept=-1000.0, signed=False)}[case]()
        (tmp_path / "dicom").mkdir()
        for item in series:
            (tmp_path / "dicom" / item.name).write_bytes(item.data)
        subprocess.run([tool, "-z", "n", "-b", "n", "-w", "1", "-f", "ref", "-o", str(tmp_path), str(tmp_path / "dicom")],
                       check=True, capture_output=True)
        ours = entries_of(jobs.start("export", series, {"format": "nii"}))
        assert len(ours) == 1
        (tmp_path / "ours.nii").write_bytes(next(iter(ours.values())))
        a, b = (nib.as_closest_canonical(nib.load(tmp_path / n)) for n in ("ref.nii", "ours.nii"))
        assert a.shape[:3] == b.shape[:3]
        assert self.np.abs(a.affine - b.affine).max() < 1e-3
        assert self.np.array_equal(a.get_fdata().reshape(b.shape), b.get_fdata())

    def test_pynrrd(self, tmp_path):
        nrrd = pytest.importorskip("nrrd")
        volume = _volume("float32")
        path = tmp_path / "v.nrrd"
        path.write_bytes(b"".join(write_nrrd(volume, True)))
        data, header = nrrd.read(str(path))
        assert self.np.array_equal(data, self.np.frombuffer(volume.data, "<f4").reshape(4, 5, 6).transpose(2, 1, 0))
        assert header["space"] == "left-posterior-superior"
        assert self.np.allclose(header["space directions"], self.np.array(volume.direction) * self.np.array(volume.spacing)[:, None])
        assert self.np.allclose(header["space origin"], volume.origin)

    def test_simpleitk(self, tmp_path):
        sitk = pytest.importorskip("SimpleITK")
        for compressed in (False, True):
            volume = _volume("int16")
            path = tmp_path / f"v{compressed}.mha"
            path.write_bytes(b"".join(write_metaimage(volume, compressed)))
            image = sitk.ReadImage(str(path))
            assert self.np.allclose(image.GetOrigin(), volume.origin) and self.np.allclose(image.GetSpacing(), volume.spacing)
            assert self.np.allclose(self.np.array(image.GetDirection()).reshape(3, 3), self.np.array(volume.direction).T)
            assert sitk.GetArrayFromImage(image).tobytes() == bytes(volume.data)


def test_export_job_from_a_zarr_store_and_bad_options():
    store = entries_of(jobs.start("zarr", ct_series(n=3)))
    events = list(jobs.start("export", [zip_of(store, "scan.zarr.zip")], {"format": "mha"}))
    assert [e["name"] for e in events if e["type"] == "file"] == ["scan.mha"]
    failed = list(jobs.start("export", [zip_of(store)], {"format": "png"}))
    assert failed[-1]["type"] == "failed" and "format must be one of nifti, nii, nrrd, mha" in failed[-1]["message"]
    assert math.isclose([e for e in events if e["type"] == "result"][0]["value"]["spacing"][0], 0.8)


def test_float32_option_writes_real_values():
    series = ct_series(n=3, slope=0.5, intercept=-1000.0, signed=False)
    out = entries_of(jobs.start("export", series, {"format": "nii", "float32": True}))
    volume = read_volume(NamedInput("f.nii", next(iter(out.values()))))
    assert volume.dtype == "float32" and volume.rescale == (1.0, 0.0)
    assert struct.unpack("<f", volume.data[:4])[0] == 1000 * 0.5 - 1000.0  # voxel (0, 0, 0): stored 1000
