"""Retain Safe Private (PS3.15 E.3.10): the private attributes of PixelMed's list and of the
blocks a file declares safe are kept, by group and creator, every other private attribute
goes; a safe UID is replaced through the batch's map; safe sequences hidden as UN are read."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from dicomforge.deid import DeidMapping, DeidOptions, ProfileTable, deidentify_file
from dicomforge.deid.safe_private import load_safe_list
from dicomforge.errors import InputError
from dicomforge.inputs import NamedInput

ROOT = Path(__file__).resolve().parents[3]
TEST_FILES = Path(get_testdata_file("CT_small.dcm")).parent
SAFE = DeidOptions(retain_safe_private=True)


def deidentify(data: bytes, options: DeidOptions = SAFE, mapping: DeidMapping | None = None):
    out, report = deidentify_file(NamedInput("in.dcm", data), options, mapping or DeidMapping(), ProfileTable())
    return pydicom.dcmread(io.BytesIO(out)), report


def private_file(build, syntax=ExplicitVRLittleEndian) -> bytes:
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.7", "1.2.826.0.1.3680043.9.7777.1"
    ds.PatientName, ds.PatientID = "DOE^JANE", "PID-4711"
    build(ds)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def private_values(ds: Dataset) -> dict[int, object]:
    return {int(e.tag): e.value for e in ds if e.tag.is_private}


class TestTheList:
    def test_read_from_the_tsv(self):
        safe = load_safe_list()
        assert safe[(0x0019, "GEMS_ACQU_01")] == {0x23: "DS", 0x24: "DS", 0x27: "DS", 0x9E: "LO"}
        assert safe[(0x0025, "GEMS_SERS_01")] == {0x07: "SL"}
        assert set(safe[(0x0199, "NQLeft")]) == set(range(0x01, 0x3B))  # (a range in PixelMed's list)
        assert (0x7E01, "HOLOGIC, Inc.") in safe and (0x7F01, "HOLOGIC, Inc.") in safe  # (two groups, one test)
        assert all(group % 2 == 1 for group, _ in safe)
        assert sum(len(block) for block in safe.values()) == 371 - 2 + 2 * 0x3A  # (rows; each range is 58 elements)

    @pytest.mark.skipif(sys.platform == "emscripten", reason="no child processes in Pyodide")
    def test_the_tool_writes_the_same_file(self, tmp_path):
        """The generator reads PixelMed's method into the committed TSV (from a pared-down copy of
        its shape: blocks, commented-out tests, the /*else */ form, a range, a two-group block)."""
        java = "\n".join([
            "class C {", "\tpublic static boolean isSafePrivateAttribute(String creator,AttributeTag tag) {",
            "\t\tboolean safe = false;", "\t\tif (tag.isPrivateCreator()) {", "\t\t\tsafe = true;", "\t\t}", "\t\telse {",
            "\t\t\tint elementInBlock = element & 0x00ff;",
            '\t\t\tif (group == 0x0019 && creator.equals("GEMS_ACQU_01")) {',
            "\t\t\t\tif      (elementInBlock == 0x009e) {\t// LO\tInternal Pulse Sequence Name", "\t\t\t\t\tsafe = true;", "\t\t\t\t}",
            "\t\t\t//\tif (elementInBlock == 0x0037) {\t// DA\t???", "\t\t\t//\t\tsafe = true;",
            "\t\t\t\t/*else */if (elementInBlock == 0x0023) {\t// DS\tTable Speed", "\t\t\t\t\tsafe = true;", "\t\t\t\t}",
            "\t\t\t}",
            '\t\t\telse if ((group == 0x7e01 || group == 0x7f01) && creator.equals("HOLOGIC, Inc.")) {',
            "\t\t\t\tif      (elementInBlock == 0x0010) {\t// SQ\tHigh Resolution Data Sequence", "\t\t\t\t\tsafe = true;", "\t\t\t\t}",
            "\t\t\t}",
            '\t\t\telse if (group == 0x0199 && creator.equals("NQLeft")) {',
            "\t\t\t\tif (elementInBlock >= 0x0001 && elementInBlock <= 0x003a) {", "\t\t\t\t\tsafe = true;", "\t\t\t\t}",
            "\t\t\t}", "\t\t}", "\t\treturn safe;", "\t}", "}"])
        (tmp_path / "C.java").write_text(java)
        out = tmp_path / "safe.tsv"
        run = subprocess.run([sys.executable, str(ROOT / "py/tools/safe_private_table.py"), str(tmp_path / "C.java"),
                              "--source", "test", "-o", str(out)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        rows = [line.split("\t") for line in out.read_text().splitlines() if not line.startswith("#")]
        assert rows == [["creator", "group", "element", "vr", "meaning"],
                        ["GEMS_ACQU_01", "0019", "23", "DS", "Table Speed"],
                        ["GEMS_ACQU_01", "0019", "9e", "LO", "Internal Pulse Sequence Name"],
                        ["HOLOGIC, Inc.", "7e01", "10", "SQ", "High Resolution Data Sequence"],
                        ["HOLOGIC, Inc.", "7f01", "10", "SQ", "High Resolution Data Sequence"],
                        ["NQLeft", "0199", "01-3a", "", ""]]
        # a test it cannot read is named, and nothing is written
        (tmp_path / "C.java").write_text(java.replace("elementInBlock == 0x0023", "elementInBlock == TABLE_SPEED"))
        out.unlink()
        run = subprocess.run([sys.executable, str(ROOT / "py/tools/safe_private_table.py"), str(tmp_path / "C.java"),
                              "--source", "test", "-o", str(out)], capture_output=True, text=True)
        assert run.returncode == 1 and "TABLE_SPEED" in run.stderr and not out.exists()


def listed_in(ds: Dataset) -> dict[int, object]:
    """The private elements of *ds* (top level) that PixelMed's list names, by their own block's creator."""
    safe, listed = load_safe_list(), {}
    for elem in ds:
        if elem.tag.is_private and not elem.tag.is_private_creator:
            creator = ds.get((elem.tag.group << 16) | (elem.tag.element >> 8))
            if creator is not None and (elem.tag.element & 0xFF) in safe.get((elem.tag.group, str(creator.value)), {}):
                listed[int(elem.tag)] = elem.value
    return listed


def kept_private(ds: Dataset) -> dict[int, object]:
    return {tag: value for tag, value in private_values(ds).items() if tag & 0xFF00}


def with_private_blocks() -> list[Path]:
    """pydicom's test files (Part 10, under 4 MiB) holding private elements."""
    out = []
    for path in sorted(TEST_FILES.iterdir()):
        try:
            if path.stat().st_size < 4 << 20 and any(e.tag.is_private for e in pydicom.dcmread(path, stop_before_pixels=True)):
                out.append(path)
        except Exception:  # (not DICOM, or damaged: other tests cover those)
            continue
    return out


