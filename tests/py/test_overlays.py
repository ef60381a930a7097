"""Overlay planes: reading, splicing masks into files of any transfer syntax, label maps, job, CLI.

Runs natively and in Pyodide: numpy only through ``pytest.importorskip`` inside tests.
"""

from __future__ import annotations

import io
import random
import struct

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from dicomforge import kernels
from dicomforge.errors import (
    GeometryError,
    InputError,
    OptionsError,
    UnsupportedError,
)
from dicomforge.inputs import NamedInput
from dicomforge.overlays import (
    OVERLAY_GROUPS,
    SERIES_SUFFIX,
    LabelMatcher,
    MaskPlane,
    OverlayOptions,
    OverlayPlane,
    add_label_overlays,
    add_overlays,
    describe_overlays,
    output_names,
    overlay_job,
    read_overlays,
    scan,
)
from dicomforge.series import SeriesOptions, write_series
from dicomforge.volume import Volume

# pydicom test files by encoding (the ones the brief names that pydicom ships offline)
EXPLICIT_LE = "CT_small.dcm"
IMPLICIT_LE = "MR_small_implicit.dcm"
BIG_ENDIAN = "MR_small_bigendian.dcm"
RLE = "MR_small_RLE.dcm"
JPEG_BASELINE = "SC_rgb_jpeg_dcmtk.dcm"
JPEG_LS = "MR_small_jpeg_ls_lossless.dcm"
JPEG_2000 = "MR_small_jp2klossless.dcm"
JPEG_2000_MULTIFRAME = "JPEG2000.dcm"
DEFLATED = "image_dfl.dcm"
MULTIFRAME_RLE = "SC_rgb_rle_2frame.dcm"
MULTIFRAME_NATIVE = "rtdose.dcm"
WITH_OVERLAY = "examples_overlay.dcm"
# in the brief, fetched by pydicom from the network: used when present
OPTIONAL = ("emri_small.dcm", "US1_J2KR.dcm")

SOURCES = [EXPLICIT_LE, IMPLICIT_LE, BIG_ENDIAN, RLE, JPEG_BASELINE, JPEG_LS, JPEG_2000,
           JPEG_2000_MULTIFRAME, DEFLATED, MULTIFRAME_RLE, MULTIFRAME_NATIVE, WITH_OVERLAY]

# elements a derived copy changes (module notes of dicomforge.overlays)
DERIVED = {0x00080018, 0x0008103E, 0x00082111, 0x00082112, 0x0020000E}
DERIVED_META = {0x00020000, 0x00020003}


def _testfile(name: str) -> NamedInput:
    try:
        path = get_testdata_file(name, download=False)
    except TypeError:  # pragma: no cover - older pydicom
        path = get_testdata_file(name)
    if path is None:
        pytest.skip(f"pydicom test file {name} is not available offline")
    with open(path, "rb") as fh:
        return NamedInput(name, fh.read())


def _mask(count: int, seed: int = 1, density: float = 0.3) -> bytes:
    """*count* bytes, about *density* nonzero (arbitrary nonzero values, not only 1)."""
    rnd = random.Random(seed)
    return bytes(rnd.randrange(1, 256) if rnd.random() < density else 0 for _ in range(count))


def _ones(mask: bytes) -> bytes:
    return bytes(1 if b else 0 for b in mask)


def _size(item: NamedInput) -> tuple[int, int, int]:
    ds = dcmread(io.BytesIO(item.data), stop_before_pixels=True)
    return int(ds.Rows), int(ds.Columns), int(ds.get("NumberOfFrames", 1) or 1)


def _read(data: bytes):
    return dcmread(io.BytesIO(data))


def _volume(nx=6, ny=5, nz=4, spacing=(0.7, 0.9, 2.5), origin=(-10.0, 20.0, 5.0), dtype="int16",
            direction=((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)), data=None, name="v") -> Volume:
    size = struct.calcsize("<h") if dtype == "int16" else 1
    if data is None:
        data = bytes(random.Random(7).randrange(256) for _ in range(nx * ny * nz * size))
    return Volume(data, dtype, (nx, ny, nz), spacing, origin, direction, name=name)


def _label_volume(like: Volume, labels: bytes, name="labels.nrrd") -> Volume:
    return Volume(labels, "uint8", like.size, like.spacing, like.origin, like.direction, name=name)


def _series(volume: Volume) -> list[NamedInput]:
    return [NamedInput(n, d) for n, d in write_series(volume, SeriesOptions(modality="CT"))]


def _nrrd(volume: Volume) -> bytes:
    """A raw NRRD of uint8 *volume* in LPS."""
    nx, ny, nz = volume.size
    dirs = " ".join(
        "(" + ",".join(repr(c * s) for c in axis) + ")" for axis, s in zip(volume.direction, volume.spacing)
    )
    header = (
        "NRRD0004\ntype: uint8\ndimension: 3\nspace: left-posterior-superior\n"
        f"sizes: {nx} {ny} {nz}\nspace directions: {dirs}\n"
        f"space origin: ({','.join(repr(o) for o in volume.origin)})\nencoding: raw\n\n"
    )
    return header.encode() + bytes(volume.data)


def _elements(ds) -> dict:
    return {int(e.tag): e for e in ds}



