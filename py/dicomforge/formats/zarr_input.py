"""Zarr v3 stores as volume inputs: a ``.zarr.zip`` archive, or the root ``zarr.json`` of a
dropped ``.zarr`` folder with the folder's other files as its partners (:mod:`dicomforge.zarr`)."""

from __future__ import annotations

from dicomforge.inputs import NamedInput
from dicomforge.kinds import basename
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.volume import Volume

__all__ = ["read", "is_store_metadata"]


def is_store_metadata(item: NamedInput) -> bool:
    """Whether *item* is a ``zarr.json`` of Zarr v3 (a folder store's node)."""
    return basename(item.name) == "zarr.json" and b'"zarr_format"' in bytes(item.data[:65536])


def read(item: NamedInput, partners: dict | None = None, header_only: bool = False,
         budget: int = PLATFORM_MAX_BYTES) -> Volume:
    """The volume of the store *item* is (a zip) or roots (a ``zarr.json``)."""
    from dicomforge.zarr.read import read_store
    from dicomforge.zarr.store import FolderStore, ZipStore, store_root

    if basename(item.name) == "zarr.json":
        root = store_root(item.name)
        store = FolderStore(root, {**(partners or {}), item.name: item})
    else:
        store = ZipStore(item.complete())
    return read_store(store, budget, header_only)
