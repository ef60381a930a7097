"""dicomforge.dicom.modify and dicomforge.dicom.uid_map: edits as dcmodify makes them, checked by dcmtk's
dcmdump (which nobody here wrote): the dump of a modified file differs from the input's only in the
elements edited; UIDs regenerated over a series stay consistent; paths and values are checked."""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

from dicomforge.dicom.modify import EVERY, Edit, check_value, modify_file, parse_path
from dicomforge.dicom.uid_map import CLASS_TAGS, UidMap, remap_dataset
from dicomforge.errors import InputError, OptionsError

EXPLICIT_LE = "CT_small.dcm"  # explicit VR little endian, GE private groups, a sequence, ISO_IR 100
EXPLICIT_LE_MR = "MR_small.dcm"  # no (0008,0005): ASCII only
JPEG = "SC_rgb_jpeg_dcmtk.dcm"  # JPEG Baseline, ISO_IR 192, nested sequences
IMPLICIT_LE = "MR_small_implicit.dcm"
BIG_ENDIAN = "MR_small_bigendian.dcm"
RT_PLAN = "rtplan.dcm"  # implicit VR, sequences three deep
DEFLATED = "image_dfl.dcm"
ROOT = "1.2.826.0.1.3680043.8.498."
ITEM_TAGS = {"fffe,e000", "fffe,e00d", "fffe,e0dd"}  # item and delimiter lines carry lengths


def tool(name: str) -> str:
    """Path of an external program: on PATH or beside this Python (a virtualenv's bin)."""
    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if not found:
        pytest.skip(f"{name} is not installed here")
    return found


def read(name: str) -> bytes:
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"pydicom test file {name} is not available offline")
    with open(path, "rb") as fh:
        return fh.read()


def dump(data: bytes, tmp_path, label: str) -> list[str]:
    """dcmdump's lines for *data*, long values in full (+L)."""
    path = tmp_path / f"{label}.dcm"
    path.write_bytes(data)
    run = subprocess.run([tool("dcmdump"), "+L", str(path)], capture_output=True, text=True, errors="replace", check=True)
    assert "E:" not in run.stderr, run.stderr
    return run.stdout.splitlines()


def changed_tags(before: list[str], after: list[str]) -> tuple[set[str], list[str]]:
    """The tags (``gggg,eeee``) of the dump lines that differ, and those lines."""
    lines = [line for line in difflib.ndiff(before, after) if line[:2] in ("- ", "+ ")]
    tags_ = {m.group(1).lower() for line in lines if (m := re.match(r"[-+] \s*\(([0-9a-fA-F]{4},[0-9a-fA-F]{4})\)", line))}
    assert all(re.match(r"[-+] \s*\(", line) for line in lines), lines  # (no other line changed)
    return tags_, lines


def hex_tag(tag: int) -> str:
    return f"{tag >> 16:04x},{tag & 0xFFFF:04x}"


def path_tags(data: bytes, edits) -> set[str]:
    """The tags an edit may change: those on its path (a sequence's length follows its items), item
    and delimiter lines where a path goes through items, and everything inside an item deleted."""
    tags_ = {hex_tag(step.tag) for edit in edits for step in edit.path.steps}
    if any(len(edit.path.steps) > 1 or edit.path.steps[-1].item is not None for edit in edits):
        tags_ |= ITEM_TAGS
    for edit in edits:
        if edit.op == "delete" and edit.path.steps[-1].item not in (None, EVERY):
            node = dcmread(io.BytesIO(data))
            for step in edit.path.steps:
                node = node[step.tag].value[step.item]
            tags_ |= {hex_tag(elem.tag) for elem in node.iterall()}
    return tags_