def _without_rows() -> tuple[bytes, str]:
    """A Part 10 file with no Rows/Columns (Raw Data Storage), and its SOP Instance UID."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.66"
    ds.SOPInstanceUID = uid = generate_uid()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue(), uid

class TestReadOverlays:
    def test_reads_existing_plane(self):
        """The overlay of pydicom's examples_overlay.dcm is read with its attributes."""
        ds = _read(_testfile(WITH_OVERLAY).data)
        (plane,) = read_overlays(ds)
        assert (plane.group, plane.rows, plane.columns, plane.frames, plane.type) == (0x6000, 300, 484, 1, "G")
        assert plane.origin == (1, 1)
        assert len(plane.bits()) == 300 * 484
        assert plane.count_set() == 222

    def test_matches_pydicom_overlay_array(self):
        """bits() equals pydicom's overlay_array for the same plane."""
        pytest.importorskip("numpy")
        ds = _read(_testfile(WITH_OVERLAY).data)
        (plane,) = read_overlays(ds)
        assert bytes(ds.overlay_array(0x6000).astype("u1").ravel()) == plane.bits(0)

    def test_no_overlays(self):
        """A file without 60xx groups has no planes."""
        assert read_overlays(_read(_testfile(EXPLICIT_LE).data)) == []

    def test_frames_without_byte_alignment(self):
        """Frame f starts at bit f*rows*columns even when that is not a byte boundary."""
        frames = [_ones(_mask(9, seed)) for seed in range(3)]
        packed = kernels.pack_bits(b"".join(frames))
        ds = Dataset()
        ds.add_new(0x60000010, "US", 3)
        ds.add_new(0x60000011, "US", 3)
        ds.add_new(0x60000015, "IS", 3)
        ds.add_new(0x60000100, "US", 1)
        ds.add_new(0x60003000, "OW", packed)
        (plane,) = read_overlays(ds)
        assert [plane.bits(f) for f in range(3)] == frames

    def test_embedded_in_pixel_data(self):
        """An overlay in the Pixel Data high bits (retired) is UnsupportedError."""
        ds = Dataset()
        ds.add_new(0x60000010, "US", 4)
        ds.add_new(0x60000011, "US", 4)
        ds.add_new(0x60000100, "US", 16)
        ds.add_new(0x60000102, "US", 15)
        with pytest.raises(UnsupportedError, match="embedded in the Pixel Data"):
            read_overlays(ds)

    def test_missing_rows(self):
        """Overlay Data without Overlay Rows is an InputError naming what is missing."""
        ds = Dataset()
        ds.add_new(0x60020011, "US", 4)
        ds.add_new(0x60023000, "OW", b"\x00\x00")
        with pytest.raises(InputError, match="overlay 6002 lacks Overlay Rows"):
            read_overlays(ds)

    def test_frame_out_of_range(self):
        """Asking for a frame the overlay does not have is an InputError."""
        plane = OverlayPlane(0x6000, 2, 2, data=b"\x0f\x00")
        with pytest.raises(InputError, match="frame index 1 does not exist"):
            plane.bits(1)

    def test_short_data(self):
        """Overlay Data shorter than rows*columns bits is an InputError with the numbers."""
        plane = OverlayPlane(0x6000, 8, 8, data=b"\x00\x00")
        with pytest.raises(InputError, match="has 2 bytes.*needs 8"):
            plane.bits()

    def test_big_endian_words_swapped_back(self):
        """Overlay Data of a big endian file reads back as the mask written."""
        item = _testfile(BIG_ENDIAN)
        rows, columns, _ = _size(item)
        mask = _mask(rows * columns)
        (plane,) = read_overlays(_read(add_overlays(item, [MaskPlane(mask, "m")])))
        assert plane.bits() == _ones(mask)


class TestScan:
    @pytest.mark.parametrize("name", SOURCES)
    def test_top_level_tags_match_pydicom(self, name):
        """The scanner finds exactly pydicom's top-level elements, in order."""
        item = _testfile(name)
        found = scan(item)
        ds = _read(item.data)
        assert [e[0] for e in found.elements] == [int(e.tag) for e in ds]
        assert found.transfer_syntax == ds.file_meta.TransferSyntaxUID

    def test_not_dicom(self):
        """A file without 'DICM' at byte 128 is an InputError."""
        with pytest.raises(InputError, match="not a DICOM Part 10 file"):
            scan(NamedInput("a.txt", b"hello" * 100))

    def test_truncated(self):
        """A truncated file is an InputError naming it, not a traceback."""
        item = _testfile(EXPLICIT_LE)
        with pytest.raises(InputError, match="truncated|ends") as info:
            scan(NamedInput("cut.dcm", item.data[: len(item.data) - 1000]))
        assert info.value.file == "cut.dcm"


