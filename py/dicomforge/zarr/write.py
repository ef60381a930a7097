"""A :class:`Volume` -> the entries of a Zarr v3 store (OME-Zarr 0.5 image), one at a time.

Layout (keys relative to the store's root)::

    zarr.json        group: attributes.ome (NGFF 0.5 multiscales, axes z/y/x in mm)
    0/zarr.json      array (z, y, x[, c]), C order; attributes.dicomforge: geometry, rescale,
                     and a DICOM series' attributes (:mod:`.attributes`)
    0/c/k/j/i        chunk (k, j, i), by default one z slice each

The codecs are ``bytes`` (little endian) then zstd (level 1 by default) or, on request, Blosc
(zstd inside, shuffle or bitshuffle) or gzip (:func:`.codecs.codec_list`). Stored values are
written as they are; the rescale stays in the attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from dicomforge.errors import OptionsError
from dicomforge.kernels import itemsize
from dicomforge.volume import Volume

from .attributes import KEY, dicom_attributes, geometry_attributes, ngff_attributes
from .chunks import chunk_indices, read_chunk
from .codecs import COMPRESSORS, SHUFFLES, Pipeline, codec_list
from .metadata import ArrayMeta, array_json, group_json

__all__ = ["ZarrOptions", "store_entries", "chunk_count", "ARRAY_PATH"]

#: Where the image array sits in the stores we write.
ARRAY_PATH = "0"


@dataclass
class ZarrOptions:
    """How a store is written.

    Attributes
    ----------
    compressor : str
        ``zstd`` (default), ``blosc`` (zstd inside), ``gzip`` or ``none``.
    level : int
        Compression level (zstd 1 by default, as the seed script).
    shuffle : str
        Blosc's filter: ``bitshuffle`` (default), ``shuffle`` or ``noshuffle``.
    chunks : list of int
        Chunk shape (z, y, x); empty: one z slice per chunk.
    dicom : bool
        Keep a DICOM series' attributes (shared and per slice) in the array's attributes.
    """

    compressor: str = "zstd"
    level: int = 1
    shuffle: str = "bitshuffle"
    chunks: list = ()
    dicom: bool = True

    def problems(self, label=str) -> list[str]:
        found = []
        if self.compressor not in COMPRESSORS:
            found.append(f"{label('compressor')} must be one of {', '.join(COMPRESSORS)}, got {self.compressor!r}")
        low, high = {"zstd": (-7, 22), "blosc": (0, 9), "gzip": (0, 9)}.get(self.compressor, (-7, 22))
        if not low <= self.level <= high:
            found.append(f"{label('level')} must be between {low} and {high} for {self.compressor}, got {self.level}")
        if self.shuffle not in SHUFFLES:
            found.append(f"{label('shuffle')} must be one of {', '.join(SHUFFLES)}, got {self.shuffle!r}")
        chunks = list(self.chunks or ())
        if chunks and (len(chunks) != 3 or not all(isinstance(c, int) and not isinstance(c, bool) and c > 0 for c in chunks)):
            found.append(f"{label('chunks')} must be three positive whole numbers (z, y, x), got {chunks!r}")
        return found


def _chunk_shape(shape: tuple, options: ZarrOptions) -> tuple:
    chunks = list(options.chunks or ()) or [1, shape[1], shape[2]]
    chunks = [min(c, n) for c, n in zip(chunks, shape[:3])]
    return tuple(chunks) + tuple(shape[3:])


def _dicom_json(volume: Volume, options: ZarrOptions, warnings: list):
    if not options.dicom:
        return None
    if volume.stored_dicom is not None:
        return volume.stored_dicom
    if volume.slice_headers:
        return dicom_attributes(volume.slice_headers, warnings)
    return None


def chunk_count(volume: Volume, options: ZarrOptions) -> int:
    """How many chunks the store of *volume* has."""
    nx, ny, nz = volume.size
    count = 1
    for n, c in zip((nz, ny, nx), _chunk_shape((nz, ny, nx), options)):
        count *= -(-n // c)
    return count


def store_entries(volume: Volume, options: ZarrOptions | None = None, name: str = "",
                  warnings: list | None = None) -> Iterator[tuple[str, object]]:
    """``(key, bytes)`` of every entry of the store of *volume*: the metadata, then each chunk;
    *warnings* gets what the user should know (attributes that could not be kept)."""
    options = options or ZarrOptions()
    problems = options.problems()
    if problems:
        raise OptionsError("; ".join(problems))
    volume.validate()
    nx, ny, nz = volume.size
    shape = (nz, ny, nx) + ((volume.components,) if volume.components > 1 else ())
    own = geometry_attributes(volume)
    found = _dicom_json(volume, options, warnings if warnings is not None else [])
    if found is not None:
        own["dicom"] = found.to_json()
    compressor = "" if options.compressor == "none" else options.compressor
    meta = ArrayMeta(shape, _chunk_shape(shape, options), volume.dtype, 0.0 if volume.dtype.startswith("float") else 0,
                     codec_list(volume.dtype, compressor, options.level, options.shuffle),
                     attributes={KEY: own}, dimension_names=["z", "y", "x", "c"][: len(shape)])
    group = {"ome": ngff_attributes(volume, name or volume.name, ARRAY_PATH)} if volume.components == 1 else {}
    yield "zarr.json", group_json(group)
    yield f"{ARRAY_PATH}/zarr.json", array_json(meta)
    pipeline = Pipeline(meta.codecs, meta.dtype, name or volume.name)
    size = itemsize(volume.dtype)
    fill = bytes(size)
    for index in chunk_indices(meta.shape, meta.chunks):
        chunk = read_chunk(volume.data, meta.shape, meta.chunks, index, size, fill)
        yield f"{ARRAY_PATH}/{meta.chunk_key(index)}", pipeline.encode(chunk)
