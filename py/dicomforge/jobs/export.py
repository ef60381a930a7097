"""The export job: volumes (NIfTI, NRRD, MetaImage, VTK, Zarr, DICOM series) -> NIfTI-1, NRRD or MetaImage.

One file per volume, named after its input (``<stem>.nii.gz``, ``.nii``, ``.nrrd``, ``.mha``;
:mod:`dicomforge.formats.writers`). NIfTI keeps stored values with ``scl_slope``/``scl_inter``;
NRRD and MetaImage get real values when the rescale is not the identity; ``float32`` writes real values as
float32 in every format. A volume that
cannot be read or written is an ``error`` for its input; the others are still written.
"""

from __future__ import annotations

from typing import Iterator

from dicomforge.errors import DicomForgeError
from dicomforge.kinds import stem

from . import events
from .describe import volume_summary
from .output import unique_names
from .registry import Job, JobContext
from .schema import Option, Schema

__all__ = ["JOB", "FORMATS"]

#: The ``format`` option's values (dicomforge.formats.writers.WRITERS has their writers).
FORMATS = ("nifti", "nii", "nrrd", "mha")

SCHEMA = Schema(
    "export",
    Option("format", ("text",), "nifti", "nifti (.nii.gz), nii (.nii), nrrd (.nrrd) or mha (.mha)",
           lambda v: None if v in FORMATS else f"format must be one of {', '.join(FORMATS)}, got {v!r}"),
    Option("compress", ("boolean",), False, "gzip the voxels of a NRRD or MetaImage file"),
    Option("float32", ("boolean",), False, "write real values (slope x stored + intercept) as float32"),
)


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """A ``file``, a ``result`` and a ``progress`` per volume; an ``error`` per input that is not one."""
    from dicomforge.formats.writers import WRITERS, as_real_float
    from dicomforge.inputset import InputSet

    ending, write = WRITERS[options["format"]]
    volumes = list(InputSet(inputs).volumes(budget=context.budget))
    names = unique_names([stem(name) + ending for name, _ in volumes])
    for done, ((name, volume), out) in enumerate(zip(volumes, names), start=1):
        try:
            if isinstance(volume, DicomForgeError):
                raise volume
            volume.validate()
            if options["float32"] and volume.components == 1:
                volume = as_real_float(volume)
            data = b"".join(write(volume, options["compress"]))
            yield from (events.warning(w, name) for w in volume.warnings)
            yield events.output(out, data)
            yield events.result(name, {**volume_summary(volume), "name": out, "bytes": len(data)})
        except DicomForgeError as error:
            yield events.error(error.with_file(name))
        yield events.progress(done, len(volumes), name)


JOB = Job("export", "volumes -> NIfTI-1, NRRD or MetaImage files (one per volume)", SCHEMA, run, pixels=True)