# (file, edits, lines the new dump must hold)
CASES = {
    "explicit": (EXPLICIT_LE, [
        Edit("set", "PatientName", "C^D"), Edit("insert", "(0010,1010)", "030Y"),  # insert of an existing one: a change
        Edit("insert", "InstitutionAddress", "1 Main St"), Edit("delete", "(0009,1002)"),
        Edit("set", "(0009,1004)", "HiSpeed"),  # private, VR from the file
        Edit("insert", "ReferencedSeriesSequence[0].SeriesInstanceUID", "1.2.3.4"),  # a new sequence and item
        Edit("delete", "OtherPatientIDsSequence[*].TypeOfPatientID"),
        Edit("set", "ImagePositionPatient", "1\\2\\3.5"), Edit("insert", "ReferencedStudySequence[0]"),  # an empty item
    ], ["(0008,1110) SQ (Sequence with explicit length #=1)", "  (fffe,e000) na (Item with explicit length #=0)",
        "(0010,0010) PN [C^D]", "(0010,1010) AS [030Y]", "(0008,0081) ST [1 Main St]", "(0009,1004) SH [HiSpeed]",
        "    (0020,000e) UI [1.2.3.4]", "(0020,0032) DS [1\\2\\3.5]"]),
    "explicit-mr": (EXPLICIT_LE_MR, [
        Edit("set", "StudyDate", "20240131"), Edit("insert", "ImageComments", "edited"), Edit("delete", "PatientSize"),
        Edit("set", "0020,0011", "7"),
    ], ["(0008,0020) DA [20240131]", "(0020,4000) LT [edited]", "(0020,0011) IS [7]"]),
    "jpeg": (JPEG, [
        Edit("set", "ReferringPhysicianName", "Holmes^Sherlock"), Edit("insert", "PatientName", "Müller^Jürgen"),
        Edit("set", "SourceImageSequence[0].PurposeOfReferenceCodeSequence[0].CodeMeaning", "Original"),
    ], ["(0008,0090) PN [Holmes^Sherlock]", "(0010,0010) PN [Müller^Jürgen]", "        (0008,0104) LO [Original]"]),
    "implicit": (IMPLICIT_LE, [
        Edit("set", "PatientID", "ID-2"), Edit("insert", "(0028,0106)", "-12"),  # US or SS: SS (Pixel Representation 1)
        Edit("delete", "00100030"), Edit("insert", "(0011,0010)", "ACME", vr="LO"),
        Edit("insert", "(0011,1001)", "1\\65535", vr="US"),
    ], ["(0010,0020) LO [ID-2]", "(0028,0106) SS -12", "(0011,0010) LO [ACME]",
        "(0011,1001) ?? 01\\00\\ff\\ff"]),  # (implicit VR keeps no VR for a private element: dcmdump shows bytes)
    "big-endian": (BIG_ENDIAN, [
        Edit("set", "SeriesNumber", "42"), Edit("insert", "(0029,0010)", "ACME", vr="LO"),
        Edit("insert", "(0029,1001)", "258\\3", vr="US"), Edit("insert", "(0029,1002)", "-2", vr="SL"),
        Edit("insert", "(0029,1003)", "1.5\\-2", vr="FD"),
    ], ["(0020,0011) IS [42]", "(0029,1001) US 258\\3", "(0029,1002) SL -2", "(0029,1003) FD 1.5\\-2"]),
    "sequences": (RT_PLAN, [
        Edit("set", "BeamSequence[0].ControlPointSequence[0].GantryAngle", "90"),
        Edit("delete", "FractionGroupSequence[0].ReferencedBeamSequence[*].BeamDose"),
        Edit("insert", "DoseReferenceSequence[2].DoseReferenceNumber", "3"),  # a new item in an existing sequence
        Edit("delete", "DoseReferenceSequence[0]"), Edit("insert", "PatientSetupSequence[0].PatientPosition", "FFS"),
    ], ["        (300a,011e) DS [90]", "    (300a,0012) IS [3]", "    (0018,5100) CS [FFS]"]),
    "deflated": (DEFLATED, [Edit("set", "PatientName", "Deflated^Too")], ["(0010,0010) PN [Deflated^Too]"]),
}


