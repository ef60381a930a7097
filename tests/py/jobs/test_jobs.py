"""Tests for dicomforge.jobs: event streams the worker drives."""

import pytest

from dicomforge import jobs
from dicomforge.inputs import NamedInput
from dicomforge.jobs.describe import volume_summary


class TestStart:
    def test_unknown_job(self):
        """An unknown job name is one final 'failed' event listing the known jobs."""
        (event,) = jobs.start("nope", [])
        assert event["type"] == "failed" and event["kind"] == "OptionsError"
        assert event["message"] == f"unknown job 'nope' (known: {', '.join(sorted(jobs.JOBS.jobs))})"
        assert "convert, deidentify, describe" in event["message"]


class TestDescribeJob:
    def test_events_for_mixed_batch(self, ct_small):
        """A bad input yields an error event; the good one still yields its result."""
        inputs = [NamedInput("bad.dcm", b"junk"), NamedInput("ct.dcm", ct_small.read_bytes())]
        events = list(jobs.start("describe", inputs))
        kinds = [e["type"] for e in events]
        assert kinds == ["error", "progress", "result", "progress"]
        assert events[0]["file"] == "bad.dcm" and events[0]["name"] == "DicomForgeError"
        assert events[2]["value"]["modality"] == "CT"
        assert events[3] == {"type": "progress", "done": 2, "total": 2, "file": "ct.dcm"}

    def test_empty_file_says_so(self, ct_small):
        """An empty input (what a file deleted after it was chosen reads as) is named as empty."""
        events = list(jobs.start("describe", [NamedInput("gone.dcm", b""), NamedInput("ct.dcm", ct_small.read_bytes())]))
        (error,) = [e for e in events if e["type"] == "error"]
        assert error["file"] == "gone.dcm" and error["message"].startswith("the file is empty (0 bytes)")
        assert [e["file"] for e in events if e["type"] == "result"] == ["ct.dcm"]

    def test_accepts_memoryview(self, ct_small):
        """Inputs may be memoryviews (what the worker hands over)."""
        data = memoryview(ct_small.read_bytes())
        (result, _) = jobs.start("describe", [NamedInput("ct.dcm", data)])
        assert result["value"]["rows"] == 128


def _nifti(tmp_path, shape=(4, 3, 2)):
    """A tiny int16 NIfTI-1 written with the stdlib (no nibabel needed)."""
    import struct

    nx, ny, nz = shape
    header = bytearray(348)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, 3, nx, ny, nz, 1, 1, 1, 1)
    struct.pack_into("<h", header, 70, 4)  # int16
    struct.pack_into("<h", header, 72, 16)
    struct.pack_into("<8f", header, 76, 1, 0.5, 0.75, 2.0, 1, 1, 1, 1)
    struct.pack_into("<f", header, 108, 352)
    header[344:348] = b"n+1\0"
    voxels = struct.pack(f"<{nx * ny * nz}h", *range(nx * ny * nz))
    return bytes(header) + b"\0" * 4 + voxels


class TestSeriesJob:
    def test_converts_volume_and_reports_bad_input(self, tmp_path):
        """A volume yields one file per slice; an unknown file is an error; both in one batch."""
        inputs = [NamedInput("junk.bin", b"\x00" * 64), NamedInput("vol.nii", _nifti(tmp_path))]
        events = list(jobs.start("series", inputs, {"modality": "MR", "series_description": "T"}))
        files = [e for e in events if e["type"] == "file"]
        errors = [e for e in events if e["type"] == "error"]
        (result,) = [e for e in events if e["type"] == "result"]
        assert [f["name"] for f in files] == ["slice_0001.dcm", "slice_0002.dcm"]
        assert errors[0]["file"] == "junk.bin" and "unrecognised format" in errors[0]["message"]
        assert result["value"]["size"] == [4, 3, 2] and result["value"]["spacing"] == [0.5, 0.75, 2.0]
        progress = [e for e in events if e["type"] == "progress"]
        assert progress[-1] == {"type": "progress", "done": 2, "total": 2, "file": "vol.nii"}

    def test_unknown_option(self, tmp_path):
        """An unknown option fails the whole job, naming it."""
        (event,) = jobs.start("series", [NamedInput("v.nii", _nifti(tmp_path))], {"colour": "red"})
        assert event["type"] == "failed" and "unknown series option(s): colour" in event["message"]

    def test_reference_copies_patient(self, tmp_path, ct_small):
        """The reference input's patient is copied and it is not converted itself."""
        inputs = [NamedInput("vol.nii", _nifti(tmp_path)), NamedInput("ref.dcm", ct_small.read_bytes())]
        events = list(jobs.start("series", inputs, {"reference": "ref.dcm"}))
        files = [e for e in events if e["type"] == "file"]
        assert len(files) == 2
        import io

        import pydicom

        ds = pydicom.dcmread(io.BytesIO(files[0]["data"]))
        assert ds.PatientName == pydicom.dcmread(ct_small).PatientName


