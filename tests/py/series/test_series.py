"""Tests for dicomforge.series: the writer's decisions, its bytes, its errors, and the CLI.

Standard library + pydicom only (these run inside Pyodide too); the external
checkers (SimpleITK, dcm2niix, dciodvfy, dcmftest) are in test_series_validators.py.
"""

from __future__ import annotations

import io
import math
import random
import struct
import zipfile

import pydicom
import pytest
from pydicom.dataset import Dataset

from dicomforge import cli, kernels
from dicomforge.errors import GeometryError, InputError, OptionsError, UnsupportedError
from dicomforge.dicom.encode import format_ds
from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import plan_series, write_series
from dicomforge.volume import Volume

IDENTITY = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))


def rotation(ax: float, ay: float, az: float):
    """Direction columns of R = Rz(az) Ry(ay) Rx(ax) (angles in degrees)."""
    a, b, c = (math.radians(v) for v in (ax, ay, az))
    rx = ((1, 0, 0), (0, math.cos(a), -math.sin(a)), (0, math.sin(a), math.cos(a)))
    ry = ((math.cos(b), 0, math.sin(b)), (0, 1, 0), (-math.sin(b), 0, math.cos(b)))
    rz = ((math.cos(c), -math.sin(c), 0), (math.sin(c), math.cos(c), 0), (0, 0, 1))

    def mul(p, q):
        return tuple(tuple(sum(p[i][k] * q[k][j] for k in range(3)) for j in range(3)) for i in range(3))

    m = mul(rz, mul(ry, rx))
    return tuple(tuple(m[i][j] for i in range(3)) for j in range(3))  # columns


FLIPPED = ((-1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))  # left-handed

RANGES = {
    "int8": (-128, 127),
    "uint8": (0, 255),
    "int16": (-1024, 3071),
    "uint16": (0, 65535),
    "int32": (100000, 160000),  # 60001 values: lossless with an intercept
    "uint32": (0, 50000),
    "float32": (-1000.0, 3000.0),
    "float64": (-1.0, 1.0),
}


def make_values(dtype: str, count: int, seed: int = 0) -> list:
    rng = random.Random(seed)
    lo, hi = RANGES[dtype]
    if dtype.startswith("float"):
        values = [rng.uniform(lo, hi) for _ in range(count)]
    else:
        values = [rng.randint(lo, hi) for _ in range(count)]
    values[0], values[-1] = lo, hi
    return values


def make_volume(
    dtype: str = "int16",
    size=(7, 5, 4),
    spacing=(0.8, 0.6, 2.5),
    origin=(-10.0, 20.0, 30.0),
    direction=IDENTITY,
    components: int = 1,
    seed: int = 0,
    **extra,
) -> Volume:
    count = size[0] * size[1] * size[2] * components
    values = make_values(dtype, count, seed)
    code = kernels.DTYPES[dtype][0]
    data = struct.pack("<%d%s" % (count, code), *values)
    return Volume(data, dtype, tuple(size), tuple(spacing), tuple(origin), direction, components, **extra)


def read_all(volume: Volume, options: SeriesOptions | None = None) -> list:
    return [(name, pydicom.dcmread(io.BytesIO(data))) for name, data in write_series(volume, options)]


def stored_values(ds) -> list:
    code = {(8, 0): "B", (8, 1): "b", (16, 0): "H", (16, 1): "h"}[(ds.BitsAllocated, ds.PixelRepresentation)]
    count = ds.Rows * ds.Columns * ds.SamplesPerPixel
    return list(struct.unpack_from("<%d%s" % (count, code), ds.PixelData))


