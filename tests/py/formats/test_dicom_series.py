"""Tests for dicomforge.formats.dicom_series: pydicom-built series, SimpleITK (GDCM) as oracle."""

import math
import random
import struct
from io import BytesIO

import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import (
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGBaseline8Bit,
    MPEG4HP41,
    generate_uid,
)

from dicomforge.errors import InputError, UnsupportedError
from dicomforge.formats import read_dicom_series, read_volume
from dicomforge.inputs import NamedInput

from fmt_helpers import GEOMETRIES, ORIGIN

ROWS, COLS, SLICES = 4, 5, 6
FORMATS = {"uint8": ("B", 8, 0), "int8": ("b", 8, 1), "uint16": ("H", 16, 0), "int16": ("h", 16, 1)}


def _unit_columns(geometry):
    """(row cosine, column cosine, normal, spacings) of a named geometry."""
    m = GEOMETRIES[geometry]
    cols = [[m[i][k] for i in range(3)] for k in range(3)]
    spacing = [math.sqrt(sum(c * c for c in col)) for col in cols]
    return [[c / s for c in col] for col, s in zip(cols, spacing)], spacing


def _pixels(dtype, k, count, big=False):
    code, bits, signed = FORMATS[dtype]
    lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    rng = random.Random(k)
    values = [rng.randint(lo, hi) for _ in range(count)]
    return struct.pack(f"{'>' if big else '<'}{count}{code}", *values)


def make_slice(
    k,
    *,
    series_uid,
    geometry="oblique",
    dtype="int16",
    syntax=ExplicitVRLittleEndian,
    position=None,
    slope=None,
    name=None,
):
    """A Part 10 CT slice k of a series, as a NamedInput."""
    (row, col, normal), spacing = _unit_columns(geometry)
    _, bits, signed = FORMATS[dtype]
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = "1.2.3.4"
    ds.SeriesInstanceUID = series_uid
    ds.Modality = "CT"
    ds.InstanceNumber = k + 1
    if position is None:
        position = [o + k * spacing[2] * n for o, n in zip(ORIGIN, normal)]
    ds.ImagePositionPatient = [round(v, 6) for v in position]
    ds.ImageOrientationPatient = [round(v, 8) for v in row + col]
    ds.PixelSpacing = [spacing[1], spacing[0]]
    ds.SliceThickness = spacing[2]
    ds.Rows, ds.Columns = ROWS, COLS
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = signed
    if slope is not None:
        ds.RescaleSlope, ds.RescaleIntercept = slope, -1024
    if syntax in (JPEGBaseline8Bit, MPEG4HP41):
        ds.PixelData = encapsulate([b"\xff\xd8\xff\xd9"])
    else:
        ds.PixelData = _pixels(dtype, k, ROWS * COLS, big=syntax == ExplicitVRBigEndian)
    ds["PixelData"].VR = "OB" if bits == 8 else "OW"
    out = BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return NamedInput(name or f"slice{k:03d}.dcm", out.getvalue())


def make_series(n=SLICES, shuffle=True, **kwargs):
    uid = kwargs.pop("series_uid", generate_uid())
    items = [make_slice(k, series_uid=uid, **kwargs) for k in range(n)]
    if shuffle:
        random.Random(1).shuffle(items)
    return items