class TestDescribeVolumes:
    def test_partner_claimed_by_stem(self, tmp_path):
        """A data file is a partner only when a two-file header claims it."""
        header = b"ObjectType = Image\nNDims = 3\nDimSize = 2 2 1\nElementType = MET_UCHAR\nElementDataFile = a.raw\n"
        inputs = [NamedInput("a.mhd", header), NamedInput("a.raw", b"1234"), NamedInput("notes.txt", b"hi")]
        results = {e["file"]: e for e in jobs.start("describe", inputs) if e["type"] in ("result", "error")}
        assert results["a.raw"]["value"] == {"kind": "partner"}
        assert results["a.mhd"]["value"]["size"] == [2, 2, 1]
        assert results["notes.txt"]["type"] == "error"

    def test_volume_and_partner(self, tmp_path):
        """A NIfTI is described with its geometry; an unclaimed unknown file is an error."""
        inputs = [NamedInput("vol.nii", _nifti(tmp_path)), NamedInput("x.raw", b"1234")]
        results = {e["file"]: e for e in jobs.start("describe", inputs) if e["type"] in ("result", "error")}
        assert results["vol.nii"]["value"]["format"] == "nifti"
        assert results["vol.nii"]["value"]["size"] == [4, 3, 2]
        assert results["x.raw"]["type"] == "error"


class TestDisplayTable:
    def test_table_and_error(self, ct_small):
        """A valid window gives a table; a zero width gives the error in words, not an exception."""
        (result, _) = jobs.start("preview", [NamedInput("ct.dcm", ct_small.read_bytes())])
        info = result["value"]["display"]
        table = jobs.display_table(info, 40, 400)["lut"]
        assert len(table) == info["lutSize"] and set(table) <= set(range(256))
        error = jobs.display_table(info, 40, 0)["error"]
        assert error["name"] == "DicomForgeError" and "Window Width" in error["message"]


class TestRenderJob:
    def test_rgba_and_bad_input(self, ct_small):
        """A DICOM input renders to width*height*4 bytes in the chosen window; a bad one is an error."""
        inputs = [NamedInput("ct.dcm", ct_small.read_bytes()), NamedInput("bad.dcm", b"nope")]
        events = [e for e in jobs.start("render", inputs, {"preset": "lung"}) if e["type"] != "progress"]
        value = events[0]["value"]
        assert (value["width"], value["height"], len(value["rgba"])) == (128, 128, 128 * 128 * 4)
        assert (value["window"]["center"], value["window"]["width"]) == (-600, 1500)
        assert events[1]["type"] == "error" and events[1]["file"] == "bad.dcm"


class TestSampleJob:
    def test_phantom_reads_back(self):
        """The sample is a NIfTI volume the readers accept, with skull, brain and air values."""
        from dicomforge.formats import read_volume

        (event, _) = jobs.start("sample", [])
        volume = read_volume(NamedInput(event["name"], event["data"]))
        assert volume.size == (128, 128, 48) and volume.dtype == "int16"
        assert volume.spacing == (1.5, 1.5, 3.0)
        values = set(memoryview(volume.data).cast("h"))
        assert {-1000, 1000, 40, 10}.issubset(values)


class TestLabelMapKind:
    def test_uint8_few_values_is_labelmap(self):
        """An 8-bit volume with few values is described as a label map with its labels."""
        from dicomforge.volume import Volume

        volume = Volume(bytes([0, 0, 2, 5] * 6), "uint8", (4, 3, 2), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0))
        summary = volume_summary(volume)
        assert summary["kind"] == "labelmap" and summary["labels"] == [2, 5]

    def test_many_values_is_volume(self):
        """An 8-bit image with many values stays a volume."""
        from dicomforge.volume import Volume

        volume = Volume(bytes(range(64)) * 3, "uint8", (8, 8, 3), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0))
        assert volume_summary(volume)["kind"] == "volume"


class TestWarmUp:
    def test_every_warm_up_job_succeeds(self):
        """Two slices written, overlaid into one zip, described and previewed, and no problem reported."""
        report = jobs.warm_up()
        counts = report["counts"]
        assert report["problems"] == [] and "error" not in counts and "failed" not in counts, report
        assert counts["file"] == 2 and counts["zip"] >= 1
        assert counts["result"] == 6  # describe 1 + overlay summary 1 + describe 2 + preview 1 + series 1
        assert 0 < report["seconds"] < 60

    def test_problems_reported(self, monkeypatch):
        """A warm-up job that fails is reported in words, not hidden."""
        from dicomforge import phantom

        monkeypatch.setattr(phantom, "phantom_nifti", lambda size: b"not a volume")
        problems = jobs.warm_up()["problems"]
        assert problems and "warm_up.nii" in problems[0]


class TestSplitBuffer:
    def test_views_in_order(self):
        from dicomforge.inputs import split_buffer

        buffer = bytearray(b"aaabbbbc")
        items = split_buffer(buffer, ["a", "b", "c"], [3, 4, 1])
        assert [(i.name, bytes(i.data)) for i in items] == [("a", b"aaa"), ("b", b"bbbb"), ("c", b"c")]
        assert all(isinstance(i.data, memoryview) and i.data.obj is buffer for i in items)

    def test_sizes_must_add_up(self):
        from dicomforge.inputs import split_buffer

        with pytest.raises(ValueError, match="summing to 7 for a buffer of 8 bytes"):
            split_buffer(bytearray(8), ["a", "b"], [3, 4])
