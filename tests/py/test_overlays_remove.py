"""Existing overlays: listed by the header scan, removed or replaced; bad inputs per file.

Runs natively and in Pyodide: numpy only through ``pytest.importorskip`` inside tests.
"""

from __future__ import annotations

import io

import pytest

from dicomforge import jobs
from dicomforge.describe import describe_dicom, read_header
from dicomforge.errors import InputError, OptionsError
from dicomforge.inputs import NamedInput
from dicomforge.overlays import (
    OVERLAY_GROUPS,
    MaskPlane,
    OverlayOptions,
    add_overlays,
    overlay_job,
    read_overlays,
    remove_overlays,
)
from test_overlays import (
    DERIVED,
    DERIVED_META,
    EXPLICIT_LE,
    BIG_ENDIAN,
    IMPLICIT_LE,
    JPEG_2000,
    RLE,
    SOURCES,
    WITH_OVERLAY,
    _elements,
    _mask,
    _nrrd,
    _ones,
    _read,
    _shuffled_series_and_labels,
    _without_rows,
    _size,
    _testfile,
)

#: (6000,xxxx) of examples_overlay.dcm (its description: "Siemens MedCom Object Graphics")
EXAMPLE_PLANE = {"group": 0x6000, "rows": 300, "columns": 484, "frames": 1, "type": "G", "count": 222}


def _with_two_planes(name: str, keep_uids=True) -> NamedInput:
    """pydicom test file *name* with two overlay planes (groups 6000 and 6002) added."""
    item = _testfile(name)
    rows, columns, frames = _size(item)
    n = rows * columns * frames
    out = add_overlays(item, [MaskPlane(_mask(n, 1), "a"), MaskPlane(_mask(n, 2), "b")], OverlayOptions(keep_uids=True))
    return NamedInput(name, out)


def _assert_same_outside(src, new, groups: set, allowed: set = frozenset(), meta_allowed: set = frozenset()):
    """Every element outside overlay *groups* (and *allowed* tags) equal, element by element."""
    a, b = _elements(src), _elements(new)
    for tag in set(a) | set(b):
        if tag >> 16 in groups or tag in allowed:
            continue
        assert tag in a and tag in b, f"({tag >> 16:04X},{tag & 0xFFFF:04X}) added or lost"
        assert a[tag].VR == b[tag].VR and a[tag].value == b[tag].value, hex(tag)
    for tag in set(_elements(src.file_meta)) | set(_elements(new.file_meta)):
        if tag not in meta_allowed:
            assert src.file_meta[tag] == new.file_meta[tag]


class TestRemove:
    @pytest.mark.parametrize("name", [EXPLICIT_LE, IMPLICIT_LE, BIG_ENDIAN, RLE, JPEG_2000])
    def test_remove_one_group_keeps_everything_else(self, name):
        """Removing 6000 leaves 6002 and every element outside 60xx as they were."""
        item = _with_two_planes(name)
        out = remove_overlays(item, OverlayOptions(remove_groups=("6000",), keep_uids=True))
        src, new = _read(item.data), _read(out)
        assert [p.group for p in read_overlays(new)] == [0x6002]
        assert read_overlays(new)[0] == read_overlays(src)[1]
        _assert_same_outside(src, new, {0x6000, 0x6002})
        assert new.PixelData == src.PixelData

    def test_remove_from_example_file(self):
        """examples_overlay.dcm without its plane: no 60xx element left, the rest identical."""
        item = _testfile(WITH_OVERLAY)
        out = remove_overlays(item, OverlayOptions(replace=True))
        src, new = _read(item.data), _read(out)
        assert not [e for e in new if e.tag.group in OVERLAY_GROUPS]
        _assert_same_outside(src, new, set(OVERLAY_GROUPS), DERIVED, DERIVED_META)
        assert "overlay planes removed by dicomforge" in new.DerivationDescription

    def test_group_not_there(self):
        """Removing a group the file does not have is an InputError that lists what it has."""
        item = _with_two_planes(EXPLICIT_LE)
        with pytest.raises(InputError, match=r"has no overlay group 6004 to remove \(its overlay groups: 6000, 6002\)"):
            remove_overlays(item, OverlayOptions(remove_groups=(0x6004,)))
        with pytest.raises(InputError, match=r"its overlay groups: none"):
            remove_overlays(_testfile(EXPLICIT_LE), OverlayOptions(replace=True))


