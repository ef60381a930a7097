"""Tests for dicomforge.formats.nifti: against nibabel, and on hand-built headers (stdlib)."""

import gzip
import struct

import pytest

from dicomforge.errors import GeometryError, InputError, MissingPartnerError, UnsupportedError
from dicomforge.formats import nifti
from dicomforge.inputs import NamedInput

from fmt_helpers import (
    DTYPES,
    GEOMETRIES,
    affine4,
    assert_affine_close,
    nifti1_bytes,
    random_array,
    ras_to_lps,
    read_path,
    volume_affine,
    voxels_xyz,
)

SHAPE = (5, 4, 3)


def _nib():
    return pytest.importorskip("nibabel")


def _save(tmp_path, arr, affine, version=1, ext=".nii", endianness="<"):
    """Write *arr* with nibabel; return (path, partner paths, image)."""
    nib = _nib()
    import numpy as np

    pair = ext == ".hdr"
    cls = {(1, False): nib.Nifti1Image, (2, False): nib.Nifti2Image,
           (1, True): nib.Nifti1Pair, (2, True): nib.Nifti2Pair}[version, pair]
    hdr = cls.header_class(endianness=endianness)
    img = cls(arr, np.array(affine, dtype=float), header=hdr, dtype=arr.dtype)
    path = tmp_path / f"image{ext}"
    nib.save(img, path)
    partners = [tmp_path / "image.img"] if ext == ".hdr" else []
    return path, partners, nib.load(path)


