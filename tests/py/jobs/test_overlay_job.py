"""The overlay job: label maps and per-file masks, bad inputs per file, options that stop the job."""

from __future__ import annotations

import io

import pytest

from dicom_cases import (
    EXPLICIT_LE,
    image_size,
    make_mask,
    make_series,
    make_volume,
    nrrd_bytes,
    overlay_events,
    pydicom_file,
    read,
    shuffled_series_and_labels,
)
from dicomforge import jobs
from dicomforge.errors import OptionsError
from dicomforge.inputs import NamedInput
from dicomforge.jobs.output import output_names
from dicomforge.overlays.planes import read_overlays
from dicomforge.volume import Volume


class TestOverlayJob:
    def test_label_map_job(self):
        """DICOM files + one NRRD label map -> one file event per input, progress, result."""
        volume, files, labels = shuffled_series_and_labels()
        nrrd = NamedInput("seg.nrrd", nrrd_bytes(labels))
        events = overlay_events([*files, nrrd], {})
        outputs = [e for e in events if e["type"] == "file"]
        assert [e["name"] for e in outputs] == [f.name for f in files]
        assert [e["done"] for e in events if e["type"] == "progress"] == list(range(1, len(files) + 1))
        warnings = [e["message"] for e in events if e["type"] == "warning"]
        assert any("1 of 4 files show slices without any of the labels" in w for w in warnings)
        result = events[-1]
        assert result["type"] == "result" and result["value"]["files"] == 4
        series = {read(e["data"]).SeriesInstanceUID for e in outputs}
        assert series == {result["value"]["seriesInstanceUid"]}

    def test_per_file_masks(self):
        """options['masks'] maps SOP Instance UIDs to masks; bad inputs fail alone."""
        volume = make_volume()
        files = make_series(volume)
        nx, ny, _ = volume.size
        uids = [str(read(f.data).SOPInstanceUID) for f in files]
        masks = {uids[0]: make_mask(nx * ny, 1, 0.5), uids[1]: bytes(10), uids[2]: bytes(nx * ny),
                 "1.2.3": b"\x01" * (nx * ny)}
        inputs = [*files, NamedInput("notes.txt", b"not dicom at all")]
        events = overlay_events(inputs, {"masks": masks, "type": "R"})
        by_type = {}
        for e in events:
            by_type.setdefault(e["type"], []).append(e)
        assert [e["name"] for e in by_type["file"]] == [files[0].name]
        assert read_overlays(read(by_type["file"][0]["data"]))[0].type == "R"
        errors = {e["file"]: e["message"] for e in by_type["error"]}
        assert "mask 'mask' has 10 pixels, the image has 6x5x1" in errors[files[1].name]
        assert "mask is empty" in errors[files[2].name]
        assert "no mask given for its SOP Instance UID" in errors[files[3].name]
        assert "unrecognised format" in errors["notes.txt"]
        assert any("1 mask(s) match no SOP Instance UID" in e["message"] for e in by_type["warning"])

    def test_several_masks_per_file(self):
        """A list of masks for one file gives one plane each."""
        item = pydicom_file(EXPLICIT_LE)
        rows, columns, _ = image_size(item)
        uid = str(read(item.data).SOPInstanceUID)
        events = overlay_events([item], {"masks": {uid: [make_mask(rows * columns, 1), make_mask(rows * columns, 2)]}})
        (out,) = [e for e in events if e["type"] == "file"]
        assert [p.label for p in read_overlays(read(out["data"]))] == ["mask 1", "mask 2"]

    def test_bad_dicom_among_label_job(self):
        """A damaged DICOM file is an error event; the others are written."""
        volume, files, labels = shuffled_series_and_labels()
        broken = NamedInput("broken.dcm", files[0].data[:400])
        events = overlay_events([broken, *files, NamedInput("seg.nrrd", nrrd_bytes(labels))], {})
        assert [e["file"] for e in events if e["type"] == "error"] == ["broken.dcm"]
        assert len([e for e in events if e["type"] == "file"]) == len(files)

    def test_label_not_present_fails_job(self):
        """A chosen label present nowhere stops the job with an OptionsError."""
        _, files, labels = shuffled_series_and_labels()
        with pytest.raises(OptionsError, match="not present"):
            overlay_events([*files, NamedInput("seg.nrrd", nrrd_bytes(labels))], {"labels": [9]})

    def test_both_or_neither(self):
        """A label map and masks together, or neither, is an OptionsError."""
        _, files, labels = shuffled_series_and_labels()
        with pytest.raises(OptionsError, match="not both"):
            overlay_events([*files, NamedInput("seg.nrrd", nrrd_bytes(labels))], {"masks": {}})
        with pytest.raises(OptionsError, match="give a label map"):
            overlay_events(files, {})

    def test_two_label_maps(self):
        """More than one label map is an OptionsError naming them."""
        _, files, labels = shuffled_series_and_labels()
        with pytest.raises(OptionsError, match="at most one label map, got 2"):
            overlay_events([*files, NamedInput("a.nrrd", nrrd_bytes(labels)), NamedInput("b.nrrd", nrrd_bytes(labels))], {})

    def test_label_option_not_a_number(self):
        """A label that is not a number is an OptionsError naming it."""
        _, files, labels = shuffled_series_and_labels()
        with pytest.raises(OptionsError, match="label 'liver' is not a number"):
            overlay_events([*files, NamedInput("seg.nrrd", nrrd_bytes(labels))], {"labels": ["liver"]})

    def test_labels_as_strings(self):
        """Labels given as strings (from a form) select those values."""
        _, files, labels = shuffled_series_and_labels()
        events = overlay_events([*files, NamedInput("seg.nrrd", nrrd_bytes(labels))], {"labels": ["2"], "label_names": {"2": "b"}})
        first = next(e for e in events if e["type"] == "file")
        assert [p.label for p in read_overlays(read(first["data"]))] == ["b"]

    def test_unknown_option(self):
        """An unknown option is an OptionsError."""
        with pytest.raises(OptionsError, match="unknown overlay option"):
            overlay_events([], {"colour": "red"})

    def test_through_jobs_start(self):
        """Through jobs.start, a failing job ends with a failed event."""
        events = list(jobs.start("overlay", [], {"type": "Q"}))
        assert events[-1]["type"] == "failed" and "overlay type" in events[-1]["message"]