class TestReplace:
    @pytest.mark.parametrize("name", [EXPLICIT_LE, BIG_ENDIAN, JPEG_2000])
    def test_replaced_group_holds_the_new_plane(self, name):
        """remove 6000 + one new mask: the mask goes into the freed 6000, 6002 stays."""
        item = _with_two_planes(name)
        rows, columns, frames = _size(item)
        mask = _mask(rows * columns * frames, 9)
        out = add_overlays(item, [MaskPlane(mask, "new")], OverlayOptions(remove_groups=("6000",), keep_uids=True))
        src, new = _read(item.data), _read(out)
        planes = read_overlays(new)
        assert [(p.group, p.label) for p in planes] == [(0x6000, "new"), (0x6002, "b")]
        assert planes[0].bits() == _ones(mask[: rows * columns])
        assert planes[1] == read_overlays(src)[1]
        _assert_same_outside(src, new, {0x6000, 0x6002})

    def test_pydicom_overlay_array_of_replaced_plane(self):
        """pydicom's overlay_array of the replaced group equals the new mask."""
        np = pytest.importorskip("numpy")
        item = _testfile(WITH_OVERLAY)
        rows, columns, _ = _size(item)
        mask = _mask(rows * columns, 4)
        out = add_overlays(item, [MaskPlane(mask, "new")], OverlayOptions(replace=True))
        new = _read(out)
        expected = np.frombuffer(_ones(mask), dtype=np.uint8).reshape(rows, columns)
        assert np.array_equal(new.overlay_array(0x6000), expected)
        assert str(new[0x60001500].value) == "new"
        _assert_same_outside(_read(item.data), new, {0x6000}, DERIVED, DERIVED_META)


class TestRemoveJob:
    def test_remove_only_job(self):
        """DICOM files alone + remove_groups: each file written without the group; a file without it fails alone."""
        with_planes = _with_two_planes(EXPLICIT_LE)
        plain = NamedInput("plain.dcm", _testfile(EXPLICIT_LE).data)
        events = list(overlay_job([with_planes, plain], {"remove_groups": ["6002"], "keep_uids": True}))
        files = [e for e in events if e["type"] == "file"]
        errors = [e for e in events if e["type"] == "error"]
        assert [e["name"] for e in files] == [EXPLICIT_LE]
        assert [p.group for p in read_overlays(_read(files[0]["data"]))] == [0x6000]
        assert errors[0]["file"] == "plain.dcm" and "has no overlay group 6002 to remove" in errors[0]["message"]
        assert events[-1]["value"]["files"] == 1 and events[-1]["value"]["failed"] == 1

    def test_nothing_to_do(self):
        """DICOM files alone and no removal chosen is an OptionsError saying what to give."""
        with pytest.raises(OptionsError, match="or choose existing overlays to remove"):
            list(overlay_job([_testfile(EXPLICIT_LE)], {}))

    def test_replace_with_label_map(self):
        """replace + a label map: the old planes go, the labels take groups 6000 and up."""
        _, files, labels = _shuffled_series_and_labels()
        files = [NamedInput(f.name, add_overlays(f, [MaskPlane(bytes([1]) * 30, "old")], OverlayOptions(keep_uids=True)))
                 for f in files]
        events = list(overlay_job([*files, NamedInput("seg.nrrd", _nrrd(labels))], {"replace": True}))
        for e in (e for e in events if e["type"] == "file"):
            assert [(p.group, p.label) for p in read_overlays(_read(e["data"]))] == [(0x6000, "label 1"), (0x6002, "label 2")]


