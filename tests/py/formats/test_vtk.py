"""Tests for dicomforge.formats.vtk: against SimpleITK, and on files laid out as VTK writes them."""

import hashlib
import struct
import tracemalloc

import pytest

from dicomforge.errors import DicomForgeError, InputError, UnsupportedError
from dicomforge.formats import read_volume, vtk
from dicomforge.inputs import NamedInput

import vtk_samples as vs
from fmt_helpers import DTYPES, random_array, read_path, voxels_zyx

SHAPE_ZYX = (3, 4, 5)
FORMATS = ["BINARY", "ASCII"]


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

    @pytest.mark.parametrize("shape, vector", [((4, 5), False), ((3, 4, 5, 3), True)], ids=["2d", "vectors"])
    def test_2d_and_vectors(self, tmp_path, shape, vector):
        """A 2D image (DIMENSIONS nx ny 1) and a float vector image: voxels, spacing and origin as written."""
        sitk = pytest.importorskip("SimpleITK")
        import numpy as np

        image = sitk.GetImageFromArray(random_array("float32", shape, seed=33), isVector=vector)
        image.SetSpacing((0.7, 1.3, 2.5)[: image.GetDimension()])
        image.SetOrigin((-12.5, 33.125, 7.25)[: image.GetDimension()])
        sitk.WriteImage(image, str(tmp_path / "image.vtk"))
        volume = read_path(tmp_path / "image.vtk")
        assert volume.components == (3 if vector else 1)
        assert np.allclose(volume.spacing[: image.GetDimension()], image.GetSpacing(), rtol=0, atol=1e-6)
        assert np.allclose(volume.origin[: image.GetDimension()], image.GetOrigin(), rtol=0, atol=1e-6)
        assert np.array_equal(voxels_zyx(volume).reshape(-1), sitk.GetArrayFromImage(image).reshape(-1))


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


def _read(data: bytes, name: str = "v.vtk", **options):
    return vtk.read(NamedInput(name, data), **options)


def _shorts(values) -> bytes:
    return struct.pack(f"<{len(values)}h", *values)


