"""The header-scan summary of a DICOM file (what the page lists), against pydicom."""

from __future__ import annotations

import io

import pytest

from dicom_cases import EXAMPLE_PLANE, EXPLICIT_LE, SOURCES, WITH_OVERLAY, pydicom_file, read
from dicomforge import jobs
from dicomforge.dicom.describe import describe_dicom, read_header
from dicomforge.errors import InputError
from dicomforge.inputs import NamedInput
from dicomforge.overlays.planes import read_overlays


class TestDescribeHeaderScan:
    @pytest.mark.parametrize("name", SOURCES)
    def test_same_summary_as_pydicom(self, name):
        """The header-scan summary equals what pydicom reads from the same header."""
        from pydicom.uid import UID

        item = pydicom_file(name)
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
        assert summary["instanceNumber"] == (int(ds.InstanceNumber) if ds.get("InstanceNumber") not in (None, "") else None)
        if "ImagePositionPatient" in ds and "ImageOrientationPatient" in ds:
            row, col = [float(v) for v in ds.ImageOrientationPatient[:3]], [float(v) for v in ds.ImageOrientationPatient[3:]]
            n = (row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0])
            assert summary["position"] == pytest.approx(sum(float(p) * c for p, c in zip(ds.ImagePositionPatient, n)))
        else:
            assert summary["position"] is None

    def test_place_along_the_normal(self):
        """A scanner's shuffled oblique series: position grows with the slice index."""
        pytest.importorskip("numpy")
        from scanner_cases import oblique_mr_series

        files, truth = oblique_mr_series()
        places = {truth["slice_of"][name]: describe_dicom(NamedInput(name, data))["position"] for name, data in files}
        ordered = [places[k] for k in sorted(places)]
        assert ordered == sorted(ordered) and ordered[-1] - ordered[0] == pytest.approx(19 * 7.0, rel=0.02)

    def test_lists_existing_overlay(self):
        """examples_overlay.dcm: its plane is listed with size, type, frames and set pixels."""
        (plane,) = describe_dicom(pydicom_file(WITH_OVERLAY))["overlays"]
        assert {k: plane[k] for k in EXAMPLE_PLANE} == EXAMPLE_PLANE

    def test_describe_job_lists_overlays(self):
        """The describe job's DICOM result carries the overlays list."""
        (result, _) = jobs.start("describe", [pydicom_file(WITH_OVERLAY)])
        assert result["value"]["overlays"][0]["group"] == 0x6000

    def test_not_dicom(self):
        """A file without 'DICM' keeps the describe message of before."""
        with pytest.raises(InputError, match="not a DICOM file: no 'DICM' marker at byte 128"):
            describe_dicom(NamedInput("x.dcm", b"\x00" * 200))

    def test_non_ascii_patient_name(self):
        """A name in ISO_IR 100 (latin-1) is decoded with the file's character set."""
        item = pydicom_file(EXPLICIT_LE)
        ds = read(item.data)
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.PatientName = "Müller^Jürgen"
        buf = io.BytesIO()
        ds.save_as(buf)
        assert describe_dicom(NamedInput("m.dcm", buf.getvalue()))["patientName"] == "Müller^Jürgen"


class TestPartialInput:
    def test_partial_input_completed_when_the_header_is_longer(self):
        """Given only the start of a file (a host's partial read), the summary is read from the whole file."""
        import dataclasses

        item = pydicom_file(WITH_OVERLAY)
        if "load" not in {f.name for f in dataclasses.fields(NamedInput)}:
            pytest.skip("NamedInput has no partial inputs here")
        head = NamedInput(item.name, item.data[:2000], load=lambda: item.data)
        assert describe_dicom(head) == describe_dicom(item)
