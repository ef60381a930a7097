"""Existing overlay planes removed or replaced, everything else kept byte for byte."""

from __future__ import annotations

import pytest

from dicom_cases import (
    BIG_ENDIAN,
    DERIVED,
    DERIVED_META,
    EXPLICIT_LE,
    IMPLICIT_LE,
    JPEG_2000,
    RLE,
    WITH_OVERLAY,
    assert_same_outside,
    image_size,
    make_mask,
    ones,
    pydicom_file,
    read,
    with_two_planes,
)
from dicomforge.errors import InputError
from dicomforge.dicom.tags import OVERLAY_GROUPS
from dicomforge.overlays.options import MaskPlane, OverlayOptions
from dicomforge.overlays.planes import read_overlays
from dicomforge.overlays.write import add_overlays, remove_overlays


class TestRemove:
    @pytest.mark.parametrize("name", [EXPLICIT_LE, IMPLICIT_LE, BIG_ENDIAN, RLE, JPEG_2000])
    def test_remove_one_group_keeps_everything_else(self, name):
        """Removing 6000 leaves 6002 and every element outside 60xx as they were."""
        item = with_two_planes(name)
        out = remove_overlays(item, OverlayOptions(remove_groups=("6000",), keep_uids=True))
        src, new = read(item.data), read(out)
        assert [p.group for p in read_overlays(new)] == [0x6002]
        assert read_overlays(new)[0] == read_overlays(src)[1]
        assert_same_outside(src, new, {0x6000, 0x6002})
        assert new.PixelData == src.PixelData

    def test_remove_from_example_file(self):
        """examples_overlay.dcm without its plane: no 60xx element left, the rest identical."""
        item = pydicom_file(WITH_OVERLAY)
        out = remove_overlays(item, OverlayOptions(replace=True))
        src, new = read(item.data), read(out)
        assert not [e for e in new if e.tag.group in OVERLAY_GROUPS]
        assert_same_outside(src, new, set(OVERLAY_GROUPS), DERIVED, DERIVED_META)
        assert "overlay planes removed by dicomforge" in new.DerivationDescription

    def test_group_not_there(self):
        """Removing a group the file does not have is an InputError that lists what it has."""
        item = with_two_planes(EXPLICIT_LE)
        with pytest.raises(InputError, match=r"has no overlay group 6004 to remove \(its overlay groups: 6000, 6002\)"):
            remove_overlays(item, OverlayOptions(remove_groups=(0x6004,)))
        with pytest.raises(InputError, match=r"its overlay groups: none"):
            remove_overlays(pydicom_file(EXPLICIT_LE), OverlayOptions(replace=True))


class TestReplace:
    @pytest.mark.parametrize("name", [EXPLICIT_LE, BIG_ENDIAN, JPEG_2000])
    def test_replaced_group_holds_the_new_plane(self, name):
        """remove 6000 + one new mask: the mask goes into the freed 6000, 6002 stays."""
        item = with_two_planes(name)
        rows, columns, frames = image_size(item)
        mask = make_mask(rows * columns * frames, 9)
        out = add_overlays(item, [MaskPlane(mask, "new")], OverlayOptions(remove_groups=("6000",), keep_uids=True))
        src, new = read(item.data), read(out)
        planes = read_overlays(new)
        assert [(p.group, p.label) for p in planes] == [(0x6000, "new"), (0x6002, "b")]
        assert planes[0].bits() == ones(mask[: rows * columns])
        assert planes[1] == read_overlays(src)[1]
        assert_same_outside(src, new, {0x6000, 0x6002})

    def test_pydicom_overlay_array_of_replaced_plane(self):
        """pydicom's overlay_array of the replaced group equals the new mask."""
        np = pytest.importorskip("numpy")
        item = pydicom_file(WITH_OVERLAY)
        rows, columns, _ = image_size(item)
        mask = make_mask(rows * columns, 4)
        out = add_overlays(item, [MaskPlane(mask, "new")], OverlayOptions(replace=True))
        new = read(out)
        expected = np.frombuffer(ones(mask), dtype=np.uint8).reshape(rows, columns)
        assert np.array_equal(new.overlay_array(0x6000), expected)
        assert str(new[0x60001500].value) == "new"
        assert_same_outside(read(item.data), new, {0x6000}, DERIVED, DERIVED_META)
