"""The overlay job removing or replacing existing planes, and bad inputs failing alone."""

from __future__ import annotations

import io

import pytest

from dicom_cases import (
    EXPLICIT_LE,
    image_size,
    make_mask,
    nrrd_bytes,
    overlay_events,
    pydicom_file,
    read,
    shuffled_series_and_labels,
    with_two_planes,
    without_rows,
)
from dicomforge.errors import OptionsError
from dicomforge.inputs import NamedInput
from dicomforge.overlays.options import MaskPlane, OverlayOptions
from dicomforge.overlays.planes import read_overlays
from dicomforge.overlays.write import add_overlays


class TestRemoveJob:
    def test_remove_only_job(self):
        """DICOM files alone + remove_groups: each file written without the group; a file without it fails alone."""
        with_planes = with_two_planes(EXPLICIT_LE)
        plain = NamedInput("plain.dcm", pydicom_file(EXPLICIT_LE).data)
        events = overlay_events([with_planes, plain], {"remove_groups": ["6002"], "keep_uids": True})
        files = [e for e in events if e["type"] == "file"]
        errors = [e for e in events if e["type"] == "error"]
        assert [e["name"] for e in files] == [EXPLICIT_LE]
        assert [p.group for p in read_overlays(read(files[0]["data"]))] == [0x6000]
        assert errors[0]["file"] == "plain.dcm" and "has no overlay group 6002 to remove" in errors[0]["message"]
        assert events[-1]["value"]["files"] == 1 and events[-1]["value"]["failed"] == 1

    def test_unrelated_bad_files_do_not_stop_removal(self):
        """Removing overlays with a broken volume, or two volumes, in the drop: the job uses
        neither, says so in warnings, fails for no input, and writes the DICOM file."""
        with_planes = with_two_planes(EXPLICIT_LE)
        broken = NamedInput("broken.nii", b"\x5c\x01" + bytes(200))
        _, _, labels = shuffled_series_and_labels()
        one, two = NamedInput("a.nrrd", nrrd_bytes(labels)), NamedInput("b.nrrd", nrrd_bytes(labels))
        for extra, failing in (([broken], {"broken.nii"}), ([one, two], {"a.nrrd", "b.nrrd"})):
            events = overlay_events([with_planes, *extra], {"replace": True, "keep_uids": True})
            assert [e["name"] for e in events if e["type"] == "file"] == [EXPLICIT_LE]
            assert [e for e in events if e["type"] == "error"] == []
            assert {e["file"] for e in events if e["type"] == "warning"} == failing
            assert events[-1]["type"] == "result" and events[-1]["value"] == {**events[-1]["value"], "files": 1, "failed": 0}
        warned = [e["message"] for e in overlay_events([with_planes, one, two], {"replace": True}) if e["type"] == "warning"]
        assert warned[0] == "not used: 2 volumes (a.nrrd, b.nrrd) could be the label map; name one to draw it"
        warned = [e["message"] for e in overlay_events([with_planes, broken], {"replace": True}) if e["type"] == "warning"]
        assert warned[0].startswith("not used as a label map: ")

    def test_nothing_to_do(self):
        """DICOM files alone and no removal chosen is an OptionsError saying what to give."""
        with pytest.raises(OptionsError, match="or choose existing overlays to remove"):
            overlay_events([pydicom_file(EXPLICIT_LE)], {})

    def test_replace_with_label_map(self):
        """replace + a label map: the old planes go, the labels take groups 6000 and up."""
        _, files, labels = shuffled_series_and_labels()
        files = [NamedInput(f.name, add_overlays(f, [MaskPlane(bytes([1]) * 30, "old")], OverlayOptions(keep_uids=True)))
                 for f in files]
        events = overlay_events([*files, NamedInput("seg.nrrd", nrrd_bytes(labels))], {"replace": True})
        for e in (e for e in events if e["type"] == "file"):
            assert [(p.group, p.label) for p in read_overlays(read(e["data"]))] == [(0x6000, "label 1"), (0x6002, "label 2")]


class TestBadInputsPerFile:
    """Issue #4's bad inputs: a clear error for that file, the rest finish."""

    def _job(self, inputs, options):
        events = overlay_events(inputs, options)
        return ({e["file"]: e["message"] for e in events if e["type"] == "error"},
                [e["name"] for e in events if e["type"] == "file"])

    def test_no_rows_columns_in_label_job(self):
        """A DICOM file without Rows/Columns among a label-map job fails alone."""
        data, _ = without_rows()
        _, files, labels = shuffled_series_and_labels()
        errors, written = self._job([NamedInput("raw.dcm", data), *files, NamedInput("seg.nrrd", nrrd_bytes(labels))], {})
        assert "raw.dcm" in errors and len(written) == len(files)

    def test_no_rows_columns_with_masks(self):
        """Per-file masks for a file without Rows/Columns: 'has no Rows (0028,0010)' for that file."""
        data, uid = without_rows()
        good = pydicom_file(EXPLICIT_LE)
        rows, columns, _ = image_size(good)
        masks = {uid: b"\x01", str(read(good.data).SOPInstanceUID): make_mask(rows * columns)}
        errors, written = self._job([NamedInput("raw.dcm", data), good], {"masks": masks})
        assert "has no Rows (0028,0010) and no Columns (0028,0011)" in errors["raw.dcm"]
        assert written == [EXPLICIT_LE]

    def test_more_than_sixteen_planes(self):
        """17 masks for one file: an error for that file naming the counts; the other file is written."""
        a, b = pydicom_file(EXPLICIT_LE), NamedInput("other.dcm", pydicom_file(EXPLICIT_LE).data)
        rows, columns, _ = image_size(a)
        # two inputs with the same UID would share masks: give the second its own UID
        other = read(b.data)
        other.SOPInstanceUID = "1.2.3.4.5"
        buf = io.BytesIO()
        other.save_as(buf)
        b = NamedInput("other.dcm", buf.getvalue())
        masks = {str(read(a.data).SOPInstanceUID): [make_mask(rows * columns, i) for i in range(17)],
                 "1.2.3.4.5": make_mask(rows * columns)}
        errors, written = self._job([a, b], {"masks": masks})
        assert "17 overlay planes do not fit: 0 of the 16 overlay groups" in errors[EXPLICIT_LE]
        assert written == ["other.dcm"]

    def test_label_not_present_names_the_label_map(self):
        """A chosen label absent from the label map stops the job with an error naming the label map."""
        _, files, labels = shuffled_series_and_labels()
        with pytest.raises(OptionsError, match=r"label\(s\) 7 not present") as info:
            overlay_events([*files, NamedInput("seg.nrrd", nrrd_bytes(labels))], {"labels": [7]})
        assert info.value.file == "seg.nrrd"