class TestBadInputsPerFile:
    """Issue #4's bad inputs: a clear error for that file, the rest finish."""

    def _job(self, inputs, options):
        events = list(overlay_job(inputs, options))
        return ({e["file"]: e["message"] for e in events if e["type"] == "error"},
                [e["name"] for e in events if e["type"] == "file"])

    def test_no_rows_columns_in_label_job(self):
        """A DICOM file without Rows/Columns among a label-map job fails alone."""
        data, _ = _without_rows()
        _, files, labels = _shuffled_series_and_labels()
        errors, written = self._job([NamedInput("raw.dcm", data), *files, NamedInput("seg.nrrd", _nrrd(labels))], {})
        assert "raw.dcm" in errors and len(written) == len(files)

    def test_no_rows_columns_with_masks(self):
        """Per-file masks for a file without Rows/Columns: 'has no Rows (0028,0010)' for that file."""
        data, uid = _without_rows()
        good = _testfile(EXPLICIT_LE)
        rows, columns, _ = _size(good)
        masks = {uid: b"\x01", str(_read(good.data).SOPInstanceUID): _mask(rows * columns)}
        errors, written = self._job([NamedInput("raw.dcm", data), good], {"masks": masks})
        assert "has no Rows (0028,0010) and no Columns (0028,0011)" in errors["raw.dcm"]
        assert written == [EXPLICIT_LE]

    def test_more_than_sixteen_planes(self):
        """17 masks for one file: an error for that file naming the counts; the other file is written."""
        a, b = _testfile(EXPLICIT_LE), NamedInput("other.dcm", _testfile(EXPLICIT_LE).data)
        rows, columns, _ = _size(a)
        # two inputs with the same UID would share masks: give the second its own UID
        other = _read(b.data)
        other.SOPInstanceUID = "1.2.3.4.5"
        buf = io.BytesIO()
        other.save_as(buf)
        b = NamedInput("other.dcm", buf.getvalue())
        masks = {str(_read(a.data).SOPInstanceUID): [_mask(rows * columns, i) for i in range(17)],
                 "1.2.3.4.5": _mask(rows * columns)}
        errors, written = self._job([a, b], {"masks": masks})
        assert "17 overlay planes do not fit: 0 of the 16 overlay groups" in errors[EXPLICIT_LE]
        assert written == ["other.dcm"]

    def test_label_not_present_names_the_label_map(self):
        """A chosen label absent from the label map stops the job with an error naming the label map."""
        _, files, labels = _shuffled_series_and_labels()
        with pytest.raises(OptionsError, match=r"label\(s\) 7 not present") as info:
            list(overlay_job([*files, NamedInput("seg.nrrd", _nrrd(labels))], {"labels": [7]}))
        assert info.value.file == "seg.nrrd"


class TestDescribeHeaderScan:
    @pytest.mark.parametrize("name", SOURCES)
    def test_same_summary_as_pydicom(self, name):
        """The header-scan summary equals what pydicom reads from the same header."""
        from pydicom.uid import UID

        item = _testfile(name)
        ds = read_header(item)
        summary = describe_dicom(item)
        text = lambda k: "" if ds.get(k) is None else str(ds.get(k, ""))  # noqa: E731
        assert summary["modality"] == text("Modality")
        assert summary["patientName"] == text("PatientName")
        assert summary["patientId"] == text("PatientID")
        assert summary["studyDescription"] == text("StudyDescription")
        assert summary["seriesDescription"] == text("SeriesDescription")
        assert summary["seriesInstanceUid"] == text("SeriesInstanceUID")
        assert (summary["rows"], summary["columns"]) == (int(ds.get("Rows", 0)), int(ds.get("Columns", 0)))
        assert summary["frames"] == int(ds.get("NumberOfFrames", 1) or 1)
        assert summary["sopClass"] == UID(ds.SOPClassUID).name
        assert summary["transferSyntax"] == UID(ds.file_meta.TransferSyntaxUID).name
        assert [o["group"] for o in summary["overlays"]] == [p.group for p in read_overlays(ds)]

    def test_lists_existing_overlay(self):
        """examples_overlay.dcm: its plane is listed with size, type, frames and set pixels."""
        (plane,) = describe_dicom(_testfile(WITH_OVERLAY))["overlays"]
        assert {k: plane[k] for k in EXAMPLE_PLANE} == EXAMPLE_PLANE

    def test_describe_job_lists_overlays(self):
        """The describe job's DICOM result carries the overlays list."""
        (result, _) = jobs.start("describe", [_testfile(WITH_OVERLAY)])
        assert result["value"]["overlays"][0]["group"] == 0x6000

    def test_not_dicom(self):
        """A file without 'DICM' keeps the describe message of before."""
        with pytest.raises(InputError, match="not a DICOM file: no 'DICM' marker at byte 128"):
            describe_dicom(NamedInput("x.dcm", b"\x00" * 200))

    def test_non_ascii_patient_name(self):
        """A name in ISO_IR 100 (latin-1) is decoded with the file's character set."""
        item = _testfile(EXPLICIT_LE)
        ds = _read(item.data)
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.PatientName = "Müller^Jürgen"
        buf = io.BytesIO()
        ds.save_as(buf)
        assert describe_dicom(NamedInput("m.dcm", buf.getvalue()))["patientName"] == "Müller^Jürgen"


