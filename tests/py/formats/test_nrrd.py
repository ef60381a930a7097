"""Tests for dicomforge.formats.nrrd: against pynrrd and SimpleITK, and on hand-written headers."""

import bz2
import gzip
import struct

import pytest

from dicomforge.errors import GeometryError, InputError, MissingPartnerError, UnsupportedError
from dicomforge.formats import nrrd as reader
from dicomforge.inputs import NamedInput

from fmt_helpers import (
    DTYPES,
    GEOMETRIES,
    ORIGIN,
    affine4,
    assert_affine_close,
    random_array,
    ras_to_lps,
    read_path,
    volume_affine,
    voxels_xyz,
    voxels_zyx,
)

SHAPE = (5, 4, 3)
ENCODINGS = ["raw", "gzip", "bzip2", "ascii"]
# space name -> matrix taking its coordinates to LPS, as signs
SPACE_SIGNS = {
    "RAS": (-1, -1, 1),
    "LAS": (1, -1, 1),
    "LPS": (1, 1, 1),
    "right-anterior-superior": (-1, -1, 1),
    "left-posterior-superior": (1, 1, 1),
}


def _write(tmp_path, arr, header, detached=False):
    """Write with pynrrd; return (header path, partner paths)."""
    pynrrd = pytest.importorskip("nrrd")
    path = tmp_path / ("image.nhdr" if detached else "image.nrrd")
    pynrrd.write(str(path), arr, header)
    partners = [p for p in tmp_path.iterdir() if p != path]
    return path, partners


def _nrrd(header: str, data: bytes = b"") -> bytes:
    """A hand-written attached NRRD."""
    return b"NRRD0004\n" + header.encode() + b"\n\n" + data


class TestReadNrrdPynrrd:
    @pytest.mark.parametrize("encoding", ENCODINGS)
    @pytest.mark.parametrize("dtype", DTYPES)
    def test_dtypes_encodings(self, tmp_path, dtype, encoding):
        """Every scalar type in every encoding: voxels equal pynrrd's exactly."""
        pynrrd = pytest.importorskip("nrrd")
        arr = random_array(dtype, SHAPE, seed=11)
        if encoding == "ascii" and dtype in ("int64", "uint64"):
            arr //= 2**12  # pynrrd writes 64-bit ASCII as %.17g: keep values exact in a double
        path, _ = _write(tmp_path, arr, {"encoding": encoding})
        volume = read_path(path)
        if encoding == "ascii" and dtype in ("int64", "uint64"):
            expected = arr  # and pynrrd 1.1 cannot read that text back
        else:
            expected, _ = pynrrd.read(str(path))
        assert volume.dtype == dtype
        assert (voxels_xyz(volume) == expected).all()
        assert (voxels_xyz(volume) == arr).all()

    @pytest.mark.parametrize("encoding", ["raw", "gzip", "bzip2"])
    @pytest.mark.parametrize("dtype", ["int16", "uint32", "int64", "float32", "float64"])
    def test_big_endian(self, tmp_path, dtype, encoding):
        """Big-endian data (endian: big) is byteswapped to little-endian."""
        arr = random_array(dtype, SHAPE, seed=12)
        path, _ = _write(tmp_path, arr.astype(arr.dtype.newbyteorder(">")), {"encoding": encoding})
        assert b"endian: big" in path.read_bytes()
        assert (voxels_xyz(read_path(path)) == arr).all()

    @pytest.mark.parametrize("encoding", ENCODINGS)
    def test_detached(self, tmp_path, encoding):
        """A .nhdr reads its data file from the partners."""
        arr = random_array("int16", SHAPE, seed=13)
        path, partners = _write(tmp_path, arr, {"encoding": encoding}, detached=True)
        assert len(partners) == 1
        assert (voxels_xyz(read_path(path, *partners)) == arr).all()

    @pytest.mark.parametrize("space", sorted(SPACE_SIGNS))
    @pytest.mark.parametrize("geometry", sorted(GEOMETRIES))
    def test_geometry(self, tmp_path, geometry, space):
        """Space directions/origin in RAS, LAS, LPS and long names: LPS affine as expected."""
        pynrrd = pytest.importorskip("nrrd")
        import numpy as np

        matrix = np.array(GEOMETRIES[geometry])
        header = {"space": space, "space directions": matrix.T, "space origin": np.array(ORIGIN)}
        path, _ = _write(tmp_path, random_array("uint8", SHAPE), header)
        _, oracle = pynrrd.read(str(path))
        signs = np.diag(SPACE_SIGNS[space] + (1,))
        expected = np.eye(4)
        expected[:3, :3] = oracle["space directions"].T
        expected[:3, 3] = oracle["space origin"]
        assert_affine_close(volume_affine(read_path(path)), (signs @ expected).tolist())

    def test_spacings_fallback(self, tmp_path):
        """Without space directions, spacings give an axis-aligned geometry."""
        path, _ = _write(tmp_path, random_array("uint8", SHAPE), {"spacings": [0.5, 1.25, 3.0]})
        volume = read_path(path)
        assert volume.spacing == (0.5, 1.25, 3.0)
        assert volume.direction == ((1, 0, 0), (0, 1, 0), (0, 0, 1))
        assert volume.origin == (0, 0, 0)

    def test_rgb(self, tmp_path):
        """A leading RGB-color axis of size 3 gives components=3."""
        np = pytest.importorskip("numpy")

        rgb = random_array("uint8", (3,) + SHAPE, seed=14)
        header = {
            "kinds": ["RGB-color", "domain", "domain", "domain"],
            "space": "RAS",
            "space directions": [[np.nan] * 3] + np.array(GEOMETRIES["oblique"]).T.tolist(),
        }
        path, _ = _write(tmp_path, rgb, header)
        volume = read_path(path)
        assert volume.components == 3
        assert np.array_equal(voxels_xyz(volume), np.moveaxis(rgb, 0, -1))
        assert_affine_close(volume_affine(volume), ras_to_lps(affine4(GEOMETRIES["oblique"], (0, 0, 0))))

    def test_4d_unsupported(self, tmp_path):
        """A 4D image that is not RGB is unsupported, naming its shape."""
        path, _ = _write(tmp_path, random_array("uint8", SHAPE + (2,)), {})
        with pytest.raises(UnsupportedError, match="4D image 5x4x3x2"):
            read_path(path)


