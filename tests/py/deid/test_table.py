"""Tests for dicomforge.deid.table: PS3.15 Table E.1-1 as loaded rows, tag lookup and option codes."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pydicom.datadict import keyword_for_tag

from dicomforge.deid.table import CODES, OPTIONS, ProfileRow, ProfileTable, action, load_rows
from dicomforge.errors import OptionsError

PACKAGE = Path(__file__).resolve().parents[3] / "py" / "dicomforge"

# (tag, name, the row's non-empty cells) checked by hand against PS3.15 Table E.1-1
HAND_CHECKED = [
    ("(0010,0010)", "Patient's Name", {"basic": "Z"}),
    ("(0008,0018)", "SOP Instance UID", {"basic": "U", "retain_uids": "K"}),
    ("(0008,0020)", "Study Date", {"basic": "Z", "retain_long_full_dates": "K", "retain_long_modified_dates": "C"}),
    # X/Z/D in the 2024 editions (older ones: X)
    ("(0008,0080)", "Institution Name", {"basic": "X/Z/D", "retain_institution_identity": "K"}),
    ("(0018,1000)", "Device Serial Number", {"basic": "X/Z/D", "retain_device_identity": "K"}),
    ("(0010,1010)", "Patient's Age", {"basic": "X", "retain_patient_characteristics": "K"}),
    ("(0008,103E)", "Series Description", {"basic": "X", "clean_descriptors": "C"}),
    ("(60xx,3000)", "Overlay Data", {"basic": "X", "clean_graphics": "C"}),
    ("(0008,1140)", "Referenced Image Sequence", {"basic": "X/Z/U*", "retain_uids": "K"}),
]


def by_tag() -> dict[str, ProfileRow]:
    return {row.tag: row for row in load_rows()}


def tag_int(text: str) -> int:
    return int(text[1:5].replace("x", "0") + text[6:10].replace("x", "0"), 16)


class TestLoadRows:
    def test_row_count(self):
        """The standard lists some 600 attributes (620 in 2024b, private attributes left out)."""
        assert 550 <= len(load_rows()) <= 800

    def test_cached(self):
        """The TSV is read once."""
        assert load_rows() is load_rows()

    @pytest.mark.parametrize(("tag", "name", "actions"), HAND_CHECKED, ids=[c[0] for c in HAND_CHECKED])
    def test_hand_checked_rows(self, tag, name, actions):
        """Rows checked against the standard by hand have its name and codes."""
        row = by_tag()[tag]
        assert (row.name, row.actions) == (name, actions)

    def test_codes_allowed(self):
        """Every cell is a code of the table's legend, and every row has a basic code."""
        for row in load_rows():
            assert "basic" in row.actions, row
            assert set(row.actions) <= {"basic", *OPTIONS}, row
            assert set(row.actions.values()) <= CODES, row

    def test_no_duplicate_tags(self):
        """No tag has two rows."""
        tags = [row.tag for row in load_rows()]
        assert len(tags) == len(set(tags))

    def test_tags_well_formed(self):
        """Tags are (gggg,eeee) with upper-case hex and lower-case x; no private group."""
        for row in load_rows():
            t = row.tag
            assert len(t) == 11 and t[0] == "(" and t[5] == "," and t[10] == ")", t
            assert set(t[1:5] + t[6:10]) <= set("0123456789ABCDEFx"), t
            assert "x" in t[1:5] or int(t[1:5], 16) % 2 == 0, t

    def test_keywords_are_pydicoms(self):
        """Each keyword given is pydicom's for the tag (for x-patterns, with x = 0)."""
        wrong = [(r.tag, r.keyword) for r in load_rows() if r.keyword and keyword_for_tag(tag_int(r.tag)) != r.keyword]
        assert wrong == []
        assert sum(1 for r in load_rows() if r.keyword) >= len(load_rows()) - 5

    @pytest.mark.skipif(sys.platform == "emscripten", reason="needs a subprocess (the worker imports the zipped package itself)")
    def test_loads_from_zip(self, tmp_path):
        """load_rows reads the TSV through importlib.resources when the package is zipped."""
        archive = tmp_path / "dicomforge.zip"
        with zipfile.ZipFile(archive, "w") as z:
            for path in sorted(PACKAGE.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".tsv"):
                    z.write(path, path.relative_to(PACKAGE.parent).as_posix())
        script = (
            "import sys; sys.path.insert(0, sys.argv[1])\n"
            "import dicomforge.deid.table as t\n"
            "assert t.__file__.startswith(sys.argv[1]), t.__file__\n"
            "print(len(t.load_rows()))\n"
        )
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        done = subprocess.run([sys.executable, "-c", script, str(archive)], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        assert int(done.stdout) == len(load_rows())


class TestParse:
    def test_bad_code_named(self):
        """A code outside the legend is an error naming the row."""
        from dicomforge.deid.table import COLUMNS, _parse

        text = "\t".join(COLUMNS) + "\n" + "\t".join(["(0010,0010)", "PatientName", "Patient's Name", "Q"] + [""] * 10)
        with pytest.raises(ValueError, match=r"\(0010,0010\).*\['Q'\]"):
            _parse(text)


class TestRowFor:
    table = ProfileTable()

    def test_exact(self):
        """An exactly listed tag finds its row."""
        assert self.table.row_for(0x00100010).name == "Patient's Name"

    def test_unlisted(self):
        """A tag the table does not list finds nothing."""
        assert self.table.row_for(0x00280010) is None  # Rows

    @pytest.mark.parametrize("group", [0x6000, 0x6002, 0x601E])
    def test_overlay_even_groups(self, group):
        """(60xx,3000) and (60xx,4000) cover even overlay groups."""
        assert self.table.row_for(group << 16 | 0x3000).name == "Overlay Data"
        assert self.table.row_for(group << 16 | 0x4000).name == "Overlay Comments"

    @pytest.mark.parametrize("tag", [0x60013000, 0x60014000, 0x501F0010, 0x50010000])
    def test_odd_groups_are_private(self, tag):
        """An odd group is private: no repeating-group row covers it."""
        assert self.table.row_for(tag) is None

    def test_overlay_other_elements_unlisted(self):
        """(60xx,0010) Overlay Rows is not in the table."""
        assert self.table.row_for(0x60020010) is None

    def test_curve_any_element(self):
        """(50xx,xxxx) covers every element of an even curve group."""
        assert self.table.row_for(0x50020005).name == "Curve Data"
        assert self.table.row_for(0x50003000).name == "Curve Data"

    def test_exact_wins_over_pattern(self):
        """A row listed exactly wins over a pattern covering the same tag."""
        rows = [
            ProfileRow("(60xx,3000)", "OverlayData", "Overlay Data", {"basic": "X"}),
            ProfileRow("(6000,3000)", "", "Exact", {"basic": "K"}),
            ProfileRow("(60xx,xxxx)", "", "Any", {"basic": "Z"}),
        ]
        table = ProfileTable(rows)
        assert table.row_for(0x60003000).name == "Exact"
        assert table.row_for(0x60023000).name == "Overlay Data"
        assert table.row_for(0x60020010).name == "Any"
        assert len(table) == 3


class TestAction:
    row = ProfileRow("(0008,0020)", "StudyDate", "Study Date",
                     {"basic": "Z", "retain_long_full_dates": "K", "retain_long_modified_dates": "C"})

    def test_basic_without_options(self):
        """With no option ticked the Basic Profile's code applies."""
        assert action(self.row, set()) == "Z"

    def test_option_replaces_basic(self):
        """A ticked option's code replaces the basic one."""
        assert action(self.row, {"retain_long_modified_dates"}) == "C"
        assert action(self.row, {"retain_long_full_dates"}) == "K"

    def test_option_without_code(self):
        """An option with no code for the row leaves the basic one."""
        assert action(self.row, {"retain_uids", "clean_graphics"}) == "Z"

    def test_most_retaining_wins(self):
        """Of two ticked options with codes, K wins over C."""
        assert action(self.row, {"retain_long_full_dates", "retain_long_modified_dates"}) == "K"

    def test_from_table(self):
        """On real rows: UIDs kept with retain_uids, Patient's Name still emptied."""
        rows = by_tag()
        assert action(rows["(0008,0018)"], {"retain_uids"}) == "K"
        assert action(rows["(0010,0010)"], set(OPTIONS)) == "Z"

    def test_unknown_option(self):
        """An unknown option name is an OptionsError naming it."""
        with pytest.raises(OptionsError, match="retain_everything") as info:
            action(self.row, {"retain_everything", "retain_uids"})
        assert info.value.fields == {"retain_everything": "unknown option"}
