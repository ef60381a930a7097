"""Which inputs go together: a two-file volume's data half is no volume (nor an error) of its own."""

from __future__ import annotations

import pytest

from dicomforge import jobs
from dicomforge.inputs import NamedInput
from dicomforge.inputset import InputSet



def _kinds(job: str, inputs: list) -> dict:
    return {e["file"]: (e["value"].get("kind") if e["type"] == "result" else e["message"])
            for e in jobs.start(job, inputs, {}) if e["type"] in ("result", "error")}


def _metaimage(data_name: str, named_in_header: str):
    header = (b"ObjectType = Image\nNDims = 3\nDimSize = 4 3 2\nElementType = MET_SHORT\n"
              b"ElementDataFile = " + named_in_header.encode() + b"\n")
    return [NamedInput(data_name, bytes(range(48))), NamedInput("vol.mhd", header)]


@pytest.mark.parametrize("data_name, named", [("vol.raw", "vol.raw"), ("VOL.RAW", "vol.raw"), ("scan.img", "scan.img"),
                                              ("data/vol.dat", "vol.dat")])
def test_the_data_half_of_a_metaimage_pair(data_name, named):
    """Whatever its name (a case other than the header's, an ending of another format), the
    file a header names is its data: listed as such, and the job makes one series of both."""
    inputs = _metaimage(data_name, named)
    assert _kinds("describe", inputs) == {data_name: "partner", "vol.mhd": "volume"}
    assert _kinds("series", inputs) == {"vol.mhd": "volume"}
    assert [i.name for i in InputSet(inputs).volume_files] == ["vol.mhd"]


def test_a_nifti_pair_is_one_volume(tmp_path):
    nib = pytest.importorskip("nibabel")
    np = pytest.importorskip("numpy")
    nib.save(nib.Nifti1Pair(np.arange(24, dtype=np.int16).reshape(2, 3, 4), np.eye(4)), tmp_path / "pair.img")
    inputs = [NamedInput(n, (tmp_path / n).read_bytes()) for n in ("pair.img", "pair.hdr")]
    assert _kinds("describe", inputs) == {"pair.img": "partner", "pair.hdr": "volume"}
    assert _kinds("series", inputs) == {"pair.hdr": "volume"}
    alone = _kinds("describe", inputs[:1])["pair.img"]
    assert alone == "its header is in 'pair.hdr', which is missing: drop 'pair.hdr' together with 'pair.img'"


def test_unclaimed_unknown_files_are_still_errors():
    inputs = [NamedInput("notes.bin", b"hello"), NamedInput("v.nrrd", b"")]
    assert InputSet(inputs).unrecognised == ["notes.bin"]
    assert "unrecognised format" in _kinds("describe", inputs)["notes.bin"]