class TestReadNiftiOracle:
    @pytest.mark.parametrize("version", [1, 2])
    @pytest.mark.parametrize("dtype", DTYPES)
    def test_dtypes(self, tmp_path, dtype, version):
        """Every scalar datatype, NIfTI-1 and -2: voxels equal nibabel's exactly."""
        arr = random_array(dtype, SHAPE, seed=3)
        path, partners, img = _save(tmp_path, arr, affine4(GEOMETRIES["anisotropic"]), version)
        volume = read_path(path, *partners)
        assert volume.dtype == dtype
        assert volume.size == SHAPE
        assert (voxels_xyz(volume) == img.dataobj.get_unscaled()).all()
        assert (voxels_xyz(volume) == arr).all()

    @pytest.mark.parametrize("ext", [".nii", ".nii.gz", ".hdr"])
    @pytest.mark.parametrize("version", [1, 2])
    @pytest.mark.parametrize("geometry", sorted(GEOMETRIES))
    def test_geometry(self, tmp_path, geometry, version, ext):
        """Oblique, flipped and anisotropic affines: LPS affine = diag(-1,-1,1) @ nibabel's."""
        arr = random_array("int16", SHAPE, seed=4)
        path, partners, img = _save(tmp_path, arr, affine4(GEOMETRIES[geometry]), version, ext)
        volume = read_path(path, *partners)
        assert_affine_close(volume_affine(volume), ras_to_lps(img.affine.tolist()))
        assert (voxels_xyz(volume) == arr).all()
        assert volume.warnings == []

    @pytest.mark.parametrize("version", [1, 2])
    def test_big_endian(self, tmp_path, version):
        """A big-endian file: same voxels and affine as nibabel."""
        arr = random_array("float32", SHAPE, seed=5)
        path, _, img = _save(tmp_path, arr, affine4(GEOMETRIES["oblique"]), version, endianness=">")
        assert path.read_bytes()[:4] == struct.pack(">i", 348 if version == 1 else 540)
        volume = read_path(path)
        assert (voxels_xyz(volume) == arr).all()
        assert_affine_close(volume_affine(volume), ras_to_lps(img.affine.tolist()))

    def test_qform_only(self, tmp_path):
        """sform_code 0: the qform (with qfac -1 for a flipped axis) gives the geometry."""
        nib = _nib()
        import numpy as np

        affine = np.array(affine4(GEOMETRIES["oblique-flipped"]))
        img = nib.Nifti1Image(random_array("uint8", SHAPE), None)
        img.set_qform(affine, code=1)
        img.set_sform(None, code=0)
        nib.save(img, tmp_path / "q.nii")
        assert nib.load(tmp_path / "q.nii").header["pixdim"][0] == -1
        volume = read_path(tmp_path / "q.nii")
        assert_affine_close(volume_affine(volume), ras_to_lps(affine.tolist()), tol=1e-5)

    def test_sform_wins_and_warns(self, tmp_path):
        """sform and qform both set and different: the sform is used, with a warning."""
        nib = _nib()
        import numpy as np

        img = nib.Nifti1Image(random_array("uint8", SHAPE), None)
        img.set_qform(np.array(affine4(GEOMETRIES["axial"])), code=1)
        img.set_sform(np.array(affine4(GEOMETRIES["oblique"])), code=2)
        nib.save(img, tmp_path / "s.nii")
        volume = read_path(tmp_path / "s.nii")
        assert_affine_close(volume_affine(volume), ras_to_lps(affine4(GEOMETRIES["oblique"])))
        assert any("sform and qform disagree" in w for w in volume.warnings)

    def test_rescale(self, tmp_path):
        """scl_slope / scl_inter go to Volume.rescale, the data stays raw."""
        nib = _nib()

        arr = random_array("int16", SHAPE, seed=6)
        img = nib.Nifti1Image(arr, affine4(GEOMETRIES["axial"]), dtype="int16")
        img.header.set_slope_inter(2.5, -1024)
        nib.save(img, tmp_path / "r.nii")
        volume = read_path(tmp_path / "r.nii")
        assert volume.rescale == (2.5, -1024.0)
        assert (voxels_xyz(volume) == arr).all()
        assert (voxels_xyz(volume) * 2.5 - 1024 == nib.load(tmp_path / "r.nii").get_fdata()).all()

    def test_rgb24(self, tmp_path):
        """RGB24 gives components=3 with each voxel's R, G, B adjacent."""
        nib = _nib()
        import numpy as np

        rgb = random_array("uint8", SHAPE + (3,), seed=7)
        structured = rgb.copy().view([("R", "u1"), ("G", "u1"), ("B", "u1")]).reshape(SHAPE)
        nib.save(nib.Nifti1Image(structured, affine4(GEOMETRIES["axial"])), tmp_path / "c.nii")
        volume = read_path(tmp_path / "c.nii")
        assert volume.components == 3
        assert np.array_equal(voxels_xyz(volume), rgb)

    def test_4d_first_volume(self, tmp_path):
        """A 4D image: the first volume, with a warning naming the shape."""
        nib = _nib()

        arr = random_array("int16", SHAPE + (4,), seed=8)
        nib.save(nib.Nifti1Image(arr, affine4(GEOMETRIES["axial"])), tmp_path / "t.nii")
        volume = read_path(tmp_path / "t.nii")
        assert (voxels_xyz(volume) == arr[..., 0]).all()
        assert volume.warnings == ["4D image 5x4x3x4: read the first of 4 volumes"]

    def test_2d(self, tmp_path):
        """A 2D image has one slice."""
        nib = _nib()

        arr = random_array("uint16", SHAPE[:2], seed=9)
        nib.save(nib.Nifti1Image(arr, affine4(GEOMETRIES["anisotropic"])), tmp_path / "p.nii")
        volume = read_path(tmp_path / "p.nii")
        assert volume.size == (5, 4, 1)
        assert (voxels_xyz(volume)[..., 0] == arr).all()


class TestReadNiftiStdlib:
    def test_method1_pixdim(self):
        """No qform, no sform: x = i * pixdim[1] ... origin 0 (NIfTI method 1), then LPS."""
        item = NamedInput("m.nii", nifti1_bytes(pixdim=(0.5, 2.0, 3.0)))
        volume = nifti.read(item)
        assert volume.spacing == (0.5, 2.0, 3.0)
        assert volume.direction == ((-1.0, -0.0, 0.0), (-0.0, -1.0, 0.0), (-0.0, -0.0, 1.0))
        assert volume.origin == (-0.0, -0.0, 0.0)

    def test_big_endian_data(self):
        """Big-endian header and data: values come out little-endian."""
        data = struct.pack(">6h", 1, -2, 300, -400, 5000, -32768)
        item = NamedInput("b.nii", nifti1_bytes(dims=(3, 2, 1), data=data, order=">"))
        assert nifti.read(item).data == struct.pack("<6h", 1, -2, 300, -400, 5000, -32768)

    def test_nii_gz_named_dat(self):
        """A gzipped NIfTI is found by content whatever its name."""
        from dicomforge.formats import read_volume

        data = struct.pack("<6h", *range(6))
        item = NamedInput("scan.dat", gzip.compress(nifti1_bytes(dims=(3, 2, 1), data=data)))
        assert read_volume(item).data == data

    def test_img_dropped_with_hdr(self):
        """Reading the .img of a pair finds its .hdr among the partners."""
        data = struct.pack("<6h", *range(6))
        hdr = NamedInput("pair.hdr", nifti1_bytes(dims=(3, 2, 1), magic=b"ni1\0"))
        assert nifti.read(NamedInput("pair.img", data), {"pair.hdr": hdr}).data == data

    def test_slope_zero_means_none(self):
        """scl_slope 0 means no scaling."""
        item = NamedInput("z.nii", nifti1_bytes(slope=0.0, inter=5.0))
        assert nifti.read(item).rescale == (1.0, 0.0)