class TestReadNrrdSimpleITK:
    @pytest.mark.parametrize("geometry", sorted(GEOMETRIES))
    def test_sitk_written(self, tmp_path, geometry):
        """NRRD written by SimpleITK: size, spacing, origin, direction (LPS) and voxels."""
        sitk = pytest.importorskip("SimpleITK")
        import numpy as np


        arr = random_array("int16", SHAPE[::-1], seed=15)
        image = sitk.GetImageFromArray(arr)
        spacing = [float(np.linalg.norm(c)) for c in np.array(GEOMETRIES[geometry]).T]
        image.SetSpacing(spacing)
        direction = np.array(GEOMETRIES[geometry]) / spacing
        image.SetDirection(direction.flatten().tolist())
        image.SetOrigin(ORIGIN)
        sitk.WriteImage(image, str(tmp_path / "s.nrrd"))
        volume = read_path(tmp_path / "s.nrrd")
        assert volume.size == image.GetSize()
        assert np.allclose(volume.spacing, image.GetSpacing(), atol=1e-6)
        assert np.allclose(volume.origin, image.GetOrigin(), atol=1e-6)
        assert np.allclose(np.array(volume.direction).T.flatten(), image.GetDirection(), atol=1e-6)
        assert (voxels_zyx(volume) == sitk.GetArrayFromImage(image)).all()