class TestModifyFile:
    @pytest.mark.parametrize("case", CASES)
    def test_dump_differs_only_in_edits(self, case, tmp_path):
        """dcmdump of input and output differ only in the edited elements (and their sequences' lengths)."""
        name, edits, expected = CASES[case]
        data = read(name)
        out, notes = modify_file(data, name, edits)
        before, after = dump(data, tmp_path, "in"), dump(out, tmp_path, "out")
        tags_, lines = changed_tags(before, after)
        assert tags_ <= path_tags(data, edits), lines
        for line in expected:
            assert any(row.startswith(line) for row in after), (line, lines)
        assert notes and len(notes) >= len(edits) - 1

    @pytest.mark.parametrize("case", CASES)
    def test_everything_else_kept(self, case):
        """Transfer syntax, preamble and Pixel Data bytes (compressed ones included) are as they were."""
        name, edits, _ = CASES[case]
        data = read(name)
        out, _ = modify_file(data, name, edits)
        old, new = dcmread(io.BytesIO(data)), dcmread(io.BytesIO(out))
        assert new.file_meta.TransferSyntaxUID == old.file_meta.TransferSyntaxUID
        assert new.preamble == old.preamble and out[128:132] == b"DICM"
        assert new.get("PixelData") == old.get("PixelData")

    def test_nothing_edited_is_byte_identical(self):
        """No edits: the file comes back byte for byte (a deflated one aside, recompressed), even
        693_J2KI.dcm's group lengths, wrong in the file, as no edit touched their groups."""
        for name in (EXPLICIT_LE, JPEG, IMPLICIT_LE, BIG_ENDIAN, RT_PLAN, "693_J2KI.dcm", "ExplVR_BigEnd.dcm"):
            data = read(name)
            assert modify_file(data, name, [])[0] == data, name

    def test_input_bytes_unchanged(self):
        """The input buffer is never written to."""
        data = bytearray(read(EXPLICIT_LE))
        copy = bytes(data)
        modify_file(data, EXPLICIT_LE, CASES["explicit"][1], UidMap(ROOT))
        assert data == copy

    def test_group_length_recomputed(self, tmp_path):
        """A retired group length (gggg,0000) that pydicom would drop is kept, recomputed for the edit."""
        name = "ExplVR_BigEnd.dcm"
        data = read(name)
        out, _ = modify_file(data, name, [Edit("set", "PatientName", "Longer^Name^Than^Before")])
        tags_, lines = changed_tags(dump(data, tmp_path, "in"), dump(out, tmp_path, "out"))
        assert tags_ == {"0010,0000", "0010,0010"}, lines
        # 'Anonymized' (10 bytes) became 23 characters, padded to 24
        assert dcmread(io.BytesIO(out))[0x00100000].value == dcmread(io.BytesIO(data))[0x00100000].value + 24 - 10

    def test_meta_follows_sop_instance_uid(self, tmp_path):
        """Setting SOP Instance UID moves (0002,0003) with it, as dcmodify does (its length: (0002,0000) too)."""
        data = read(EXPLICIT_LE)
        out, notes = modify_file(data, EXPLICIT_LE, [Edit("set", "SOPInstanceUID", "1.2.3.4.5")])
        ds = dcmread(io.BytesIO(out))
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID == "1.2.3.4.5"
        assert any(note.startswith("MediaStorageSOPInstanceUID") for note in notes)
        tags_, _ = changed_tags(dump(data, tmp_path, "in"), dump(out, tmp_path, "out"))
        # (0002,0000) counts the meta's bytes after it (PS3.10 7.1): (0002,0003) went from 48 bytes to 10
        assert tags_ == {"0008,0018", "0002,0003", "0002,0000"}

    def test_meta_edited(self, tmp_path):
        """A file meta element (group 0002) is edited in the meta; (0002,0000) follows its length."""
        data = read(EXPLICIT_LE)
        out, _ = modify_file(data, EXPLICIT_LE, [Edit("set", "SourceApplicationEntityTitle", "DICOMFORGE")])
        assert dcmread(io.BytesIO(out)).file_meta.SourceApplicationEntityTitle == "DICOMFORGE"
        tags_, _ = changed_tags(dump(data, tmp_path, "in"), dump(out, tmp_path, "out"))
        # (0002,0000) counts the meta's bytes after it (PS3.10 7.1): 'CLUNIE1 ' (8) became 'DICOMFORGE' (10)
        assert tags_ == {"0002,0016", "0002,0000"}

    def test_notes_and_missing(self):
        """set of a missing element is an error; delete of one is a note; [*] deletes every item."""
        data = read(RT_PLAN)
        with pytest.raises(OptionsError, match="PatientAge: not in the file"):
            modify_file(data, RT_PLAN, [Edit("set", "PatientAge", "030Y")])
        with pytest.raises(OptionsError, match=r"next is \[2\]"):
            modify_file(data, RT_PLAN, [Edit("insert", "DoseReferenceSequence[5].DoseReferenceNumber", "9")])
        out, notes = modify_file(data, RT_PLAN, [Edit("delete", "PatientAge"), Edit("delete", "DoseReferenceSequence[*]")])
        assert notes == ["PatientAge: not in the file, nothing deleted", "DoseReferenceSequence[*]: 2 item(s) deleted"]
        assert len(dcmread(io.BytesIO(out)).DoseReferenceSequence) == 0

    def test_set_every_item(self):
        """set through [*] changes the items that have the element."""
        out, notes = modify_file(read(RT_PLAN), RT_PLAN, [Edit("set", "DoseReferenceSequence[*].DoseReferenceDescription", "x")])
        assert [item.DoseReferenceDescription for item in dcmread(io.BytesIO(out)).DoseReferenceSequence] == ["x", "x"]
        assert notes[1] == "DoseReferenceSequence[1].DoseReferenceDescription: 'PTV' -> 'x'"

    def test_private_needs_vr_and_creator(self):
        """A private element unknown to the dictionary needs its VR and its private creator."""
        data = read(EXPLICIT_LE_MR)
        with pytest.raises(OptionsError, match=r"\(0029,1001\): not in the DICOM dictionary: give the VR"):
            modify_file(data, EXPLICIT_LE_MR, [Edit("insert", "(0029,1001)", "1")])
        with pytest.raises(OptionsError, match=r"private creator \(0029,0010\)"):
            modify_file(data, EXPLICIT_LE_MR, [Edit("insert", "(0029,1001)", "1", vr="US")])

    def test_character_set(self):
        """Text outside the file's character set is refused; inside it, written in that set."""
        with pytest.raises(OptionsError, match="character set ISO_IR 6"):
            modify_file(read(EXPLICIT_LE_MR), EXPLICIT_LE_MR, [Edit("set", "PatientName", "Müller")])
        out, _ = modify_file(read(EXPLICIT_LE), EXPLICIT_LE, [Edit("set", "PatientName", "Müller")])
        assert b"M\xfcller" in out and dcmread(io.BytesIO(out)).PatientName == "Müller"

    def test_not_dicom(self):
        """Bytes that are not DICOM: an InputError naming the file."""
        with pytest.raises(InputError) as caught:
            modify_file(b"not a dicom file" * 20, "notes.txt", [Edit("set", "PatientName", "A")])
        assert caught.value.file == "notes.txt"

    def test_truncated(self):
        """A truncated file is refused (pydicom would read its last value short, and writing would hide it)."""
        with pytest.raises(InputError, match=r"\(7FE0,0010\) needs 8192 bytes") as caught:
            modify_file(read("MR_truncated.dcm"), "MR_truncated.dcm", [])
        assert caught.value.file == "MR_truncated.dcm"


