"""Tests for dicomforge.jobs: event streams the worker drives."""

from dicomforge import jobs
from dicomforge.inputs import NamedInput


class TestStart:
    def test_unknown_job(self):
        """An unknown job name is one final 'failed' event listing the known jobs."""
        (event,) = jobs.start("nope", [])
        assert event["type"] == "failed" and event["kind"] == "OptionsError"
        assert event["message"].startswith("unknown job 'nope' (known: describe")


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

    def test_accepts_memoryview(self, ct_small):
        """Inputs may be memoryviews (what the worker hands over)."""
        data = memoryview(ct_small.read_bytes())
        (result, _) = jobs.start("describe", [NamedInput("ct.dcm", data)])
        assert result["value"]["rows"] == 128