class TestVtkWriterLayouts:
    def test_uniform_is_pyvistas_file(self):
        """pyvista's uniform.vtk (CELL_DATA first, cells in a FIELD): the point scalars x*y*z, geometry."""
        data = vs.uniform()
        assert hashlib.sha256(data).hexdigest() == vs.UNIFORM_SHA256
        volume = read_volume(NamedInput("uniform.vtk", data))
        expected = [float(x * y * z) for z in range(10) for y in range(10) for x in range(10)]
        assert (volume.size, volume.dtype, volume.components) == ((10, 10, 10), "float64", 1)
        assert bytes(volume.data) == struct.pack("<1000d", *expected)
        assert (volume.spacing, volume.origin) == ((1, 1, 1), (0, 0, 0))

    def test_uniform_header_only(self):
        """The header past the cell data gives the geometry; a start that ends inside the cells is an InputError."""
        data = vs.uniform()
        head = read_volume(NamedInput("uniform.vtk", data[:6100]), header_only=True)
        assert (head.data, head.size, head.dtype) == (None, (10, 10, 10), "float64")
        with pytest.raises(InputError, match="Spatial%20Cell%20Data' needs 5832 bytes, the file has 815 left"):
            read_volume(NamedInput("uniform.vtk", data[:1000]), header_only=True)

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_cell_data_then_point_data(self, fmt):
        """VTK's order: dataset FIELD (TIME, CYCLE), CELL_DATA FIELD, then the point SCALARS."""
        data = vs.vtk_file(fmt, vs.time_field(fmt), vs.geometry(), vs.cell_field(fmt), vs.point_scalars(fmt))
        volume = _read(data)
        assert bytes(volume.data) == _shorts(vs.POINT_VALUES)
        assert (volume.size, volume.spacing, volume.origin) == (vs.DIMS, vs.SPACING, vs.ORIGIN)

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_point_data_then_cell_data(self, fmt):
        """POINT_DATA before CELL_DATA (SCALARS and VECTORS): the point scalars."""
        data = vs.vtk_file(fmt, vs.geometry(), vs.point_scalars(fmt, "int"), vs.cell_scalars(fmt), version="3.0")
        assert bytes(_read(data).data) == struct.pack("<12i", *vs.POINT_VALUES)

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_dataset_field_after_dimensions(self, fmt):
        """A dataset-level FIELD between the geometry and the data is stepped over."""
        data = vs.vtk_file(fmt, vs.geometry(), vs.time_field(fmt), vs.point_scalars(fmt, "float"))
        assert bytes(_read(data).data) == struct.pack("<12f", *vs.POINT_VALUES)

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_point_array_only_in_field(self, fmt):
        """No SCALARS: the first point FIELD array of one tuple per point and 1 or 3 components (VTK 9.7's layout)."""
        volume = _read(vs.mixed(fmt))
        assert (volume.dtype, volume.components) == ("int8", 3)
        assert bytes(volume.data) == struct.pack("<36b", *range(-10, 26))

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_field_array_skipped_for_wrong_tuples(self, fmt):
        """A point FIELD array with another tuple count is stepped over; the next one that fits is read."""
        field = (b"POINT_DATA 12\nFIELD FieldData 2\nshort 1 6 double\n" + vs.values(fmt, "double", range(6))
                 + b"fits 1 12 double\n" + vs.values(fmt, "double", [v / 4 for v in range(12)]))
        volume = _read(vs.vtk_file(fmt, vs.geometry(), field))
        assert bytes(volume.data) == struct.pack("<12d", *[v / 4 for v in range(12)])

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_scalars_win_over_earlier_field_array(self, fmt):
        """SCALARS after a point FIELD array that could be the image: the SCALARS are read."""
        field = b"POINT_DATA 12\nFIELD FieldData 1\nother 1 12 float\n" + vs.values(fmt, "float", [9] * 12)
        scalars = b"SCALARS pts short\nLOOKUP_TABLE default\n" + vs.values(fmt, "short", vs.POINT_VALUES)
        assert bytes(_read(vs.vtk_file(fmt, vs.geometry(), field, scalars)).data) == _shorts(vs.POINT_VALUES)

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_color_scalars_rgb(self, fmt):
        """COLOR_SCALARS 3: bytes in binary files, floats v / 255 in ASCII ones, both read as the uint8 bytes."""
        rgb = bytes(k * 7 % 256 for k in range(36))
        data = vs.vtk_file(fmt, vs.geometry(), b"POINT_DATA 12\nCOLOR_SCALARS rgb 3\n" + vs.colors(fmt, rgb, 3))
        volume = _read(data)
        assert (volume.dtype, volume.components, bytes(volume.data), volume.warnings) == ("uint8", 3, rgb, [])

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_color_scalars_rgba_drop_alpha(self, fmt):
        """COLOR_SCALARS 4: RGB kept, alpha dropped, and a warning says so."""
        rgba = bytes(k * 5 % 256 for k in range(48))
        data = vs.vtk_file(fmt, vs.geometry(), b"POINT_DATA 12\nCOLOR_SCALARS rgba 4\n" + vs.colors(fmt, rgba, 4))
        volume = _read(data)
        assert (volume.components, bytes(volume.data)) == (3, bytes(v for i, v in enumerate(rgba) if i % 4 != 3))
        assert volume.warnings == ["VTK COLOR_SCALARS 'rgba' are RGBA: the alpha channel was dropped"]

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_color_scalars_grey(self, fmt):
        """COLOR_SCALARS 1: one uint8 per point."""
        grey = bytes(k * 9 for k in range(12))
        volume = _read(vs.vtk_file(fmt, vs.geometry(), b"POINT_DATA 12\nCOLOR_SCALARS g 1\n" + vs.colors(fmt, grey, 1)))
        assert (volume.dtype, volume.components, bytes(volume.data)) == ("uint8", 1, grey)

    def test_ascii_color_scalars_rounded_and_clamped(self):
        """ASCII colours: v * 255 rounded half up as VTK does; out of [0, 1] (and NaN) clamped, not wrapped."""
        colors = b"POINT_DATA 6\nCOLOR_SCALARS g 1\n0.002 0.0019 0.5 1.7 -0.2 nan\n"
        data = vs.vtk_file("ASCII", vs.geometry((6, 1, 1)), colors)
        assert bytes(_read(data).data) == bytes([1, 0, 128, 255, 0, 0])

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_named_lookup_table(self, fmt):
        """The LOOKUP_TABLE line after SCALARS may name any table."""
        data = vs.vtk_file(fmt, vs.geometry(), vs.point_scalars(fmt, table="lookup_table"))
        assert bytes(_read(data).data) == _shorts(vs.POINT_VALUES)

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_standalone_lookup_table_normals_tensors_skipped(self, fmt):
        """Cell SCALARS with their LOOKUP_TABLE table, NORMALS, point TEXTURE_COORDINATES and TENSORS stepped over."""
        volume = _read(vs.attributes(fmt))
        assert (volume.dtype, bytes(volume.data)) == ("uint16", struct.pack("<12H", *range(0, 1200, 100)))

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_metadata_blocks_skipped(self, fmt):
        """VTK 5.1 METADATA after cell SCALARS (COMPONENT_NAMES, a blank one, INFORMATION) is stepped over."""
        metadata = (b"METADATA\nCOMPONENT_NAMES\nxx\n\nzz\n"
                    b"INFORMATION 1\nNAME UNITS_LABEL LOCATION vtkDataArray\nDATA mm\n\n")
        cells = b"CELL_DATA 2\nSCALARS c float 3\nLOOKUP_TABLE default\n" + vs.values(fmt, "float", range(6))
        data = vs.vtk_file(fmt, vs.geometry(), cells + metadata, vs.point_scalars(fmt))
        assert bytes(_read(data).data) == _shorts(vs.POINT_VALUES)

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_string_field_skipped(self, fmt):
        """A dataset FIELD holding a string array (how pyvista saves a user dict) is stepped over."""
        field = b"FIELD FieldData 1\n_PYVISTA_USER_DICT 1 3 string\n" + vs.strings(fmt, ["{a: 1}", "x" * 70, ""])
        data = vs.vtk_file(fmt, field, vs.geometry(), vs.point_scalars(fmt))
        assert bytes(_read(data).data) == _shorts(vs.POINT_VALUES)

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_header_only_same_as_full_read(self, fmt):
        """header_only on a file whose point array is in a FIELD: the full read's geometry, no voxels."""
        full, head = _read(vs.mixed(fmt)), _read(vs.mixed(fmt), header_only=True)
        assert head.data is None
        for field in ("dtype", "size", "spacing", "origin", "direction", "components"):
            assert getattr(head, field) == getattr(full, field), field

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_cell_data_only_refused(self, fmt):
        """Cell data only: an UnsupportedError naming the file and what it holds instead."""
        data = vs.vtk_file(fmt, vs.time_field(fmt), vs.geometry(), vs.cell_scalars(fmt))
        holds = "it holds dataset FIELD array 'TIME', dataset FIELD array 'CYCLE', cell SCALARS 'c', cell VECTORS 'cv'"
        with pytest.raises(UnsupportedError, match=f"^cells.vtk: VTK file has no point scalars to read .*; {holds}$"):
            _read(data, "cells.vtk")


