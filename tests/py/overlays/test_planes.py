"""Overlay planes as a file has them: read with pydicom (read_overlays) and listed from a header scan."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from dicom_cases import (
    BIG_ENDIAN,
    EXPLICIT_LE,
    MULTIFRAME_RLE,
    WITH_OVERLAY,
    image_size,
    make_mask,
    ones,
    pydicom_file,
    read,
)
from dicomforge import kernels
from dicomforge.errors import InputError, UnsupportedError
from dicomforge.inputs import NamedInput
from dicomforge.overlays.options import MaskPlane, OverlayOptions
from dicomforge.overlays.planes import OverlayPlane, describe_overlays, read_overlays
from dicomforge.overlays.write import add_overlays


class TestReadOverlays:
    def test_reads_existing_plane(self):
        """The overlay of pydicom's examples_overlay.dcm is read with its attributes."""
        ds = read(pydicom_file(WITH_OVERLAY).data)
        (plane,) = read_overlays(ds)
        assert (plane.group, plane.rows, plane.columns, plane.frames, plane.type) == (0x6000, 300, 484, 1, "G")
        assert plane.origin == (1, 1)
        assert len(plane.bits()) == 300 * 484
        assert plane.count_set() == 222

    def test_matches_pydicom_overlay_array(self):
        """bits() equals pydicom's overlay_array for the same plane."""
        pytest.importorskip("numpy")
        ds = read(pydicom_file(WITH_OVERLAY).data)
        (plane,) = read_overlays(ds)
        assert bytes(ds.overlay_array(0x6000).astype("u1").ravel()) == plane.bits(0)

    def test_no_overlays(self):
        """A file without 60xx groups has no planes."""
        assert read_overlays(read(pydicom_file(EXPLICIT_LE).data)) == []

    def test_frames_without_byte_alignment(self):
        """Frame f starts at bit f*rows*columns even when that is not a byte boundary."""
        frames = [ones(make_mask(9, seed)) for seed in range(3)]
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
        item = pydicom_file(BIG_ENDIAN)
        rows, columns, _ = image_size(item)
        mask = make_mask(rows * columns)
        (plane,) = read_overlays(read(add_overlays(item, [MaskPlane(mask, "m")])))
        assert plane.bits() == ones(mask)


class TestDescribeOverlays:
    def test_listing(self):
        """Group, label, size, frames, type and set-pixel count of each plane."""
        item = pydicom_file(EXPLICIT_LE)
        rows, columns, _ = image_size(item)
        mask = make_mask(rows * columns)
        out = add_overlays(item, [MaskPlane(mask, "liver", "label 1")], OverlayOptions(keep_uids=True))
        (info,) = describe_overlays(NamedInput("o.dcm", out))
        assert info == {"group": 0x6000, "label": "liver", "description": "label 1", "rows": rows,
                        "columns": columns, "frames": 1, "type": "G", "origin": [1, 1],
                        "count": sum(1 for b in mask if b)}

    def test_multiframe_count(self):
        """The count covers every frame and ignores the padding bits."""
        item = pydicom_file(MULTIFRAME_RLE)
        rows, columns, frames = image_size(item)
        mask = make_mask(rows * columns * frames, 4)
        (info,) = describe_overlays(NamedInput("o.dcm", add_overlays(item, [MaskPlane(mask, "m")])))
        assert (info["frames"], info["count"]) == (frames, sum(1 for b in mask if b))

    def test_not_dicom(self):
        """A file pydicom cannot read is an InputError naming it."""
        with pytest.raises(InputError) as info:
            describe_overlays(NamedInput("x.dcm", b"\x00" * 10))
        assert info.value.file == "x.dcm"
