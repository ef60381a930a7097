"""Tests for dicomforge.jobs.output: a job's files as one zip, handed on in chunks, entries located."""

from __future__ import annotations

import io
import os
import zipfile
import zlib

import pytest

from dicomforge.errors import OptionsError
from dicomforge.jobs import zip_events
from dicomforge.zipstream import ZipStream

FILES = [
    ("slice_0001.dcm", os.urandom(5000)),
    ("sub/slice_0002.dcm", b"\x00" * 70000),
    ("empty.dcm", b""),
    ("odd.dcm", bytes(range(256)) * 3 + b"x"),
]


def archive_of(events) -> tuple[bytes, list]:
    """The archive bytes and entry rows of the ``zip`` events among *events*."""
    chunks, entries = [], []
    for event in events:
        if event["type"] == "zip":
            chunks.extend(event["chunks"])
            entries.extend(event["entries"])
    return b"".join(chunks), entries


def file_events():
    for name, data in FILES:
        yield {"type": "file", "name": name, "data": data}
        yield {"type": "progress", "done": 1, "total": 1, "file": name}


class TestZipEvents:
    @pytest.mark.parametrize("compression", ["STORE", "DEFLATE"])
    def test_zipfile_reads_every_entry_back(self, compression):
        """zipfile lists the names in order and testzip() finds no bad CRC."""
        raw, _ = archive_of(zip_events(file_events(), compression))
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            assert z.namelist() == [name for name, _ in FILES]
            assert z.testzip() is None
            for name, data in FILES:
                assert z.read(name) == data
                info = z.getinfo(name)
                assert info.CRC == zlib.crc32(data)
                assert info.compress_type == (zipfile.ZIP_STORED if compression == "STORE" else zipfile.ZIP_DEFLATED)
                assert not info.flag_bits & 0x08  # sizes in the local header, no data descriptor

    def test_store_offsets_locate_each_file(self):
        """A STORE entry's bytes are archive[offset : offset + size]."""
        raw, entries = archive_of(zip_events(file_events(), "STORE"))
        assert [e["name"] for e in entries] == [name for name, _ in FILES]
        for entry, (_, data) in zip(entries, FILES):
            assert entry["method"] == "STORE"
            assert entry["size"] == entry["compressedSize"] == len(data)
            assert raw[entry["offset"] : entry["offset"] + entry["size"]] == data

    def test_deflate_offsets_locate_the_compressed_bytes(self):
        """A DEFLATE entry's compressed bytes inflate (raw deflate) to the file."""
        raw, entries = archive_of(zip_events(file_events(), "deflate"))
        for entry, (_, data) in zip(entries, FILES):
            assert entry["method"] == "DEFLATE"
            packed = raw[entry["offset"] : entry["offset"] + entry["compressedSize"]]
            assert zlib.decompress(packed, -15) == data

    def test_other_events_pass_through_in_order(self):
        """Progress events are kept; the archive ends with one final zip event."""
        events = list(zip_events(file_events(), chunk_bytes=1))
        kinds = [e["type"] for e in events]
        assert kinds.count("progress") == len(FILES)
        assert "file" not in kinds
        assert events[-1]["type"] == "zip" and events[-1]["final"]
        assert all(not e["final"] for e in events[:-1] if e["type"] == "zip")

    def test_small_chunks_make_the_same_archive(self):
        """Handing bytes on after every file gives the same entries and contents."""
        small, entries_small = archive_of(zip_events(file_events(), chunk_bytes=1))
        large, entries_large = archive_of(zip_events(file_events()))
        assert entries_small == entries_large
        assert zipfile.ZipFile(io.BytesIO(small)).read("odd.dcm") == FILES[3][1]
        assert len(small) == len(large)

    def test_no_files_is_an_empty_archive(self):
        """A job without files still ends with a readable (empty) archive."""
        raw, entries = archive_of(zip_events(iter([{"type": "progress", "done": 0, "total": 0}])))
        assert entries == []
        assert zipfile.ZipFile(io.BytesIO(raw)).namelist() == []

    def test_unknown_compression_is_an_options_error(self):
        """Only STORE and DEFLATE are offered."""
        events = list(zip_events(file_events(), "LZMA"))
        assert [e["type"] for e in events] == ["failed"]
        assert "not STORE or DEFLATE" in events[0]["message"]
        with pytest.raises(OptionsError, match="not STORE or DEFLATE"):
            ZipStream(None, "LZMA")

    def test_duplicate_names_are_an_options_error(self):
        """Two outputs with one name would hide one of them."""
        twice = [{"type": "file", "name": "a.dcm", "data": b"1"}, {"type": "file", "name": "a.dcm", "data": b"2"}]
        events = list(zip_events(iter(twice)))
        assert events[-1]["type"] == "failed" and "a.dcm" in events[-1]["message"]

    def test_non_ascii_names_are_utf8(self):
        """zipfile marks a UTF-8 name and reads it back."""
        raw, entries = archive_of(zip_events(iter([{"type": "file", "name": "Kopf_ä.dcm", "data": b"abc"}])))
        z = zipfile.ZipFile(io.BytesIO(raw))
        assert z.read("Kopf_ä.dcm") == b"abc"
        assert raw[entries[0]["offset"] : entries[0]["offset"] + 3] == b"abc"
