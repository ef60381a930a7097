"""Hostile inputs: every reader and job either succeeds or fails with a DicomForgeError
that names the file, within a time bound, and never modifies its input.

The corpus (``fuzz_corpus.py``) mutates valid files of every format and pydicom's own test
files with a fixed seed. ``DICOMFORGE_FUZZ_CASES`` sets how many cases run (2,000 by
default natively, 400 inside Pyodide where each case is slower; ``make fuzz`` runs 20,000).
Hypothesis adds generated headers natively (it is not installed inside Pyodide).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import signal
import struct
import sys
import time
import traceback
import tracemalloc

import pytest

import fuzz_corpus
from dicomforge import jobs
from dicomforge.errors import DicomForgeError
from dicomforge.formats import detect_format, read_volume
from dicomforge.inputs import NamedInput

IN_PYODIDE = sys.platform == "emscripten"
CASES = int(os.environ.get("DICOMFORGE_FUZZ_CASES", 400 if IN_PYODIDE else 2000))
CASE_SECONDS = 20  # a case that takes longer is a hang
SERIES_OF_OURS = {k: v for k, v in fuzz_corpus._dicom_files().items() if k.startswith("ours_")}


class CaseTimeout(Exception):
    """Raised in a case that runs past CASE_SECONDS (natively; Pyodide has no timer signal)."""


def _on_alarm(signum, frame):
    raise CaseTimeout(f"took longer than {CASE_SECONDS} s")


def _masks_for(files: dict) -> dict:
    """Per-file masks keyed by SOP Instance UID for the DICOM files pydicom can still read."""
    import pydicom

    masks = {}
    for data in files.values():
        try:
            ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
            frames = int(ds.get("NumberOfFrames", 1) or 1)
            masks[str(ds.SOPInstanceUID)] = b"\1" * (int(ds.Rows) * int(ds.Columns) * frames)
        except Exception:  # a broken file: the job must report it, the mask does not matter
            continue
    return masks or {"1.2.3": b"\1"}


#: Python's own words, which must never reach a user (the errors say what is wrong with the file).
PYTHON_INTERNALS = re.compile(r"index-sized integer|format requires|object has no attribute|NoneType|"
                              r"not subscriptable|unsupported operand|codec can't decode|Traceback|"
                              r"\b(?:struct\.error|KeyError|IndexError|TypeError|ValueError)\b|"
                              # a WebAssembly codec's trap or thrown pointer, untranslated
                              r"object Number|unreachable|memory access out of bounds|JsException")


def _check_events(events, names: set, problems: list, where: str) -> None:
    for event in events:
        if event["type"] in ("error", "failed", "warning"):
            if not event.get("message"):
                problems.append(f"{where}: {event['type']} event without a message")
            elif PYTHON_INTERNALS.search(event["message"]):
                problems.append(f"{where}: Python's words reach the user: {event['message']}")
        if event["type"] == "error":
            named = str(event.get("file") or "")
            if not any(named == n or named.endswith(n) or n.endswith(named) for n in names if named):
                problems.append(f"{where}: error names {named!r}, not an input ({event['message']})")


def run_case(case: fuzz_corpus.Case) -> list[str]:
    """Everything a user could do with the case's files; returns the problems found."""
    problems = []
    buffers = {name: bytearray(data) for name, data in case.files.items()}
    inputs = [NamedInput(name, memoryview(buf)) for name, buf in buffers.items()]
    names = set(case.files)
    is_dicom = any(name.endswith(".dcm") for name in names)

    for item in inputs:
        try:
            kind = detect_format(item)
            if kind not in (None, "dicom"):
                read_volume(item, {i.name: i for i in inputs if i is not item})
        except DicomForgeError as error:
            if not error.file:
                problems.append(f"read_volume({item.name}): DicomForgeError without a file: {error}")

    _check_events(jobs.start("describe", inputs, {}), names, problems, "describe")
    _check_events(jobs.start("series", inputs, {"modality": "MR"}), names, problems, "series")
    if is_dicom:
        _check_events(jobs.start("preview", inputs, {}), names, problems, "preview")
        _check_events(jobs.start("render", inputs, {"preset": "lung"}), names, problems, "render")
        _check_events(jobs.start("convert", inputs, {"to": "rle"}), names, problems, "convert")
        masks = _masks_for(case.files)
        _check_events(jobs.start("overlay", inputs, {"masks": masks}), names, problems, "overlay")
    else:  # the case as a label map for a valid series of ours
        series = [NamedInput(n, d) for n, d in SERIES_OF_OURS.items()]
        _check_events(jobs.start("overlay", series + inputs, {}), names | set(SERIES_OF_OURS), problems, "overlay")

    for name, buf in buffers.items():
        if bytes(buf) != case.files[name]:
            problems.append(f"input {name} was modified")
    return problems


