"""The series job: volumes (NIfTI, NRRD, MetaImage, VTK, DICOM series) -> one DICOM file per slice.

The inputs are grouped first (:class:`~dicomforge.inputset.InputSet`): the files of one
DICOM series make one volume, a header takes its data file. Each volume becomes one
series (:func:`dicomforge.series.plan_series`); when the inputs hold several volumes
(readable or not), each series goes into a folder named after its input.

What the job runs is imported when it first runs (the worker's warm-up does that right after
start-up): importing the registry loads only what names the options.
"""

from __future__ import annotations

from typing import Iterator

from dicomforge.errors import DicomForgeError, OptionsError
from dicomforge.kinds import stem
from dicomforge.series.options import SeriesOptions

from . import events
from .describe import volume_summary
from .output import unique_names
from .registry import Job, JobContext
from .schema import Option, Schema

__all__ = ["JOB"]

SCHEMA = Schema.of_dataclass(
    "series", SeriesOptions,
    Option("reference", ("text",), "", "the input (a DICOM file) whose patient and study are copied; not converted"),
    docs={"series_description": "(0008,103E) Series Description (default: a DICOM series' own, else the input's name)", "series_number": "(0020,0011) Series Number",
          "modality": "CT, MR, or anything else for Secondary Capture (default: a DICOM series' own, else OT)",
          "instance_start": "Instance Number of the first file",
          "from_source": "keep a DICOM series' patient, study, frame of reference and acquisition",
          "file_pattern": "printf pattern of the instance number", "patient_name": "(0010,0010) Patient's Name",
          "patient_id": "(0010,0020) Patient ID", "study_description": "(0008,1030) Study Description",
          "study_instance_uid": "join this existing study", "uid_prefix": "root for generated UIDs, ending in '.'"},
)


def _series_options(options: dict) -> SeriesOptions:
    return SeriesOptions(**{k: v for k, v in options.items() if k != "reference"})


def _check(options: dict, label) -> list[str]:
    return _series_options(options).problems(1, label)


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """One ``file`` event per slice, ``progress`` per series, a ``result`` per volume, and
    an ``error`` per input that is not a volume (the others still finish)."""
    from dicomforge.dicom.describe import read_header
    from dicomforge.inputset import InputSet
    from dicomforge.series.plan import plan_series

    chosen = _series_options(options)
    reference = options["reference"]
    if reference:
        matches = [i for i in inputs if i.name == reference]
        if not matches:
            raise OptionsError(f"the reference file {reference!r} is not among the inputs")
        chosen.reference = read_header(matches[0])
    found = InputSet([i for i in inputs if i.name != reference])
    volumes = list(found.volumes(budget=context.budget))
    # a folder per volume when the inputs hold several, readable or not: the same inputs
    # give the same layout whatever fails (files no reader recognises are not volumes)
    unrecognised = set(found.unrecognised)
    several = len([name for name, _ in volumes if name not in unrecognised]) > 1
    folders = unique_names([stem(name) for name, _ in volumes])
    for (name, volume), folder in zip(volumes, folders):
        if isinstance(volume, DicomForgeError):
            yield events.error(volume)
            continue
        try:
            plan = plan_series(volume, chosen)
        except DicomForgeError as error:
            yield events.error(error.with_file(name))
            continue
        for warning in [*volume.warnings, *plan.warnings]:
            yield events.warning(warning, name)
        for done, (file_name, data) in enumerate(plan.files(), start=1):
            yield events.output(f"{folder}/{file_name}" if several else file_name, data)
            yield events.progress(done, plan.count, name)
        yield events.result(name, {**volume_summary(volume, plan.count), "seriesInstanceUid": plan.series_uid})


JOB = Job("series", "volumes -> one DICOM series each (one Part 10 file per slice)", SCHEMA, run, check=_check, pixels=True)