class TestFormatDS:
    @pytest.mark.parametrize(
        "value",
        [0.0, -0.0, 1.0, 0.1, -123.456789012345678, 1e-7, 6.123e-17, 12345678.123456789, 1e20, -1e-20, 2 / 3],
    )
    def test_short_and_precise(self, value):
        """At most 16 characters, valid DS, within 1e-4 absolute or 1e-9 relative."""
        text = format_ds(value)
        assert len(text) <= 16
        assert set(text) <= set("0123456789+-.eE")
        assert abs(float(text) - value) <= max(1e-4 * 1e-6, abs(value) * 1e-9)

    def test_not_finite(self):
        """NaN cannot be a DS."""
        with pytest.raises(ValueError, match="cannot be written"):
            format_ds(float("nan"))


class TestSeriesStructure:
    def test_shared_and_unique_uids(self):
        """Study, series and frame of reference UIDs are shared; SOP Instance UIDs unique."""
        files = read_all(make_volume())
        datasets = [ds for _, ds in files]
        for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID"):
            assert len({ds[keyword].value for ds in datasets}) == 1
        sops = [ds.SOPInstanceUID for ds in datasets]
        assert len(set(sops)) == len(sops) == 4
        assert all(ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID for ds in datasets)

    def test_uid_prefix_and_study(self):
        """Generated UIDs use the prefix; an existing study is joined."""
        options = SeriesOptions(uid_prefix="1.2.3.", study_instance_uid="1.2.840.99.1")
        for _, ds in read_all(make_volume(), options):
            assert ds.StudyInstanceUID == "1.2.840.99.1"
            assert ds.SOPInstanceUID.startswith("1.2.3.") and ds.SeriesInstanceUID.startswith("1.2.3.")
            assert len(ds.SOPInstanceUID) <= 64

    def test_file_names(self):
        """The printf pattern numbers files by Instance Number."""
        options = SeriesOptions(file_pattern="img%03d.dcm", instance_start=10)
        names = [name for name, _ in write_series(make_volume(), options)]
        assert names == ["img010.dcm", "img011.dcm", "img012.dcm", "img013.dcm"]

    @pytest.mark.parametrize("direction", [IDENTITY, rotation(20, -35, 50), FLIPPED, rotation(180, 0, 0)])
    def test_instance_number_along_normal(self, direction):
        """Instance Number grows along row x column, also for left-handed volumes."""
        files = read_all(make_volume(direction=direction))
        files.sort(key=lambda f: f[1].InstanceNumber)
        iop = [float(v) for v in files[0][1].ImageOrientationPatient]
        row, col = iop[:3], iop[3:]
        normal = (row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0])
        along = [sum(float(p) * n for p, n in zip(ds.ImagePositionPatient, normal)) for _, ds in files]
        assert all(b > a for a, b in zip(along, along[1:]))
        locations = [float(ds.SliceLocation) for _, ds in files]
        assert locations == pytest.approx(along, abs=1e-6)
        assert [ds.InstanceNumber for _, ds in files] == [1, 2, 3, 4]

    def test_geometry_exact(self):
        """IPP is volume.position(k), IOP the first two direction columns, spacing row\\column."""
        direction = rotation(12.345, 67.89, -10.1)
        volume = make_volume(direction=direction, origin=(-123.456789, 45.6789012, 1000.123456))
        for _, ds in read_all(volume):
            k = ds.InstanceNumber - 1
            assert [float(v) for v in ds.ImagePositionPatient] == pytest.approx(volume.position(k), abs=1e-6)
            assert all(len(str(v)) <= 16 for v in ds.ImagePositionPatient)
            assert [float(v) for v in ds.ImageOrientationPatient] == pytest.approx(
                [*direction[0], *direction[1]], abs=1e-9
            )
            assert [float(v) for v in ds.PixelSpacing] == [0.6, 0.8]
            assert float(ds.SliceThickness) == float(ds.SpacingBetweenSlices) == 2.5
            assert (ds.Rows, ds.Columns) == (5, 7)

    def test_left_handed_order(self):
        """A flipped volume is written with its slices reversed, voxels untouched."""
        volume = make_volume(direction=FLIPPED)
        plan = plan_series(volume)
        assert plan.order == [3, 2, 1, 0]
        assert any("left-handed" in w for w in plan.warnings)
        files = read_all(volume)
        assert files[0][1].PixelData == volume.slice_data(3).tobytes()