class TestAddOverlays:
    @pytest.mark.parametrize("keep_uids", [True, False], ids=["keep_uids", "derived"])
    @pytest.mark.parametrize("name", SOURCES + list(OPTIONAL))
    def test_everything_else_identical(self, name, keep_uids):
        """Every element outside the new groups (and the derived-copy ones) is unchanged."""
        item = _testfile(name)
        rows, columns, frames = _size(item)
        before = bytes(item.data)
        out = add_overlays(item, [MaskPlane(_mask(rows * columns * frames), "lesion")],
                           OverlayOptions(keep_uids=keep_uids))
        assert bytes(item.data) == before  # input untouched
        src, new = _read(item.data), _read(out)
        assert new.file_meta.TransferSyntaxUID == src.file_meta.TransferSyntaxUID
        added = {g for g in OVERLAY_GROUPS if g not in {t >> 16 for t in _elements(src)}}
        allowed = set() if keep_uids else DERIVED
        a, b = _elements(src), _elements(new)
        for tag in set(a) | set(b):
            if tag >> 16 in added or tag in allowed:
                continue
            assert tag in a and tag in b, f"({tag >> 16:04X},{tag & 0xFFFF:04X}) added or lost"
            assert a[tag].VR == b[tag].VR and a[tag].value == b[tag].value, hex(tag)
        meta_allowed = set() if keep_uids else DERIVED_META
        for tag in set(_elements(src.file_meta)) | set(_elements(new.file_meta)):
            if tag not in meta_allowed:
                assert src.file_meta[tag] == new.file_meta[tag]
        assert new.PixelData == src.PixelData  # raw (possibly encapsulated) bytes

    @pytest.mark.parametrize("name", SOURCES)
    def test_pixel_data_bytes_spliced_verbatim(self, name):
        """The input's bytes from Pixel Data to the end appear unchanged at the end of the output."""
        item = _testfile(name)
        if name == DEFLATED:
            pytest.skip("deflated files are re-deflated as a whole")
        rows, columns, frames = _size(item)
        found = scan(item)
        pixel = found.index[0x7FE00010]
        tail = bytes(found.body[pixel[1]:])
        out = add_overlays(item, [MaskPlane(_mask(rows * columns * frames), "x")])
        assert out.endswith(tail)

    @pytest.mark.parametrize("name", SOURCES)
    def test_bits_read_back(self, name):
        """read_overlays on the output gives the mask back, frame by frame."""
        item = _testfile(name)
        rows, columns, frames = _size(item)
        mask = _mask(rows * columns * frames, seed=3)
        planes = read_overlays(_read(add_overlays(item, [MaskPlane(mask, "m")])))
        plane = planes[-1]
        n = rows * columns
        assert (plane.rows, plane.columns, plane.frames) == (rows, columns, frames)
        assert [plane.bits(f) for f in range(frames)] == [_ones(mask[f * n:(f + 1) * n]) for f in range(frames)]

    @pytest.mark.parametrize("shape", [(567, 652, 1), (64, 64, 1), (5, 7, 3), (567, 652, 2)])
    def test_pydicom_overlay_array_equals_mask(self, shape):
        """pydicom's overlay_array equals the mask, even and odd sizes, single- and multi-frame."""
        np = pytest.importorskip("numpy")
        rows, columns, frames = shape
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.Rows, ds.Columns = rows, columns
        if frames > 1:
            ds.NumberOfFrames = frames
        ds.SamplesPerPixel, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 1, 8, 8, 7
        ds.PhotometricInterpretation, ds.PixelRepresentation = "MONOCHROME2", 0
        ds.PixelData = bytes(rows * columns * frames + (rows * columns * frames) % 2)
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        mask = _mask(rows * columns * frames, seed=rows)
        out = _read(add_overlays(NamedInput("s.dcm", buf.getvalue()), [MaskPlane(mask, "m")]))
        expected = (np.frombuffer(mask, np.uint8) != 0).reshape((frames, rows, columns) if frames > 1 else (rows, columns))
        assert np.array_equal(out.overlay_array(0x6000), expected)
        assert len(out[0x60003000].value) % 2 == 0

    def test_encoding_of_the_plane(self):
        """The elements of PS3.3 C.9.2 with the values chosen (type, origin 1\\1, bits 1/0, label)."""
        item = _testfile(EXPLICIT_LE)
        rows, columns, _ = _size(item)
        out = _read(add_overlays(item, [MaskPlane(_mask(rows * columns), "liver", "label 1 of seg")],
                                 OverlayOptions(type="r")))
        assert out[0x60000010].value == rows and out[0x60000011].value == columns
        assert out[0x60000040].value == "R"
        assert list(out[0x60000050].value) == [1, 1]
        assert out[0x60000100].value == 1 and out[0x60000102].value == 0
        assert out[0x60001500].value == "liver" and out[0x60000022].value == "label 1 of seg"
        assert out[0x60003000].VR == "OW"
        assert 0x60000015 not in out  # single-frame image: no Multi-frame Overlay module

    def test_encoded_once_but_per_file(self):
        """The elements shared by a series are encoded once; each file still gets its own
        label, type, size and description, whatever was encoded before it."""
        single, multi = _testfile(EXPLICIT_LE), _testfile(MULTIFRAME_RLE)
        rows, columns, _ = _size(single)
        first = _read(add_overlays(single, [MaskPlane(_mask(rows * columns), "a")], OverlayOptions(type="G")))
        second = _read(add_overlays(single, [MaskPlane(_mask(rows * columns), "b")], OverlayOptions(type="R")))
        assert (first[0x60001500].value, first[0x60000040].value) == ("a", "G")
        assert (second[0x60001500].value, second[0x60000040].value) == ("b", "R")
        m_rows, m_columns, frames = _size(multi)
        described = _read(multi.data)
        described.SeriesDescription, described.DerivationDescription = "other series", "from a scanner"
        buf = io.BytesIO()
        described.save_as(buf, enforce_file_format=True)
        out = _read(add_overlays(NamedInput("m.dcm", buf.getvalue()), [MaskPlane(_mask(m_rows * m_columns * frames), "a")],
                                 OverlayOptions(type="G")))
        assert (out[0x60000010].value, out[0x60000011].value, out[0x60000015].value) == (m_rows, m_columns, frames)
        assert out.SeriesDescription == "other series" + SERIES_SUFFIX
        assert out.DerivationDescription.startswith("from a scanner; overlay planes added by dicomforge")
        assert first.SeriesDescription != out.SeriesDescription

    def test_multiframe_elements(self):
        """A multi-frame image gets Number of Frames in Overlay and Image Frame Origin 1."""
        item = _testfile(MULTIFRAME_RLE)
        rows, columns, frames = _size(item)
        out = _read(add_overlays(item, [MaskPlane(_mask(rows * columns * frames), "m")]))
        assert out[0x60000015].value == frames and out[0x60000051].value == 1

    def test_derived_copy(self):
        """New SOP Instance UID (meta too), shared new series, suffix, source reference."""
        a, b = _testfile(EXPLICIT_LE), _testfile(IMPLICIT_LE)
        options = OverlayOptions()
        outs = []
        for item in (a, b):
            rows, columns, _ = _size(item)
            outs.append((_read(item.data), _read(add_overlays(item, [MaskPlane(_mask(rows * columns), "m")], options))))
        for src, new in outs:
            assert new.SOPInstanceUID != src.SOPInstanceUID
            assert new.file_meta.MediaStorageSOPInstanceUID == new.SOPInstanceUID
            assert new.SeriesInstanceUID == options.series_uid != src.SeriesInstanceUID
            assert new.SeriesDescription == (src.get("SeriesDescription", "") + SERIES_SUFFIX)[-64:]
            (ref,) = new.SourceImageSequence
            assert ref.ReferencedSOPInstanceUID == src.SOPInstanceUID
            assert ref.ReferencedSOPClassUID == src.SOPClassUID
            assert "overlay planes added by dicomforge" in new.DerivationDescription
            assert new.StudyInstanceUID == src.StudyInstanceUID

    def test_keep_uids(self):
        """keep_uids leaves every UID and description as it was."""
        item = _testfile(EXPLICIT_LE)
        rows, columns, _ = _size(item)
        src = _read(item.data)
        new = _read(add_overlays(item, [MaskPlane(_mask(rows * columns), "m")], OverlayOptions(keep_uids=True)))
        assert (new.SOPInstanceUID, new.SeriesInstanceUID) == (src.SOPInstanceUID, src.SeriesInstanceUID)
        assert "SourceImageSequence" not in new

    def test_next_free_group(self):
        """Existing overlays are kept and the new plane takes the first free group."""
        item = _testfile(WITH_OVERLAY)
        rows, columns, _ = _size(item)
        planes = read_overlays(_read(add_overlays(item, [MaskPlane(_mask(rows * columns), "a"), MaskPlane(_mask(rows * columns, 2), "b")])))
        assert [p.group for p in planes] == [0x6000, 0x6002, 0x6004]
        assert planes[0].count_set() == 222

    def test_replace(self):
        """replace=True removes the existing overlays first."""
        item = _testfile(WITH_OVERLAY)
        rows, columns, _ = _size(item)
        mask = _mask(rows * columns)
        planes = read_overlays(_read(add_overlays(item, [MaskPlane(mask, "new")], OverlayOptions(replace=True))))
        assert [(p.group, p.label) for p in planes] == [(0x6000, "new")]
        assert planes[0].bits() == _ones(mask)

    def test_remove_groups(self):
        """remove_groups removes the named groups only."""
        item = _testfile(WITH_OVERLAY)
        rows, columns, _ = _size(item)
        out = add_overlays(item, [], OverlayOptions(remove_groups=("6000",), keep_uids=True))
        assert read_overlays(_read(out)) == []
        assert 0x60000010 not in _read(out)

    def test_too_many_planes(self):
        """More than 16 planes in a file is an OptionsError with the counts."""
        item = _testfile(WITH_OVERLAY)
        rows, columns, _ = _size(item)
        planes = [MaskPlane(bytes(rows * columns), str(i)) for i in range(16)]
        with pytest.raises(OptionsError, match="16 overlay planes do not fit: 1 of the 16"):
            add_overlays(item, planes)

    def test_sixteen_planes_fit(self):
        """Exactly 16 planes use groups 6000 to 601E."""
        item = _testfile(EXPLICIT_LE)
        rows, columns, _ = _size(item)
        planes = [MaskPlane(_mask(rows * columns, i), str(i)) for i in range(16)]
        out = read_overlays(_read(add_overlays(item, planes)))
        assert [p.group for p in out] == list(OVERLAY_GROUPS)

    def test_wrong_mask_size(self):
        """A mask of the wrong size is an InputError with both sizes."""
        item = _testfile(EXPLICIT_LE)
        with pytest.raises(InputError, match=r"mask 'm' has 100 pixels, the image has 128x128x1 .* = 16384"):
            add_overlays(item, [MaskPlane(bytes(100), "m")])

    def test_no_rows(self):
        """A file without Rows/Columns is an InputError naming both elements."""
        data, _ = _without_rows()
        with pytest.raises(InputError, match=r"no Rows \(0028,0010\) and no Columns"):
            add_overlays(NamedInput("raw.dcm", data), [MaskPlane(b"\x01", "m")])

    def test_group_length_updated(self):
        """A dataset (gggg,0000) group length follows the elements changed in its group."""
        item = _testfile(EXPLICIT_LE)
        found = scan(item)
        group8 = [e for e in found.elements if e[0] >> 16 == 8]
        length = group8[-1][3] - group8[0][1]
        element = struct.pack("<HH2sHI", 8, 0, b"UL", 4, length)
        data = bytes(item.data)
        at = found.meta_end + group8[0][1]
        with_length = NamedInput("g.dcm", data[:at] + element + data[at:])
        assert _read(with_length.data)[0x00080000].value == length
        rows, columns, _ = _size(item)
        out = add_overlays(with_length, [MaskPlane(_mask(rows * columns), "m")])
        new = scan(NamedInput("o.dcm", out))
        group8 = [e for e in new.elements if e[0] >> 16 == 8 and e[0] & 0xFFFF]
        assert new.number(0x00080000, "US") is not None
        value = struct.unpack("<I", new.raw(0x00080000))[0]
        assert value == group8[-1][3] - group8[0][1] != length

    def test_memoryview_input(self):
        """A memoryview input (the worker's buffer) gives the same bytes as bytes input."""
        item = _testfile(IMPLICIT_LE)
        rows, columns, _ = _size(item)
        mask = memoryview(_mask(rows * columns))
        options = OverlayOptions(keep_uids=True)
        view = NamedInput(item.name, memoryview(item.data))
        assert add_overlays(view, [MaskPlane(mask, "m")], options) == add_overlays(item, [MaskPlane(bytes(mask), "m")], options)

    def test_deflated_stays_deflated(self):
        """A deflated file is written deflated, and pydicom reads it back."""
        item = _testfile(DEFLATED)
        rows, columns, _ = _size(item)
        out = add_overlays(item, [MaskPlane(_mask(rows * columns), "m")])
        assert scan(NamedInput("o", out)).deflated
        assert read_overlays(_read(out))[0].label == "m"