class TestRealFile:
    """pydicom's CT_small.dcm, a GE CT image with nine private blocks, and every test file with private blocks."""

    def test_listed_kept_others_removed(self):
        data = Path(get_testdata_file("CT_small.dcm")).read_bytes()
        expected = listed_in(pydicom.dcmread(io.BytesIO(data)))
        assert {0x00191023, 0x00191024, 0x00191027, 0x00251007, 0x00431027} <= set(expected)
        out, _ = deidentify(data)
        assert kept_private(out) == expected
        creators = {str(e.value) for e in out if e.tag.is_private_creator}
        assert creators == {"GEMS_ACQU_01", "GEMS_SERS_01", "GEMS_PARM_01"}  # (the blocks left hold a safe element)
        assert [c.CodeValue for c in out.DeidentificationMethodCodeSequence if c.CodeValue == "113111"] == ["113111"]

    @pytest.mark.parametrize("path", with_private_blocks(), ids=lambda p: p.name)
    def test_every_test_file(self, path):
        """Of every private element at the top level, exactly the listed ones are kept."""
        data = path.read_bytes()
        try:
            out, _ = deidentify(data)
        except InputError as error:
            pytest.skip(f"refused with a message: {error}")
        assert set(kept_private(out)) == set(listed_in(pydicom.dcmread(io.BytesIO(data))))

    def test_without_the_option_none_kept(self):
        out, _ = deidentify(Path(get_testdata_file("CT_small.dcm")).read_bytes(), DeidOptions())
        assert private_values(out) == {}


