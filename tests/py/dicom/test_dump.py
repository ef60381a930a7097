"""dicomforge.dicom.dump against DCMTK: ``dump_text`` against ``dcmdump`` and ``ftest`` against
``dcmftest`` on every file of pydicom's test data folder (broken ones included), and
``element_tree`` on files and small built datasets.

The dump comparison parses both texts into (sequence path, VR, value) tuples and requires the
same multiset. Normalised, each for a stated reason:

* comment and blank lines are skipped (headers, DICOMDIR "#  offset=$n" lines, our
  "# Reading stopped" note); names, lengths and VMs are not compared, only tags, VRs, values
  (dcmtk's and pydicom's dictionaries name private and retired elements differently);
* "=Name" of a UID is compared as the UID: names are looked up among pydicom's UID keywords and
  dcmtk's transfer syntax names (case-insensitively, without dcmtk's "RETIRED_"/"SOPClass");
* FL/OF and FD/OD numbers are compared to 7 and 15 significant digits (dcmtk's own ftoa
  differs from C's printf in the 17th);
* trailing zero bytes of hex values are dropped (dcmtk pads odd-length values with one);
* the record type of a DICOMDIR "Directory Record" item is dropped (dcmtk says PRIVATE for
  types it does not know);
* dcmdump prints text in the file's character set: its output is decoded with the codec of
  the file's (0008,0005) (pydicom's mapping); ``dump_text`` returns decoded text already;
* a value on several lines (a CR or LF in it) is joined back, on both sides alike.

Files dcmdump cannot read must make ``dump_text`` raise InputError too, unless EXCEPTIONS says
why not (and which dcmdump flags read them after all).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import pytest
from pydicom.charset import convert_encodings, decode_bytes
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import UID_dictionary

from dicomforge.dicom import dump
from dicomforge.dicom.dump import dump_text, element_tree, ftest, read_dataset
from dicomforge.errors import InputError

DATA = Path(os.path.dirname(get_testdata_file("CT_small.dcm")))
FILES = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file())

#: file -> (dcmdump flags that read it, or None: none do; why dcmdump and we differ)
EXCEPTIONS = {
    "SC_rgb_jpeg.dcm": (["-vr"], "its data set is implicit VR under an explicit VR transfer syntax: pydicom "
                        "switches to implicit VR; dcmdump stops unless told -vr (then the dumps agree)"),
    "MR_truncated.dcm": (["+Ep"], "the file ends inside Pixel Data: we dump what is there and say where it "
                         "stops; dcmdump prints nothing unless told +Ep (then the dumps agree)"),
    "rtplan_truncated.dcm": (None, "the file ends inside a sequence item: dcmdump prints nothing even with +Ep; "
                             "we dump what pydicom read and say where it stops (checked against rtplan.dcm)"),
}


def tool(name: str) -> str:
    """Path of an external program: on PATH or beside this Python (a virtualenv's bin)."""
    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if not found:
        pytest.skip(f"{name} is not installed here")
    return found


@lru_cache(maxsize=None)
def dcmdump_all() -> tuple[dict, set]:
    """dcmdump's text of every file (one run for all: ``+F`` heads each with its name), and the
    files it could not read (their sections are empty; stderr names them)."""
    run = subprocess.run([tool("dcmdump"), "+F", *FILES], cwd=DATA, capture_output=True, timeout=60)
    parts = re.split(rb"^# dcmdump \(\d+/\d+\): (.*)$", run.stdout, flags=re.M)
    texts = {name.decode(): _decode(body) for name, body in zip(parts[1::2], parts[2::2])}
    failed = set(re.findall(r"reading file: (.*)$", run.stderr.decode("latin-1"), flags=re.M))
    return texts, failed


def dcmdump(rel: str, *flags: str) -> str:
    run = subprocess.run([tool("dcmdump"), *flags, rel], cwd=DATA, capture_output=True, timeout=30)
    assert run.returncode == 0, run.stderr
    return _decode(run.stdout)


def _decode(raw: bytes) -> str:
    """dcmdump's bytes, decoded with the codec of the file's (0008,0005) Specific Character Set."""
    if raw.isascii():
        return raw.decode("ascii")
    found = re.search(rb"^\(0008,0005\) CS \[([^\]\n]*)\]", raw, flags=re.M)
    encodings = convert_encodings(found.group(1).decode().split("\\") if found else None)
    return decode_bytes(raw, encodings, {0x0A, 0x5C})


_START = re.compile(r"^ *\([0-9a-f]{4},[0-9a-f]{4}\) ")
_LINE = re.compile(r"^(?P<indent> *)\((?P<tag>[0-9a-f]{4},[0-9a-f]{4})\) (?P<vr>\S\S) (?P<value>.*) # +(?:\d+|u/l), *\d+ [^\n]*$",
                   re.S)


def _uid_key(name: str) -> str:
    """A UID's name as dcmtk and pydicom both spell it: "RETIRED_DetachedStudyManagementSOPClass",
    "DetachedStudyManagement"; "UltrasoundMultiframeImageStorage", "UltrasoundMultiFrameImageStorage"."""
    return name.lower().removeprefix("retired_").removesuffix("sopclass")


@lru_cache(maxsize=None)
def _uid_names() -> dict:
    names = {_uid_key(entry[4]): uid for uid, entry in UID_dictionary.items() if entry[4]}
    return names | {_uid_key(name): uid for uid, (name, _) in dump.TRANSFER_SYNTAX_NAMES.items()}


def _normalise(tag: str, vr: str, value: str) -> str:
    """One value, as both sides can agree on it (the rules of the module docstring)."""
    if vr == "UI" and value.startswith("="):
        return _uid_names().get(_uid_key(value[1:]), value)
    if vr in ("FL", "OF", "FD", "OD") and not value.startswith("("):
        digits = 7 if vr in ("FL", "OF") else 15
        cut = value.endswith("...")
        numbers = [f"{float(v):.{digits}g}" for v in value.removesuffix("...").split("\\") if v]
        return "\\".join(numbers) + "..." * cut
    if vr in ("OB", "UN", "??", "pi") and not value.endswith("..."):
        return re.sub(r"(\\00)+$", "", value)
    if tag == "fffe,e000" and value.startswith('"Directory Record"'):
        return re.sub(r'^"Directory Record" .* #=', '"Directory Record" #=', value)
    return value


def elements(text: str) -> Counter:
    """(path, VR, value) of every element, item and delimiter line of a dcmdump-style text."""
    out, stack, items, pending = Counter(), [], Counter(), None
    for line in text.split("\n"):
        if pending is None and not _START.match(line):
            continue  # comments and blank lines
        pending = line if pending is None else pending + "\n" + line
        found = _LINE.match(pending)
        if not found:
            continue  # a value with a line break in it: read on
        pending = None
        level, tag = len(found["indent"]) // 2, found["tag"]
        parent = "/".join(stack[:level])
        label = tag
        if tag == "fffe,e000":
            label = f"item{items[parent]}"
            items[parent] += 1
        stack[level:] = [label]
        out[("/".join(stack), found["vr"], _normalise(tag, found["vr"], found["value"].rstrip(" ")))] += 1
    assert pending is None, f"unparsed line: {pending[:200]!r}"
    return out


def _difference(ours: Counter, theirs: Counter) -> str:
    only_ours, only_theirs = sorted((ours - theirs).elements()), sorted((theirs - ours).elements())
    return f"only in dump_text: {only_ours[:8]}\nonly in dcmdump: {only_theirs[:8]}"


class TestDumpText:
    @pytest.mark.parametrize("rel", FILES)
    def test_against_dcmdump(self, rel):
        """dump_text shows the elements, VRs and values dcmdump shows, or both refuse the file."""
        texts, failed = dcmdump_all()
        data = (DATA / rel).read_bytes()
        flags, _ = EXCEPTIONS.get(rel, ([], ""))
        if rel in failed and flags == []:
            with pytest.raises(InputError) as error:
                dump_text(data, rel)
            assert error.value.file == rel and error.value.message
            return
        ours = dump_text(data, rel)
        if flags is None:  # dcmdump reads nothing: compared with the whole file in test_truncated_in_item
            assert "\n# Reading stopped: the file ends inside " in ours
            return
        theirs = dcmdump(rel, *flags) if flags else texts[rel]
        assert rel not in failed or flags
        ours_set, theirs_set = elements(ours), elements(theirs)
        assert ours_set == theirs_set, _difference(ours_set, theirs_set)

    def test_truncated_in_item(self):
        """rtplan_truncated.dcm: what pydicom read is rtplan.dcm's start; the dump says where it stops."""
        ours = dump_text((DATA / "rtplan_truncated.dcm").read_bytes(), "rtplan_truncated.dcm")
        assert "# Reading stopped: the file ends inside (300A,012C) BeamSequence[0].ControlPointSequence[0]." \
               "IsocenterPosition: 50 bytes declared, 29 present (truncated?)" in ours
        whole = elements(dcmdump("rtplan.dcm"))
        leaves = {e for e in elements(ours) if e[1] not in ("SQ", "na") and "300a,012c" not in e[0]}
        assert len(leaves) > 80 and leaves <= set(whole)

    def test_counts(self):
        """Most of the folder is compared element by element (numbers for the report)."""
        texts, failed = dcmdump_all()
        start = time.perf_counter()
        compared = [rel for rel in FILES if rel not in failed or (EXCEPTIONS.get(rel, ([],))[0])]
        count = sum(sum(elements(dump_text((DATA / rel).read_bytes(), rel)).values()) for rel in compared)
        print(f"\n{len(FILES)} files, {len(compared)} dumps compared, {count} elements, "
              f"dump_text of all: {time.perf_counter() - start:.2f} s")
        assert len(compared) >= 160 and count > 10000

    @pytest.mark.parametrize("data", [b"", b"hello", b"\0" * 131, b"\0" * 128 + b"DICX" + b"\0" * 64,
                                      b"\x89PNG\r\n\x1a\n" + b"\0" * 200])
    def test_not_dicom(self, data):
        """Bytes that are not DICOM raise InputError naming the file and what is wrong."""
        with pytest.raises(InputError, match="not a DICOM file") as error:
            dump_text(data, "upload.bin")
        assert error.value.file == "upload.bin"

    @pytest.mark.parametrize("rel", ["CT_small.dcm", "rtplan.dcm", "JPEG2000.dcm", "image_dfl.dcm"])
    def test_any_truncation(self, rel):
        """Cut anywhere, a file is dumped as far as it goes, or refused with InputError."""
        data = (DATA / rel).read_bytes()
        for end in range(0, len(data), max(1, len(data) // 97)):
            try:
                text = dump_text(data[:end], rel)
            except InputError as error:
                assert error.file == rel
            else:
                assert "# Dicom-Data-Set" in text

    def test_says_where_it_stops(self):
        """A cut in Pixel Data fragments, the file meta or an element's header is said in a last line."""
        jpeg = (DATA / "JPEG2000.dcm").read_bytes()
        assert dump_text(jpeg[:-100], "j.dcm").endswith(
            "\n# Reading stopped: the 2872 bytes after the last element read are not whole elements (truncated or damaged?)\n")
        assert dump_text(jpeg[:250], "j.dcm").endswith(
            "\n# Reading stopped: the file ends inside the file meta information, after 250 of 336 bytes (truncated?)\n")
        plan = (DATA / "rtplan.dcm").read_bytes()
        assert dump_text(plan + b"\x0a\x30\x00", "p.dcm").endswith(
            "\n# Reading stopped: the 3 bytes after the last element read are not whole elements (truncated or damaged?)\n")
        for rel in FILES:  # and nothing is said of the files that are whole
            if rel not in EXCEPTIONS and rel not in dcmdump_all()[1]:
                assert "# Reading stopped" not in dump_text((DATA / rel).read_bytes(), rel), rel

    def test_input_not_modified(self):
        """A memoryview input is read, not changed."""
        data = bytearray((DATA / "CT_small.dcm").read_bytes())
        before = bytes(data)
        assert dump_text(memoryview(data), "CT_small.dcm") == dump_text(before, "CT_small.dcm")
        assert bytes(data) == before


class TestFtest:
    def test_against_dcmftest(self, tmp_path):
        """ftest's part10 is dcmftest's yes/no for every test file and for non-DICOM bytes."""
        odd = {"empty": b"", "short": b"DICM", "preamble_only": b"\0" * 128, "at_127": b"\0" * 127 + b"DICM",
               "exact": b"\0" * 128 + b"DICM", "dicx": b"\0" * 128 + b"DICX" + b"\0" * 8, "text": b"hello\n" * 50}
        for name, data in odd.items():
            (tmp_path / name).write_bytes(data)
        paths = [str(DATA / rel) for rel in FILES] + [str(tmp_path / name) for name in odd]
        run = subprocess.run([tool("dcmftest"), *paths], capture_output=True, text=True, timeout=60)
        said = dict(line.split(": ", 1)[::-1] for line in run.stdout.splitlines())
        ours = {path: ftest(Path(path).read_bytes()) for path in paths}
        assert {p: said[p] for p in paths} == {p: "yes" if ours[p]["part10"] else "no" for p in paths}
        assert run.returncode == sum(not t["part10"] for t in ours.values())  # dcmftest: the count of "no"
        single = subprocess.run([tool("dcmftest"), str(tmp_path / "exact")], capture_output=True)
        assert single.returncode == 0 and ftest(odd["exact"])["part10"]

    def test_bare_data_sets(self):
        """A data set without preamble is DICOM but not Part 10; text is neither."""
        for rel in ("rtstruct.dcm", "ExplVR_BigEndNoMeta.dcm", "ExplVR_LitEndNoMeta.dcm"):
            found = ftest((DATA / rel).read_bytes())
            assert (found["part10"], found["dicom"]) == (False, True), rel
        found = ftest((DATA / "README.txt").read_bytes())
        assert (found["part10"], found["dicom"]) == (False, False) and "DICM" in found["reason"]


def _find(nodes: list, path: str) -> dict:
    for node in nodes:
        if node["path"] == path:
            return node
        for item in node.get("items", ()):
            found = _find(item, path)
            if found:
                return found
    return {}


def _tree(rel: str, **kwargs) -> list:
    return element_tree(read_dataset((DATA / rel).read_bytes(), rel), **kwargs)


class TestElementTree:
    def test_meta_first_and_order(self):
        """Group 0002 comes first, then the data set in file order."""
        tags = [node["tag"] for node in _tree("CT_small.dcm")]
        assert tags[0] == "(0002,0000)" and tags.index("(0008,0005)") > tags.index("(0002,0010)")
        assert tags == sorted(tags, key=lambda t: (t[1:5] != "0002", t))

    def test_nested_sequences(self):
        """Items hold their own nodes, with paths of keywords and item numbers."""
        tree = _tree("rtplan.dcm")
        jaws = _find(tree, "BeamSequence[0].ControlPointSequence[0].BeamLimitingDevicePositionSequence[1].LeafJawPositions")
        assert jaws["value"] == "-100.00000000000\\100.000000000000" and jaws["vr"] == "DS" and jaws["length"] == 34
        beams = _find(tree, "BeamSequence")
        assert beams["vr"] == "SQ" and beams["length"] == 976 and len(beams["items"]) == 1
        assert _find(tree, "DoseReferenceSequence")["length"] == 324

    def test_undefined_length(self):
        """Undefined lengths are None: sequences, items' content, encapsulated Pixel Data."""
        seq = _find(_tree("UN_sequence.dcm"), "(4453,100C)")
        assert seq["length"] is None and seq["vr"] == "SQ"
        assert _find(seq["items"][0], "(4453,100C)[0].ReferencedSeriesSequence")["length"] is None
        pixels = _find(_tree("JPEG2000.dcm"), "PixelData")
        assert pixels["length"] is None and pixels["value"].startswith("encapsulated: 1 fragments")
        assert pixels["hex"].startswith("fe ff 00 e0")

    def test_private_creator(self):
        """Private elements carry their block's creator and a tag for a path."""
        tree = _tree("CT_small.dcm")
        node = _find(tree, "(0009,1001)")
        assert node["private_creator"] == "GEMS_IDEN_01" and node["value"] == "GE_GENESIS_FF"
        assert "private_creator" not in _find(tree, "PatientName")

    def test_hex_truncated(self):
        """Binary values give their first max_hex_bytes bytes as hex and say the full length."""
        node = _find(_tree("CT_small.dcm", max_hex_bytes=4), "PixelData")
        assert node["length"] == 32768 and node["hex"] == node["hex"][:11] + " … (32768 bytes)"
        assert re.fullmatch(r"([0-9a-f]{2} ){3}[0-9a-f]{2}", node["hex"][:11])
        assert _find(_tree("CT_small.dcm"), "FileMetaInformationVersion")["hex"] == "00 01"

    def test_truncated_file(self):
        """The element the file ends in says so."""
        node = _find(_tree("MR_truncated.dcm"), "PixelData")
        assert node["problem"] == "the file ends inside this element: 8192 bytes declared, 8130 present (truncated?)"

    def test_built_dataset(self):
        """A dataset built in code: values as text, long ones cut, markup kept as plain text."""
        ds = Dataset()
        ds.PatientName = "<script>alert('x')</script>"
        ds.ImageComments = "a" * 300
        ds.Rows = 512
        ds.PixelSpacing = [0.5, 0.25]
        ds.RealWorldValueLUTData = [0.125] * 200
        ds.add_new(0x00090010, "LO", "ACME 1.0")
        ds.add_new(0x00091001, "LO", "<b>bold</b>")
        item = Dataset()
        item.SeriesInstanceUID = "1.2.3"
        ds.ReferencedSeriesSequence = Sequence([item])
        tree = element_tree(ds, max_value_chars=100)
        assert _find(tree, "PatientName")["value"] == "<script>alert('x')</script>"
        assert _find(tree, "ImageComments")["value"] == "a" * 100 + "… (300 characters)"
        assert _find(tree, "Rows") == {"path": "Rows", "tag": "(0028,0010)", "keyword": "Rows", "name": "Rows",
                                       "vr": "US", "length": 2, "value": "512"}
        assert _find(tree, "PixelSpacing")["value"] == "0.5\\0.25"
        lut = _find(tree, "RealWorldValueLUTData")
        assert lut["value"] == ("0.125\\" * 20)[:100] + "… (200 values)" and lut["length"] == 1600
        private = _find(tree, "(0009,1001)")
        assert private["value"] == "<b>bold</b>" and private["private_creator"] == "ACME 1.0"
        uid = _find(tree, "ReferencedSeriesSequence[0].SeriesInstanceUID")
        assert uid["value"] == "1.2.3" and uid["length"] == 6

    def test_markup_in_dump(self):
        """dump_text keeps markup in a value as the same plain text."""
        ds = Dataset()
        ds.PatientName = "<script>alert(1)</script>"
        ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.7", "1.2.3.4"
        ds.ensure_file_meta()
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
        buffer = BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        assert "(0010,0010) PN [<script>alert(1)</script>]" in dump_text(buffer.getvalue(), "x.dcm")
