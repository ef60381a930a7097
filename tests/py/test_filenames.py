"""Output names every platform and zip extractor takes as they are."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from dicom_cases import make_volume, nrrd_bytes
from dicomforge import jobs
from dicomforge.filenames import NAME_BYTES, safe_name
from dicomforge.inputs import NamedInput
from dicomforge.jobs.output import zip_events

WINDOWS_BAD = re.compile(r'[<>:"|?*\\\x00-\x1f]|(^|/)(CON|PRN|AUX|NUL|COM\d|LPT\d)(\.|/|$)|[. ](/|$)|(^|/)\.\.?(/|$)', re.I)


@pytest.mark.parametrize("name, safe", [
    ("a\\..\\..\\win_1.dcm", "a_.._.._win_1.dcm"),
    ("../../etc/passwd", "_/_/etc/passwd"),
    ("/abs/x.dcm", "abs/x.dcm"),
    ("CON.dcm", "_CON.dcm"), ("lpt9", "_lpt9"), ("console.dcm", "console.dcm"),
    ('a<b>c:"d|e?f*.dcm', "a_b_c__d_e_f_.dcm"),
    ("name. ", "name"), ("tab\there.dcm", "tab_here.dcm"),
    ("folder/slice_0001.dcm", "folder/slice_0001.dcm"), ("", "_"),
])
def test_safe_name(name, safe):
    assert safe_name(name) == safe and safe_name(safe) == safe and not WINDOWS_BAD.search(safe)


def test_long_names_keep_their_extension_within_255_bytes():
    long = safe_name("é" * 300 + ".dcm")
    assert long.endswith(".dcm") and len(long.encode()) <= NAME_BYTES and long.encode().decode() == long


def test_a_series_with_a_hostile_pattern_zips_to_safe_names():
    """The pattern of the issue, zipped: every entry a plain relative name, none twice."""
    volume = make_volume(nz=3)
    nrrd = NamedInput("v.nrrd", nrrd_bytes(volume))
    events = list(zip_events(jobs.start("series", [nrrd], {"file_pattern": "a\\..\\..\\win_%d?.dcm"})))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(bytes(c) for e in events if e["type"] == "zip" for c in e["chunks"])))
    names = archive.namelist()
    assert names == ["a_.._.._win_1_.dcm", "a_.._.._win_2_.dcm", "a_.._.._win_3_.dcm"]
    assert not any(WINDOWS_BAD.search(n) for n in names)


def test_colliding_after_sanitising_stay_apart():
    from dicomforge.jobs.output import unique_names

    assert unique_names(["a?.dcm", "a*.dcm", "A_.dcm"]) == ["a_.dcm", "a__2.dcm", "A__3.dcm"]