def series_file(index: int, study: str, series: str, frame: str, instances: list[str]) -> bytes:
    """One of a synthetic CT series: explicit VR little endian, a reference to the previous
    instance, a private multi-valued UID and a coding scheme UID that must stay."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = CTImageStorage, instances[index]
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("", Dataset(), file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, instances[index]
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
    ds.PatientName, ds.InstanceNumber, ds.Rows, ds.Columns = "Series^Test", index + 1, 2, 2
    ref = Dataset()
    ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID = CTImageStorage, instances[index - 1]
    ds.ReferencedImageSequence = Sequence([ref])
    code = Dataset()
    code.CodingSchemeDesignator, code.CodingSchemeUID = "SCT", "2.16.840.1.113883.6.96"
    ds.CodingSchemeIdentificationSequence = Sequence([code])
    ds.add_new(0x00290010, "LO", "ACME")
    ds.add_new(0x00291001, "UI", [series, frame])
    ds.PixelData = bytes(8)
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


class TestUidRegeneration:
    STUDY, SERIES, FRAME = "1.2.3.100", "1.2.3.200", "1.2.3.300"
    INSTANCES = ["1.2.3.200.1", "1.2.3.200.2", "1.2.3.200.3"]

    def files(self):
        return [series_file(i, self.STUDY, self.SERIES, self.FRAME, self.INSTANCES) for i in range(3)]

    def test_series_stays_together(self):
        """One new study, series and frame of reference UID; distinct instances; references follow."""
        uid_map = UidMap(ROOT)
        outs = [dcmread(io.BytesIO(modify_file(data, f"{i}.dcm", [], uid_map)[0])) for i, data in enumerate(self.files())]
        assert len({ds.StudyInstanceUID for ds in outs}) == len({ds.SeriesInstanceUID for ds in outs}) == 1
        assert len({ds.FrameOfReferenceUID for ds in outs}) == 1
        assert outs[0].StudyInstanceUID != self.STUDY and outs[0].SeriesInstanceUID.startswith(ROOT)
        sops = [ds.SOPInstanceUID for ds in outs]
        assert len(set(sops)) == 3 and not set(sops) & set(self.INSTANCES)
        for index, ds in enumerate(outs):
            assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
            assert ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID == sops[index - 1]
            assert ds.SOPClassUID == ds.file_meta.MediaStorageSOPClassUID == CTImageStorage
            assert ds.ReferencedImageSequence[0].ReferencedSOPClassUID == CTImageStorage
            assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
            assert ds.CodingSchemeIdentificationSequence[0].CodingSchemeUID == "2.16.840.1.113883.6.96"
            assert list(ds[0x00291001].value) == [ds.SeriesInstanceUID, ds.FrameOfReferenceUID]
        assert len(uid_map.mapping) == 6

    def test_dump_differs_only_in_uids(self, tmp_path):
        """Only UI elements change, and (0002,0000): the meta's (0002,0003) has a new length."""
        data = self.files()[1]
        out, notes = modify_file(data, "1.dcm", [], UidMap(ROOT))
        tags_, lines = changed_tags(dump(data, tmp_path, "in"), dump(out, tmp_path, "out"))
        # (0002,0000) counts the meta's bytes after it (PS3.10 7.1), and (0002,0003) changed length; the
        # sequence and item lines of ReferencedImageSequence carry lengths that follow its new UIDs
        assert all(" UI " in line for line in lines if "(0002,0000)" not in line and "(fffe," not in line and " SQ " not in line)
        assert tags_ <= {"0002,0000", "0002,0003", "0008,0018", "0020,000d", "0020,000e", "0020,0052", "0029,1001",
                         "0008,1140", "0008,1155"} | ITEM_TAGS, lines
        assert "SeriesInstanceUID: '1.2.3.200' -> '" in "\n".join(notes)

    def test_map_carried_over(self):
        """A map saved as JSON and loaded again gives the same new UIDs in a later batch."""
        first = UidMap(ROOT)
        data = self.files()[0]
        out1, _ = modify_file(data, "0.dcm", [], first)
        again = UidMap.from_json(first.to_json())
        out2, _ = modify_file(data, "0.dcm", [], again)
        assert out1 == out2 and again.mapping == first.mapping

    def test_edits_after_remap(self):
        """Edits run after the UIDs were replaced, so a UID the user sets is kept as typed."""
        out, _ = modify_file(self.files()[0], "0.dcm", [Edit("set", "SeriesInstanceUID", "1.2.3.999")], UidMap(ROOT))
        assert dcmread(io.BytesIO(out)).SeriesInstanceUID == "1.2.3.999"

    def test_keep(self):
        """Elements in *keep* (keywords or tags) keep their UIDs."""
        ds = dcmread(io.BytesIO(self.files()[0]))
        changed = remap_dataset(ds, UidMap(), keep={"FrameOfReferenceUID", 0x0020000D})
        assert ds.FrameOfReferenceUID == self.FRAME and ds.StudyInstanceUID == self.STUDY
        assert "ReferencedImageSequence[0].ReferencedSOPInstanceUID" in changed and "SeriesInstanceUID" in changed
        assert all(parse_path(path) for path in changed)  # paths in the grammar modify reads
        with pytest.raises(OptionsError, match="FrameOfReference"):
            remap_dataset(ds, UidMap(), keep={"FrameOfReference"})


