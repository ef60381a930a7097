"""The toolbox's jobs as hosts start them: inspect, json / from_json, modify, image."""

from __future__ import annotations

import io
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file

from dicomforge import jobs
from dicomforge.inputs import NamedInput

CT = NamedInput("CT_small.dcm", Path(get_testdata_file("CT_small.dcm")).read_bytes())
MR = NamedInput("MR_small.dcm", Path(get_testdata_file("MR_small.dcm")).read_bytes())


def run(name, inputs, options=None):
    out = {"files": {}, "results": {}, "errors": {}, "warnings": [], "failed": None}
    for event in jobs.start(name, inputs, options or {}, casing="js"):
        if event["type"] == "file":
            out["files"][event["name"]] = bytes(event["data"])
        elif event["type"] == "result":
            out["results"][event["file"]] = event["value"]
        elif event["type"] == "error":
            out["errors"][event["file"]] = event["message"]
        elif event["type"] == "warning":
            out["warnings"].append(event)
        elif event["type"] == "failed":
            out["failed"] = event["message"]
    return out


class TestInspect:
    def test_formats(self):
        """tree: camelCase nodes; text: dcmdump's layout; ftest: a 'no' for a text file, not an error."""
        tree = run("inspect", [CT])["results"]["CT_small.dcm"]
        assert tree["part10"] and any(n["keyword"] == "PatientName" for n in tree["elements"])
        assert "private_creator" not in str(tree) and "privateCreator" in str(tree)
        text = run("inspect", [CT], {"format": "text"})["results"]["CT_small.dcm"]["text"]
        assert "(0010,0010) PN [CompressedSamples^CT1]" in text
        answer = run("inspect", [NamedInput("a.txt", b"hello")], {"format": "ftest"})
        assert answer["results"]["a.txt"]["part10"] is False and not answer["errors"]


class TestJson:
    def test_bulk_files_resolved_beside_their_json(self):
        """Two JSONs of the same name in two folders each get their own bulk data back."""
        made = {}
        for folder, item in (("a", CT), ("b", MR)):
            out = run("json", [NamedInput("x.dcm", item.data)], {"bulk": "uri"})
            made.update({f"{folder}/{name}": data for name, data in out["files"].items()})
        back = run("from_json", [NamedInput(name, data) for name, data in made.items()])
        assert not back["errors"], back["errors"]
        first, second = (pydicom.dcmread(io.BytesIO(back["files"][n])) for n in ("x.dcm", "x_2.dcm"))
        assert first.PixelData == pydicom.dcmread(io.BytesIO(CT.data)).PixelData
        assert second.PixelData == pydicom.dcmread(io.BytesIO(MR.data)).PixelData

    def test_missing_bulk_file_named(self):
        out = run("json", [CT], {"bulk": "uri"})
        back = run("from_json", [NamedInput("CT_small.json", out["files"]["CT_small.json"])])
        assert "BulkDataURI 'CT_small.bulk/" in back["errors"]["CT_small.json"]


class TestModify:
    def test_text_edits_and_uids(self):
        """Text edits apply to every file; one UID map for the batch, written when asked."""
        out = run("modify", [CT, MR], {"edits": ["set PatientName=Anon", "delete PatientAge"], "regenerateUids": True,
                                      "writeUidMap": True})
        assert sorted(out["files"]) == ["CT_small.dcm", "MR_small.dcm", "uid_map.json"]
        ct = pydicom.dcmread(io.BytesIO(out["files"]["CT_small.dcm"]))
        assert ct.PatientName == "Anon" and "PatientAge" not in ct
        assert ct.SOPInstanceUID != pydicom.dcmread(io.BytesIO(CT.data)).SOPInstanceUID

    @pytest.mark.parametrize("edits, words", [([], "nothing to do"), (["frobnicate X=1"], "operation"),
                                              (["set NoSuchKeyword=1"], "NoSuchKeyword")])
    def test_bad_edits_fail_the_job(self, edits, words):
        assert words in run("modify", [CT], {"edits": edits})["failed"]


class TestImage:
    def test_names_and_instance_numbers(self, tmp_path):
        """photo.png -> photo.dcm; instance numbers count the images made, an empty file skipped."""
        pytest.importorskip("PIL")
        from PIL import Image

        made = []
        for name in ("b.png", "a.png"):
            buffer = io.BytesIO()
            Image.new("L", (8, 4), 9).save(buffer, "PNG")
            made.append(NamedInput(name, buffer.getvalue()))
        out = run("image", [made[0], NamedInput("empty.png", b""), made[1]], {"reference": "CT_small.dcm"})
        assert out["failed"] is not None  # (the reference is not among the inputs)
        out = run("image", [made[0], NamedInput("empty.png", b""), made[1], CT], {"reference": "CT_small.dcm"})
        assert sorted(out["files"]) == ["a.dcm", "b.dcm"] and "empty.png" in out["errors"]
        numbers = {n: pydicom.dcmread(io.BytesIO(d)).InstanceNumber for n, d in out["files"].items()}
        assert numbers == {"b.dcm": 1, "a.dcm": 2}
        assert pydicom.dcmread(io.BytesIO(out["files"]["a.dcm"])).PatientName == "CompressedSamples^CT1"