class TestReadDicomSeriesSimpleITK:
    @pytest.mark.parametrize("syntax", [ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian])
    @pytest.mark.parametrize("dtype", ["uint8", "int16", "uint16"])
    @pytest.mark.parametrize("geometry", ["axial", "anisotropic", "oblique", "oblique-flipped"])
    def test_against_gdcm(self, tmp_path, geometry, dtype, syntax):
        """Size, spacing, origin, direction and voxels equal SimpleITK's series reader."""
        sitk = pytest.importorskip("SimpleITK")
        import numpy as np

        items = make_series(geometry=geometry, dtype=dtype, syntax=syntax)
        for item in items:
            (tmp_path / item.name).write_bytes(item.data)
        reader = sitk.ImageSeriesReader()
        reader.SetFileNames(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(tmp_path)))
        image = reader.Execute()
        (volume,) = read_dicom_series(items)
        assert volume.size == image.GetSize()
        assert np.allclose(volume.spacing, image.GetSpacing(), rtol=0, atol=1e-5)
        assert np.allclose(volume.origin, image.GetOrigin(), rtol=0, atol=1e-5)
        assert np.allclose(np.array(volume.direction).T.flatten(), image.GetDirection(), atol=1e-6)
        arr = np.frombuffer(volume.data, np.dtype(dtype).newbyteorder("<")).reshape(SLICES, ROWS, COLS)
        assert np.array_equal(arr, sitk.GetArrayFromImage(image))
        assert volume.warnings == []


    def test_scanner_rounding_against_gdcm(self, tmp_path):
        """A scanner's oblique series (gaps varying by 1%, cosines 5e-4 off perpendicular) is
        one volume with perpendicular axes, within 1e-3 of SimpleITK's, warning about both."""
        sitk = pytest.importorskip("SimpleITK")
        import numpy as np

        from scanner_cases import oblique_mr_series

        files, truth = oblique_mr_series()
        for name, data in files:
            (tmp_path / name).write_bytes(data)
        reader = sitk.ImageSeriesReader()
        reader.SetFileNames(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(tmp_path)))
        image = reader.Execute()
        (volume,) = read_dicom_series([NamedInput(name, data) for name, data in files])
        assert volume.size == image.GetSize()
        assert np.allclose(volume.spacing, image.GetSpacing(), atol=1e-3)
        assert np.allclose(volume.origin, image.GetOrigin(), atol=1e-3)
        assert np.allclose(np.array(volume.direction).T.flatten(), image.GetDirection(), atol=1e-3)
        d = np.array(volume.direction)
        assert np.allclose(d @ d.T, np.eye(3), atol=1e-12)
        assert np.array_equal(np.frombuffer(volume.data, "<i2").reshape(truth["pixels"].shape), truth["pixels"])
        assert [w.split(":")[0] for w in volume.warnings] == [
            "slice spacing is not uniform", "axes 0 and 1 are 0.0286 degrees from perpendicular (cosine 0.000500)"]


class TestReadDicomSeries:
    def test_sorted_along_normal(self):
        """Shuffled files are stacked in order along the slice normal."""
        items = make_series(geometry="oblique")
        (volume,) = read_dicom_series(items)
        by_name = sorted(items, key=lambda i: i.name)
        for k, item in enumerate(by_name):
            assert volume.slice_data(k) == _pixels("int16", k, ROWS * COLS)
        (_, _, normal), spacing = _unit_columns("oblique")
        assert volume.origin == pytest.approx(ORIGIN, abs=1e-5)
        assert volume.spacing == pytest.approx(tuple(spacing), abs=1e-5)
        assert volume.direction[2] == pytest.approx(tuple(normal), abs=1e-6)

    def test_groups_by_series(self):
        """Two series among the inputs give two volumes."""
        first, second = make_series(n=3), make_series(n=2, geometry="axial")
        volumes = read_dicom_series(first[:1] + second + first[1:])
        assert [v.size[2] for v in volumes] == [3, 2]

    def test_uneven_spacing_warns(self):
        """A gap more than 1% off the mean is named in a warning."""
        uid = generate_uid()
        (_, _, normal), _ = _unit_columns("axial")
        depths = [0.0, 1.0, 2.0, 3.5, 4.5]
        items = [make_slice(k, series_uid=uid, geometry="axial", position=[0, 0, d]) for k, d in enumerate(depths)]
        (volume,) = read_dicom_series(items)
        assert len(volume.warnings) == 1
        assert "gap of 1.5 mm between slice002.dcm and slice003.dcm" in volume.warnings[0]

    def test_rescale_not_applied(self):
        """RescaleSlope/Intercept go to Volume.rescale; the data stays as stored."""
        (volume,) = read_dicom_series(make_series(n=2, slope=2.5))
        assert volume.rescale == (2.5, -1024.0)
        assert volume.slice_data(0) == _pixels("int16", 0, ROWS * COLS)

    def test_varying_rescale_unsupported(self):
        """Different rescale per slice cannot be one volume."""
        uid = generate_uid()
        items = [make_slice(0, series_uid=uid, slope=1.0), make_slice(1, series_uid=uid, slope=2.0)]
        with pytest.raises(UnsupportedError, match="vary between slices"):
            read_dicom_series(items)

    def test_single_slice_thickness(self):
        """One slice: the z spacing is SliceThickness."""
        (volume,) = read_dicom_series(make_series(n=1, geometry="anisotropic"))
        assert volume.size == (COLS, ROWS, 1)
        assert volume.spacing == pytest.approx((0.7, 1.3, 2.5))

    def test_read_volume_stacks_partners(self):
        """read_volume on one slice stacks the other slices of its series among the partners."""
        items = make_series(n=4)
        other = make_series(n=2)
        partners = {i.name + str(n): i for n, i in enumerate(items + other)}
        volume = read_volume(items[0], partners)
        assert volume.size == (COLS, ROWS, 4)


