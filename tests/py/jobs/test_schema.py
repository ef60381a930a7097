"""Job options as data: one name per option in each casing, every problem reported at once."""

from __future__ import annotations

import pytest

from dicomforge import jobs
from dicomforge.errors import OptionsError
from dicomforge.inputs import NamedInput
from dicomforge.jobs.schema import Option, Schema, js_name
from dicomforge.phantom import phantom_nifti

VOLUME = NamedInput("v.nii", phantom_nifti((8, 6, 2)))


def _failed(events) -> str:
    (event,) = events
    assert event["type"] == "failed" and event["kind"] == "OptionsError"
    return event["message"]


class TestNames:
    @pytest.mark.parametrize("python, js", [("series_description", "seriesDescription"), ("study_instance_uid",
                             "studyInstanceUid"), ("type", "type"), ("memory_budget", "memoryBudget")])
    def test_js_name(self, python, js):
        """snake_case -> camelCase, one rule for every option."""
        assert js_name(python) == js

    def test_camel_case_from_js(self):
        """A JS caller's camelCase names reach the job: the series says what it was told."""
        events = list(jobs.start("series", [VOLUME], {"modality": "CT", "seriesDescription": "x", "seriesNumber": 7},
                                 casing="js"))
        files = [e for e in events if e["type"] == "file"]
        import io

        import pydicom

        ds = pydicom.dcmread(io.BytesIO(files[0]["data"]))
        assert (ds.Modality, ds.SeriesDescription, ds.SeriesNumber) == ("CT", "x", 7)

    def test_snake_case_from_js_refused(self):
        """A snake_case name from a JS caller is refused with the valid names in camelCase."""
        message = _failed(jobs.start("series", [VOLUME], {"series_description": "x"}, casing="js"))
        assert message.startswith("unknown series option(s): series_description (valid: seriesDescription, ")
        assert "memoryBudget" in message and "reference" in message

    def test_misspelt_refused(self):
        """A misspelt name is refused, naming it and listing the valid ones (Python casing)."""
        message = _failed(jobs.start("series", [VOLUME], {"seriesDescription": "x"}))
        assert message.startswith("unknown series option(s): seriesDescription (valid: series_description, ")


class TestProblems:
    def test_every_problem_at_once(self):
        """An unknown name, a wrong type and a bad value are all named in one message."""
        message = _failed(jobs.start("series", [VOLUME], {"colour": 1, "seriesNumber": "7", "uidPrefix": "1.x"},
                                     casing="js"))
        assert "unknown series option(s): colour" in message
        assert "seriesNumber must be a whole number, got '7'" in message

    def test_domain_checks_in_the_callers_casing(self):
        """What the schema cannot see (a UID's form) is named as the caller spells it."""
        message = _failed(jobs.start("series", [VOLUME], {"uidPrefix": "1.x", "seriesDescription": "a\\b"},
                                     casing="js"))
        assert "uidPrefix '1.x' must be a UID root" in message and "seriesDescription must be at most 64" in message

    def test_schema_parse(self):
        """Defaults for what is not given; wrongly typed values keep their default and are named."""
        schema = Schema("t", Option("n", ("integer",), 3), Option("s", ("text",), "a"))
        values, problems = schema.parse({"n": 2.0, "s": 5})
        assert values["n"] == 2 and values["s"] == "a" and values["memory_budget"] is None
        assert problems == ["s must be a text, got 5"]

    def test_unknown_casing(self):
        """Only the two casings exist."""
        with pytest.raises(ValueError, match="casing"):
            Schema("t").parse({}, "kebab")


class TestDescribe:
    def test_every_job_described(self):
        """Hosts get each job's options with both names, kinds and defaults."""
        described = jobs.JOBS.describe()
        assert set(described) == {"describe", "series", "overlay", "preview", "render", "sample", "convert", "zarr", "seg",
                                  "export", "inspect", "json", "from_json", "modify", "deidentify", "image"}
        series = {o["name"]: o for o in described["series"]["options"]}
        assert series["series_number"] == {"name": "series_number", "jsName": "seriesNumber", "kinds": ["integer"],
                                           "default": 1, "doc": "(0020,0011) Series Number"}
        assert described["describe"]["partial"] and described["describe"]["feed"]

    def test_options_error(self):
        """Job.options raises one OptionsError for the problems."""
        with pytest.raises(OptionsError, match="frame must be a whole number >= 0"):
            jobs.JOBS.get("render").options({"frame": -1})


class TestHostileOptions:
    @pytest.mark.parametrize("job, options, message", [
        ("render", {"overlays": ["zz", 7]}, "overlays: 'zz', 7 not overlay groups"),
        ("render", {"center": 10**400, "width": 10}, "window center 1000"),
        ("render", {"center": float("nan"), "width": 10}, "window center must be a finite number"),
        ("series", {"memory_budget": float("nan")}, "memory budget nan is not a size"),
        ("series", {"memory_budget": "9" * 400}, "is not a size"),
        ("overlay", {"labels": [10**400]}, "is not a number"),
        ("series", "x", "series options must be a mapping"),
        ("series", ["modality"], "series options must be a mapping"),
    ])
    def test_refused_in_words(self, job, options, message):
        """Values no job can use are one OptionsError in words, never another exception."""
        assert message in _failed(jobs.start(job, [VOLUME], options))

    def test_none_is_not_given(self):
        """None for any option means its default (Python callers pass None for 'not set')."""
        events = list(jobs.start("series", [VOLUME], {"reference": None, "modality": None, "series_number": None}))
        assert [e["type"] for e in events if e["type"] in ("error", "failed")] == []

    def test_mask_that_is_not_bytes(self, ct_small):
        """A mask that is not bytes is an error for that file, not a TypeError."""
        import pydicom

        uid = str(pydicom.dcmread(ct_small).SOPInstanceUID)
        events = list(jobs.start("overlay", [NamedInput("ct.dcm", ct_small.read_bytes())], {"masks": {uid: 5}}))
        (error,) = [e for e in events if e["type"] == "error"]
        assert "the mask given for it is not bytes" in error["message"] and error["file"] == "ct.dcm"
