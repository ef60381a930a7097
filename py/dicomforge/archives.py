"""Zip archives as input: their entries listed, checked, and read one at a time.

Users receive DICOM as zip archives (PACS and TCIA downloads). An archive is opened with the
standard library's :mod:`zipfile` (ZIP64 included) over any seekable file: the CLI's open
file, or in the browser a file whose reads are ranges of the dropped ``File``
(:class:`RangeFile`), so listing a 1 GB archive reads only its central directory and each
entry is read only when it is used. What is refused, and why, is decided here once for
every host, before anything is inflated:

- stored entries whose stored and inflated sizes differ, and entries whose local header names
  another file than the central directory does (a forged archive);
- entries whose path leaves the archive (``..`` parts, absolute or drive paths);
- encrypted entries, and compression methods other than stored and deflated;
- an entry declaring more bytes than the memory budget, or inflating more than
  :data:`MAX_RATIO` times its compressed size beyond :data:`RATIO_FREE_BYTES` (a zip
  bomb); an archive whose entries declare more than the budget in all.

An entry that inflates past its declared size cannot exhaust memory: :mod:`zipfile` stops
at the declared size and the CRC check then fails (:func:`read_entry` says the entry is damaged).
Folders, macOS resource forks (``__MACOSX/``) and ``.DS_Store`` files are skipped silently.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, replace
from typing import Callable

from dicomforge.errors import InputError

__all__ = ["MAX_RATIO", "RATIO_FREE_BYTES", "ArchiveEntry", "Archive", "RangeFile", "is_zip", "opens_as_archive", "open_archive",
           "open_ranges", "read_entry", "expand"]

#: Inflated / compressed size beyond which an entry is taken for a zip bomb (DEFLATE reaches
#: ~1032 at most; real DICOM with empty air compresses 3-20 times, blank masks a few hundred).
MAX_RATIO = 1000
#: Entries inflating to less than this are never refused for their ratio (a small blank mask).
RATIO_FREE_BYTES = 16 << 20
_SUPPORTED = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_METHOD_NAMES = {12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "xz", 99: "AES (WinZip encryption)"}
_JUNK = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$)")
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., file name length, extra field length


#: A Zarr v3 zip store is a volume (dicomforge.formats), not an archive of inputs.
STORE_ENDING = ".zarr.zip"


def opens_as_archive(name: str, head) -> bool:
    """Whether input *name* starting with *head* is opened as an archive of inputs."""
    return is_zip(head) and not name.lower().endswith(STORE_ENDING)


def is_zip(head) -> bool:
    """Whether *head* (a file's first bytes) starts like a zip archive (a local file header,
    or the end record of an empty archive) and is not a DICOM file whose preamble does."""
    return bytes(head[:4]) in (b"PK\x03\x04", b"PK\x05\x06") and bytes(head[128:132]) != b"DICM"


@dataclass(frozen=True)
class ArchiveEntry:
    """One usable entry of an archive.

    Attributes
    ----------
    name : str
        The name it is used by: the archive's name, "/", its path inside the archive.
    path : str
        Its path inside the archive.
    size, compressed : int
        Declared inflated and compressed sizes in bytes.
    stored : bool
        Kept uncompressed: its bytes are ``compressed`` bytes from ``data_offset`` of the archive.
    data_offset : int
        Where its data starts in the archive (after its local header).
    """

    name: str
    path: str
    size: int
    compressed: int
    stored: bool
    data_offset: int


@dataclass
class Archive:
    """An opened archive: its usable entries, the refused ones' errors, and the open zip."""

    name: str
    entries: list
    refused: list
    zip: zipfile.ZipFile
    infos: dict  # entry path -> its ZipInfo

    def listing(self) -> dict:
        """JSON-ready: the entries a host reads (``name``, ``size``, ``stored``, ``offset``, ``length``)
        and the refused ones' errors."""
        return {
            "name": self.name,
            "entries": [{"name": e.name, "size": e.size, "stored": e.stored, "offset": e.data_offset,
                         "length": e.compressed} for e in self.entries],
            "errors": [error.to_dict() for error in self.refused],
        }

    def inflate(self, index: int) -> tuple:
        """``(bytes, None)`` of entry *index* (:func:`read_entry`), or ``(None, error as a dict)``: a host's call."""
        try:
            return read_entry(self, self.entries[index]), None
        except InputError as error:
            return None, error.to_dict()

    def close(self) -> None:
        self.zip.close()


class RangeFile(io.RawIOBase):
    """A read-only, seekable file of *size* bytes whose reads are made by a host's
    ``read_into(start, view) -> count``: it fills the writable memoryview *view* with the
    bytes from *start* (the browser worker reads a slice of the dropped ``File`` into it)."""

    def __init__(self, size: int, read_into: Callable[[int, memoryview], int]) -> None:
        super().__init__()
        self.size, self._read_into, self._at = int(size), read_into, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._at, io.SEEK_END: self.size}[whence]
        self._at = max(0, base + offset)
        return self._at

    def tell(self) -> int:
        return self._at

    def readinto(self, buffer) -> int:
        length = min(len(buffer), max(0, self.size - self._at))
        if not length:
            return 0
        count = int(self._read_into(self._at, memoryview(buffer).cast("B")[:length]))
        self._at += count
        return count