class TestReadNiftiErrors:
    def test_truncated(self):
        """Data shorter than the header says: InputError with the numbers."""
        item = NamedInput("t.nii", nifti1_bytes(dims=(512, 512, 300), data=bytes(1024)))
        with pytest.raises(InputError, match="header says 512x512x300 int16 = 157286400 bytes, file has 1024"):
            nifti.read(item)

    def test_over_limit(self):
        """Declared sizes above 4 GiB are refused before allocating."""
        item = NamedInput("big.nii", nifti1_bytes(dims=(32767, 32767, 32767), data=b""))
        with pytest.raises(InputError, match="byte limit"):
            nifti.read(item)

    def test_unknown_datatype(self):
        """An unknown datatype code is an InputError naming the code."""
        with pytest.raises(InputError, match="unknown NIfTI datatype code 99"):
            nifti.read(NamedInput("u.nii", nifti1_bytes(datatype=99)))

    @pytest.mark.parametrize("code, label", [(32, "complex64"), (1536, "float128"), (1792, "complex128")])
    def test_unsupported_datatype(self, code, label):
        """Complex and float128 data are unsupported."""
        with pytest.raises(UnsupportedError, match=label):
            nifti.read(NamedInput("c.nii", nifti1_bytes(datatype=code, bitpix=64)))

    @pytest.mark.parametrize("dims", [(0, 3, 4), (2, -3, 4)])
    def test_bad_dimensions(self, dims):
        """Zero or negative dimensions are refused."""
        with pytest.raises(InputError, match="dimensions must be positive"):
            nifti.read(NamedInput("d.nii", nifti1_bytes(dims=dims, data=bytes(100))))

    def test_bad_gzip(self):
        """A .nii.gz that does not decompress is an InputError."""
        damaged = bytearray(gzip.compress(nifti1_bytes()))
        damaged[20:40] = bytes(20)
        with pytest.raises(InputError, match="gzip data"):
            nifti.read(NamedInput("g.nii.gz", bytes(damaged)))

    def test_missing_img(self):
        """A .hdr without its .img: MissingPartnerError naming the .img."""
        hdr = NamedInput("pair.hdr", nifti1_bytes(magic=b"ni1\0"))
        with pytest.raises(MissingPartnerError, match="'pair.img'"):
            nifti.read(hdr, {})

    def test_no_magic(self):
        """A 348-byte header without NIfTI magic (ANALYZE 7.5) is unsupported."""
        with pytest.raises(UnsupportedError, match="no NIfTI magic"):
            nifti.read(NamedInput("a.nii", nifti1_bytes(magic=b"\0\0\0\0")))

    def test_missing_hdr(self):
        """An .img without its .hdr: MissingPartnerError naming the .hdr."""
        with pytest.raises(MissingPartnerError, match="'pair.hdr'"):
            nifti.read(NamedInput("pair.img", bytes(48)), {})

    def test_sheared_sform(self):
        """A sheared sform cannot become a DICOM series: GeometryError."""
        sform = [[1, 0.5, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
        with pytest.raises(GeometryError, match="not perpendicular"):
            nifti.read(NamedInput("s.nii", nifti1_bytes(sform=sform, sform_code=1)))

    def test_truncated_header(self):
        """A file that ends inside the header: InputError with the byte counts."""
        with pytest.raises(InputError, match="header is truncated: 24 of 348 bytes"):
            nifti.read(NamedInput("short.nii", b"\x5c\x01\x00\x00" + bytes(20)))