class TestUidMap:
    def test_same_uid_same_answer(self):
        """One new UID per old one, valid, under the prefix; well-known UIDs pass unchanged."""
        uid_map = UidMap(ROOT)
        assert uid_map.map("1.2.3") == uid_map.map("1.2.3") != uid_map.map("1.2.4")
        assert uid_map.map("1.2.3").startswith(ROOT) and UidMap().map("1.2.3").startswith("2.25.")
        for uid in ("1.2.840.10008.1.2.1", "1.2.840.10008.5.1.4.1.1.2", ""):
            assert uid_map.map(uid) == uid
        assert 0x00080016 in CLASS_TAGS and 0x00020010 in CLASS_TAGS and 0x0020000E not in CLASS_TAGS

    def test_json_round_trip(self):
        """to_json / from_json keep every pair, in the documented format."""
        uid_map = UidMap(ROOT)
        uid_map.map("1.2.3")
        doc = json.loads(uid_map.to_json())
        assert doc["format"] == "dicomforge-uid-map" and doc["version"] == 1 and list(doc["uids"]) == ["1.2.3"]
        assert UidMap.from_json(uid_map.to_json()).mapping == uid_map.mapping

    @pytest.mark.parametrize("text, match", [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a dicomforge UID map"),
        ('{"format": "other", "version": 1, "uids": {}}', "format is 'other'"),
        ('{"format": "dicomforge-uid-map", "version": 2, "uids": {}}', "version 2 is not supported"),
        ('{"format": "dicomforge-uid-map", "version": 1, "uids": []}', "'uids' must be an object"),
        ('{"format": "dicomforge-uid-map", "version": 1, "uids": {"1.2": "x.y"}}', "valid UID"),
        ('{"format": "dicomforge-uid-map", "version": 1, "uids": {"1.2": "1.5", "1.3": "1.5"}}', "of its own"),
        ('{"format": "dicomforge-uid-map", "version": 1, "uids": {"1.2.840.10008.1.2": "1.5"}}', "standard"),
    ])
    def test_foreign_json_refused(self, text, match):
        """Anything but a dicomforge UID map is an OptionsError saying what is wrong."""
        with pytest.raises(OptionsError, match=match):
            UidMap.from_json(text)

    def test_bad_prefix(self):
        """A prefix that is no UID root is refused."""
        with pytest.raises(OptionsError, match="UID root"):
            UidMap("1.2.3")


