"""New overlay planes spliced into files of every transfer syntax, and the options that shape them."""

from __future__ import annotations

import io
import struct

import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from dicom_cases import (
    DEFLATED,
    DERIVED,
    DERIVED_META,
    EXPLICIT_LE,
    IMPLICIT_LE,
    MULTIFRAME_RLE,
    OPTIONAL,
    SOURCES,
    WITH_OVERLAY,
    assert_same_outside,
    elements,
    image_size,
    make_mask,
    ones,
    pydicom_file,
    read,
    without_rows,
)
from dicomforge.dicom.scan import scan
from dicomforge.errors import InputError, OptionsError
from dicomforge.inputs import NamedInput
from dicomforge.dicom.tags import OVERLAY_GROUPS
from dicomforge.overlays.options import SERIES_SUFFIX, MaskPlane, OverlayOptions
from dicomforge.overlays.planes import read_overlays
from dicomforge.overlays.write import add_overlays


class TestAddOverlays:
    @pytest.mark.parametrize("keep_uids", [True, False], ids=["keep_uids", "derived"])
    @pytest.mark.parametrize("name", SOURCES + list(OPTIONAL))
    def test_everything_else_identical(self, name, keep_uids):
        """Every element outside the new groups (and the derived-copy ones) is unchanged."""
        item = pydicom_file(name)
        rows, columns, frames = image_size(item)
        before = bytes(item.data)
        out = add_overlays(item, [MaskPlane(make_mask(rows * columns * frames), "lesion")],
                           OverlayOptions(keep_uids=keep_uids))
        assert bytes(item.data) == before  # input untouched
        src, new = read(item.data), read(out)
        assert new.file_meta.TransferSyntaxUID == src.file_meta.TransferSyntaxUID
        added = {g for g in OVERLAY_GROUPS if g not in {t >> 16 for t in elements(src)}}
        assert_same_outside(src, new, added, set() if keep_uids else DERIVED, set() if keep_uids else DERIVED_META)
        assert new.PixelData == src.PixelData  # raw (possibly encapsulated) bytes

    @pytest.mark.parametrize("name", SOURCES)
    def test_pixel_data_bytes_spliced_verbatim(self, name):
        """The input's bytes from Pixel Data to the end appear unchanged at the end of the output."""
        item = pydicom_file(name)
        if name == DEFLATED:
            pytest.skip("deflated files are re-deflated as a whole")
        rows, columns, frames = image_size(item)
        found = scan(item)
        pixel = found.index[0x7FE00010]
        tail = bytes(found.body[pixel[1]:])
        out = add_overlays(item, [MaskPlane(make_mask(rows * columns * frames), "x")])
        assert out.endswith(tail)

    @pytest.mark.parametrize("name", SOURCES)
    def test_bits_read_back(self, name):
        """read_overlays on the output gives the mask back, frame by frame."""
        item = pydicom_file(name)
        rows, columns, frames = image_size(item)
        mask = make_mask(rows * columns * frames, seed=3)
        planes = read_overlays(read(add_overlays(item, [MaskPlane(mask, "m")])))
        plane = planes[-1]
        n = rows * columns
        assert (plane.rows, plane.columns, plane.frames) == (rows, columns, frames)
        assert [plane.bits(f) for f in range(frames)] == [ones(mask[f * n:(f + 1) * n]) for f in range(frames)]

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
        mask = make_mask(rows * columns * frames, seed=rows)
        out = read(add_overlays(NamedInput("s.dcm", buf.getvalue()), [MaskPlane(mask, "m")]))
        expected = (np.frombuffer(mask, np.uint8) != 0).reshape((frames, rows, columns) if frames > 1 else (rows, columns))
        assert np.array_equal(out.overlay_array(0x6000), expected)
        assert len(out[0x60003000].value) % 2 == 0

    def test_encoding_of_the_plane(self):
        """The elements of PS3.3 C.9.2 with the values chosen (type, origin 1\\1, bits 1/0, label)."""
        item = pydicom_file(EXPLICIT_LE)
        rows, columns, _ = image_size(item)
        out = read(add_overlays(item, [MaskPlane(make_mask(rows * columns), "liver", "label 1 of seg")],
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
        single, multi = pydicom_file(EXPLICIT_LE), pydicom_file(MULTIFRAME_RLE)
        rows, columns, _ = image_size(single)
        first = read(add_overlays(single, [MaskPlane(make_mask(rows * columns), "a")], OverlayOptions(type="G")))
        second = read(add_overlays(single, [MaskPlane(make_mask(rows * columns), "b")], OverlayOptions(type="R")))
        assert (first[0x60001500].value, first[0x60000040].value) == ("a", "G")
        assert (second[0x60001500].value, second[0x60000040].value) == ("b", "R")
        m_rows, m_columns, frames = image_size(multi)
        described = read(multi.data)
        described.SeriesDescription, described.DerivationDescription = "other series", "from a scanner"
        buf = io.BytesIO()
        described.save_as(buf, enforce_file_format=True)
        out = read(add_overlays(NamedInput("m.dcm", buf.getvalue()), [MaskPlane(make_mask(m_rows * m_columns * frames), "a")],
                                 OverlayOptions(type="G")))
        assert (out[0x60000010].value, out[0x60000011].value, out[0x60000015].value) == (m_rows, m_columns, frames)
        assert out.SeriesDescription == "other series" + SERIES_SUFFIX
        assert out.DerivationDescription.startswith("from a scanner; overlay planes added by dicomforge")
        assert first.SeriesDescription != out.SeriesDescription

    def test_multiframe_elements(self):
        """A multi-frame image gets Number of Frames in Overlay and Image Frame Origin 1."""
        item = pydicom_file(MULTIFRAME_RLE)
        rows, columns, frames = image_size(item)
        out = read(add_overlays(item, [MaskPlane(make_mask(rows * columns * frames), "m")]))
        assert out[0x60000015].value == frames and out[0x60000051].value == 1

    def test_derived_copy(self):
        """New SOP Instance UID (meta too), shared new series, suffix, source reference."""
        a, b = pydicom_file(EXPLICIT_LE), pydicom_file(IMPLICIT_LE)
        options = OverlayOptions()
        outs = []
        for item in (a, b):
            rows, columns, _ = image_size(item)
            outs.append((read(item.data), read(add_overlays(item, [MaskPlane(make_mask(rows * columns), "m")], options))))
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
        item = pydicom_file(EXPLICIT_LE)
        rows, columns, _ = image_size(item)
        src = read(item.data)
        new = read(add_overlays(item, [MaskPlane(make_mask(rows * columns), "m")], OverlayOptions(keep_uids=True)))
        assert (new.SOPInstanceUID, new.SeriesInstanceUID) == (src.SOPInstanceUID, src.SeriesInstanceUID)
        assert "SourceImageSequence" not in new

    def test_next_free_group(self):
        """Existing overlays are kept and the new plane takes the first free group."""
        item = pydicom_file(WITH_OVERLAY)
        rows, columns, _ = image_size(item)
        planes = read_overlays(read(add_overlays(item, [MaskPlane(make_mask(rows * columns), "a"), MaskPlane(make_mask(rows * columns, 2), "b")])))
        assert [p.group for p in planes] == [0x6000, 0x6002, 0x6004]
        assert planes[0].count_set() == 222

    def test_replace(self):
        """replace=True removes the existing overlays first."""
        item = pydicom_file(WITH_OVERLAY)
        rows, columns, _ = image_size(item)
        mask = make_mask(rows * columns)
        planes = read_overlays(read(add_overlays(item, [MaskPlane(mask, "new")], OverlayOptions(replace=True))))
        assert [(p.group, p.label) for p in planes] == [(0x6000, "new")]
        assert planes[0].bits() == ones(mask)

    def test_remove_groups(self):
        """remove_groups removes the named groups only."""
        item = pydicom_file(WITH_OVERLAY)
        rows, columns, _ = image_size(item)
        out = add_overlays(item, [], OverlayOptions(remove_groups=("6000",), keep_uids=True))
        assert read_overlays(read(out)) == []
        assert 0x60000010 not in read(out)

    def test_too_many_planes(self):
        """More than 16 planes in a file is an OptionsError with the counts."""
        item = pydicom_file(WITH_OVERLAY)
        rows, columns, _ = image_size(item)
        planes = [MaskPlane(bytes(rows * columns), str(i)) for i in range(16)]
        with pytest.raises(OptionsError, match="16 overlay planes do not fit: 1 of the 16"):
            add_overlays(item, planes)

    def test_sixteen_planes_fit(self):
        """Exactly 16 planes use groups 6000 to 601E."""
        item = pydicom_file(EXPLICIT_LE)
        rows, columns, _ = image_size(item)
        planes = [MaskPlane(make_mask(rows * columns, i), str(i)) for i in range(16)]
        out = read_overlays(read(add_overlays(item, planes)))
        assert [p.group for p in out] == list(OVERLAY_GROUPS)

    def test_wrong_mask_size(self):
        """A mask of the wrong size is an InputError with both sizes."""
        item = pydicom_file(EXPLICIT_LE)
        with pytest.raises(InputError, match=r"mask 'm' has 100 pixels, the image has 128x128x1 .* = 16384"):
            add_overlays(item, [MaskPlane(bytes(100), "m")])

    def test_no_rows(self):
        """A file without Rows/Columns is an InputError naming both elements."""
        data, _ = without_rows()
        with pytest.raises(InputError, match=r"no Rows \(0028,0010\) and no Columns"):
            add_overlays(NamedInput("raw.dcm", data), [MaskPlane(b"\x01", "m")])

    def test_group_length_updated(self):
        """A dataset (gggg,0000) group length follows the elements changed in its group."""
        item = pydicom_file(EXPLICIT_LE)
        found = scan(item)
        group8 = [e for e in found.elements if e[0] >> 16 == 8]
        length = group8[-1][3] - group8[0][1]
        element = struct.pack("<HH2sHI", 8, 0, b"UL", 4, length)
        data = bytes(item.data)
        at = found.meta_end + group8[0][1]
        with_length = NamedInput("g.dcm", data[:at] + element + data[at:])
        assert read(with_length.data)[0x00080000].value == length
        rows, columns, _ = image_size(item)
        out = add_overlays(with_length, [MaskPlane(make_mask(rows * columns), "m")])
        new = scan(NamedInput("o.dcm", out))
        group8 = [e for e in new.elements if e[0] >> 16 == 8 and e[0] & 0xFFFF]
        assert new.number(0x00080000, "US") is not None
        value = struct.unpack("<I", new.raw(0x00080000))[0]
        assert value == group8[-1][3] - group8[0][1] != length

    def test_memoryview_input(self):
        """A memoryview input (the worker's buffer) gives the same bytes as bytes input."""
        item = pydicom_file(IMPLICIT_LE)
        rows, columns, _ = image_size(item)
        mask = memoryview(make_mask(rows * columns))
        options = OverlayOptions(keep_uids=True)
        view = NamedInput(item.name, memoryview(item.data))
        assert add_overlays(view, [MaskPlane(mask, "m")], options) == add_overlays(item, [MaskPlane(bytes(mask), "m")], options)

    def test_deflated_stays_deflated(self):
        """A deflated file is written deflated, and pydicom reads it back."""
        item = pydicom_file(DEFLATED)
        rows, columns, _ = image_size(item)
        out = add_overlays(item, [MaskPlane(make_mask(rows * columns), "m")])
        assert scan(NamedInput("o", out)).deflated
        assert read_overlays(read(out))[0].label == "m"


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
