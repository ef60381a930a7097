"""A DICOM series re-exported keeps who and what it shows: patient, study, frame of reference,
modality and acquisition, unless the options say otherwise (checked with pydicom and dciodvfy)."""

from __future__ import annotations

import subprocess
from io import BytesIO

import pydicom
import pytest

from dicomforge import jobs
from dicomforge.inputs import NamedInput
from test_series_validators import tool

pytest.importorskip("numpy")  # (the scanner's series is made with numpy)
from scanner_cases import oblique_mr_series  # noqa: E402


def _reexport(options=None, files=None):
    files = files or oblique_mr_series()[0]
    events = list(jobs.start("series", [NamedInput(n, d) for n, d in files], options or {}))
    written = [pydicom.dcmread(BytesIO(e["data"])) for e in events if e["type"] == "file"]
    assert len(written) == len(files), [e for e in events if e["type"] == "error"]
    return written, [e["message"] for e in events if e["type"] == "warning"], pydicom.dcmread(BytesIO(files[0][1]))


def test_identity_and_acquisition_kept_by_default():
    written, _, source = _reexport({"series_description": "renumbered"})
    for ds in written:
        assert (ds.PatientName, ds.PatientID) == ("Oblique^Scanner", "OBL-1")
        assert ds.StudyInstanceUID == source.StudyInstanceUID
        assert ds.FrameOfReferenceUID == source.FrameOfReferenceUID
        assert ds.SeriesInstanceUID != source.SeriesInstanceUID and ds.SeriesDescription == "renumbered"
        assert (ds.Modality, ds.SOPClassUID) == ("MR", "1.2.840.10008.5.1.4.1.1.4")
        assert (ds.SliceThickness, ds.EchoTime, ds.RepetitionTime) == (5, 12.5, 500)
    assert len({ds.SeriesInstanceUID for ds in written}) == 1


def test_options_still_win():
    kept, _, _ = _reexport()
    assert kept[0].SeriesDescription == "t2_tse_obl"  # the source's, when none is chosen
    written, _, source = _reexport({"modality": "CT", "patient_id": "NEW", "from_source": True})
    ds = written[0]
    assert (ds.Modality, ds.PatientID, ds.PatientName) == ("CT", "NEW", "Oblique^Scanner")
    assert "EchoTime" not in ds and ds.SliceThickness == 5  # MR attributes stay out of a CT image
    fresh, _, _ = _reexport({"from_source": False})
    assert fresh[0].PatientID == "" and fresh[0].StudyInstanceUID != source.StudyInstanceUID
    assert fresh[0].Modality == "OT" and fresh[0].FrameOfReferenceUID != source.FrameOfReferenceUID


def test_malformed_source_values_are_left_out_with_a_warning():
    files, _ = oblique_mr_series(n=3)
    damaged = []
    for name, data in files:
        ds = pydicom.dcmread(BytesIO(data))
        ds["EchoTime"].value = "12.5"  # then spoil the bytes as written
        out = BytesIO()
        ds.save_as(out, enforce_file_format=True)
        damaged.append((name, out.getvalue().replace(b"12.5", b"1\x7f.5")))
    written, warnings, _ = _reexport({}, damaged)
    assert written[0].EchoTime is None and written[0].RepetitionTime == 500  # (type 2: present, empty)
    assert "not copied from the source series, as the values there are malformed: EchoTime" in warnings


def test_dciodvfy_no_errors(tmp_path):
    exe = tool("dciodvfy")
    written, _, _ = _reexport()
    path = tmp_path / "one.dcm"
    written[0].save_as(path, enforce_file_format=True)
    run = subprocess.run([exe, str(path)], capture_output=True, text=True)
    assert not [line for line in (run.stdout + run.stderr).splitlines() if line.startswith("Error")], run.stderr


def test_a_volume_series_is_described_by_its_file_name():
    from dicom_cases import make_volume, nrrd_bytes

    events = jobs.start("series", [NamedInput("scans/brain_t1.nrrd", nrrd_bytes(make_volume()))], {})
    ds = pydicom.dcmread(BytesIO(next(e["data"] for e in events if e["type"] == "file")))
    assert ds.SeriesDescription == "brain_t1"
