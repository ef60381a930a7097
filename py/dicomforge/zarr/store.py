"""A Zarr store as a job gets it: a zip archive (``.zarr.zip``) or the files of a dropped folder.

Either way the store is a mapping of keys (``zarr.json``, ``0/c/0/0/0``) to bytes, read
on demand. A zip's keys may sit under one folder (an archive of ``scan.zarr/``): the
store's root is the shallowest folder holding a ``zarr.json``. The standard library's
:mod:`zipfile` reads the archive (ZIP64 included); an entry's declared size is checked
against what its key may hold before it is inflated.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from dicomforge.errors import InputError, UnsupportedError, plain_reason
from dicomforge.inputs import NamedInput

__all__ = ["Store", "ZipStore", "FolderStore", "is_zip_store", "is_store_key", "store_root", "METADATA_MAX_BYTES"]

#: The most bytes a ``zarr.json`` may hold (DICOM attributes of a long series included).
METADATA_MAX_BYTES = 256 << 20

#: What a store's keys look like: node metadata, and chunk keys (``c/0/0/0``, ``0/c/1``, ``0.0.0``).
_KEY = re.compile(r"^(?:[A-Za-z0-9_.-]+/)*(?:zarr\.json|c(?:[/.]\d+)+|\d+(?:[/.]\d+)*)$")


def is_store_key(name: str) -> bool:
    """Whether *name* (relative to a store's root) looks like a key of a Zarr v3 store."""
    return bool(_KEY.match(name))


def _root_of(keys) -> str | None:
    """The prefix ("" or "folder/") of the shallowest ``zarr.json`` among *keys*."""
    roots = [k[: -len("zarr.json")] for k in keys if k == "zarr.json" or k.endswith("/zarr.json")]
    return min(roots, key=lambda r: (r.count("/"), r)) if roots else None


def store_root(name: str) -> str | None:
    """For an input named like ``a/scan.zarr/zarr.json``: its store folder ``a/scan.zarr/``."""
    if name == "zarr.json":
        return ""
    return name[: -len("zarr.json")] if name.endswith("/zarr.json") else None


def is_zip_store(data) -> bool:
    """Whether *data* is a zip archive holding a ``zarr.json`` (a Zarr zip store)."""
    if bytes(data[:4]) != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _root_of(archive.namelist()) is not None
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


class Store:
    """Keys to bytes; *name* is the store as the user knows it (for messages)."""

    name = ""

    def get(self, key: str, limit: int) -> bytes | None:
        """The bytes of *key* (None when absent); an error when it holds more than *limit*."""
        raise NotImplementedError


class ZipStore(Store):
    """A Zarr zip store from the bytes of a ``.zarr.zip`` input."""

    def __init__(self, item: NamedInput) -> None:
        self.name = item.name
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(item.data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InputError(f"is not a readable zip archive ({plain_reason(exc)})", item.name) from None
        root = _root_of([i.filename for i in infos])
        if root is None:
            raise InputError("the zip archive holds no zarr.json: not a Zarr store", item.name)
        self._entries = {i.filename[len(root):]: i for i in infos if i.filename.startswith(root) and not i.is_dir()}

    def get(self, key: str, limit: int) -> bytes | None:
        info = self._entries.get(key)
        if info is None:
            return None
        if info.flag_bits & 0x1:
            raise UnsupportedError(f"{key}: the zip entry is encrypted", self.name)
        if info.file_size > limit:
            raise InputError(f"{key}: the entry holds {info.file_size} bytes, at most {limit} expected", self.name)
        try:
            return self._zip.read(info)
        except NotImplementedError as exc:  # (a compression method zipfile does not have)
            raise UnsupportedError(f"{key}: {exc}", self.name) from None
        except zipfile.BadZipFile as exc:
            why = "its CRC does not match: damaged" if "CRC" in str(exc) else "the archive is damaged"
            raise InputError(f"{key}: the zip entry cannot be read ({why})", self.name) from None
        except (OSError, ValueError, EOFError, RuntimeError, zlib.error):
            raise InputError(f"{key}: the zip entry cannot be read (the archive is damaged)", self.name) from None


class FolderStore(Store):
    """A store from the dropped files of a ``.zarr`` folder: *files* by name, *root* their folder
    ("" or ending in "/"); it goes by the name of its root ``zarr.json``."""

    def __init__(self, root: str, files: dict) -> None:
        self.name = root + "zarr.json"  # (the input that stands for the store: errors name it)
        self._files = {name[len(root):]: item for name, item in files.items()
                       if name.startswith(root) and (root or is_store_key(name))}

    def get(self, key: str, limit: int) -> bytes | None:
        item = self._files.get(key)
        if item is None:
            return None
        data = item.complete().data
        if len(data) > limit:
            raise InputError(f"{key}: the file holds {len(data)} bytes, at most {limit} expected", self.name)
        return data
