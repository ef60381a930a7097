"""The sample job: a synthetic head phantom as a NIfTI file, for the page's "try a sample" button."""

from __future__ import annotations

from typing import Iterator

from . import events
from .registry import Job, JobContext
from .schema import Schema

__all__ = ["JOB"]

NAME = "sample_phantom.nii"


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """One ``file`` event: the phantom (128x128x48 int16, RAS sform)."""
    from dicomforge.phantom import phantom_nifti  # (a job's work is imported when it first runs)

    yield events.output(NAME, phantom_nifti())
    yield events.progress(1, 1, NAME)


JOB = Job("sample", "a synthetic head phantom as a NIfTI file (no inputs)", Schema("sample"), run)