class TestPixels:
    @pytest.mark.parametrize(
        "dtype, modality, bits, signed",
        [
            ("int16", "OT", 16, 1),
            ("uint16", "OT", 16, 0),
            ("uint8", "OT", 8, 0),
            ("int8", "OT", 8, 1),
            ("uint8", "CT", 16, 1),
            ("int8", "MR", 16, 1),
            ("uint16", "CT", 16, 0),
            ("float32", "MR", 16, 1),
        ],
    )
    def test_representation(self, dtype, modality, bits, signed):
        """Bits and Pixel Representation follow the data; 8-bit widens for CT/MR."""
        volume = make_volume(dtype, size=(3, 3, 2))
        files = read_all(volume, SeriesOptions(modality=modality))
        ds = files[0][1]
        assert (ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation) == (bits, bits, bits - 1, signed)
        assert ds.SamplesPerPixel == 1 and ds.PhotometricInterpretation == "MONOCHROME2"

    @pytest.mark.parametrize("dtype", ["int16", "uint16", "uint8", "int8", "int32", "uint32"])
    def test_integers_lossless(self, dtype):
        """Integer voxels read back exactly (stored * slope + intercept)."""
        volume = make_volume(dtype)
        plan = plan_series(volume)
        assert plan.max_error == 0
        for _, ds in read_all(volume):
            k = ds.InstanceNumber - 1
            slope, intercept = float(ds.get("RescaleSlope", 1)), float(ds.get("RescaleIntercept", 0))
            code = kernels.DTYPES[dtype][0]
            expected = struct.unpack("<%d%s" % (35, code), volume.slice_data(k))
            assert [v * slope + intercept for v in stored_values(ds)] == list(expected)

    @pytest.mark.parametrize("dtype", ["float32", "float64"])
    def test_float_within_reported_error(self, dtype):
        """Float voxels read back within the reported maximum error, which is recorded."""
        volume = make_volume(dtype, size=(16, 9, 3))
        warnings = []
        files = [(n, pydicom.dcmread(io.BytesIO(d))) for n, d in write_series(volume, warnings=warnings)]
        plan = plan_series(volume)
        lo, hi = RANGES[dtype]
        assert 0 < plan.max_error <= (hi - lo) / 65534 * 0.5 * 1.000001
        assert any("differ by at most" in w for w in warnings)
        code = kernels.DTYPES[dtype][0]
        for _, ds in files:
            assert "maximum reconstruction error" in ds.DerivationDescription
            k = ds.InstanceNumber - 1
            slope, intercept = float(ds.RescaleSlope), float(ds.RescaleIntercept)
            expected = struct.unpack("<%d%s" % (16 * 9, code), volume.slice_data(k))
            got = [v * slope + intercept for v in stored_values(ds)]
            assert max(abs(a - b) for a, b in zip(got, expected)) <= plan.max_error

    def test_rescale_composes(self):
        """Volume.rescale of integer input is written as Rescale Slope/Intercept."""
        volume = make_volume("int16", rescale=(0.5, -100.0))
        ds = read_all(volume, SeriesOptions(modality="CT"))[0][1]
        assert (float(ds.RescaleSlope), float(ds.RescaleIntercept)) == (0.5, -100.0)
        values = [-100000, 100000] * 8  # 200001 values do not fit 16 bits: fitted
        data = struct.pack("<16i", *values)
        volume = Volume(data, "int32", (4, 2, 2), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0), rescale=(2.0, 10.0))
        ds = read_all(volume)[0][1]
        assert float(ds.RescaleSlope) == pytest.approx(2.0 * 200000 / 65534, rel=1e-9)
        assert [v * float(ds.RescaleSlope) + float(ds.RescaleIntercept) for v in stored_values(ds)] == (
            pytest.approx([v * 2.0 + 10.0 for v in values[:8]], abs=plan_series(volume).max_error)
        )

    def test_window_whole_volume(self):
        """One window for the series, spanning the data range of the whole volume."""
        volume = make_volume("int16")
        centers = {(ds.WindowCenter, ds.WindowWidth) for _, ds in read_all(volume)}
        assert len(centers) == 1
        center, width = (float(v) for v in centers.pop())
        lo, hi = RANGES["int16"]
        assert (center - 0.5 - (width - 1) / 2, center - 0.5 + (width - 1) / 2) == (lo, hi)

    def test_rgb(self):
        """RGB uint8: PhotometricInterpretation RGB, 3 samples, colour-by-pixel, no window."""
        volume = make_volume("uint8", size=(3, 3, 2), components=3)
        ds = read_all(volume)[0][1]
        assert (ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration) == (3, "RGB", 0)
        assert ds.PixelData[: 27] == volume.slice_data(0).tobytes()
        assert "WindowCenter" not in ds

    def test_odd_pixel_data_padded(self):
        """An odd number of 8-bit pixels is padded to even length."""
        volume = make_volume("uint8", size=(3, 3, 2))
        name, data = next(iter(write_series(volume)))
        ds = pydicom.dcmread(io.BytesIO(data))
        assert len(ds.PixelData) == 10 and ds.PixelData[9:] == b"\x00"