class TestReadNrrdStdlib:
    def test_type_aliases(self):
        """'unsigned short', 'ushort', 'uint16_t' all mean uint16."""
        data = struct.pack("<2H", 1, 65535)
        for alias in ("unsigned short", "ushort", "uint16_t", "unsigned short int"):
            text = f"type: {alias}\ndimension: 1\nsizes: 2\nendian: little\nencoding: raw"
            volume = reader.read(NamedInput("a.nrrd", _nrrd(text, data)))
            assert (volume.dtype, volume.data, volume.size) == ("uint16", data, (2, 1, 1))

    def test_encoding_aliases(self):
        """'gz', 'bz2' and 'txt' are the short names of gzip, bzip2 and ascii."""
        data = struct.pack("<3h", -1, 2, -3)
        for encoding, body in (("gz", gzip.compress(data)), ("bz2", bz2.compress(data)), ("txt", b"-1 2\n-3\n")):
            text = f"type: short\ndimension: 1\nsizes: 3\nendian: little\nencoding: {encoding}"
            assert reader.read(NamedInput("e.nrrd", _nrrd(text, body))).data == data

    def test_gzip_members(self):
        """gzip data of several concatenated members is read whole."""
        body = gzip.compress(b"\x01\x02") + gzip.compress(b"\x03")
        text = "type: uchar\ndimension: 1\nsizes: 3\nencoding: gzip"
        assert reader.read(NamedInput("m.nrrd", _nrrd(text, body))).data == b"\x01\x02\x03"

    def test_line_and_byte_skip(self):
        """line skip then byte skip are skipped in a detached raw file."""
        data = struct.pack(">2i", 7, -8)
        text = "type: int\ndimension: 1\nsizes: 2\nendian: big\nencoding: raw\nline skip: 2\nbyte skip: 3\ndata file: d.raw"
        partner = NamedInput("d.raw", b"junk\nmore junk\nXYZ" + data)
        volume = reader.read(NamedInput("h.nhdr", _nrrd(text)), {"d.raw": partner})
        assert volume.data == struct.pack("<2i", 7, -8)

    def test_byte_skip_minus_one(self):
        """byte skip -1: the data is the last bytes of the file."""
        data = struct.pack("<2f", 1.5, -2.5)
        text = "type: float\ndimension: 1\nsizes: 2\nendian: little\nencoding: raw\nbyte skip: -1\ndata file: d.raw"
        partner = NamedInput("d.raw", b"a header of some other tool" + data)
        assert reader.read(NamedInput("h.nhdr", _nrrd(text)), {"d.raw": partner}).data == data

    def test_byte_skip_after_gzip(self):
        """With gzip, byte skip counts decompressed bytes (NRRD spec)."""
        data = b"\x01\x02\x03"
        text = "type: uchar\ndimension: 1\nsizes: 3\nencoding: gzip\nbyte skip: 4"
        assert reader.read(NamedInput("g.nrrd", _nrrd(text, gzip.compress(b"SKIP" + data)))).data == data

    def test_data_file_list(self):
        """data file: LIST concatenates the files named on the following lines."""
        text = "type: uchar\ndimension: 3\nsizes: 2 1 2\nencoding: raw\ndata file: LIST\ns0.raw\ns1.raw"
        partners = {"s0.raw": NamedInput("s0.raw", b"\x01\x02"), "s1.raw": NamedInput("s1.raw", b"\x03\x04")}
        header = b"NRRD0004\n" + text.encode() + b"\n"
        assert reader.read(NamedInput("l.nhdr", header), partners).data == b"\x01\x02\x03\x04"

    def test_scanner_xyz_is_lps(self):
        """scanner-xyz is taken as LPS unchanged."""
        text = (
            "type: uchar\ndimension: 3\nsizes: 1 1 1\nencoding: raw\nspace: scanner-xyz\n"
            "space directions: (0,2,0) (-1,0,0) (0,0,3)\nspace origin: (1,2,3)"
        )
        volume = reader.read(NamedInput("x.nrrd", _nrrd(text, b"\x00")))
        assert volume.direction == ((0, 1, 0), (-1, 0, 0), (0, 0, 1))
        assert volume.spacing == (2, 1, 3)
        assert volume.origin == (1, 2, 3)

    def test_comments_and_key_values_ignored(self):
        """Comments and key:=value lines do not disturb parsing."""
        text = "# a comment: with colon\ntype: uchar\nmy key:=type: double\ndimension: 1\nsizes: 1\nencoding: raw"
        assert reader.read(NamedInput("c.nrrd", _nrrd(text, b"\x09"))).dtype == "uint8"


