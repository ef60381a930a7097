"""The zarr job: volumes (any input format, DICOM series included) -> Zarr v3 stores (OME-Zarr 0.5).

One store per volume (:mod:`dicomforge.zarr.write`): its entries are the job's ``file``
events, keyed from the store's root when the inputs hold one volume (so the page's zip of
them is a Zarr zip store), under ``<stem>.zarr/`` each when they hold several. A DICOM
series' attributes go with it (``dicom``), so that the series job can rebuild it.
"""

from __future__ import annotations

from typing import Iterator

from dicomforge.errors import DicomForgeError
from dicomforge.kinds import stem
from dicomforge.zarr.write import ZarrOptions

from . import events
from .describe import volume_summary
from .output import unique_names
from .registry import Job, JobContext
from .schema import Schema

__all__ = ["JOB"]

SCHEMA = Schema.of_dataclass(
    "zarr", ZarrOptions,
    docs={"compressor": "zstd (default), blosc (zstd inside, with a shuffle), gzip or none",
          "level": "compression level (default 1)", "shuffle": "Blosc's filter: bitshuffle, shuffle or noshuffle",
          "chunks": "chunk shape z,y,x (default: one slice per chunk)",
          "dicom": "keep a DICOM series' attributes (shared and per slice) in the store"},
)


def _check(options: dict, label) -> list[str]:
    return ZarrOptions(**options).problems(label)


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """The entries of each store as ``file`` events, a ``result`` per volume (``bytes``: the whole
    store; ``ratio``: voxel bytes / chunk bytes), ``progress`` per chunk."""
    from dicomforge.inputset import InputSet
    from dicomforge.zarr.write import chunk_count, store_entries

    chosen = ZarrOptions(**options)
    volumes = list(InputSet(inputs).volumes(budget=context.budget))
    readable = [name for name, volume in volumes if not isinstance(volume, DicomForgeError)]
    folders = dict(zip(readable, unique_names([stem(name) + ".zarr" for name in readable])))
    for name, volume in volumes:
        if isinstance(volume, DicomForgeError):
            yield events.error(volume)
            continue
        prefix = folders[name] + "/" if len(readable) > 1 else ""
        written = stored = chunk_bytes = 0
        notes: list = []
        try:
            total = chunk_count(volume, chosen)
            for key, data in store_entries(volume, chosen, stem(name), notes):
                written += 1
                stored += len(data)
                yield events.output(prefix + key, data)
                if not key.endswith("zarr.json"):
                    chunk_bytes += len(data)
                    yield events.progress(written - 2, total, name)
        except DicomForgeError as error:
            yield events.error(error.with_file(name))
            continue
        yield from (events.warning(w, name) for w in [*volume.warnings, *notes])
        raw = len(volume.data)
        yield events.result(name, {**volume_summary(volume), "entries": written, "bytes": stored,
                                   "ratio": round(raw / chunk_bytes, 3) if chunk_bytes else None, "store": prefix or "/"})


JOB = Job("zarr", "volumes -> Zarr v3 stores (OME-Zarr, zstd or Blosc chunks, DICOM attributes kept)", SCHEMA, run,
          check=_check, pixels=True)