class TestReadDicomSeriesErrors:
    def test_video_syntax(self):
        """A transfer syntax no codec here decodes (MPEG-4) is unsupported, naming it."""
        items = make_series(n=1, dtype="uint8", syntax=MPEG4HP41)
        with pytest.raises(UnsupportedError, match=r"MPEG-4 AVC/H.264 High Profile / Level 4.1 \(1.2.840.10008.1.2.4.102\)"):
            read_dicom_series(items)

    def test_damaged_codestream(self):
        """Pixel Data that says JPEG but holds no codestream: an InputError naming file, frame and syntax."""
        items = make_series(n=1, dtype="uint8", syntax=JPEGBaseline8Bit)
        with pytest.raises(InputError, match=r"slice000.dcm: .*frame 0 \(JPEG Baseline \(Process 1\)\)|slice000.dcm: encapsulated"):
            read_dicom_series(items)

    def test_same_position(self):
        """Two slices at one position is an InputError naming both files."""
        uid = generate_uid()
        items = [make_slice(k, series_uid=uid, position=[0, 0, 0]) for k in range(2)]
        with pytest.raises(InputError, match="same position .*slice001.dcm"):
            read_dicom_series(items)

    def test_missing_elements(self):
        """Missing required elements are listed together."""
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        ds.SOPInstanceUID = generate_uid()
        out = BytesIO()
        ds.save_as(out, enforce_file_format=True)
        with pytest.raises(InputError, match="Rows, Columns, BitsAllocated, PixelRepresentation, PixelData"):
            read_dicom_series([NamedInput("empty.dcm", out.getvalue())])

    def test_truncated_pixel_data(self):
        """Pixel Data shorter than Rows x Columns needs: InputError with the numbers."""
        item = make_slice(0, series_uid=generate_uid())
        from pydicom import dcmread

        ds = dcmread(BytesIO(item.data))
        ds.PixelData = ds.PixelData[:10]
        out = BytesIO()
        ds.save_as(out, enforce_file_format=True)
        with pytest.raises(InputError, match=f"Pixel Data has 10 bytes, Rows x Columns needs {ROWS * COLS * 2}"):
            read_dicom_series([NamedInput("short.dcm", out.getvalue())])

    def test_not_dicom(self):
        """A file that is not DICOM is an InputError naming it."""
        with pytest.raises(InputError, match="junk.dcm"):
            read_dicom_series([NamedInput("junk.dcm", b"hello")])


def test_random_bytes_named_dcm_is_not_dicom():
    """Bytes that are no DICOM at all, named .dcm, are told so (not 'missing required elements')."""
    import random

    junk = NamedInput("fake.dcm", random.Random(4).randbytes(3000))
    with pytest.raises(InputError, match="not a DICOM file"):
        read_dicom_series([junk])