class TestOverlayOptions:
    def test_bad_type(self):
        """An overlay type other than G or R is an OptionsError."""
        with pytest.raises(OptionsError, match="must be G .* or R"):
            OverlayOptions(type="X")

    def test_bad_group(self):
        """remove_groups outside 6000-601E (even) is an OptionsError naming it."""
        with pytest.raises(OptionsError, match="'6001' is not an overlay group"):
            OverlayOptions(remove_groups=("6001",))

    def test_series_uid_per_options(self):
        """One OverlayOptions = one derived series UID; keep_uids needs none."""
        a, b = OverlayOptions(), OverlayOptions()
        assert a.series_uid and a.series_uid != b.series_uid
        assert OverlayOptions(keep_uids=True).series_uid == ""

    def test_uid_prefix(self):
        """Generated UIDs use the prefix; a bad prefix is an OptionsError."""
        assert OverlayOptions(uid_prefix="1.2.3.").series_uid.startswith("1.2.3.")
        with pytest.raises(OptionsError, match="uid_prefix"):
            OverlayOptions(uid_prefix="1.2.x")


def _shuffled_series_and_labels(seed=5):
    volume = _volume()
    files = _series(volume)
    nx, ny, nz = volume.size
    labels = bytearray(nx * ny * nz)
    rnd = random.Random(seed)
    for i in range(len(labels)):
        labels[i] = rnd.choice((0, 0, 1, 2))
    labels[nx * ny * 2 : nx * ny * 3] = bytes(nx * ny)  # slice 2 empty
    rnd.shuffle(files)
    return volume, files, _label_volume(volume, bytes(labels))


