"""Tests for dicomforge.zipstream: archives written to files and to a sink handed on in chunks."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from dicomforge.zipstream import SMALL_WRITE, ChunkSink, ZipStream

FILES = [("slice_0001.dcm", os.urandom(5000)), ("sub/slice_0002.dcm", b"\x00" * 70000), ("empty.dcm", b"")]


class TestZipStreamToFile:
    def test_writes_a_real_file(self, tmp_path):
        """With a file object, the archive goes straight into it (the CLI's --zip)."""
        path = tmp_path / "out.zip"
        with open(path, "wb") as fh:
            stream = ZipStream(fh, "STORE")
            for name, data in FILES:
                stream.add(name, data)
            stream.close()
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
            assert z.read("sub/slice_0002.dcm") == FILES[1][1]


class TestChunkSink:
    def test_patch_within_undrained_chunks(self):
        """A write back into undrained bytes patches them; nothing else moves."""
        sink = ChunkSink()
        sink.write(b"abc")
        sink.write(b"defg")
        sink.seek(2)
        sink.write(b"XYZ")
        assert sink.tell() == 5
        sink.seek(0, io.SEEK_END)
        sink.write(b"h")
        assert b"".join(sink.drain()) == b"abXYZfgh"

    def test_no_seek_before_drained_bytes(self):
        """Bytes handed on cannot be changed any more."""
        sink = ChunkSink()
        sink.write(b"abc")
        sink.drain()
        sink.write(b"d")
        with pytest.raises(OSError, match="handed on"):
            sink.seek(1)
        assert sink.seek(3) == 3

    def test_patch_across_chunk_boundaries(self):
        """A patch spanning several small chunks changes exactly its bytes."""
        sink = ChunkSink()
        for piece in (b"ab", b"c", b"de", b"fgh"):
            sink.write(piece)
        sink.seek(1)
        sink.write(b"XYZW")
        assert b"".join(sink.drain()) == b"aXYZWfgh"

    def test_small_writes_share_a_chunk(self):
        """Small writes are copied into one chunk (fewer views for a host); big ones are
        kept as the objects given; the bytes are the same."""
        sink = ChunkSink()
        big = bytes(range(256)) * (SMALL_WRITE // 256)
        pieces = [b"head1", b"x" * 100, big, b"cd1", b"cd2", b"cd3"]
        for piece in pieces:
            sink.write(piece)
        chunks = sink.drain()
        assert b"".join(chunks) == b"".join(pieces)
        assert len(chunks) == 3 and chunks[1] is big

    def test_a_callers_objects_are_never_changed(self):
        """A caller's bytearray is not grown by later writes nor patched in place."""
        sink = ChunkSink()
        given = bytearray(b"a" * SMALL_WRITE)
        sink.write(given)
        sink.write(b"tail")
        sink.seek(0)
        sink.write(b"XY")
        assert given == bytearray(b"a" * SMALL_WRITE)
        assert b"".join(sink.drain()) == b"XY" + b"a" * (SMALL_WRITE - 2) + b"tail"