class TestParsePath:
    def test_forms(self):
        """Keyword, (gggg,eeee), gggg,eeee and ggggeeee name the same element; items by number or [*]."""
        assert {parse_path(text).tag for text in ("PatientName", "(0010,0010)", "0010,0010", "00100010", " (0010,0010) ")} \
            == {0x00100010}
        path = parse_path("ReferencedSeriesSequence[0].SeriesInstanceUID")
        assert [(s.tag, s.item) for s in path.steps] == [(0x00081115, 0), (0x0020000E, None)]
        path = parse_path("(0008,1115)[*].(0020,000e)")
        assert [(s.tag, s.item) for s in path.steps] == [(0x00081115, EVERY), (0x0020000E, None)]
        assert parse_path("(0009,1001)").tag == 0x00091001 and parse_path("OtherPatientIDsSequence[3]").steps[0].item == 3

    @pytest.mark.parametrize("text, match", [
        ("", "empty"),
        ("PatientNme", "did you mean PatientName"),
        ("(0010,001)", "is not an element"),
        ("PatientName[x]", "is not an element"),
        ("ReferencedSeriesSequence.SeriesInstanceUID", r"needs an item index, such as ReferencedSeriesSequence\[0\]"),
        ("PatientName[0]", "not a sequence"),
        ("(0002,0010)", "transcode"),
        ("(0008,0000)", "group length"),
        ("(0001,0010)", "group 0001"),
        ("ReferencedSeriesSequence[0].MediaStorageSOPInstanceUID", "only at the top"),
        ("..PatientName", "is not an element"),
    ])
    def test_errors(self, text, match):
        """A path that cannot be read is an OptionsError naming the text and the problem."""
        with pytest.raises(OptionsError, match=match) as caught:
            parse_path(text)
        assert text.strip() == "" or repr(text) in caught.value.message