class TestBytes:
    @pytest.mark.parametrize(
        "dtype, modality, extra",
        [("int16", "CT", {}), ("uint8", "OT", {"components": 3}), ("float32", "MR", {}), ("uint8", "OT", {})],
    )
    def test_identical_to_dcmwrite(self, dtype, modality, extra):
        """The fast path writes what pydicom's dcmwrite writes for the same dataset."""
        volume = make_volume(dtype, size=(5, 3, 3), **extra)
        options = SeriesOptions(modality=modality, series_description="Ünïcode test", patient_name="Doe^Jane")
        plan = plan_series(volume, options)
        for index in range(plan.count):
            uid = f"1.2.826.0.1.3680043.8.498.{index + 1}"
            expected = io.BytesIO()
            pydicom.dcmwrite(expected, plan.dataset(index, uid), enforce_file_format=True)
            assert plan.encode(index, uid) == expected.getvalue()

    def test_roundtrip_through_pydicom(self):
        """Reading a file and writing it back with pydicom gives the same bytes."""
        for _, data in write_series(make_volume(direction=rotation(10, 20, 30)), SeriesOptions(modality="CT")):
            again = io.BytesIO()
            pydicom.dcmwrite(again, pydicom.dcmread(io.BytesIO(data)), enforce_file_format=True)
            assert again.getvalue() == data

    def test_explicit_little_endian(self):
        """Explicit VR Little Endian with the required file meta."""
        ds = read_all(make_volume())[0][1]
        assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
        assert ds.file_meta.MediaStorageSOPClassUID == ds.SOPClassUID

    @pytest.mark.parametrize(
        "modality, sop",
        [("CT", "1.2.840.10008.5.1.4.1.1.2"), ("MR", "1.2.840.10008.5.1.4.1.1.4"), ("OT", "1.2.840.10008.5.1.4.1.1.7")],
    )
    def test_sop_class(self, modality, sop):
        """CT and MR get their image storage classes, anything else Secondary Capture."""
        ds = read_all(make_volume(), SeriesOptions(modality=modality))[0][1]
        assert ds.SOPClassUID == sop and ds.Modality == modality


