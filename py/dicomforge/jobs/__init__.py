"""The job layer: every job defined once, started alike by the worker, the CLI and the embedding API.

A job (:class:`~.registry.Job`) is a generator of events (:mod:`.events`) over named
inputs and options described by a schema (:mod:`.schema`). Hosts call :func:`start`
and differ only at their edges: how files arrive (dropped Files, paths, in-memory
buffers) and where outputs go (a zip in blob storage, a folder, transferred buffers).

Jobs: ``describe`` (what each input is), ``series`` (volume -> DICOM series),
``convert`` (another transfer syntax), ``zarr`` (volume -> Zarr v3 store), ``export``
(volume -> NIfTI, NRRD or MetaImage), ``seg`` (images + label map -> DICOM Segmentation),
``overlay`` (masks -> 60xx planes), ``preview`` (what the page's canvas needs),
``render`` (RGBA or PNG), ``sample`` (a phantom NIfTI), and the toolbox: ``inspect``
(element tree, dump, is it DICOM), ``json`` / ``from_json`` (the DICOM JSON model),
``modify`` (set, insert, delete elements; new UIDs), ``deidentify`` (PS3.15 Annex E),
``image`` (PNG/JPEG -> Secondary Capture). The benchmarks have their own
registry (:mod:`dicomforge.bench.jobs`), outside the product's.
"""

from __future__ import annotations

import sys

import pydicom

from dicomforge import __version__, kernels, kinds

from . import convert, deidentify, describe, dicom_json, export, image, inspect, modify, overlay, preview, sample, seg, series, to_zarr
from .output import zip_events
from .preview import display_table
from .registry import Job, JobContext, Registry
from .warmup import warm_up as _warm_up

__all__ = ["JOBS", "Job", "JobContext", "Registry", "start", "display_table", "warm_up", "zip_events", "runtime_info"]

#: The product's jobs.
JOBS = Registry(describe.JOB, series.JOB, overlay.JOB, preview.PREVIEW, preview.RENDER, sample.JOB, convert.JOB,
                to_zarr.JOB, export.JOB, seg.JOB, inspect.JOB, dicom_json.JOB,
                dicom_json.FROM_JSON, modify.JOB, deidentify.JOB, image.JOB)

start = JOBS.start


def warm_up() -> dict:
    """Every job once on a tiny phantom (see :mod:`.warmup`)."""
    return _warm_up(JOBS)


def runtime_info() -> dict:
    """What a host tells its user about this runtime, and what it needs to know of the jobs:
    versions, the active pixel backend, the input kinds table, and each job's options."""
    return {
        "python": sys.version.split()[0], "pydicom": pydicom.__version__, "dicomforge": __version__,
        "backend": kernels.BACKEND, "inputKinds": kinds.host_table(), "jobs": JOBS.describe(),
    }