def _our_frame(exc: BaseException) -> str:
    """The innermost frame of dicomforge's code in *exc*'s traceback, as file:line function."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "dicomforge" in f.filename]
    last = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{os.path.basename(last.filename)}:{last.lineno} {last.name}"


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_fuzz_corpus():
    """Every case: success or a DicomForgeError naming the file; no other exception, no hang."""
    failures, slowest = [], (0.0, "")
    use_alarm = hasattr(signal, "setitimer") and not IN_PYODIDE
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        for case in fuzz_corpus.cases(CASES):
            start = time.perf_counter()
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
            try:
                problems = run_case(case)
            except CaseTimeout as exc:
                problems = [f"hang: {exc}"]
            except Exception as exc:  # the defect this test exists to find
                problems = [f"{type(exc).__name__}: {exc} (at {_our_frame(exc)})"]
            finally:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - start
            slowest = max(slowest, (elapsed, case.name))
            failures.extend(f"{case.name}: {p}" for p in problems)
    finally:
        if use_alarm:
            signal.signal(signal.SIGALRM, previous)
    print(f"\nfuzz: {CASES} cases, {len(failures)} problems, slowest {slowest[0] * 1000:.0f} ms ({slowest[1]})")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:40])


def test_corpus_is_valid_before_mutation():
    """Every seed reads without error: the mutations, not the seeds, make the cases hostile."""
    for seed in fuzz_corpus.seeds():
        if seed.name.startswith("dicom"):
            continue
        files = {n: NamedInput(n, d) for n, d in seed.files.items()}
        main = files.pop(seed.main)
        volume = read_volume(main, files)
        assert volume.size[0] > 0, seed.name


def test_corpus_is_the_same_every_time():
    """The corpus is built afresh byte for byte: a failure in CI is the same case here."""
    def digest():
        fuzz_corpus._dicom_files.cache_clear()
        fuzz_corpus.seeds.cache_clear()
        h = hashlib.sha256()
        for case in fuzz_corpus.cases(300):
            h.update(case.name.encode())
            for name in sorted(case.files):
                h.update(name.encode() + case.files[name])
        return h.hexdigest()

    assert digest() == digest()


class TestBombs:
    @pytest.mark.parametrize("name", ["bomb_nrrd_inflates_64MiB", "bomb_nii_gz_inflates"])
    def test_inflating_bomb_stays_small(self, name):
        """A file that inflates to 64 MiB but declares 240 bytes is read with a few MiB at most."""
        case = {c.name: c for c in fuzz_corpus.bomb_cases()}[name]
        [(file, data)] = case.files.items()
        tracemalloc.start()
        try:
            volume = read_volume(NamedInput(file, data))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert volume.size == (6, 5, 4)
        assert peak < 8 << 20, f"peak {peak} bytes"

    @pytest.mark.parametrize("name", ["bomb_nrrd_declares_huge", "bomb_mha_declares_huge", "bomb_nii_declares_huge",
                                      "bomb_vtk_declares_huge"])
    def test_declared_huge_refused_with_numbers(self, name):
        """A header declaring terabytes is refused before allocating, with the size and the limit."""
        case = {c.name: c for c in fuzz_corpus.bomb_cases()}[name]
        [(file, data)] = case.files.items()
        with pytest.raises(DicomForgeError, match=r"header says \S+ int16 = \d+ bytes, more than the \d+ byte limit"):
            read_volume(NamedInput(file, data))

    def test_deflated_dicom_bomb(self):
        """A Deflated Explicit VR file that inflates past the memory budget is an error for that file."""
        from dicomforge.dicom.scan import scan

        data = fuzz_corpus._dicom_files()["image_dfl.dcm"]
        with pytest.raises(DicomForgeError, match="inflates to more than 1000 bytes"):
            scan(NamedInput("image_dfl.dcm", data), budget=1000)
        assert scan(NamedInput("image_dfl.dcm", data)).deflated


@pytest.mark.skipif(IN_PYODIDE, reason="hypothesis is not installed inside Pyodide")
class TestGeneratedHeaders:
    def test_nifti_fields(self):
        """NIfTI-1 headers with generated dims, datatype, bitpix, pixdim, offset and slope."""
        pytest.importorskip("hypothesis")
        from hypothesis import given, settings, strategies as st

        shorts = st.integers(-40000, 40000).map(lambda v: max(-32768, min(32767, v)))
        floats = st.floats(allow_nan=True, allow_infinity=True, width=32)

        @settings(max_examples=300, deadline=None, derandomize=True, database=None)
        @given(dims=st.lists(shorts, min_size=8, max_size=8), datatype=shorts, bitpix=shorts,
               pixdim=st.lists(floats, min_size=8, max_size=8), vox_offset=floats, slope=floats,
               tail=st.binary(max_size=512))
        def check(dims, datatype, bitpix, pixdim, vox_offset, slope, tail):
            header = bytearray(fuzz_corpus.nifti_header((2, 2, 2), (1, 1, 1)))
            struct.pack_into("<8h", header, 40, *dims)
            struct.pack_into("<hh", header, 70, datatype, bitpix)
            struct.pack_into("<8f", header, 76, *pixdim)
            struct.pack_into("<ff", header, 108, vox_offset, slope)
            _expect_clean("gen.nii", bytes(header) + tail)

        check()

    def test_text_headers(self):
        """NRRD and MetaImage headers with generated field values."""
        pytest.importorskip("hypothesis")
        from hypothesis import given, settings, strategies as st

        value = st.one_of(st.sampled_from(fuzz_corpus.LIES), st.text(max_size=20),
                          st.lists(st.integers(-5, 70000), min_size=1, max_size=4).map(lambda v: " ".join(map(str, v))))

        @settings(max_examples=300, deadline=None, derandomize=True, database=None)
        @given(sizes=value, kind=st.sampled_from(["short", "float", "uchar", "double", "bogus", ""]),
               encoding=st.sampled_from(["raw", "gzip", "bzip2", "ascii", "hex", "nope"]), space=value,
               body=st.binary(max_size=600))
        def check(sizes, kind, encoding, space, body):
            nrrd = (f"NRRD0004\ntype: {kind}\ndimension: 3\nsizes: {sizes}\nspace directions: {space}\n"
                    f"encoding: {encoding}\n\n").encode("utf-8", "replace") + body
            _expect_clean("gen.nrrd", nrrd)
            mha = (f"ObjectType = Image\nNDims = 3\nDimSize = {sizes}\nElementType = MET_{kind.upper()}\n"
                   f"ElementSpacing = {space}\nElementDataFile = LOCAL\n").encode("utf-8", "replace") + body
            _expect_clean("gen.mha", mha)

        check()


def _expect_clean(name: str, data: bytes) -> None:
    item = NamedInput(name, memoryview(bytearray(data)))
    try:
        read_volume(item)
    except DicomForgeError as error:
        assert error.file == name, f"error without the file name: {error}"
    for event in jobs.start("describe", [item], {}):
        if event["type"] == "error":
            assert event["file"] == name and event["message"]
