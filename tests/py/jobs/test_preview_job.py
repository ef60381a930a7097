"""The preview job: what the page's canvas needs, per file, and its options."""

from __future__ import annotations

import pytest
from pydicom.data import get_testdata_file

from dicom_cases import job_events
from dicomforge.display.lut import display_lut
from dicomforge.errors import OptionsError
from dicomforge.inputs import NamedInput

CT_SMALL = "CT_small.dcm"
OVERLAY = "examples_overlay.dcm"


def preview_job(inputs, options):
    return job_events("preview", inputs, options)


class TestPreviewJob:
    def test_result_and_error(self):
        """One result per good file with the canvas data, an error event per bad one."""
        good = NamedInput("ct.dcm", open(get_testdata_file(CT_SMALL), "rb").read())
        bad = NamedInput("bad.dcm", b"nonsense")
        events = list(preview_job([good, bad], {"preset": "brain"}))
        result = next(e for e in events if e["type"] == "result")
        error = next(e for e in events if e["type"] == "error")
        value = result["value"]
        assert value["dtype"] == "int16" and len(value["pixels"]) == 2 * 128 * 128
        assert len(value["lut"]) == value["range"][1] - value["range"][0] + 1
        assert value["lutOffset"] == value["range"][0]
        assert value["window"]["name"] == "brain"
        assert display_lut(value["display"], 40, 80) == value["lut"]
        assert error["file"] == "bad.dcm" and "not a DICOM file" in error["message"]
        assert [e["done"] for e in events if e["type"] == "progress"] == [1, 2]

    def test_overlays_in_result(self):
        """Overlay planes come as 0/1 bytes on the image grid with their colour."""
        item = NamedInput("ov.dcm", open(get_testdata_file(OVERLAY), "rb").read())
        value = next(e for e in preview_job([item], {}) if e["type"] == "result")["value"]
        plane = value["overlays"][0]
        assert plane["group"] == 0x6000 and plane["color"] == [255, 255, 0, 255]
        assert len(plane["bits"]) == value["rows"] * value["columns"] and set(plane["bits"]) == {0, 1}

    def test_unknown_option(self):
        """An unknown option stops the job with an OptionsError."""
        with pytest.raises(OptionsError, match="unknown preview option"):
            list(preview_job([], {"zoom": 2}))