class TestVtkHostile:
    @pytest.mark.parametrize("marker", [b"TIME 1 1 double\n", b"TENSORS ten double\n", b"labels 1 2 string\n",
                                        b"GLOBAL_IDS pgid vtkIdType\n", b"two 2 12 float\n"],
                             ids=["dataset FIELD", "cell TENSORS", "cell strings", "point GLOBAL_IDS", "point FIELD"])
    def test_binary_truncated_inside_skipped_section(self, marker):
        """A binary file cut inside a section that is stepped over: an InputError with the bytes needed and left."""
        data = vs.mixed("BINARY")
        cut = data.index(marker) + len(marker) + 2
        with pytest.raises(InputError, match=r"^m.vtk: VTK .* needs \d+ bytes, the file has [12] left"):
            _read(data[:cut], "m.vtk")

    @pytest.mark.parametrize("marker", [b"TIME 1 1 double\n", b"TENSORS ten double\n", b"two 2 12 float\n",
                                        b"LOOKUP_TABLE lookup_table 2\n", b"NORMALS nrm float\n"])
    def test_ascii_truncated_inside_skipped_section(self, marker):
        """An ASCII file cut inside a stepped-over section: an InputError saying how many values it needs."""
        data = vs.mixed("ASCII") if marker in vs.mixed("ASCII") else vs.attributes("ASCII")
        with pytest.raises(InputError, match=r"needs \d+ values, the file ends before"):
            _read(data[: data.index(marker) + len(marker)], "a.vtk")

    @pytest.mark.parametrize("sample", ["uniform", "mixed-BINARY", "mixed-ASCII", "attributes-BINARY"])
    def test_every_truncation_is_an_error(self, sample):
        """Each cut of a whole file: a DicomForgeError naming it, or (cut after the point values) the same volume
        (in ASCII, a cut inside the last value shortens it, as it would any reader's)."""
        data = vs.uniform() if sample == "uniform" else getattr(vs, sample.split("-")[0])(sample.split("-")[1])
        whole = _read(data)
        same = len(whole.data) - (1 if sample.endswith("ASCII") else 0)  # mixed: int8 values
        for cut in range(0, len(data), max(1, len(data) // 600)):
            for header_only in (False, True):
                try:
                    volume = _read(data[:cut], "cut.vtk", header_only=header_only)
                except DicomForgeError as error:
                    assert error.file == "cut.vtk", cut
                else:
                    assert (volume.size, volume.dtype, volume.components) == (whole.size, whole.dtype, whole.components)
                    assert header_only or bytes(volume.data)[:same] == bytes(whole.data)[:same], cut

    def test_lying_counts_fail_fast_without_allocating(self):
        """Huge CELL_DATA, FIELD and string counts: InputErrors, with a few kB allocated at most."""
        cases = [
            b"CELL_DATA 1000000000000000\nSCALARS c double\nLOOKUP_TABLE default\n" + bytes(64),
            b"CELL_DATA 2\nFIELD FieldData 1\nc 3 100000000000000 float\n" + bytes(64),
            b"CELL_DATA 2\nFIELD FieldData 1\nc 1 1000000000 string\n" + b"\xc3abc" * 4,
            b"CELL_DATA 2\nFIELD FieldData 999999999999\n",
            b"CELL_DATA 2\nFIELD FieldData 1\nc 1000000000000 0 float\nMETADATA\nCOMPONENT_NAMES\nx\n",
        ]
        for fmt in FORMATS:
            for body in cases:
                tracemalloc.start()
                try:
                    with pytest.raises(InputError, match="needs|ends inside|is not one"):
                        _read(vs.vtk_file(fmt, vs.geometry(), body, vs.point_scalars(fmt)))
                    peak = tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()
                assert peak < 1 << 20, (fmt, body[:40], peak)

    def test_point_field_array_beyond_budget(self):
        """A point FIELD array declaring more than the memory budget is refused before allocating, with the numbers."""
        field = b"POINT_DATA 12\nFIELD FieldData 1\nv 1 12 double\n" + vs.values("BINARY", "double", range(12))
        with pytest.raises(InputError, match=r"header says 3x2x2 float64 = 96 bytes, more than the 95 byte limit"):
            _read(vs.vtk_file("BINARY", vs.geometry(), field), budget=95)
        assert len(_read(vs.vtk_file("BINARY", vs.geometry(), field), budget=96).data) == 96

    def test_long_garbage_line(self):
        """A 'line' of 100 kB without a newline where a keyword should be: an InputError."""
        data = vs.vtk_file("BINARY", vs.geometry(), b"CELL_DATA 2\n" + b"x" * 100_000)
        with pytest.raises(InputError, match="longer than 65536 bytes"):
            _read(data)

    def test_unknown_skipped_type(self):
        """An array of an unknown type in a section stepped over: an InputError naming the type and the array."""
        data = vs.vtk_file("BINARY", vs.geometry(), b"CELL_DATA 2\nNORMALS n quaternion\n" + bytes(64))
        with pytest.raises(InputError, match="unknown VTK data type 'quaternion' in cell NORMALS 'n'"):
            _read(data)

    def test_color_scalars_two_values_refused(self):
        """COLOR_SCALARS with 2 values per point: unsupported, saying which counts are."""
        data = vs.vtk_file("BINARY", vs.geometry(), b"POINT_DATA 12\nCOLOR_SCALARS c 2\n" + bytes(24))
        with pytest.raises(UnsupportedError, match=r"COLOR_SCALARS 'c': 2 components per point \(only 1, 3 or 4\)"):
            _read(data)
