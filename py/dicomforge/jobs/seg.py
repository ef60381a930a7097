"""The seg job: DICOM images + a label map (or per-image masks) -> one DICOM Segmentation.

Inputs are the images the segmentation was drawn on (single-frame files of one series, a
multi-frame image, or single 2D images such as US) plus one label-map volume on their grid
(NRRD, NIfTI, MetaImage, VTK, Zarr; matched by geometry as the overlay job matches it), or the
images plus the ``masks`` option (SOP Instance UID -> label values per pixel, or a list of
binary masks, one per segment). Everything is checked before anything is written: a problem
with a source, the label map or the options stops the job with one error naming the input,
and no file is written half-way.

What the job runs is imported when it first runs.
"""

from __future__ import annotations

from typing import Iterator

from dicomforge.overlays.options import label_value
from dicomforge.seg.options import SegOptions

from .registry import Job, JobContext
from .schema import Option, Schema

__all__ = ["JOB"]

SCHEMA = Schema.of_dataclass(
    "seg", SegOptions,
    Option("labels", ("list",), None, "label values to write, one segment each (default: every nonzero label)"),
    Option("names", ("mapping", "list"), None, "segment names: label value -> name, or a list in label order"),
    Option("masks", ("mapping",), None, "SOP Instance UID -> label values per pixel (or a list of binary masks)"),
    Option("label_map", ("text",), "", "the input that is the label map (default: the one volume among the inputs)"),
    docs={"type": "binary (Segmentation Storage) or labelmap (Label Map Segmentation Storage)",
          "algorithm_type": "MANUAL, SEMIAUTOMATIC or AUTOMATIC", "algorithm_name": "needed unless MANUAL",
          "keep_empty_frames": "write frames without a pixel of their segment",
          "series_description": "(0008,103E) Series Description", "series_number": "(0020,0011) Series Number",
          "content_label": "(0070,0080) Content Label, upper case", "content_creator": "(0070,0084) Content Creator's Name",
          "uid_prefix": "root for generated UIDs, ending in '.'"},
)


def _check(values: dict, label) -> list[str]:
    problems = SegOptions(**{k: v for k, v in values.items() if k in SegOptions.__dataclass_fields__}).problems(label)
    for value in values["labels"] or ():
        if label_value(value) is None:
            problems.append(f"{label('labels')}: {value!r:.40} is not a number")
    if values["masks"] is not None and values["label_map"]:
        problems.append(f"give {label('masks')} or {label('label_map')}, not both")
    return problems


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """See :func:`dicomforge.jobs.seg_run.run` (imported when the job first runs)."""
    from .seg_run import run as run_seg

    return run_seg(inputs, options, context)


JOB = Job("seg", "DICOM images + a label map or masks -> a DICOM Segmentation (BINARY or LABELMAP)",
          SCHEMA, run, check=_check)