class TestReadNrrdErrors:
    def test_truncated(self):
        """Raw data shorter than the sizes: InputError with the numbers."""
        text = "type: short\ndimension: 3\nsizes: 512 512 300\nendian: little\nencoding: raw"
        with pytest.raises(InputError, match="header says 512x512x300 int16 = 157286400 bytes, file has 1024"):
            reader.read(NamedInput("t.nrrd", _nrrd(text, bytes(1024))))

    def test_ascii_too_few_values(self):
        """ASCII data with fewer values than the sizes."""
        text = "type: int\ndimension: 1\nsizes: 4\nencoding: ascii"
        with pytest.raises(InputError, match="header says 4 values, ASCII data has 3"):
            reader.read(NamedInput("a.nrrd", _nrrd(text, b"1 2 3")))

    def test_unknown_type(self):
        """An unknown type name is unsupported, naming it."""
        text = "type: quaternion\ndimension: 1\nsizes: 1\nencoding: raw"
        with pytest.raises(UnsupportedError, match="'quaternion'"):
            reader.read(NamedInput("u.nrrd", _nrrd(text, bytes(8))))

    @pytest.mark.parametrize("sizes", ["0 2 2", "2 -1 2"])
    def test_bad_sizes(self, sizes):
        """Zero or negative sizes are refused."""
        text = f"type: uchar\ndimension: 3\nsizes: {sizes}\nencoding: raw"
        with pytest.raises(InputError, match="dimensions must be positive"):
            reader.read(NamedInput("z.nrrd", _nrrd(text, bytes(8))))

    def test_over_limit(self):
        """Sizes above the 4 GiB limit are refused before reading."""
        text = "type: double\ndimension: 3\nsizes: 2000 2000 2000\nendian: little\nencoding: raw"
        with pytest.raises(InputError, match="byte limit"):
            reader.read(NamedInput("b.nrrd", _nrrd(text, bytes(8))))

    def test_bad_gzip(self):
        """gzip data that does not decompress is an InputError."""
        text = "type: uchar\ndimension: 1\nsizes: 4\nencoding: gzip"
        with pytest.raises(InputError, match="gzip data does not decompress"):
            reader.read(NamedInput("g.nrrd", _nrrd(text, b"\x1f\x8bnot really gzip")))

    def test_bad_bzip2(self):
        """bzip2 data that does not decompress is an InputError."""
        text = "type: uchar\ndimension: 1\nsizes: 4\nencoding: bzip2"
        with pytest.raises(InputError, match="bzip2 data does not decompress"):
            reader.read(NamedInput("g.nrrd", _nrrd(text, b"BZh9garbage")))

    def test_missing_data_file(self):
        """A .nhdr without its data file: MissingPartnerError naming it."""
        text = "type: uchar\ndimension: 1\nsizes: 4\nencoding: raw\ndata file: ./sub/data.raw"
        with pytest.raises(MissingPartnerError, match="'data.raw'"):
            reader.read(NamedInput("h.nhdr", _nrrd(text)), {"other.raw": NamedInput("other.raw", b"")})

    def test_sheared(self):
        """Non-perpendicular space directions: GeometryError."""
        text = (
            "type: uchar\ndimension: 3\nsizes: 1 1 1\nencoding: raw\nspace: LPS\n"
            "space directions: (1,0,0) (1,1,0) (0,0,1)"
        )
        with pytest.raises(GeometryError, match="not perpendicular"):
            reader.read(NamedInput("s.nrrd", _nrrd(text, b"\x00")))

    def test_missing_fields(self):
        """A header without sizes and type names both."""
        with pytest.raises(InputError, match="type, sizes"):
            reader.read(NamedInput("m.nrrd", _nrrd("dimension: 1\nencoding: raw")))

    def test_time_space_unsupported(self):
        """A space with time is unsupported."""
        text = "type: uchar\ndimension: 3\nsizes: 1 1 1\nencoding: raw\nspace: RAS-time"
        with pytest.raises(UnsupportedError, match="'ras-time'"):
            reader.read(NamedInput("t.nrrd", _nrrd(text, b"\x00")))
