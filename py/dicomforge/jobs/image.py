"""The image job: PNG, JPEG or Netpbm images -> DICOM Secondary Capture files, one series.

Each image is decoded (:func:`dicomforge.images.decode_image`: PNG and Netpbm with the
standard library, JPEG with Pillow natively; the page decodes PNG and JPEG with the
browser's own decoder and hands over Netpbm PAM) and written as a Secondary Capture
Image Storage file ``<name without its ending>.dcm`` (:func:`dicomforge.images.secondary_capture`), all in one
new series of one study: the ``reference`` input's (a DICOM file whose patient and study are
copied) or a new one. A DICOM input that is not the reference is an error for that file.
"""

from __future__ import annotations

import io
import itertools
from typing import Iterator

from dicomforge.dicom.uids import new_uid, root_problem
from dicomforge.errors import InputError
from dicomforge.kinds import basename

from . import events
from .batch import each_input
from .output import unique_names
from .registry import Job, JobContext
from .schema import Option, Schema

__all__ = ["JOB"]

_PHOTOMETRIC = ("auto", "RGB", "MONOCHROME2")

SCHEMA = Schema(
    "image",
    Option("patient_name", ("text",), "", "(0010,0010) Patient's Name (overrides the reference's)"),
    Option("patient_id", ("text",), "", "(0010,0020) Patient ID (overrides the reference's)"),
    Option("study_description", ("text",), "", "(0008,1030) Study Description"),
    Option("series_description", ("text",), "", "(0008,103E) Series Description"),
    Option("modality", ("text",), "OT", "(0008,0060) Modality"),
    Option("photometric", ("text",), "auto", "auto (grey images MONOCHROME2, colour RGB), RGB or MONOCHROME2",
           lambda v: None if v in _PHOTOMETRIC else f"photometric must be one of {', '.join(_PHOTOMETRIC)}, got {v!r}"),
    Option("reference", ("text",), "", "the name of an input (a DICOM file) whose patient and study are copied"),
    Option("uid_prefix", ("text",), "", "root for generated UIDs, ending in '.'"),
)


def _check(options: dict, label) -> list:
    return [p for p in [root_problem(label("uid_prefix"), options["uid_prefix"])] if p]


def _reference(inputs: list, wanted: str) -> tuple:
    """``(input, its data set read by pydicom)`` of the reference, or ``(None, None)``; an
    InputError naming it when it is missing or not DICOM."""
    import pydicom

    if not wanted:
        return None, None
    item = next((i for i in inputs if i.name == wanted or basename(i.name) == wanted), None)
    if item is None:
        raise InputError(f"reference {wanted!r} is not among the inputs")
    try:
        return item, pydicom.dcmread(io.BytesIO(item.data), stop_before_pixels=True)
    except Exception as exc:  # (pydicom raises many kinds)
        raise InputError(f"reference is not a readable DICOM file ({exc})", item.name) from None


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """A ``file``, a ``result`` and a ``progress`` per image."""
    from dicomforge.images import decode_image, image_kind, secondary_capture

    try:
        source, reference = _reference(inputs, options["reference"])
    except InputError as error:
        yield events.failed(error)
        return
    images = [item for item in inputs if item is not source]
    study_uid = str(reference.StudyInstanceUID) if reference is not None and "StudyInstanceUID" in reference else \
        new_uid(options["uid_prefix"])
    series_uid = new_uid(options["uid_prefix"])
    names = unique_names([(basename(item.name).rpartition(".")[0] or basename(item.name)) + ".dcm" for item in images])
    instance_numbers = itertools.count(1)  # (of the images decoded, in order)

    def captured(index: int, item) -> Iterator[dict]:
        if image_kind(item.data) is None:
            raise InputError("is not an image this job reads (PNG, JPEG, Netpbm)")
        image = decode_image(item.data, item.name, budget=context.budget)
        notes: list[str] = []
        number = next(instance_numbers)
        data = secondary_capture(
            image, item.name, reference=reference, patient_name=options["patient_name"],
            patient_id=options["patient_id"], study_description=options["study_description"],
            series_description=options["series_description"], modality=options["modality"],
            photometric=options["photometric"], series_uid=series_uid, study_uid=study_uid,
            instance_number=number, uid_prefix=options["uid_prefix"], warnings=notes)
        yield events.output(names[index], data)
        yield from (events.warning(note.removeprefix(f"{item.name}: "), item.name) for note in notes)
        yield events.result(item.name, {"name": names[index], "columns": image.width, "rows": image.height,
                                        "samples": image.samples, "bits": image.bits, "source": image.source})

    yield from each_input(images, captured)


JOB = Job("image", "PNG / JPEG images -> DICOM Secondary Capture files (one series)", SCHEMA, run, check=_check)
