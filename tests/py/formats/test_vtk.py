"""Tests for dicomforge.formats.vtk: against SimpleITK, and on hand-written files."""

import struct

import pytest

from dicomforge.errors import InputError, UnsupportedError
from dicomforge.formats import vtk
from dicomforge.inputs import NamedInput

from fmt_helpers import DTYPES, random_array, read_path, voxels_zyx

SHAPE_ZYX = (3, 4, 5)


def _vtk(body: str, data: bytes = b"", kind="BINARY") -> bytes:
    return f"# vtk DataFile Version 3.0\ntest\n{kind}\nDATASET STRUCTURED_POINTS\n{body}\n".encode() + data


class TestReadVtkSimpleITK:
    @pytest.mark.parametrize("dtype", DTYPES)
    def test_dtypes(self, tmp_path, dtype):
        """Every scalar type written by SimpleITK: size, spacing, origin, identity direction, voxels."""
        sitk = pytest.importorskip("SimpleITK")
        import numpy as np

        image = sitk.GetImageFromArray(random_array(dtype, SHAPE_ZYX, seed=31))
        image.SetSpacing((0.7, 1.3, 2.5))
        image.SetOrigin((-12.5, 33.125, 7.25))
        sitk.WriteImage(image, str(tmp_path / "image.vtk"))
        volume = read_path(tmp_path / "image.vtk")
        back = sitk.ReadImage(str(tmp_path / "image.vtk"))
        assert volume.dtype == dtype
        assert volume.size == back.GetSize()
        assert np.allclose(volume.spacing, back.GetSpacing(), rtol=0, atol=1e-6)
        assert np.allclose(volume.origin, back.GetOrigin(), rtol=0, atol=1e-6)
        assert np.allclose(np.array(volume.direction).T.flatten(), back.GetDirection(), atol=1e-6)
        assert np.array_equal(voxels_zyx(volume), sitk.GetArrayFromImage(back))
        assert np.array_equal(voxels_zyx(volume), sitk.GetArrayFromImage(image))

    def test_rgb(self, tmp_path):
        """Three-component SCALARS give components=3."""
        sitk = pytest.importorskip("SimpleITK")
        import numpy as np

        image = sitk.GetImageFromArray(random_array("uint8", SHAPE_ZYX + (3,), seed=32), isVector=True)
        sitk.WriteImage(image, str(tmp_path / "rgb.vtk"))
        volume = read_path(tmp_path / "rgb.vtk")
        assert volume.components == 3
        assert np.array_equal(voxels_zyx(volume), sitk.GetArrayFromImage(image))


class TestReadVtkStdlib:
    def test_ascii(self):
        """ASCII data, ASPECT_RATIO as spacing, no LOOKUP_TABLE line."""
        body = "DIMENSIONS 3 1 1\nASPECT_RATIO 2 3 4\nORIGIN 1 2 3\nPOINT_DATA 3\nSCALARS v float"
        volume = vtk.read(NamedInput("a.vtk", _vtk(body, b"1.5 -2\n3e2\n", kind="ASCII")))
        assert volume.data == struct.pack("<3f", 1.5, -2, 300)
        assert (volume.spacing, volume.origin) == ((2, 3, 4), (1, 2, 3))
        assert volume.direction == ((1, 0, 0), (0, 1, 0), (0, 0, 1))

    def test_binary_big_endian(self):
        """Binary data is big-endian."""
        body = "DIMENSIONS 2 1 1\nPOINT_DATA 2\nSCALARS v short 1\nLOOKUP_TABLE default"
        volume = vtk.read(NamedInput("b.vtk", _vtk(body, struct.pack(">2h", -3, 1000))))
        assert volume.data == struct.pack("<2h", -3, 1000)

    def test_color_scalars(self):
        """Binary COLOR_SCALARS with 3 values are uint8 RGB."""
        body = "DIMENSIONS 1 1 1\nPOINT_DATA 1\nCOLOR_SCALARS rgb 3"
        volume = vtk.read(NamedInput("c.vtk", _vtk(body, b"\x01\x02\x03")))
        assert (volume.components, volume.dtype, volume.data) == (3, "uint8", b"\x01\x02\x03")


class TestReadVtkErrors:
    def test_truncated(self):
        """Binary data shorter than DIMENSIONS say: InputError with the numbers."""
        body = "DIMENSIONS 512 512 300\nPOINT_DATA 78643200\nSCALARS v short\nLOOKUP_TABLE default"
        with pytest.raises(InputError, match="header says 512x512x300 int16 = 157286400 bytes, file has 1024"):
            vtk.read(NamedInput("t.vtk", _vtk(body, bytes(1024))))

    def test_unknown_type(self):
        """An unknown data type is an InputError naming it."""
        body = "DIMENSIONS 1 1 1\nPOINT_DATA 1\nSCALARS v quaternion\nLOOKUP_TABLE default"
        with pytest.raises(InputError, match="unknown VTK data type 'quaternion'"):
            vtk.read(NamedInput("u.vtk", _vtk(body, bytes(16))))

    def test_zero_dimension(self):
        """A zero dimension is refused."""
        body = "DIMENSIONS 4 0 1\nPOINT_DATA 0\nSCALARS v char\nLOOKUP_TABLE default"
        with pytest.raises(InputError, match="dimensions must be positive"):
            vtk.read(NamedInput("z.vtk", _vtk(body, bytes(4))))

    def test_point_data_mismatch(self):
        """POINT_DATA that disagrees with DIMENSIONS is an InputError with both numbers."""
        body = "DIMENSIONS 2 2 1\nPOINT_DATA 5\nSCALARS v char\nLOOKUP_TABLE default"
        with pytest.raises(InputError, match="POINT_DATA 5 but DIMENSIONS give 4"):
            vtk.read(NamedInput("p.vtk", _vtk(body, bytes(5))))

    def test_other_dataset(self):
        """Datasets other than STRUCTURED_POINTS are unsupported."""
        data = b"# vtk DataFile Version 3.0\nt\nASCII\nDATASET POLYDATA\nPOINTS 0 float\n"
        with pytest.raises(UnsupportedError, match="POLYDATA"):
            vtk.read(NamedInput("poly.vtk", data))
