"""Jobs over inputs that arrive while they run (dicomforge.inputs.InputFeed), the way the
browser worker hands over files as it reads them."""

import pytest

from dicomforge import jobs
from dicomforge.inputs import InputFeed, NamedInput
from dicomforge.jobs.events import wait

WAIT = wait()

from test_jobs import _nifti

_MHD = b"ObjectType = Image\nNDims = 3\nDimSize = 2 2 1\nElementType = MET_UCHAR\nElementDataFile = a.raw\n"


def _drive(events, feed, arriving):
    """Run a job's *events*, adding the next ``(index, input)`` of *arriving* (or, for
    None, giving up on one input) at each wait. Returns ``(events, arrived)``: the non-wait
    events, each with how many inputs had been added or given up when it came."""
    arriving = list(arriving)
    out = []
    handed = 0
    for event in events:
        if event == WAIT:
            assert arriving, "the job waits although every input was handed over"
            nxt = arriving.pop(0)
            if nxt is None:
                feed.missing(1)
            else:
                feed.add(nxt[1], nxt[0])
            handed += 1
            continue
        out.append((event, handed))
    assert not arriving, "the job ended before every input was handed over"
    return out


def _results(events):
    return {e["file"]: (e, handed) for e, handed in events if e["type"] in ("result", "error")}


class TestInputFeed:
    def test_arrivals_wait_for_the_next_input(self):
        """arrivals() yields each input as it comes and None while the next one is missing."""
        feed = InputFeed(2)
        seen = feed.arrivals()
        assert next(seen) is None
        feed.add(NamedInput("b", b"2"), 1)
        assert next(seen).name == "b"
        assert next(seen) is None
        feed.add(NamedInput("a", b"1"), 0)
        assert next(seen).name == "a"
        assert list(seen) == []
        assert feed.complete and [i.name for i in feed.items] == ["a", "b"]  # in input order

    def test_missing_inputs_complete_the_feed(self):
        feed = InputFeed(2, [NamedInput("a", b"1")])
        assert not feed.complete
        feed.missing(1)
        assert feed.complete and [i.name for i in feed.arrivals()] == ["a"]

    def test_a_list_is_a_complete_feed(self):
        inputs = [NamedInput("a", b"1")]
        feed = InputFeed.of(inputs)
        assert feed.complete and feed.items == inputs and InputFeed.of(feed) is feed


class TestDescribeAsInputsArrive:
    def test_dicom_and_one_file_volumes_described_on_arrival(self, tmp_path, ct_small):
        """A DICOM file and a NIfTI are described as soon as each arrives; a two-file header
        and an unrecognised file wait for every input (their partners may still come)."""
        inputs = [
            NamedInput("ct.dcm", ct_small.read_bytes()),
            NamedInput("a.mhd", _MHD),
            NamedInput("a.raw", b"1234"),
            NamedInput("vol.nii", _nifti(tmp_path)),
        ]
        feed = InputFeed(len(inputs))
        arriving = [(3, inputs[3]), (0, inputs[0]), (1, inputs[1]), (2, inputs[2])]
        events = _drive(jobs.start("describe", feed), feed, arriving)
        results = _results(events)
        assert results["vol.nii"][1] == 1 and results["vol.nii"][0]["value"]["size"] == [4, 3, 2]
        assert results["ct.dcm"][1] == 2 and results["ct.dcm"][0]["value"]["modality"] == "CT"
        assert results["a.mhd"][1] == 4 and results["a.mhd"][0]["value"]["size"] == [2, 2, 1]
        assert results["a.raw"][1] == 4 and results["a.raw"][0]["value"] == {"kind": "partner"}
        progress = [e for e, _ in events if e["type"] == "progress"]
        assert [p["done"] for p in progress] == [1, 2, 3, 4] and {p["total"] for p in progress} == {4}

    def test_same_results_as_a_list(self, tmp_path, ct_small):
        """Fed in any order, describe finds what it finds for the list of the same inputs."""
        inputs = [
            NamedInput("bad.dcm", b"junk"),
            NamedInput("ct.dcm", ct_small.read_bytes()),
            NamedInput("vol.nii", _nifti(tmp_path)),
            NamedInput("notes.txt", b"hi"),
        ]
        listed = {e["file"]: e for e in jobs.start("describe", inputs) if e["type"] in ("result", "error")}
        feed = InputFeed(len(inputs))
        fed = _results(_drive(jobs.start("describe", feed), feed, reversed(list(enumerate(inputs)))))
        assert {name: event for name, (event, _) in fed.items()} == listed

    def test_an_input_given_up_on(self, ct_small):
        """An input the host could not read is left out; the job still ends."""
        feed = InputFeed(2)
        events = _drive(jobs.start("describe", feed), feed, [(0, NamedInput("ct.dcm", ct_small.read_bytes())), None])
        assert [e["type"] for e, _ in events] == ["result", "progress"]


class TestOtherJobsGetEveryInput:
    @pytest.mark.parametrize("late", [0, 1])
    def test_series_waits_for_the_whole_feed(self, tmp_path, late):
        """A job that needs all its inputs gets them in input order, once all are there."""
        inputs = [NamedInput("vol.nii", _nifti(tmp_path)), NamedInput("junk.bin", b"\x00" * 64)]
        feed = InputFeed(2)
        order = [(1 - late, inputs[1 - late]), (late, inputs[late])]
        events = _drive(jobs.start("series", feed, {"modality": "MR"}), feed, order)
        assert all(handed == 2 for _, handed in events)
        listed = list(jobs.start("series", inputs, {"modality": "MR"}))
        assert [e["type"] for e, _ in events] == [e["type"] for e in listed]
        assert [e.get("name") for e, _ in events] == [e.get("name") for e in listed]
