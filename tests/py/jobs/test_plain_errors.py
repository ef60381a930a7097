"""Errors in plain words: lengths of 4 GB (which overflow Pyodide's 32-bit indices), damaged
values and impossible options are named with the file and the problem, never in Python's words."""

from __future__ import annotations

import struct
import sys
import zlib

import pytest

from dicom_cases import EXPLICIT_LE, pydicom_file
from dicomforge import jobs
from dicomforge.errors import plain_reason
from dicomforge.inputs import NamedInput
from test_fuzz import PYTHON_INTERNALS

IN_PYODIDE = sys.platform == "emscripten"


def _four_gigabyte_lengths():
    base = pydicom_file(EXPLICIT_LE).data
    pixels = base.find(b"\xe0\x7f\x10\x00OW")
    yield "pixels.dcm", base[:pixels + 8] + struct.pack("<I", 0xFFFFFFF0) + base[pixels + 12:], "(7FE0,0010) needs 4294967280 bytes"
    at = base.find(b"\x08\x00\x16\x00")
    private = b"\x09\x00\x10\x00UN\x00\x00" + struct.pack("<I", 0xFFFFFFF0) + b"x" * 16
    yield "private.dcm", base[:at] + private + base[at:], "(0009,0010) needs 4294967280 bytes"


@pytest.mark.parametrize("job", ["describe", "series", "preview", "render"])
def test_four_gigabyte_lengths_are_named(job):
    """In Pyodide (32-bit indices) pydicom fails on these with "cannot fit 'int' into an
    index-sized integer": the error names the element instead. Natively pydicom reads the
    Pixel Data to the end of the file, which holds all of it: no error, or the same words."""
    for name, data, element in _four_gigabyte_lengths():
        events = list(jobs.start(job, [NamedInput(name, data)], {}))
        errors = [e["message"] for e in events if e["type"] == "error"]
        assert not any(PYTHON_INTERNALS.search(e) for e in errors), errors
        if IN_PYODIDE and not (job == "describe" and name == "pixels.dcm"):  # (the header alone is fine)
            assert len(errors) == 1 and element in errors[0] and "truncated" in errors[0], errors
        else:
            assert all(element in e and "truncated" in e for e in errors), errors


@pytest.mark.parametrize("exc, words", [
    (OverflowError("cannot fit 'int' into an index-sized integer"), "far larger than the file"),
    (struct.error("'H' format requires 0 <= number <= 65535"), "ends in the middle of a value"),
    (zlib.error("Error -3 while decompressing data: invalid stored block lengths"), "compressed data is damaged"),
    (ValueError("could not convert string to float: '4000&0000'"), "a number is malformed: '4000&0000'"),
    (TypeError("'NoneType' object is not subscriptable"), "its structure is damaged"),
    (ValueError("Expected explicit VR, but found implicit VR"), "Expected explicit VR, but found implicit VR"),
])
def test_plain_reason(exc, words):
    assert plain_reason(exc) == words or words in plain_reason(exc)
    assert not PYTHON_INTERNALS.search(plain_reason(exc))


def test_file_pattern_longer_than_a_file_name_is_an_option_error():
    """%99999999d would give a name of 100 MB (the zip format holds 65535 bytes): said before any work."""
    volume = pydicom_file(EXPLICIT_LE)
    for pattern, words in (("%99999999d", "file_pattern '%99999999d' gives names of 99999999 characters (at most 255)"),
                           ("x" * 240 + "%012d.dcm", "gives names longer than 255 characters")):
        [failed] = list(jobs.start("series", [volume], {"file_pattern": pattern}))
        assert (failed["type"], failed["kind"]) == ("failed", "OptionsError") and words in failed["message"]