class TestLabelMatcher:
    def test_slices_matched_by_geometry(self):
        """Shuffled files each get the mask of their own slice, found by position."""
        volume, files, labels = _shuffled_series_and_labels()
        matcher = LabelMatcher(labels)
        nx, ny, _ = volume.size
        for item in files:
            ds = _read(item.data)
            k = round((float(ds.ImagePositionPatient[2]) - volume.origin[2]) / volume.spacing[2])
            data, _ = add_label_overlays(item, matcher)
            planes = read_overlays(_read(data))
            expected = labels.data[k * nx * ny:(k + 1) * nx * ny]
            assert [p.label for p in planes] == ["label 1", "label 2"]
            assert planes[0].bits() == bytes(1 if v == 1 else 0 for v in expected)
            assert planes[1].bits() == bytes(1 if v == 2 else 0 for v in expected)

    def test_oblique_left_handed(self):
        """An oblique, left-handed grid matches too (series written in reverse order)."""
        c, s = 0.8, 0.6
        direction = ((c, s, 0.0), (-s, c, 0.0), (0.0, 0.0, -1.0))
        volume = _volume(direction=direction)
        nx, ny, nz = volume.size
        labels = _label_volume(volume, bytes((i // (nx * ny)) + 1 for i in range(nx * ny * nz)))
        matcher = LabelMatcher(labels)
        for item in _series(volume):
            ds = _read(item.data)
            position = [float(v) for v in ds.ImagePositionPatient]
            k = round((volume.origin[2] - position[2]) / volume.spacing[2])
            assert matcher.slice_index(scan(item)) == k
            assert [p.count_set() for p in read_overlays(_read(add_label_overlays(item, matcher)[0]))][k] == nx * ny

    @pytest.mark.parametrize("value", [1, 2, 255])
    def test_one_label_map_is_its_own_mask(self, value):
        """A map of 0 and one label value (drawn without comparing) gives the same planes."""
        volume, files, labels = _shuffled_series_and_labels()
        nx, ny, _ = volume.size
        single = _label_volume(volume, bytes(value if v else 0 for v in labels.data))
        matcher = LabelMatcher(single)
        assert matcher._data_is_mask and matcher.labels == [value]
        for item in files:
            k = matcher.slice_index(scan(item))
            [plane] = read_overlays(_read(add_label_overlays(item, matcher)[0]))
            assert plane.bits() == bytes(1 if v else 0 for v in labels.data[k * nx * ny:(k + 1) * nx * ny])

    def test_default_labels(self):
        """Default labels: every nonzero value present, ascending."""
        _, _, labels = _shuffled_series_and_labels()
        assert LabelMatcher(labels).labels == [1, 2]

    def test_chosen_labels_and_names(self):
        """Chosen labels only, named from label_names."""
        _, files, labels = _shuffled_series_and_labels()
        matcher = LabelMatcher(labels, [2], {2: "tumour"})
        planes = read_overlays(_read(add_label_overlays(files[0], matcher)[0]))
        assert [p.label for p in planes] == ["tumour"]

    def test_label_not_present(self):
        """A label present nowhere is an OptionsError listing those present."""
        _, _, labels = _shuffled_series_and_labels()
        with pytest.raises(OptionsError, match=r"label\(s\) 7 not present .* \(labels present: 1, 2\)"):
            LabelMatcher(labels, [1, 7])

    def test_all_zero(self):
        """A label map without any nonzero voxel is an InputError."""
        volume = _volume()
        with pytest.raises(InputError, match="no nonzero voxels"):
            LabelMatcher(_label_volume(volume, bytes(6 * 5 * 4)))

    def test_empty_slice_gives_empty_planes(self):
        """A file whose slice holds no label gets empty planes and reports it."""
        volume, files, labels = _shuffled_series_and_labels()
        matcher = LabelMatcher(labels)
        item = next(f for f in files if abs(float(_read(f.data).ImagePositionPatient[2]) - volume.position(2)[2]) < 1e-6)
        data, any_set = add_label_overlays(item, matcher)
        assert not any_set
        assert [p.count_set() for p in read_overlays(_read(data))] == [0, 0]

    def test_16_bit_labels_on_empty_and_labelled_slices(self):
        """A uint16 map (labels 1 and 300): a slice without labels gives empty planes of
        rows x columns pixels, a labelled one the voxels of each label."""
        volume = _volume()
        files = _series(volume)
        nx, ny, nz = volume.size
        values = [0] * (nx * ny * nz)
        for i in range(nx * ny, 2 * nx * ny):  # slice 1 only
            values[i] = (0, 1, 300)[i % 3]
        labels = Volume(struct.pack(f"<{len(values)}H", *values), "uint16", volume.size, volume.spacing,
                        volume.origin, volume.direction, name="labels.nrrd")
        matcher = LabelMatcher(labels)
        by_slice = {matcher.slice_index(scan(f)): f for f in files}
        assert [bytes(p.mask) for p in matcher.planes(scan(by_slice[0]))] == [bytes(nx * ny)] * 2
        one, three_hundred = matcher.planes(scan(by_slice[1]))
        assert bytes(one.mask) == bytes(1 if i % 3 == 1 else 0 for i in range(nx * ny, 2 * nx * ny))
        assert bytes(three_hundred.mask) == bytes(1 if i % 3 == 2 else 0 for i in range(nx * ny, 2 * nx * ny))
        data, any_set = add_label_overlays(by_slice[0], matcher)
        assert not any_set and [p.count_set() for p in read_overlays(_read(data))] == [0, 0]

    @pytest.mark.parametrize(
        "change, message",
        [
            ({"nx": 7}, r"is 6x5 \(columns x rows\), the label map labels.nrrd is 7x5"),
            ({"spacing": (0.7, 1.0, 2.5)}, r"Pixel Spacing 0.9\\0.7 differs from the label map's 1\\0.7"),
            ({"direction": ((1.0, 0.0, 0.0), (0.0, 0.99, 0.141067), (0.0, -0.141067, 0.99))},
             r"Image Orientation \(Patient\) \(1, 0, 0, 0, 1, 0\) differs .* by up to 0.141"),
            ({"origin": (-10.0, 20.0, 3.0)}, r"is at 5 mm along the normal, between label slices 0 and 1 \(3 and 5.5 mm\)"),
            ({"origin": (-10.0, 20.0, 50.0)}, r"outside the label map's 4 slices \(50 to 57.5 mm\)"),
            ({"origin": (-9.0, 20.0, 5.0)}, r"shifted by \(-1, 0, 0\) mm from label slice"),
        ],
        ids=["size", "spacing", "orientation", "between", "outside", "shift"],
    )
    def test_mismatched_grid(self, change, message):
        """A label map on another grid is a GeometryError saying how it differs, with numbers."""
        volume = _volume()
        files = _series(volume)
        params = {"nx": 6, "ny": 5, "nz": 4, "spacing": volume.spacing, "origin": volume.origin,
                  "direction": volume.direction, **change}
        other = _volume(**params)
        n = other.size[0] * other.size[1] * other.size[2]
        matcher = LabelMatcher(_label_volume(other, b"\x01" * n))
        with pytest.raises(GeometryError, match=message) as info:
            matcher.planes(scan(files[0]))
        assert info.value.file == files[0].name

    def test_multiframe_unsupported(self):
        """Multi-frame files take per-file masks, not a label map."""
        item = _testfile(MULTIFRAME_RLE)
        _, _, labels = _shuffled_series_and_labels()
        with pytest.raises(UnsupportedError, match="multi-frame image"):
            LabelMatcher(labels).planes(scan(item))

    def test_no_geometry(self):
        """A file without Image Position/Orientation cannot be matched."""
        item = _testfile(JPEG_BASELINE)
        rows, columns, _ = _size(item)
        volume = _volume(nx=columns, ny=rows, nz=1, dtype="uint8", data=b"\x01" * (rows * columns))
        with pytest.raises(GeometryError, match="has no usable Image Position"):
            LabelMatcher(_label_volume(volume, volume.data)).planes(scan(item))


def _events(inputs, options):
    return list(overlay_job(inputs, options))


class TestOverlayJob:
    def test_label_map_job(self):
        """DICOM files + one NRRD label map -> one file event per input, progress, result."""
        volume, files, labels = _shuffled_series_and_labels()
        nrrd = NamedInput("seg.nrrd", _nrrd(labels))
        events = _events([*files, nrrd], {})
        outputs = [e for e in events if e["type"] == "file"]
        assert [e["name"] for e in outputs] == [f.name for f in files]
        assert [e["done"] for e in events if e["type"] == "progress"] == list(range(1, len(files) + 1))
        warnings = [e["message"] for e in events if e["type"] == "warning"]
        assert any("1 of 4 files show slices without any of the labels" in w for w in warnings)
        result = events[-1]
        assert result["type"] == "result" and result["value"]["files"] == 4
        series = {_read(e["data"]).SeriesInstanceUID for e in outputs}
        assert series == {result["value"]["seriesInstanceUID"]}

    def test_per_file_masks(self):
        """options['masks'] maps SOP Instance UIDs to masks; bad inputs fail alone."""
        volume = _volume()
        files = _series(volume)
        nx, ny, _ = volume.size
        uids = [str(_read(f.data).SOPInstanceUID) for f in files]
        masks = {uids[0]: _mask(nx * ny, 1, 0.5), uids[1]: bytes(10), uids[2]: bytes(nx * ny),
                 "1.2.3": b"\x01" * (nx * ny)}
        inputs = [*files, NamedInput("notes.txt", b"not dicom at all")]
        events = _events(inputs, {"masks": masks, "type": "R"})
        by_type = {}
        for e in events:
            by_type.setdefault(e["type"], []).append(e)
        assert [e["name"] for e in by_type["file"]] == [files[0].name]
        assert read_overlays(_read(by_type["file"][0]["data"]))[0].type == "R"
        errors = {e["file"]: e["message"] for e in by_type["error"]}
        assert "mask 'mask' has 10 pixels, the image has 6x5x1" in errors[files[1].name]
        assert "mask is empty" in errors[files[2].name]
        assert "no mask given for its SOP Instance UID" in errors[files[3].name]
        assert "unrecognised format" in errors["notes.txt"]
        assert any("1 mask(s) match no SOP Instance UID" in e["message"] for e in by_type["warning"])

    def test_several_masks_per_file(self):
        """A list of masks for one file gives one plane each."""
        item = _testfile(EXPLICIT_LE)
        rows, columns, _ = _size(item)
        uid = str(_read(item.data).SOPInstanceUID)
        events = _events([item], {"masks": {uid: [_mask(rows * columns, 1), _mask(rows * columns, 2)]}})
        (out,) = [e for e in events if e["type"] == "file"]
        assert [p.label for p in read_overlays(_read(out["data"]))] == ["mask 1", "mask 2"]

    def test_bad_dicom_among_label_job(self):
        """A damaged DICOM file is an error event; the others are written."""
        volume, files, labels = _shuffled_series_and_labels()
        broken = NamedInput("broken.dcm", files[0].data[:400])
        events = _events([broken, *files, NamedInput("seg.nrrd", _nrrd(labels))], {})
        assert [e["file"] for e in events if e["type"] == "error"] == ["broken.dcm"]
        assert len([e for e in events if e["type"] == "file"]) == len(files)

    def test_label_not_present_fails_job(self):
        """A chosen label present nowhere stops the job with an OptionsError."""
        _, files, labels = _shuffled_series_and_labels()
        with pytest.raises(OptionsError, match="not present"):
            _events([*files, NamedInput("seg.nrrd", _nrrd(labels))], {"labels": [9]})

    def test_both_or_neither(self):
        """A label map and masks together, or neither, is an OptionsError."""
        _, files, labels = _shuffled_series_and_labels()
        with pytest.raises(OptionsError, match="not both"):
            _events([*files, NamedInput("seg.nrrd", _nrrd(labels))], {"masks": {}})
        with pytest.raises(OptionsError, match="give a label map"):
            _events(files, {})

    def test_two_label_maps(self):
        """More than one label map is an OptionsError naming them."""
        _, files, labels = _shuffled_series_and_labels()
        with pytest.raises(OptionsError, match="at most one label map, got 2"):
            _events([*files, NamedInput("a.nrrd", _nrrd(labels)), NamedInput("b.nrrd", _nrrd(labels))], {})

    def test_label_option_not_a_number(self):
        """A label that is not a number is an OptionsError naming it."""
        _, files, labels = _shuffled_series_and_labels()
        with pytest.raises(OptionsError, match="label 'liver' is not a number"):
            _events([*files, NamedInput("seg.nrrd", _nrrd(labels))], {"labels": ["liver"]})

    def test_labels_as_strings(self):
        """Labels given as strings (from a form) select those values."""
        _, files, labels = _shuffled_series_and_labels()
        events = _events([*files, NamedInput("seg.nrrd", _nrrd(labels))], {"labels": ["2"], "label_names": {"2": "b"}})
        first = next(e for e in events if e["type"] == "file")
        assert [p.label for p in read_overlays(_read(first["data"]))] == ["b"]

    def test_unknown_option(self):
        """An unknown option is an OptionsError."""
        with pytest.raises(OptionsError, match="unknown overlay option"):
            _events([], {"colour": "red"})

    def test_through_jobs_start(self):
        """Registered like the lead will ("overlay"), a failing job ends with a failed event."""
        from dicomforge import jobs

        jobs.JOBS.setdefault("overlay", overlay_job)
        events = list(jobs.start("overlay", [], {"type": "Q"}))
        assert events[-1]["type"] == "failed" and "overlay type" in events[-1]["message"]


class TestDescribeOverlays:
    def test_listing(self):
        """Group, label, size, frames, type and set-pixel count of each plane."""
        item = _testfile(EXPLICIT_LE)
        rows, columns, _ = _size(item)
        mask = _mask(rows * columns)
        out = add_overlays(item, [MaskPlane(mask, "liver", "label 1")], OverlayOptions(keep_uids=True))
        (info,) = describe_overlays(NamedInput("o.dcm", out))
        assert info == {"group": 0x6000, "label": "liver", "description": "label 1", "rows": rows,
                        "columns": columns, "frames": 1, "type": "G", "origin": [1, 1],
                        "count": sum(1 for b in mask if b)}

    def test_multiframe_count(self):
        """The count covers every frame and ignores the padding bits."""
        item = _testfile(MULTIFRAME_RLE)
        rows, columns, frames = _size(item)
        mask = _mask(rows * columns * frames, 4)
        (info,) = describe_overlays(NamedInput("o.dcm", add_overlays(item, [MaskPlane(mask, "m")])))
        assert (info["frames"], info["count"]) == (frames, sum(1 for b in mask if b))

    def test_not_dicom(self):
        """A file pydicom cannot read is an InputError naming it."""
        with pytest.raises(InputError) as info:
            describe_overlays(NamedInput("x.dcm", b"\x00" * 10))
        assert info.value.file == "x.dcm"


class TestOutputNames:
    def test_unique(self):
        """Base names are kept, repeated ones numbered."""
        assert output_names(["a/x.dcm", "b/x.dcm", "y", "c/y"]) == ["x.dcm", "x_2.dcm", "y", "y_2"]


class TestKernels:
    def test_pack_unpack_backends_identical(self, backend):
        """pack_bits/unpack_bits of each backend equal the stdlib reference, odd sizes too."""
        reference = kernels.StdlibKernels()
        for count in (0, 1, 7, 9, 16, 17, 567 * 652):
            mask = _mask(count, count)
            packed = backend.pack_bits(mask)
            assert packed == reference.pack_bits(mask) and len(packed) % 2 == 0
            assert backend.unpack_bits(packed, count) == _ones(mask)

    @pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "uint16", "int32", "float32"])
    def test_equal_mask_and_distinct_values(self, backend, dtype):
        """equal_mask and distinct_values agree with a per-element reference on each backend."""
        code = {"uint8": "B", "int8": "b", "int16": "h", "uint16": "H", "int32": "i", "float32": "f"}[dtype]
        rnd = random.Random(dtype)
        choices = [0, 1, 2, 7] + ([300, 1000] if dtype not in ("uint8", "int8") else [200 if dtype == "uint8" else -5])
        values = [rnd.choice(choices) for _ in range(999)]
        data = struct.pack(f"<{len(values)}{code}", *values)
        assert backend.distinct_values(data, dtype) == sorted(set(values))
        for target in (0, 1, 7, 1000, 3.5, -70000):
            assert backend.equal_mask(data, dtype, target) == bytes(1 if v == target else 0 for v in values)


class TestCli:
    def _run(self, argv):
        from dicomforge import cli

        return cli.main(argv)

    def _write(self, tmp_path, files, labels):
        paths = []
        for item in files:
            path = tmp_path / item.name
            path.write_bytes(item.data)
            paths.append(str(path))
        mask = tmp_path / "seg.nrrd"
        mask.write_bytes(_nrrd(labels))
        return paths, str(mask)

    def test_writes_files(self, tmp_path, capsys):
        """overlay DICOM... --mask FILE -o DIR writes one file per input, exit 0."""
        _, files, labels = _shuffled_series_and_labels()
        paths, mask = self._write(tmp_path, files, labels)
        out = tmp_path / "out"
        assert self._run(["overlay", *paths, "--mask", mask, "-o", str(out), "--labels", "2", "--type", "r"]) == 0
        for item in files:
            (plane,) = read_overlays(dcmread(out / item.name))
            assert (plane.label, plane.type) == ("label 2", "R")
        assert "without any of the labels" in capsys.readouterr().err

    def test_bad_input_exit_2(self, tmp_path, capsys):
        """A bad DICOM input prints one error line and exits 2; the others are written."""
        _, files, labels = _shuffled_series_and_labels()
        paths, mask = self._write(tmp_path, files, labels)
        bad = tmp_path / "bad.dcm"
        bad.write_bytes(b"nope")
        code = self._run(["overlay", str(bad), *paths, "--mask", mask, "-o", str(tmp_path / "o"), "-q"])
        assert code == 2
        err = capsys.readouterr().err
        assert f"error: {bad}: not a DICOM Part 10 file" in err
        assert len(list((tmp_path / "o").iterdir())) == len(files)

    def test_label_not_present(self, tmp_path, capsys):
        """--labels with an absent value stops before writing anything, exit 2."""
        _, files, labels = _shuffled_series_and_labels()
        paths, mask = self._write(tmp_path, files, labels)
        code = self._run(["overlay", *paths, "--mask", mask, "-o", str(tmp_path / "o"), "--labels", "5"])
        assert code == 2 and "not present" in capsys.readouterr().err
        assert not (tmp_path / "o").exists()

    def test_keep_uids(self, tmp_path):
        """--keep-uids keeps the source's SOP Instance UID."""
        from dicomforge import cli

        _, files, labels = _shuffled_series_and_labels()
        paths, mask = self._write(tmp_path, files, labels)
        assert cli.main(["overlay", *paths, "--mask", mask, "-o", str(tmp_path / "o"), "-q", "--keep-uids"]) == 0
        ds = dcmread(tmp_path / "o" / files[0].name)
        assert ds.SOPInstanceUID == _read(files[0].data).SOPInstanceUID