class TestCliRemove:
    def test_remove_group_without_mask(self, tmp_path, capsys):
        """overlay FILE... --remove-group 6000 -o DIR: no mask needed; a file without the group fails alone, exit 2."""
        from dicomforge import cli

        example = tmp_path / "example.dcm"
        example.write_bytes(_testfile(WITH_OVERLAY).data)
        plain = tmp_path / "plain.dcm"
        plain.write_bytes(_testfile(EXPLICIT_LE).data)
        out = tmp_path / "out"
        code = cli.main(["overlay", str(example), str(plain), "--remove-group", "6000", "--keep-uids", "-o", str(out), "-q"])
        assert code == 2
        assert f"error: {plain}: has no overlay group 6000 to remove" in capsys.readouterr().err
        assert [p.name for p in out.iterdir()] == ["example.dcm"]
        src, new = _read(example.read_bytes()), _read((out / "example.dcm").read_bytes())
        assert read_overlays(new) == []
        _assert_same_outside(src, new, {0x6000})

    def test_replace_with_mask(self, tmp_path):
        """--replace --mask: the files' old planes are gone, one per label instead."""
        from dicomforge import cli

        _, files, labels = _shuffled_series_and_labels()
        paths = []
        for item in files:
            path = tmp_path / item.name
            path.write_bytes(add_overlays(item, [MaskPlane(bytes([1]) * 30, "old")], OverlayOptions(keep_uids=True)))
            paths.append(str(path))
        (tmp_path / "seg.nrrd").write_bytes(_nrrd(labels))
        out = tmp_path / "out"
        assert cli.main(["overlay", *paths, "--mask", str(tmp_path / "seg.nrrd"), "--replace", "-o", str(out), "-q"]) == 0
        planes = read_overlays(_read((out / files[0].name).read_bytes()))
        assert [p.label for p in planes] == ["label 1", "label 2"]

    def test_neither_mask_nor_removal(self, tmp_path, capsys):
        """Without --mask and without --replace/--remove-group: exit 2 with what to give."""
        from dicomforge import cli

        path = tmp_path / "a.dcm"
        path.write_bytes(_testfile(EXPLICIT_LE).data)
        assert cli.main(["overlay", str(path), "-o", str(tmp_path / "o")]) == 2
        assert "give --mask LABELS to add overlays, or --replace / --remove-group 60xx" in capsys.readouterr().err

    def test_partial_input_completed_when_the_header_is_longer(self):
        """Given only the start of a file (a host's partial read), the summary is read from the whole file."""
        import dataclasses

        item = _testfile(WITH_OVERLAY)
        if "load" not in {f.name for f in dataclasses.fields(NamedInput)}:
            pytest.skip("NamedInput has no partial inputs here")
        head = NamedInput(item.name, item.data[:2000], load=lambda: item.data)
        assert describe_dicom(head) == describe_dicom(item)


def test_cli_info_lists_overlays(tmp_path, capsys):
    """`info` names each overlay plane of a file after its summary."""
    from dicomforge import cli

    path = tmp_path / WITH_OVERLAY
    path.write_bytes(_testfile(WITH_OVERLAY).data)
    assert cli.main(["info", str(path)]) == 0
    assert "overlay 6000 484x300 G 'Siemens MedCom Object Graphics'" in capsys.readouterr().out
