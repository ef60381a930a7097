"""Zip archives as input (dicomforge.archives): entries listed from the central directory,
bad ones refused with a message naming them, the rest read one at a time; the CLI's way in."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file

from dicomforge import archives
from dicomforge.cli import main
from dicomforge.errors import InputError

CT = Path(get_testdata_file("CT_small.dcm")).read_bytes()


def make_zip(entries: dict, compression=zipfile.ZIP_DEFLATED, **kwargs) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in entries.items():
            if isinstance(data, tuple):
                data, method = data
                z.writestr(name, data, method)
            else:
                z.writestr(zipfile.ZipInfo(name) if kwargs.get("info") else name, data)
    return out.getvalue()


def opened(data: bytes, budget: int = 1 << 30) -> archives.Archive:
    return archives.open_archive(io.BytesIO(data), "in.zip", budget)


class TestListing:
    def test_entries_stored_and_deflated(self):
        """Nested folders become names under the archive's; stored entries say where their bytes are."""
        data = make_zip({"a/b/ct.dcm": CT, "flat.dcm": (CT, zipfile.ZIP_STORED), "dir/": b""})
        archive = opened(data)
        assert [e.name for e in archive.entries] == ["in.zip/a/b/ct.dcm", "in.zip/flat.dcm"]
        stored = archive.entries[1]
        assert stored.stored and data[stored.data_offset:stored.data_offset + stored.compressed] == CT
        assert [archives.read_entry(archive, e) for e in archive.entries] == [CT, CT]
        assert archive.refused == []

    def test_junk_skipped(self):
        """macOS resource forks and .DS_Store files are not inputs."""
        archive = opened(make_zip({"__MACOSX/._ct.dcm": b"x", "x/.DS_Store": b"x", "ct.dcm": CT}))
        assert [e.path for e in archive.entries] == ["ct.dcm"]

    @pytest.mark.parametrize("path, words", [
        ("../evil.dcm", "climbs out of the archive"),
        ("a/../../evil.dcm", "climbs out of the archive"),
        ("/etc/passwd", "absolute"),
        ("C:/evil.dcm", "absolute"),
    ])
    def test_escaping_paths_refused(self, path, words):
        """An entry whose path leaves the archive is refused by name; the others are used."""
        archive = opened(make_zip({path: CT, "ok.dcm": CT}))
        assert [e.path for e in archive.entries] == ["ok.dcm"]
        (error,) = archive.refused
        assert error.file == f"in.zip/{path}" and words in error.message

    def test_bomb_refused(self):
        """An entry inflating more than MAX_RATIO times (beyond the free size) is refused before inflating."""
        archive = opened(make_zip({"bomb.bin": b"\0" * (40 << 20), "ok.dcm": CT}))
        assert [e.path for e in archive.entries] == ["ok.dcm"]
        assert "zip bomb" in archive.refused[0].message and "41943040" in archive.refused[0].message

    def test_entry_over_budget_refused(self):
        """An entry declaring more than the budget is refused, naming both sizes."""
        archive = opened(make_zip({"big.bin": bytes(range(256)) * 4096, "ok.dcm": CT}), budget=600_000)
        assert "1048576 bytes" in archive.refused[0].message and "600000" in archive.refused[0].message

    def test_total_over_budget_refused(self):
        """Entries declaring more than the budget in all: the whole archive refused, naming the total."""
        with pytest.raises(InputError, match="in all, more than the 60000-byte"):
            opened(make_zip({"a.dcm": CT, "b.dcm": CT}), budget=60_000)

    def test_encrypted_refused(self):
        """An entry flagged encrypted is refused with what to do."""
        data = bytearray(make_zip({"secret.dcm": (CT, zipfile.ZIP_STORED), "ok.dcm": CT}))
        # set the encryption flag in the first local header and its central directory entry
        data[6] |= 1
        central = data.find(b"PK\x01\x02")
        data[central + 8] |= 1
        archive = opened(bytes(data))
        assert "encrypted" in archive.refused[0].message and archive.refused[0].file == "in.zip/secret.dcm"

    def test_unsupported_method_refused(self):
        """bzip2 and LZMA entries are refused by name (stored and deflated are read)."""
        archive = opened(make_zip({"x.dcm": (CT, zipfile.ZIP_BZIP2), "ok.dcm": CT}))
        assert "bzip2" in archive.refused[0].message

    def test_zip64(self):
        """A ZIP64 archive (forced) is read like any."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z:
            with z.open("ct.dcm", "w", force_zip64=True) as entry:
                entry.write(CT)
        archive = opened(out.getvalue())
        assert archives.read_entry(archive, archive.entries[0]) == CT

    def test_not_a_zip(self):
        with pytest.raises(InputError, match="not a readable zip archive"):
            opened(b"PK\x03\x04 but nothing else")

    def test_damaged_entry(self):
        """A CRC that does not match is a message for that entry, not a crash."""
        data = bytearray(make_zip({"ct.dcm": (CT, zipfile.ZIP_STORED)}))
        archive = opened(bytes(data))
        entry = archive.entries[0]
        data[entry.data_offset + 200] ^= 0xFF
        archive = opened(bytes(data))
        with pytest.raises(InputError, match="damaged") as caught:
            archives.read_entry(archive, archive.entries[0])
        assert caught.value.file == "in.zip/ct.dcm"


class TestRangeFile:
    def test_reads_only_what_is_asked(self):
        """Listing through a host's range reads touches the central directory, not the entries' data."""
        data = make_zip({f"f{i}.dcm": CT for i in range(20)})
        reads = []

        def read_into(start, view):
            reads.append((start, len(view)))
            chunk = data[start:start + len(view)]
            view[:len(chunk)] = chunk
            return len(chunk)

        archive = archives.open_ranges(len(data), read_into, "in.zip", 1 << 30)
        assert len(archive.entries) == 20
        assert sum(length for _, length in reads) < len(data) / 2
        assert archive.inflate(3) == (CT, None)

    def test_expand(self):
        inputs, errors = archives.expand("in.zip", make_zip({"a.dcm": CT, "../b.dcm": CT}), 1 << 30)
        assert [i.name for i in inputs] == ["in.zip/a.dcm"] and [e.file for e in errors] == ["in.zip/../b.dcm"]


def test_cli_reads_zip_entries(tmp_path, capsys):
    """A zip among the CLI's paths: its entries described in its place, refused ones as errors (exit 2)."""
    path = tmp_path / "series.zip"
    path.write_bytes(make_zip({"s/ct.dcm": CT, "../x.dcm": CT}))
    assert main(["info", str(path)]) == 2
    out, err = capsys.readouterr()
    assert f"{path}/s/ct.dcm: CT" in out
    assert f"error: {path}/../x.dcm: entry refused" in err
