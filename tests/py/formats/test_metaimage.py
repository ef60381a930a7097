"""Tests for dicomforge.formats.metaimage: against SimpleITK, and on hand-written headers."""

import struct
import zlib

import pytest

from dicomforge.errors import GeometryError, InputError, MissingPartnerError, UnsupportedError
from dicomforge.formats import metaimage
from dicomforge.inputs import NamedInput

from fmt_helpers import DTYPES, GEOMETRIES, ORIGIN, random_array, read_path, voxels_zyx

SHAPE_ZYX = (3, 4, 5)


def _sitk_image(arr, geometry="oblique", vector=False):
    """A SimpleITK image of *arr* (z, y, x) with the named geometry."""
    sitk = pytest.importorskip("SimpleITK")
    import numpy as np

    image = sitk.GetImageFromArray(arr, isVector=vector)
    matrix = np.array(GEOMETRIES[geometry])
    spacing = np.linalg.norm(matrix, axis=0)
    image.SetSpacing(spacing.tolist())
    image.SetDirection((matrix / spacing).flatten().tolist())
    image.SetOrigin(ORIGIN)
    return image


def assert_matches_sitk(volume, image):
    """Size, spacing, origin, direction (ITK is LPS) within 1e-6 and voxels exactly."""
    import numpy as np
    import SimpleITK as sitk

    assert volume.size == image.GetSize()
    assert np.allclose(volume.spacing, image.GetSpacing(), rtol=0, atol=1e-6)
    assert np.allclose(volume.origin, image.GetOrigin(), rtol=0, atol=1e-6)
    assert np.allclose(np.array(volume.direction).T.flatten(), image.GetDirection(), rtol=0, atol=1e-6)
    assert np.array_equal(voxels_zyx(volume), sitk.GetArrayFromImage(image))


def _write(tmp_path, image, filename, compress=False):
    import SimpleITK as sitk

    sitk.WriteImage(image, str(tmp_path / filename), useCompression=compress)
    path = tmp_path / filename
    return path, [p for p in tmp_path.iterdir() if p != path]


class TestReadMetaImageSimpleITK:
    @pytest.mark.parametrize("filename", ["image.mha", "image.mhd"])
    @pytest.mark.parametrize("dtype", DTYPES)
    def test_dtypes(self, tmp_path, dtype, filename):
        """Every scalar type, .mha and .mhd + .raw: equal to SimpleITK."""
        image = _sitk_image(random_array(dtype, SHAPE_ZYX, seed=21))
        path, partners = _write(tmp_path, image, filename)
        volume = read_path(path, *partners)
        assert volume.dtype == dtype
        assert_matches_sitk(volume, image)

    @pytest.mark.parametrize("filename", ["image.mha", "image.mhd"])
    @pytest.mark.parametrize("geometry", sorted(GEOMETRIES))
    def test_geometry_compressed(self, tmp_path, geometry, filename):
        """Oblique, flipped, anisotropic geometry, zlib-compressed data."""
        image = _sitk_image(random_array("int16", SHAPE_ZYX, seed=22), geometry)
        path, partners = _write(tmp_path, image, filename, compress=True)
        assert b"CompressedData = True" in path.read_bytes()
        assert_matches_sitk(read_path(path, *partners), image)

    def test_rgb(self, tmp_path):
        """Three channels per voxel: components=3."""
        image = _sitk_image(random_array("uint8", SHAPE_ZYX + (3,), seed=23), vector=True)
        path, _ = _write(tmp_path, image, "rgb.mha")
        volume = read_path(path)
        assert volume.components == 3
        assert_matches_sitk(volume, image)

    def test_2d(self, tmp_path):
        """A 2D image has one slice, unit third axis."""
        sitk = pytest.importorskip("SimpleITK")

        image = sitk.GetImageFromArray(random_array("float32", (4, 5), seed=24))
        image.SetSpacing((0.5, 0.25))
        path, _ = _write(tmp_path, image, "flat.mha")
        volume = read_path(path)
        assert (volume.size, volume.spacing) == ((5, 4, 1), (0.5, 0.25, 1.0))
        assert volume.direction[2] == (0.0, 0.0, 1.0)


def _mha(header: str, data: bytes = b"") -> bytes:
    return header.encode() + b"\n" + data