class TestBlocks:
    def test_creator_must_match(self):
        """(0019,109E) is safe in a GEMS_ACQU_01 block only, and wherever that block is reserved."""
        def build(ds):
            ds.private_block(0x0019, "GEMS_ACQU_01", create=True).add_new(0x9E, "LO", "FSE-XL")
            ds.private_block(0x0019, "GEMS_ACQU_01", create=True).add_new(0x9C, "LO", "fse-xl by DOE")
            ds.private_block(0x0019, "ACME 1", create=True).add_new(0x9E, "LO", "DOE^JANE")  # (0019,119E)
        out, report = deidentify(private_file(build))
        assert private_values(out) == {0x00190010: "GEMS_ACQU_01", 0x0019109E: "FSE-XL"}
        assert sorted(change[0] for change in report["changed"] if change[2] == "X" and "(0019," in change[0]) == [
            "(0019,109C)", "(0019,119E)"]

    def test_block_elsewhere_in_the_group(self):
        def build(ds):
            ds.add_new(0x00190010, "LO", "ACME 1")
            ds.add_new(0x00191001, "LO", "DOE^JANE")
            ds.add_new(0x00190011, "LO", "GEMS_ACQU_01")
            ds.add_new(0x0019119E, "LO", "FSE-XL")
        out, _ = deidentify(private_file(build))
        assert private_values(out) == {0x00190011: "GEMS_ACQU_01", 0x0019119E: "FSE-XL"}

    @pytest.mark.parametrize("status, kept", [("SAFE", {0x01, 0x02}), ("MIXED", {0x02}), ("UNSAFE", set())])
    def test_declared_in_the_file(self, status, kept):
        """PS3.3 C.12.1.1.7: a block declared SAFE is kept whole, of a MIXED one its nonidentifying elements."""
        def build(ds):
            block = ds.private_block(0x0029, "ACME IMAGING 1", create=True)
            block.add_new(0x01, "LO", "private one")
            block.add_new(0x02, "DS", "1.5")
            item = Dataset()
            item.PrivateGroupReference, item.PrivateCreatorReference = 0x0029, "ACME IMAGING 1"
            item.BlockIdentifyingInformationStatus = status
            if status == "MIXED":
                item.NonidentifyingPrivateElements = [0x1002]  # (the low byte names the element)
            ds.PrivateDataElementCharacteristicsSequence = Sequence([item])
        out, _ = deidentify(private_file(build))
        assert {tag & 0xFF for tag in private_values(out) if tag & 0xFF00} == kept

    def test_safe_uid_replaced_through_the_map(self):
        """A private UID kept as safe is a UID like any other: replaced, the same across files."""
        def build(ds):
            block = ds.private_block(0x0029, "ACME IMAGING 1", create=True)
            block.add_new(0x01, "UI", "1.2.826.0.1.3680043.9.7777.55")
            item = Dataset()
            item.PrivateGroupReference, item.PrivateCreatorReference = 0x0029, "ACME IMAGING 1"
            item.BlockIdentifyingInformationStatus = "SAFE"
            ds.PrivateDataElementCharacteristicsSequence = Sequence([item])
        mapping = DeidMapping()
        out, _ = deidentify(private_file(build), mapping=mapping)
        assert out[0x00291001].value != "1.2.826.0.1.3680043.9.7777.55"
        assert out[0x00291001].value == mapping.uids.map("1.2.826.0.1.3680043.9.7777.55")


class TestImplicitVR:
    """In implicit VR a private element the reader knows nothing of is UN: the list's VR re-reads it."""

    def hologic(self, ds):
        inner = Dataset()
        inner.PatientName = "DOE^JANE"  # (inside a safe sequence the profile still applies)
        inner.ImageType = ["ORIGINAL", "PRIMARY"]
        block = ds.private_block(0x7E01, "HOLOGIC, Inc.", create=True)
        block.add_new(0x10, "SQ", Sequence([inner]))
        block.add_new(0x01, "LO", "codec 1.0")

    def test_sequence_read_and_walked(self):
        out, _ = deidentify(private_file(self.hologic, ImplicitVRLittleEndian))
        seq = out[0x7E011010]
        if seq.VR == "UN":  # (written back as read: pydicom reads a sequence it knows as SQ again)
            seq = pydicom.dataelem.DataElement(seq.tag, "SQ", pydicom.filereader.read_sequence(
                io.BytesIO(seq.value), True, True, len(seq.value), ["iso8859"]))
        item = seq.value[0]
        assert str(item.get("PatientName", "")) != "DOE^JANE"
        assert list(item.ImageType) == ["ORIGINAL", "PRIMARY"]
        assert out[0x7E011001].value in (b"codec 1.0 ", "codec 1.0")

    def test_uid_as_un_replaced(self):
        def build(ds):
            ds.private_block(0x0029, "ACME IMAGING 1", create=True).add_new(0x01, "UI", "1.2.826.0.1.3680043.9.7777.56")
            item = Dataset()
            item.PrivateGroupReference, item.PrivateCreatorReference = 0x0029, "ACME IMAGING 1"
            item.BlockIdentifyingInformationStatus = "SAFE"
            ds.PrivateDataElementCharacteristicsSequence = Sequence([item])
        mapping = DeidMapping()
        out, _ = deidentify(private_file(build, ImplicitVRLittleEndian), mapping=mapping)
        # declared safe but of no VR known here: its value reads as a UID, so it is one, and replaced
        value = out[0x00291001].value  # (read back as UN: implicit VR, no dictionary entry)
        assert value.rstrip(b"\0").decode() == mapping.uids.map("1.2.826.0.1.3680043.9.7777.56")
