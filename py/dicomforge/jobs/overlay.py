"""The overlay job: DICOM files + one label map (or per-file masks) -> the files with 60xx overlay planes.

Inputs are DICOM files plus at most one label-map volume (NRRD, NIfTI, MetaImage, VTK;
its data file too for two-file formats), or DICOM files plus the ``masks`` option (SOP
Instance UID -> mask bytes, ``rows*columns*frames``, nonzero = set, or a list of such
masks, one plane each), or DICOM files alone with ``replace`` or ``remove_groups``
(existing planes removed, none added; a file without any of them is an error for that
file). A bad label map or option stops the job (a ``failed`` event); a bad DICOM file is
an ``error`` for that file and the others are still written.

What the job runs is imported when it first runs (the worker's warm-up does that right after
start-up): importing the registry loads only what names the options.
"""

from __future__ import annotations

from typing import Iterator

from dicomforge.overlays.options import OverlayOptions, label_value

from .registry import Job, JobContext
from .schema import Option, Schema

__all__ = ["JOB"]

SCHEMA = Schema.of_dataclass(
    "overlay", OverlayOptions,
    Option("labels", ("list",), None, "label values to draw, one plane each (default: every nonzero label)"),
    Option("label_names", ("mapping",), None, "label value -> Overlay Label"),
    Option("masks", ("mapping",), None, "SOP Instance UID -> mask bytes (or a list of masks), instead of a label map"),
    Option("label_map", ("text",), "", "the input that is the label map (default: the one volume among the inputs)"),
    docs={"type": "G (graphics) or R (ROI)", "keep_uids": "only the 60xx groups change (no derived copy)",
          "replace": "remove every existing overlay plane first", "remove_groups": "existing groups to remove first",
          "series_uid": "Series Instance UID of the derived copies", "series_suffix": "appended to Series Description",
          "uid_prefix": "root for generated UIDs, ending in '.'"},
)
def _check(values: dict, label) -> list[str]:
    problems = OverlayOptions.problems(values, label)
    for value in values["labels"] or ():
        if label_value(value) is None:
            problems.append(f"label {value!r:.40} is not a number")
    return problems


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """See :func:`dicomforge.jobs.overlay_run.run` (imported when the job first runs)."""
    from .overlay_run import run as run_overlay

    return run_overlay(inputs, options, context)


JOB = Job("overlay", "DICOM files + a label map or masks -> the same files with 60xx overlay planes",
          SCHEMA, run, check=_check)
