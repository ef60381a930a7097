"""A zip archive written as it is produced, in chunks a host can hand on at once.

Why here and not in JavaScript: jszip builds a 150 MB STORE archive of 300 files in
over a second even in Node, which alone caps the browser job below 300 slices/s, and
it needs every output file on the JavaScript heap first. The standard library's
:mod:`zipfile` (CRC-32 by zlib, in C) is fast and well kept, so each output file goes
into a :class:`zipfile.ZipFile` the moment it is made and the archive is complete when
the last file is written: no second pass, no second copy of the outputs.

:class:`ChunkSink` is the file object the archive writes to. It is seekable only within
the entry being written (``zipfile`` rewrites an entry's local header once it knows the
CRC and sizes), so headers carry real sizes (no data descriptors) and everything before
the current entry can be taken away with :meth:`ChunkSink.drain`.
:func:`dicomforge.jobs.output.zip_events` puts a job's output files into one, and the
CLI's ``--zip`` writes one to disk.
"""

from __future__ import annotations

import io
import time
import zipfile
from typing import BinaryIO

from dicomforge.errors import OptionsError

__all__ = ["COMPRESSIONS", "CHUNK_BYTES", "ChunkSink", "ZipStream"]

#: Compression names (as jszip and the page call them) -> zipfile constants.
COMPRESSIONS = {"STORE": zipfile.ZIP_STORED, "DEFLATE": zipfile.ZIP_DEFLATED}

#: Bytes gathered before a ``zip`` event hands them to the host. Large: a browser makes
#: one Blob per event, and 32 MB Blobs cost half as much per byte as 8 MB ones.
CHUNK_BYTES = 32 << 20

#: Writes below this size are copied into one growing chunk, up to MERGED_BYTES: a host
#: makes one buffer view per chunk, which costs in Pyodide, and a zip has two small
#: writes per entry in its central directory and one local header per entry.
SMALL_WRITE = 16 << 10
MERGED_BYTES = 1 << 20


class _OwnChunk(bytearray):
    """A chunk :class:`ChunkSink` made itself (a copy), so one it may change; a caller's
    objects, even bytearrays, are kept as they are."""

    __slots__ = ()


class ChunkSink(io.RawIOBase):
    """A write-only file whose bytes are taken away in chunks (:meth:`drain`).

    Writes append chunks without copying them, except small ones (below
    :data:`SMALL_WRITE`), which are copied together into one chunk while it is below
    :data:`MERGED_BYTES`. ``seek`` may go back only into what has not been drained; a
    write there patches the chunks it covers (``zipfile`` does this for the local
    header of the entry it just finished).
    """

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list = []  # undrained chunks, in order
        self._base = 0  # archive offset of the first undrained chunk
        self._end = 0  # archive offset after the last byte written
        self._pos = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._end}[whence] + offset
        if not self._base <= target <= self._end:
            raise OSError(f"cannot seek to {target}: bytes before {self._base} were handed on")
        self._pos = target
        return target

    def write(self, data) -> int:
        size = memoryview(data).nbytes
        if self._pos == self._end:
            if size >= SMALL_WRITE:
                self._chunks.append(data)
            elif size:
                last = self._chunks[-1] if self._chunks else None
                if type(last) is _OwnChunk and len(last) < MERGED_BYTES:
                    last += data
                else:
                    self._chunks.append(_OwnChunk(data))
            self._end += size
        else:
            self._patch(bytes(data))
        self._pos += size
        return size

    def _patch(self, data: bytes) -> None:
        """Overwrite undrained bytes at the current position (never past the end)."""
        if self._pos + len(data) > self._end:
            raise OSError("a write back into the archive must not run past its end")
        # find the chunk holding the position from the end: zipfile patches the header of
        # the entry just written, a few chunks back
        i, start = len(self._chunks), self._end
        while start > self._pos:
            i -= 1
            start -= len(self._chunks[i])
        done = 0
        while done < len(data):
            chunk = self._chunks[i]
            at = self._pos + done - start
            take = min(len(chunk) - at, len(data) - done)
            if type(chunk) is not _OwnChunk:  # (a caller's object: patched in a copy)
                chunk = self._chunks[i] = _OwnChunk(chunk)
            chunk[at : at + take] = data[done : done + take]
            done += take
            start += len(chunk)
            i += 1

    @property
    def pending(self) -> int:
        """Bytes written and not yet drained."""
        return self._end - self._base

    def drain(self, upto: int | None = None) -> list:
        """Take the chunks written before archive offset *upto* (default: all of them)."""
        upto = self._end if upto is None else upto
        taken, size = [], 0
        while self._chunks and self._base + size + len(self._chunks[0]) <= upto:
            chunk = self._chunks.pop(0)
            taken.append(chunk)
            size += len(chunk)
        self._base += size
        return taken


class ZipStream:
    """A zip archive of named byte strings, written entry by entry to a file or a sink.

    Parameters
    ----------
    fileobj : binary file, optional
        Where the archive goes; a :class:`ChunkSink` when not given.
    compression : {"STORE", "DEFLATE"}
        Method for every entry (DEFLATE at level 6).

    Attributes
    ----------
    entries : list of dict
        Per entry: ``name``, ``offset`` (of its data in the archive), ``size``,
        ``compressed_size`` and ``method`` ("STORE" or "DEFLATE"). A STORE entry's
        bytes are ``archive[offset : offset + size]``.
    """

    def __init__(self, fileobj: BinaryIO | None = None, compression: str = "STORE") -> None:
        method = COMPRESSIONS.get(str(compression).upper())
        if method is None:
            raise OptionsError(f"zip compression {compression!r} is not STORE or DEFLATE")
        self.sink = fileobj if fileobj is not None else ChunkSink()
        self.method = method
        self.entries: list[dict] = []
        self._zip = zipfile.ZipFile(self.sink, "w", method, compresslevel=6 if method else None)
        self._names: set = set()
        self._when = time.localtime()[:6]

    def add(self, name: str, data) -> dict:
        """Write one entry; returns its row of :attr:`entries`."""
        if name in self._names:
            raise OptionsError(f"two output files are both called {name!r}")
        self._names.add(name)
        info = zipfile.ZipInfo(name, self._when)
        info.compress_type = self.method
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, data)
        entry = {
            "name": name,
            "offset": info.header_offset + len(info.FileHeader()),
            "size": info.file_size,
            "compressed_size": info.compress_size,
            "method": "DEFLATE" if self.method else "STORE",
        }
        self.entries.append(entry)
        return entry

    def close(self) -> None:
        """Write the central directory (the archive is complete afterwards)."""
        self._zip.close()