class TestOptions:
    def test_descriptions_and_patient(self):
        """Options land in their elements."""
        options = SeriesOptions(
            series_description="axial", series_number=7, patient_name="Doe^John", patient_id="P1",
            study_description="study",
        )
        ds = read_all(make_volume(), options)[0][1]
        assert (ds.SeriesDescription, ds.SeriesNumber, str(ds.PatientName), ds.PatientID, ds.StudyDescription) == (
            "axial", 7, "Doe^John", "P1", "study",
        )

    def test_reference_copied(self):
        """Patient and study attributes come from the reference; options override them."""
        ref = Dataset()
        ref.PatientName = "Ref^Patient"
        ref.PatientID = "R1"
        ref.PatientBirthDate = "19700101"
        ref.StudyInstanceUID = "1.2.3.4.5"
        ref.StudyDate = "20200101"
        ref.AccessionNumber = "ACC9"
        ref.SeriesInstanceUID = "9.9.9"  # not copied
        ds = read_all(make_volume(), SeriesOptions(reference=ref, patient_id="Override"))[0][1]
        assert (str(ds.PatientName), ds.PatientID, ds.PatientBirthDate) == ("Ref^Patient", "Override", "19700101")
        assert (ds.StudyInstanceUID, ds.StudyDate, ds.AccessionNumber) == ("1.2.3.4.5", "20200101", "ACC9")
        assert ds.SeriesInstanceUID != "9.9.9"

    def test_lazy_with_progress(self):
        """Files come one at a time; progress is told after each."""
        seen = []
        files = write_series(make_volume(), progress=lambda done, total: seen.append((done, total)))
        next(files)
        assert seen == [(1, 4)]
        list(files)
        assert seen[-1] == (4, 4)


class TestErrors:
    def test_sheared(self):
        """Non-perpendicular axes are rejected."""
        direction = ((1.0, 0.0, 0.0), (0.6, 0.8, 0.0), (0.0, 0.0, 1.0))
        with pytest.raises(GeometryError, match="not perpendicular"):
            plan_series(make_volume(direction=direction, name="shear.nii"))

    def test_nan_geometry(self):
        """NaN in the origin is rejected."""
        with pytest.raises(GeometryError, match="NaN"):
            plan_series(make_volume(origin=(float("nan"), 0.0, 0.0)))

    def test_nan_voxels(self):
        """NaN voxels are rejected before any file, with the count."""
        volume = make_volume("float32", size=(2, 2, 1))
        data = bytearray(volume.data)
        data[0:4] = struct.pack("<f", float("nan"))
        volume.data = bytes(data)
        with pytest.raises(InputError, match="1 voxels are NaN or infinite"):
            write_series(volume)

    def test_real_range_overflows(self):
        """Finite voxels whose rescaled range overflows a double are refused, not written as inf."""
        volume = make_volume("float32", size=(2, 2, 1))
        volume.data = struct.pack("<4f", -3e38, 0.0, 1.0, 3e38)
        volume.rescale = (1e300, 0.0)
        with pytest.raises(InputError, match="overflow what DICOM can describe"):
            write_series(volume)

    def test_two_components(self):
        """Multi-component data other than RGB uint8 names its shape."""
        with pytest.raises(UnsupportedError, match="shape 3x3x2x2"):
            plan_series(make_volume("uint8", size=(3, 3, 2), components=2))

    def test_rgb_ct(self):
        """RGB cannot be CT."""
        with pytest.raises(OptionsError, match="RGB volumes cannot be written as CT"):
            plan_series(make_volume("uint8", size=(3, 3, 2), components=3), SeriesOptions(modality="CT"))

    @pytest.mark.parametrize(
        "options, message",
        [
            (SeriesOptions(file_pattern="slice.dcm"), "exactly one integer field"),
            (SeriesOptions(file_pattern="x%.0s.dcm"), "same name"),
            (SeriesOptions(file_pattern="../x%d"), "relative name"),
            (SeriesOptions(uid_prefix="1.2.3"), "uid_prefix"),
            (SeriesOptions(study_instance_uid="1.02.x"), "not a valid UID"),
            (SeriesOptions(series_number=-1), "series_number"),
            (SeriesOptions(modality="c t!"), "modality"),
        ],
    )
    def test_bad_options(self, options, message):
        """Bad options are reported in one OptionsError."""
        with pytest.raises(OptionsError, match=message):
            plan_series(make_volume(), options)