def _path_problem(path: str) -> str | None:
    """Why an entry's path cannot be used as a name, or None."""
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        return "its path is absolute"
    if ".." in parts:
        return "its path climbs out of the archive ('..')"
    if any(ord(c) < 32 for c in path):
        return "its path holds control characters"
    return None


def _entry_problem(info: zipfile.ZipInfo, budget: int) -> str | None:
    """Why *info* is refused (read from the central directory only), or None."""
    problem = _path_problem(info.filename)
    if problem:
        return problem
    if info.flag_bits & 0x1:
        return "it is encrypted: extract the archive with its password first"
    if info.compress_type not in _SUPPORTED:
        method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        return f"it is compressed with {method}, which is not supported (stored and deflated are)"
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        return f"it is stored (not compressed) yet declares {info.compress_size} bytes stored for {info.file_size}"
    if info.file_size > budget:
        return f"it inflates to {info.file_size} bytes, more than the {budget}-byte memory budget"
    if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return (f"it inflates {info.compress_size} bytes to {info.file_size} (more than {MAX_RATIO} times): "
                "refused as a zip bomb")
    return None


def _data_offset(file, info: zipfile.ZipInfo, name: str) -> int:
    """Where *info*'s data starts: after its local header, whose name and extra field may
    differ in length from the central directory's."""
    file.seek(info.header_offset)
    header = file.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise InputError(f"entry {info.filename!r}: its local header is missing or damaged", name)
    _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if file.read(name_length) != info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437"):
        raise InputError(f"entry {info.filename!r}: its local header names another file (a forged archive?)", name)
    return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length


def open_archive(file, name: str, budget: int, headers=None) -> Archive:
    """Open the zip archive in *file* (seekable, binary) called *name*: its entries listed
    and checked (see the module's rules) without inflating any. *headers*: another file of the
    same bytes to read the entries' local headers from with small reads (default *file*).

    Raises
    ------
    InputError
        The file is not a readable zip archive, or its entries declare more than *budget*
        bytes in all.
    """
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, struct.error) as exc:
        raise InputError(f"is not a readable zip archive ({exc})", name) from None
    entries, refused, seen, total = [], [], set(), 0
    for info in archive.infolist():
        if info.is_dir() or _JUNK.search(info.filename):
            continue
        path = info.filename.replace("\\", "/")
        entry_name = f"{name}/{path}"
        problem = _entry_problem(info, budget)
        if problem is None and path in seen:
            problem = "another entry has the same path (the first one is used)"
        if problem is not None:
            # (the name of a refused entry is shown as text; a path climbing out is never used to write)
            refused.append(InputError(f"entry refused: {problem}", entry_name))
            continue
        seen.add(path)
        total += info.file_size
        entries.append((info, ArchiveEntry(entry_name, path, info.file_size, info.compress_size,
                                           info.compress_type == zipfile.ZIP_STORED, 0)))
    if not entries and not refused:
        raise InputError("the archive holds no files", name)
    if total > budget:
        raise InputError(f"its entries inflate to {total} bytes in all, more than the {budget}-byte memory budget: "
                         "extract it and open its files in smaller groups", name)
    headers = archive.fp if headers is None else headers
    placed = [replace(entry, data_offset=_data_offset(headers, info, name)) for info, entry in entries]
    return Archive(name, placed, refused, archive, {e.path: info for (info, _), e in zip(entries, placed)})


def open_ranges(size: int, read_into: Callable[[int, memoryview], int], name: str, budget: int) -> Archive:
    """:func:`open_archive` over a host's file of *size* bytes read by *read_into* (:class:`RangeFile`),
    buffered so that the central directory's small reads become a few larger ones; each entry's
    local header is read unbuffered (30 bytes and its name, not a buffer's worth)."""
    return open_archive(io.BufferedReader(RangeFile(size, read_into), 1 << 16), name, budget,
                        io.BufferedReader(RangeFile(size, read_into), 512))


def read_entry(archive: Archive, entry: ArchiveEntry) -> bytes:
    """The inflated bytes of *entry* (its CRC checked); an InputError naming it when it is damaged."""
    try:
        with archive.zip.open(archive.infos[entry.path]) as stream:
            return stream.read()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error) as exc:
        raise InputError(f"entry is damaged ({exc})", entry.name) from None


def expand(name: str, data, budget: int) -> tuple[list, list]:
    """``(inputs, errors)``: the usable entries of the archive *data* called *name* as
    :class:`~dicomforge.inputs.NamedInput` (read now, one after another) and an InputError
    per refused or damaged entry. The CLI's way in; the worker reads entries lazily instead."""
    from dicomforge.inputs import NamedInput

    archive = open_archive(io.BytesIO(data), name, budget)
    inputs, errors = [], list(archive.refused)
    for entry in archive.entries:
        try:
            inputs.append(NamedInput(entry.name, read_entry(archive, entry)))
        except InputError as error:
            errors.append(error)
    return inputs, errors