class TestValues:
    @pytest.mark.parametrize("vr, text, value", [
        ("DA", "20240229", "20240229"), ("US", "65535", 65535), ("SS", "-32768", -32768), ("UI", "1.2.840.1", "1.2.840.1"),
        ("DS", "1\\-2.5e3", ["1", "-2.5e3"]), ("IS", "12", "12"), ("TM", "235959.123", "235959.123"), ("AS", "045Y", "045Y"),
        ("DT", "20240131120000+0100", "20240131120000+0100"), ("AT", "(0010,0010)", 0x00100010), ("FL", "1.5", 1.5),
        ("LT", "a\\b", "a\\b"), ("CS", "", ""), ("US", "", None),
    ])
    def test_accepted(self, vr, text, value):
        """Values that fit their VR come back as pydicom stores them."""
        assert check_value(vr, text, "X") == value

    @pytest.mark.parametrize("vr, text, match", [
        ("DA", "2024-01-31", "YYYYMMDD"), ("DA", "20240230", "YYYYMMDD"), ("DA", "20240101-20240131", "YYYYMMDD"),
        ("US", "65536", "from 0 to 65535"), ("US", "-1", "from 0 to 65535"), ("US", "1.5", "integer"),
        ("UI", "1.02.3", "leading zeros"), ("UI", "1." + "2" * 70, "64 characters"), ("CS", "lower", "capitals"),
        ("AS", "45Y", "nnnD"), ("TM", "250000", "HHMMSS"), ("DS", "abc", "decimal"), ("IS", "1.5", "integer"),
        ("FD", "nan", "finite"), ("LO", "x" * 65, "64"), ("PN", "a=b=c=d", "3"), ("SH", "a\nb", "control character"),
        ("OB", "01", "cannot be typed"), ("SQ", "x", "takes no value"), ("AT", "(0010,0010)[0]", "tag"),
    ])
    def test_refused(self, vr, text, match):
        """A value that does not fit: an OptionsError naming where, the VR and the value."""
        with pytest.raises(OptionsError, match=match) as caught:
            check_value(vr, text, "Where")
        assert caught.value.message.startswith("Where: '") and f"valid {vr} value" in caught.value.message

    @pytest.mark.parametrize("args, match", [
        (("modify", "PatientName", "A"), "set, insert or delete"),
        (("set", "StudyDate", "2024-01-01"), r"StudyDate: '2024-01-01' is not a valid DA value"),
        (("set", "ImagePositionPatient", "1\\2"), r"VM\) is 3"),
        (("set", "PatientName", "A", "LO"), "its VR is PN, not LO"),
        (("set", "PatientName", "A", "XX"), "not a VR"),
        (("set", "OtherPatientIDsSequence[0]", ""), "names an item"),
        (("insert", "OtherPatientIDsSequence[*]", ""), r"not \[\*\]"),
        (("insert", "PixelData", "1"), "Pixel Data cannot be typed"),
    ])
    def test_edit_checked_when_made(self, args, match):
        """An Edit is checked against the dictionary before any file is read."""
        with pytest.raises(OptionsError, match=match):
            Edit(*args)