class TestOutputNames:
    def test_unique(self):
        """Base names are kept, repeated ones numbered."""
        assert output_names(["a/x.dcm", "b/x.dcm", "y", "c/y"]) == ["x.dcm", "x_2.dcm", "y", "y_2"]


def _stripped(files, numbers):
    """*files* without Image Position/Orientation (Patient) and Pixel Spacing (an ACR-NEMA style
    conversion), each given Instance Number *numbers[i]*."""
    out = []
    for item, number in zip(files, numbers):
        ds = read(item.data)
        for keyword in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "SliceLocation"):
            delattr(ds, keyword)
        ds.InstanceNumber = number
        buf = io.BytesIO()
        ds.save_as(buf)
        out.append(NamedInput(f"old_{number}.dcm", buf.getvalue()))
    return out


def _one_slice_map(rows, columns, name="seg.nrrd"):
    labels = bytes(1 if (r // 4 + c // 4) % 2 else 0 for r in range(rows) for c in range(columns))
    volume = Volume(labels, "uint8", (columns, rows, 1), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0), name=name)
    return NamedInput(name, nrrd_bytes(volume)), labels


class TestWithoutGeometry:
    def test_matched_by_instance_number(self):
        """Files without geometry get the label slices in Instance Number order, with a warning saying so."""
        volume, files, labels = shuffled_series_and_labels()
        ordered = sorted(files, key=lambda f: read(f.data).InstanceNumber)
        old = _stripped(ordered, [40, 10, 30, 20])  # the k-th slice's file is numbered 10 * (rank + 1)
        events = overlay_events([*old, NamedInput("seg.nrrd", nrrd_bytes(labels))], {"labels": [2]})
        assert [e for e in events if e["type"] == "error"] == []
        assert any("matched by Instance Number order to the label map's 4 slices" in e["message"]
                   for e in events if e["type"] == "warning")
        nx, ny, _ = labels.size
        rank = {40: 3, 10: 0, 30: 2, 20: 1}
        for event in (e for e in events if e["type"] == "file"):
            ds = read(event["data"])
            (plane,) = read_overlays(ds)
            k = rank[int(ds.InstanceNumber)]
            assert plane.bits() == bytes(1 if v == 2 else 0 for v in labels.data[k * nx * ny:(k + 1) * nx * ny])

    def test_count_must_fit(self):
        """Fewer files without geometry than label slices: each names what is missing, the job goes on."""
        volume, files, labels = shuffled_series_and_labels()
        old = _stripped(files[:3], [1, 2, 3])
        events = overlay_events([*old, NamedInput("seg.nrrd", nrrd_bytes(labels))], {})
        errors = [e for e in events if e["type"] == "error"]
        assert len(errors) == 3 and all("has no usable Image Position (Patient)" in e["message"] for e in errors)

    @pytest.mark.parametrize("name", ["ExplVR_BigEnd.dcm", "image_dfl.dcm"])
    def test_real_file_without_geometry(self, name):
        """pydicom's big-endian US and deflated OT files have no geometry: one slice, one plane."""
        item = pydicom_file(name)
        rows, columns, _ = image_size(item)
        label_map, labels = _one_slice_map(rows, columns)
        events = overlay_events([item, label_map], {})
        (out,) = [e for e in events if e["type"] == "file"]
        assert any("matched as the only slice" in e["message"] for e in events if e["type"] == "warning")
        (plane,) = read_overlays(read(out["data"]))
        assert plane.bits() == labels


class TestScannerRounding:
    def test_oblique_series_with_rounded_gaps_and_cosines(self, tmp_path):
        """An oblique MR series as a scanner writes it (gaps varying by 1%, cosines 5e-4 off
        perpendicular, rounded positions) and a label map a segmentation tool saved for it
        (pynrrd, slice axis (last - first) / (n - 1)): every file is written, each with the
        planes of its own slice, as pydicom's overlay_array reads them."""
        np = pytest.importorskip("numpy")
        pytest.importorskip("nrrd")
        from scanner_cases import label_map_nrrd, oblique_mr_series

        files, truth = oblique_mr_series()
        labels = label_map_nrrd(truth, tmp_path / "labels.nrrd")
        inputs = [NamedInput(name, data) for name, data in files]
        events = overlay_events([*inputs, NamedInput("labels.nrrd", (tmp_path / "labels.nrrd").read_bytes())], {})
        assert [e for e in events if e["type"] == "error"] == []
        warnings = [e["message"] for e in events if e["type"] == "warning"]
        assert any("axes 0 and 1 are 0.0286 degrees from perpendicular (cosine 0.000500)" in w for w in warnings), warnings
        outputs = {e["name"]: e["data"] for e in events if e["type"] == "file"}
        assert sorted(outputs) == sorted(truth["slice_of"])
        drawn = 0
        for name, data in outputs.items():
            k = truth["slice_of"][name]
            ds = read(data)
            for group, value in ((0x6000, 1), (0x6002, 2)):
                expected = (labels[:, :, k] == value).T.astype(np.uint8)  # (x, y) -> rows, columns
                assert np.array_equal(ds.overlay_array(group), expected), (name, k, group)
                drawn += int(expected.sum())
            assert np.array_equal(ds.pixel_array, truth["pixels"][k])
        assert drawn > 1000
