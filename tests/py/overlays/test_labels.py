"""Label maps on a series' grid: slices matched by geometry, masks per label, and the mask kernels."""

from __future__ import annotations

import random
import struct

import pytest

from dicom_cases import (
    JPEG_BASELINE,
    MULTIFRAME_RLE,
    image_size,
    label_volume,
    make_mask,
    make_series,
    make_volume,
    ones,
    pydicom_file,
    read,
    shuffled_series_and_labels,
)
from dicomforge import kernels
from dicomforge.dicom.scan import scan
from dicomforge.errors import GeometryError, InputError, OptionsError, UnsupportedError
from dicomforge.overlays.labels import LabelMatcher, add_label_overlays
from dicomforge.overlays.planes import read_overlays
from dicomforge.volume import Volume


class TestLabelMatcher:
    def test_slices_matched_by_geometry(self):
        """Shuffled files each get the mask of their own slice, found by position."""
        volume, files, labels = shuffled_series_and_labels()
        matcher = LabelMatcher(labels)
        nx, ny, _ = volume.size
        for item in files:
            ds = read(item.data)
            k = round((float(ds.ImagePositionPatient[2]) - volume.origin[2]) / volume.spacing[2])
            data, _ = add_label_overlays(item, matcher)
            planes = read_overlays(read(data))
            expected = labels.data[k * nx * ny:(k + 1) * nx * ny]
            assert [p.label for p in planes] == ["label 1", "label 2"]
            assert planes[0].bits() == bytes(1 if v == 1 else 0 for v in expected)
            assert planes[1].bits() == bytes(1 if v == 2 else 0 for v in expected)

    def test_oblique_left_handed(self):
        """An oblique, left-handed grid matches too (series written in reverse order)."""
        c, s = 0.8, 0.6
        direction = ((c, s, 0.0), (-s, c, 0.0), (0.0, 0.0, -1.0))
        volume = make_volume(direction=direction)
        nx, ny, nz = volume.size
        labels = label_volume(volume, bytes((i // (nx * ny)) + 1 for i in range(nx * ny * nz)))
        matcher = LabelMatcher(labels)
        for item in make_series(volume):
            ds = read(item.data)
            position = [float(v) for v in ds.ImagePositionPatient]
            k = round((volume.origin[2] - position[2]) / volume.spacing[2])
            assert matcher.slice_index(scan(item)) == k
            assert [p.count_set() for p in read_overlays(read(add_label_overlays(item, matcher)[0]))][k] == nx * ny

    @pytest.mark.parametrize("value", [1, 2, 255])
    def test_one_label_map_is_its_own_mask(self, value):
        """A map of 0 and one label value (drawn without comparing) gives the same planes."""
        volume, files, labels = shuffled_series_and_labels()
        nx, ny, _ = volume.size
        single = label_volume(volume, bytes(value if v else 0 for v in labels.data))
        matcher = LabelMatcher(single)
        assert matcher._data_is_mask and matcher.labels == [value]
        for item in files:
            k = matcher.slice_index(scan(item))
            [plane] = read_overlays(read(add_label_overlays(item, matcher)[0]))
            assert plane.bits() == bytes(1 if v else 0 for v in labels.data[k * nx * ny:(k + 1) * nx * ny])

    def test_default_labels(self):
        """Default labels: every nonzero value present, ascending."""
        _, _, labels = shuffled_series_and_labels()
        assert LabelMatcher(labels).labels == [1, 2]

    def test_chosen_labels_and_names(self):
        """Chosen labels only, named from label_names."""
        _, files, labels = shuffled_series_and_labels()
        matcher = LabelMatcher(labels, [2], {2: "tumour"})
        planes = read_overlays(read(add_label_overlays(files[0], matcher)[0]))
        assert [p.label for p in planes] == ["tumour"]

    def test_label_not_present(self):
        """A label present nowhere is an OptionsError listing those present."""
        _, _, labels = shuffled_series_and_labels()
        with pytest.raises(OptionsError, match=r"label\(s\) 7 not present .* \(labels present: 1, 2\)"):
            LabelMatcher(labels, [1, 7])

    def test_all_zero(self):
        """A label map without any nonzero voxel is an InputError."""
        volume = make_volume()
        with pytest.raises(InputError, match="no nonzero voxels"):
            LabelMatcher(label_volume(volume, bytes(6 * 5 * 4)))

    def test_empty_slice_gives_empty_planes(self):
        """A file whose slice holds no label gets empty planes and reports it."""
        volume, files, labels = shuffled_series_and_labels()
        matcher = LabelMatcher(labels)
        item = next(f for f in files if abs(float(read(f.data).ImagePositionPatient[2]) - volume.position(2)[2]) < 1e-6)
        data, any_set = add_label_overlays(item, matcher)
        assert not any_set
        assert [p.count_set() for p in read_overlays(read(data))] == [0, 0]

    def test_16_bit_labels_on_empty_and_labelled_slices(self):
        """A uint16 map (labels 1 and 300): a slice without labels gives empty planes of
        rows x columns pixels, a labelled one the voxels of each label."""
        volume = make_volume()
        files = make_series(volume)
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
        assert not any_set and [p.count_set() for p in read_overlays(read(data))] == [0, 0]

    @pytest.mark.parametrize(
        "change, message",
        [
            ({"nx": 7}, r"is 6x5 \(columns x rows\), the label map labels.nrrd is 7x5"),
            ({"spacing": (0.7, 1.0, 2.5)}, r"Pixel Spacing 0.9\\0.7 differs from the label map's 1\\0.7"),
            ({"direction": ((1.0, 0.0, 0.0), (0.0, 0.99, 0.141067), (0.0, -0.141067, 0.99))},
             r"Image Orientation \(Patient\) \(1, 0, 0, 0, 1, 0\) differs .* by up to 0.141"),
            ({"origin": (-10.0, 20.0, 50.0)}, r"outside the label map's 4 slices \(50 to 57.5 mm\)"),
            ({"origin": (-9.0, 20.0, 5.0)}, r"shifted by \(-1, 0, 0\) mm from label slice 0's first voxel "
                                            r"\(-9, 20, 5\): more than half a voxel \(0.7 x 0.9 mm\)"),
            ({"origin": (-10.0, 20.0, 6.4)}, r"at 5 mm along the normal, outside the label map's 4 slices \(6.4 to 13.9 mm\)"),
        ],
        ids=["size", "spacing", "orientation", "outside", "shift", "more than half a gap"],
    )
    def test_mismatched_grid(self, change, message):
        """A label map on another grid is a GeometryError saying how it differs, with numbers."""
        volume = make_volume()
        files = make_series(volume)
        params = {"nx": 6, "ny": 5, "nz": 4, "spacing": volume.spacing, "origin": volume.origin,
                  "direction": volume.direction, **change}
        other = make_volume(**params)
        n = other.size[0] * other.size[1] * other.size[2]
        matcher = LabelMatcher(label_volume(other, b"\x01" * n))
        with pytest.raises(GeometryError, match=message) as info:
            matcher.planes(scan(files[0]))
        assert info.value.file == files[0].name

    def test_nearest_slice_within_half_a_gap_and_voxel(self):
        """Scanner rounding: a file 0.44 of a gap off its slice and 0.45 of a voxel aside still
        shows that slice; place() says how far off the files were."""
        volume = make_volume()
        files = make_series(volume)
        spacing = volume.spacing
        moved = make_volume(origin=(-10.0 + 0.45 * spacing[0], 20.0 - 0.45 * spacing[1], 5.0 - 0.44 * spacing[2]))
        n = moved.size[0] * moved.size[1] * moved.size[2]
        matcher = LabelMatcher(label_volume(moved, bytes(1 + i // (n // 4) for i in range(n))))
        warnings = matcher.place([scan(f) for f in files])
        assert warnings == ["files lie up to 1.1 mm off the label map's slices (gaps of 2.5 mm): "
                            "each was matched to the nearest slice"]
        for item in files:
            k = round((float(read(item.data).ImagePositionPatient[2]) - 5.0) / spacing[2])
            assert matcher.slice_index(scan(item)) == k
            assert [p.count_set() for p in read_overlays(read(add_label_overlays(item, matcher)[0]))][k] == 30

    def test_files_denser_than_the_label_map(self):
        """Two files nearest one label slice: the nearer keeps it, the other is refused naming it;
        the same instance twice (two copies of a file) shares its slice."""
        volume = make_volume()
        files = make_series(volume)
        between = [type(f)("between_" + f.name, f.data) for f in make_series(make_volume(origin=(-10.0, 20.0, 5.75)))]
        matcher = LabelMatcher(label_volume(volume, b"\x01" * (6 * 5 * 4)))
        copy = type(files[0])("copy of " + files[0].name, files[0].data)
        matcher.place([scan(f) for f in [*between, *files, copy]])
        by_name = {}
        for item in [*files, *between, copy]:
            try:
                by_name[item.name] = matcher.slice_index(scan(item))
            except GeometryError as error:
                by_name[item.name] = error.message
        assert [by_name[f.name] for f in [*files, copy]] == [0, 1, 2, 3, 0]
        for k, (f, near) in enumerate(zip(between, files)):
            assert by_name[f.name] == (f"lies nearest label slice {k}, as {near.name} does, which is closer to it: "
                                       "the files are more closely spaced than the label map's slices (2.5 mm apart)")

    def test_multiframe_unsupported(self):
        """Multi-frame files take per-file masks, not a label map."""
        item = pydicom_file(MULTIFRAME_RLE)
        _, _, labels = shuffled_series_and_labels()
        with pytest.raises(UnsupportedError, match="multi-frame image"):
            LabelMatcher(labels).planes(scan(item))

    def test_no_geometry(self):
        """A file without Image Position/Orientation cannot be matched."""
        item = pydicom_file(JPEG_BASELINE)
        rows, columns, _ = image_size(item)
        volume = make_volume(nx=columns, ny=rows, nz=1, dtype="uint8", data=b"\x01" * (rows * columns))
        with pytest.raises(GeometryError, match="has no usable Image Position"):
            LabelMatcher(label_volume(volume, volume.data)).planes(scan(item))


class TestKernels:
    def test_pack_unpack_backends_identical(self, backend):
        """pack_bits/unpack_bits of each backend equal the stdlib reference, odd sizes too."""
        reference = kernels.StdlibKernels()
        for count in (0, 1, 7, 9, 16, 17, 567 * 652):
            mask = make_mask(count, count)
            packed = backend.pack_bits(mask)
            assert packed == reference.pack_bits(mask) and len(packed) % 2 == 0
            assert backend.unpack_bits(packed, count) == ones(mask)

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