def write_nifti(path, values, size, spacing, dtype_code=4, bitpix=16, code="h") -> None:
    """A minimal NIfTI-1 single file (.nii): sform = diag(spacing), RAS."""
    header = bytearray(352)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, 3, *size, 1, 1, 1, 1)
    struct.pack_into("<hh", header, 70, dtype_code, bitpix)
    struct.pack_into("<8f", header, 76, 1.0, *spacing, 1, 1, 1, 1)
    struct.pack_into("<f", header, 108, 352.0)
    struct.pack_into("<ff", header, 112, 1.0, 0.0)
    struct.pack_into("<hh", header, 252, 0, 1)
    struct.pack_into("<4f", header, 280, spacing[0], 0, 0, 0)
    struct.pack_into("<4f", header, 296, 0, spacing[1], 0, 0)
    struct.pack_into("<4f", header, 312, 0, 0, spacing[2], 0)
    header[344:348] = b"n+1\x00"
    with open(path, "wb") as fh:
        fh.write(bytes(header) + struct.pack("<%d%s" % (len(values), code), *values))


class TestCli:
    def test_batch_with_bad_input(self, tmp_path, capsys):
        """One bad input: exit 2, one error line naming it, the other converted."""
        good, bad, out = tmp_path / "good.nii", tmp_path / "bad.nii", tmp_path / "out"
        write_nifti(good, make_values("int16", 4 * 3 * 2), (4, 3, 2), (1.0, 1.5, 3.0))
        bad.write_bytes(b"not an image at all" * 30)
        code = cli.main(["series", str(good), str(bad), "-o", str(out), "--modality", "CT",
                         "--series-description", "cli", "--patient-id", "P7"])
        err = capsys.readouterr().err
        assert code == 2
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and errors[0].startswith(f"error: {bad}: ")
        files = sorted((out / "good").iterdir())
        assert [f.name for f in files] == ["slice_0001.dcm", "slice_0002.dcm"]
        ds = pydicom.dcmread(files[0])
        assert (ds.Modality, ds.SeriesDescription, ds.PatientID) == ("CT", "cli", "P7")

    def test_zip_and_options(self, tmp_path, capsys):
        """--zip collects the files; pattern and start number are honoured."""
        good, archive = tmp_path / "vol.nii", tmp_path / "series.zip"
        write_nifti(good, make_values("int16", 4 * 3 * 3), (4, 3, 3), (1.0, 1.0, 2.0))
        code = cli.main(["series", str(good), "--zip", str(archive), "--file-pattern", "im%02d",
                         "--instance-start", "5", "--series-number", "3", "--patient-name", "A^B"])
        assert code == 0, capsys.readouterr().err
        with zipfile.ZipFile(archive) as zf:
            assert zf.namelist() == ["im05", "im06", "im07"]
            ds = pydicom.dcmread(io.BytesIO(zf.read("im07")))
        assert (ds.InstanceNumber, ds.SeriesNumber, str(ds.PatientName)) == (7, 3, "A^B")

    def test_needs_output(self, tmp_path, capsys):
        """Without -o or --zip the command explains what is missing."""
        assert cli.main(["series", str(tmp_path / "x.nii")]) == 2
        assert "give an output folder" in capsys.readouterr().err

    def test_bad_option(self, tmp_path, capsys):
        """An invalid option fails the input with a readable message."""
        good = tmp_path / "vol.nii"
        write_nifti(good, make_values("int16", 8), (2, 2, 2), (1.0, 1.0, 1.0))
        assert cli.main(["series", str(good), "-o", str(tmp_path / "o"), "--file-pattern", "same"]) == 2
        assert "exactly one integer field" in capsys.readouterr().err