class TestReadMetaImageStdlib:
    def test_msb_and_aliases(self):
        """ElementByteOrderMSB, Position and Orientation aliases."""
        text = (
            "ObjectType = Image\nNDims = 3\nDimSize = 2 1 1\nElementType = MET_SHORT\n"
            "BinaryDataByteOrderMSB = True\nPosition = 1 2 3\nOrientation = 0 1 0 -1 0 0 0 0 1\n"
            "ElementSpacing = 0.5 2 3\nElementDataFile = LOCAL"
        )
        volume = metaimage.read(NamedInput("a.mha", _mha(text, struct.pack(">2h", -2, 300))))
        assert volume.data == struct.pack("<2h", -2, 300)
        assert volume.origin == (1, 2, 3)
        assert volume.direction == ((0, 1, 0), (-1, 0, 0), (0, 0, 1))
        assert volume.spacing == (0.5, 2, 3)

    def test_header_size(self):
        """HeaderSize bytes of the data file are skipped; -1 means the data is at the end."""
        data = b"\x01\x02\x03"
        for size, raw in (("4", b"SKIP" + data), ("-1", b"anything" + data)):
            text = f"NDims = 1\nDimSize = 3\nElementType = MET_UCHAR\nHeaderSize = {size}\nElementDataFile = d.raw"
            partner = {"d.raw": NamedInput("d.raw", raw)}
            assert metaimage.read(NamedInput("h.mhd", _mha(text)), partner).data == data

    def test_list_and_pattern(self):
        """ElementDataFile LIST and printf pattern forms concatenate slices."""
        partners = {f"s{i:02d}.raw": NamedInput(f"s{i:02d}.raw", bytes([i, i])) for i in (1, 2, 3)}
        head = "NDims = 3\nDimSize = 2 1 3\nElementType = MET_UCHAR\nElementDataFile = "
        expected = b"\x01\x01\x02\x02\x03\x03"
        listed = _mha(head + "LIST 2D\ns01.raw\ns02.raw\ns03.raw")
        assert metaimage.read(NamedInput("l.mhd", listed), partners).data == expected
        pattern = _mha(head + "s%02d.raw 1 3 1")
        assert metaimage.read(NamedInput("p.mhd", pattern), partners).data == expected

    def test_compressed_local(self):
        """CompressedData = True inflates zlib data."""
        data = struct.pack("<3f", 1.0, -2.0, 3.5)
        text = "NDims = 1\nDimSize = 3\nElementType = MET_FLOAT\nCompressedData = True\nElementDataFile = LOCAL"
        assert metaimage.read(NamedInput("c.mha", _mha(text, zlib.compress(data)))).data == data


class TestReadMetaImageErrors:
    def test_truncated(self):
        """Data shorter than DimSize says: InputError with the numbers."""
        text = "NDims = 3\nDimSize = 512 512 300\nElementType = MET_SHORT\nElementDataFile = LOCAL"
        with pytest.raises(InputError, match="header says 512x512x300 int16 = 157286400 bytes, file has 1024"):
            metaimage.read(NamedInput("t.mha", _mha(text, bytes(1024))))

    def test_unknown_type(self):
        """An unknown ElementType is an InputError naming it."""
        text = "NDims = 1\nDimSize = 1\nElementType = MET_QUAT\nElementDataFile = LOCAL"
        with pytest.raises(InputError, match="MET_QUAT"):
            metaimage.read(NamedInput("u.mha", _mha(text, bytes(8))))

    def test_zero_dimension(self):
        """A zero dimension is refused."""
        text = "NDims = 3\nDimSize = 4 0 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL"
        with pytest.raises(InputError, match="dimensions must be positive"):
            metaimage.read(NamedInput("z.mha", _mha(text, bytes(8))))

    def test_bad_zlib(self):
        """Compressed data that does not inflate is an InputError."""
        text = "NDims = 1\nDimSize = 4\nElementType = MET_UCHAR\nCompressedData = True\nElementDataFile = LOCAL"
        with pytest.raises(InputError, match="zlib data does not decompress"):
            metaimage.read(NamedInput("b.mha", _mha(text, b"not zlib at all")))

    def test_missing_raw(self):
        """An .mhd without its .raw: MissingPartnerError naming the .raw."""
        text = "NDims = 1\nDimSize = 4\nElementType = MET_UCHAR\nElementDataFile = image.raw"
        with pytest.raises(MissingPartnerError, match="'image.raw'"):
            metaimage.read(NamedInput("image.mhd", _mha(text)), {})

    def test_sheared(self):
        """A sheared TransformMatrix: GeometryError."""
        text = (
            "NDims = 3\nDimSize = 1 1 1\nElementType = MET_UCHAR\n"
            "TransformMatrix = 1 0 0 0.6 0.8 0 0 0 1\nElementDataFile = LOCAL"
        )
        with pytest.raises(GeometryError, match="not perpendicular"):
            metaimage.read(NamedInput("s.mha", _mha(text, b"\x00")))

    def test_4d(self):
        """A 4D image with more than one time point is unsupported, naming the shape."""
        text = "NDims = 4\nDimSize = 2 2 2 5\nElementType = MET_UCHAR\nElementDataFile = LOCAL"
        with pytest.raises(UnsupportedError, match="4D image 2x2x2x5"):
            metaimage.read(NamedInput("f.mha", _mha(text, bytes(40))))

    def test_no_data_file_line(self):
        """A header without ElementDataFile is an InputError."""
        with pytest.raises(InputError, match="no ElementDataFile"):
            metaimage.read(NamedInput("n.mha", b"NDims = 1\nDimSize = 1\n"))
