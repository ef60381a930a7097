"""A Zarr v3 store -> :class:`Volume`: the array (the store's root, or the first dataset of an
OME-Zarr group), its geometry and, when it holds them, the DICOM attributes of its slices.

Axes: ``(z, y, x)``, ``(z, y, x, c)`` with c = 1 or 3 (RGB), or ``(y, x)`` (one slice), C
order, as :mod:`.write` stores a volume. Chunks may be of any regular shape; a chunk
missing from the store holds the fill value (zarr-python leaves such chunks out). The
declared size is checked against the memory budget before the voxels are allocated.
"""

from __future__ import annotations

import math

from dicomforge.errors import DicomForgeError, InputError, UnsupportedError
from dicomforge.formats._common import check_size
from dicomforge.kernels import itemsize
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.volume import Volume

from .attributes import SliceAttributes, volume_geometry
from .chunks import chunk_indices, write_chunk
from .codecs import Pipeline
from .metadata import ArrayMeta, fill_bytes, parse_array, parse_node
from .store import METADATA_MAX_BYTES, Store

__all__ = ["read_store", "find_array"]


def _metadata_key(path: str) -> str:
    """The key of the ``zarr.json`` of the node at *path* (the root: "")."""
    return f"{path}/zarr.json" if path else "zarr.json"


def _node(store: Store, path: str) -> dict | None:
    key = _metadata_key(path)
    raw = store.get(key, METADATA_MAX_BYTES)
    return None if raw is None else parse_node(raw, key)


def find_array(store: Store) -> tuple[str, ArrayMeta, list]:
    """``(path, metadata, NGFF transforms)`` of the store's image array: the root when it is an
    array, else the first dataset of the group's OME ``multiscales`` (with its coordinate
    transformations), else the group's array ``0``."""
    root = _node(store, "")
    if root is None:
        raise InputError("zarr.json: the store has no zarr.json at its root")
    path, transforms = "", []
    if root["node_type"] == "group":
        path = "0"
        ome = (root.get("attributes") or {}).get("ome") or {}
        scales = ome.get("multiscales") if isinstance(ome, dict) else None
        try:
            dataset = scales[0]["datasets"][0]
            path = str(dataset["path"]).strip("/")
            transforms = list(dataset.get("coordinateTransformations") or [])
        except (TypeError, KeyError, IndexError, AttributeError):
            pass
        node = _node(store, path)
        if node is None or node["node_type"] != "array":
            raise InputError(f"{path}/zarr.json: the group has no image array at {path!r} (zarr.json names it)")
    else:
        node = root
    return path, parse_array(node, _metadata_key(path)), transforms


def _layout(meta: ArrayMeta, where: str) -> tuple[tuple, int]:
    """``((nx, ny, nz), components)`` of the array's shape."""
    shape = meta.shape
    if len(shape) == 2:
        return (shape[1], shape[0], 1), 1
    if len(shape) == 3:
        return (shape[2], shape[1], shape[0]), 1
    if len(shape) == 4 and shape[3] in (1, 3):
        return (shape[2], shape[1], shape[0]), shape[3]
    raise UnsupportedError(f"{where}: shape {list(shape)} is not a volume: (z, y, x), (z, y, x, 3) or (y, x) expected")


def read_store(store: Store, budget: int = PLATFORM_MAX_BYTES, header_only: bool = False) -> Volume:
    """The store's volume (``data`` None with *header_only*); errors name the store as their file
    and the key in their message."""
    try:
        return _read(store, budget, header_only)
    except DicomForgeError as error:
        raise error.with_file(store.name)


#: The most chunks a store may declare (a 4096^3 volume in 64^3 chunks has 262,144).
MAX_CHUNKS = 1 << 20


def _ngff_geometry(transforms: list, ndim: int) -> dict:
    """Spacing and origin (x, y, z) from an OME-Zarr dataset's scale and translation (axes z, y, x
    last), for stores written by other tools; {} when they say nothing usable."""
    found = {}
    for t in transforms:
        values = t.get("scale") if isinstance(t, dict) and t.get("type") == "scale" else \
            t.get("translation") if isinstance(t, dict) and t.get("type") == "translation" else None
        if not isinstance(values, list) or len(values) < 3 or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values[-3:]):
            continue
        z, y, x = (float(v) for v in values[-3:])
        if t["type"] == "scale" and min(x, y, z) > 0:
            found["spacing"] = (x, y, z)
        elif t["type"] == "translation":
            found["origin"] = (x, y, z)
    return found


def _read(store: Store, budget: int, header_only: bool) -> Volume:
    path, meta, transforms = find_array(store)
    where = _metadata_key(path)
    size, components = _layout(meta, where)
    nbytes = check_size(store.name, size, components, meta.dtype, None, budget)
    chunk_shape = meta.chunks[:3] + (1,) * (3 - len(meta.chunks[:3]))
    check_size(store.name, tuple(reversed(chunk_shape)), meta.chunks[3] if len(meta.chunks) > 3 else 1, meta.dtype,
               None, budget)  # (a chunk is decoded whole: it must fit the budget too)
    count = 1
    for n in meta.chunk_grid():
        count *= n
    if count > MAX_CHUNKS:
        raise InputError(f"{where}: the array declares {count} chunks, more than the {MAX_CHUNKS} read here")
    geometry = volume_geometry(meta.attributes, where) or _ngff_geometry(transforms, len(meta.shape))
    slices = SliceAttributes.from_attributes(meta.attributes, size[2], where)
    volume = Volume(data=None, dtype=meta.dtype, size=size, components=components, name=store.name,
                    spacing=geometry.get("spacing", (1.0, 1.0, 1.0)), origin=geometry.get("origin", (0.0, 0.0, 0.0)),
                    **{k: v for k, v in geometry.items() if k in ("direction", "rescale")})
    if "spacing" not in geometry:
        volume.warnings.append("the store has no geometry: 1 mm voxels at the origin, identity orientation")
    volume.stored_dicom = slices
    if slices is not None:
        volume.dicom_header = slices.header(0)
    try:
        volume.validate()
    except DicomForgeError as error:
        raise type(error)(f"{where}: {error.message}", store.name) from None
    if header_only:
        return volume
    volume.data, missing = _voxels(store, path, meta, nbytes, where)
    if missing:
        total = 1
        for n in meta.chunk_grid():
            total *= n
        volume.warnings.append(f"{missing} of {total} chunks are not in the store: their voxels are the fill value "
                               f"({meta.fill_value}), as Zarr has it for chunks never written")
    return volume


def _voxels(store: Store, path: str, meta: ArrayMeta, nbytes: int, where: str) -> tuple[bytearray, int]:
    """The array's bytes, and how many of its chunks the store does not hold (*where*: its metadata key)."""
    size = itemsize(meta.dtype)
    pipeline = Pipeline(meta.codecs, meta.dtype, where)
    fill = fill_bytes(meta, 1)
    data = bytearray(fill * (nbytes // size)) if fill.strip(b"\x00") else bytearray(nbytes)
    chunk_bytes = size
    for c in meta.chunks:
        chunk_bytes *= c
    prefix, missing = f"{path}/" if path else "", 0
    for index in chunk_indices(meta.shape, meta.chunks):
        key = prefix + meta.chunk_key(index)
        raw = store.get(key, 2 * chunk_bytes + (1 << 20))
        if raw is None:
            missing += 1
            continue
        write_chunk(data, meta.shape, meta.chunks, index, size, pipeline.decode(raw, chunk_bytes, key))
    return data, missing
