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
          "study_instance_uid": "join this existing study", "uid_prefix": "root for generated UIDs, ending in '.'",
          "renew_uids": "give a series rebuilt from a Zarr store's DICOM attributes new UIDs"},
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

    chosen = _series_options(options)
    reference = options["reference"]
    if reference:
        matches = [i for i in inputs if i.name == reference]
        if not matches:
            raise OptionsError(f"the reference file {reference!r} is not among the inputs")
        chosen.reference = read_header(matches[0])
    rebuild = _rebuild(chosen)
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
        if volume.stored_dicom is not None and chosen.from_source:
            yield from _rebuilt(name, volume, rebuild, chosen, folder if several else "")
        else:
            yield from _planned(name, volume, chosen, folder if several else "")


def _planned(name: str, volume, chosen: SeriesOptions, folder: str) -> Iterator[dict]:
    """The events of the series planned from *volume* (:func:`dicomforge.series.plan_series`)."""
    from dicomforge.series.plan import plan_series

    try:
        plan = plan_series(volume, chosen)
    except DicomForgeError as error:
        yield events.error(error.with_file(name))
        return
    for warning in [*volume.warnings, *plan.warnings]:
        yield events.warning(warning, name)
    for done, (file_name, data) in enumerate(plan.files(), start=1):
        yield events.output(f"{folder}/{file_name}" if folder else file_name, data)
        yield events.progress(done, plan.count, name)
    yield events.result(name, {**volume_summary(volume, plan.count), "seriesInstanceUid": plan.series_uid})


def _rebuild(chosen: SeriesOptions):
    """The rebuilder of series from Zarr stores' DICOM attributes (one per job: one UID map)."""
    from dicomforge.zarr.reconstruct import Rebuild

    overrides = {keyword: value for keyword, value in (
        ("SeriesDescription", chosen.series_description), ("PatientName", chosen.patient_name),
        ("PatientID", chosen.patient_id), ("StudyDescription", chosen.study_description),
        ("StudyInstanceUID", chosen.study_instance_uid)) if value}
    return Rebuild(chosen.renew_uids, overrides, chosen.uid_prefix)


def _rebuilt(name: str, volume, rebuild, chosen: SeriesOptions, folder: str) -> Iterator[dict]:
    """The events of a series rebuilt from a Zarr store's DICOM attributes (or, when the array
    no longer fits them, written as a new series with a warning)."""
    from dicomforge.zarr.reconstruct import rebuild_problem

    problem = rebuild_problem(volume)
    if problem is not None:
        volume.stored_dicom = None
        yield events.warning(f"{problem}: written as a new series", name)
        yield from _planned(name, volume, chosen, folder)
        return
    yield from (events.warning(w, name) for w in volume.warnings)
    count = volume.size[2]
    try:
        for done, (file_name, data) in enumerate(rebuild.files(volume, chosen.file_pattern, chosen.instance_start), 1):
            yield events.output(f"{folder}/{file_name}" if folder else file_name, data)
            yield events.progress(done, count, name)
    except DicomForgeError as error:
        yield events.error(error.with_file(name))
        return
    yield events.result(name, {**volume_summary(volume, count), "seriesInstanceUid": rebuild.series_uid, "rebuilt": True})


JOB = Job("series", "volumes -> one DICOM series each (one Part 10 file per slice)", SCHEMA, run, check=_check, pixels=True)
