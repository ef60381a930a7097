"""The describe job: what each input is, a DICOM header summary or a volume's format and geometry.

Inputs are described as they arrive (an :class:`~dicomforge.inputs.InputFeed`): DICOM
files and one-file volumes at once, two-file headers and unrecognised files (which may
be partners) once every input is there. Volumes are described from their headers (an
input may hold only the start of its file); only 8-bit ones are read whole, for their labels.

What the job runs is imported when it first runs (the worker's warm-up does that right after
start-up): importing the registry loads only what names the options.
"""

from __future__ import annotations

from typing import Iterator

from dicomforge.errors import DicomForgeError, MissingPartnerError, UnsupportedError
from dicomforge.inputs import InputFeed, NamedInput
from dicomforge.volume import Volume

from . import events
from .batch import batch_events
from .registry import Job, JobContext
from .schema import Schema

__all__ = ["JOB", "MAX_LABELS", "volume_summary"]

#: An 8-bit volume with at most this many distinct values is offered as a label map.
MAX_LABELS = 32


def volume_summary(volume: Volume, files: int | None = None) -> dict:
    """What the page shows about a volume: format-independent geometry, JSON-ready.

    8-bit scalar volumes with few distinct values are reported as label maps
    (``kind: "labelmap"``, ``labels``: the nonzero values), the masks the overlay job takes.
    """
    labels = None
    if volume.data is not None and volume.dtype in ("uint8", "int8") and volume.components == 1:
        values = volume.distinct_values()
        if len(values) <= MAX_LABELS:
            labels = [v for v in values if v != 0]
    summary = {
        "kind": "labelmap" if labels else "volume",
        "size": list(volume.size),
        "spacing": [round(s, 6) for s in volume.spacing],
        "origin": [round(o, 4) for o in volume.origin],
        "direction": [[round(c, 6) for c in axis] for axis in volume.direction],
        "dtype": volume.dtype,
        "components": volume.components,
        "warnings": list(volume.warnings),
    }
    if labels:
        summary["labels"] = labels
    if volume.segments is not None:  # (a DICOM Segmentation: the segments its labels are)
        summary["segments"] = volume.segments
    if files is not None:
        summary["files"] = files
    return summary


def _volume_value(kind: str, volume) -> dict:
    """A volume's description (:func:`volume_summary` and its format), or its error raised."""
    if isinstance(volume, DicomForgeError):
        raise volume
    return {"format": kind, **volume_summary(volume)}


def run(inputs: list | InputFeed, options: dict, context: JobContext) -> Iterator[dict]:
    """A ``result`` (or ``error``) and a ``progress`` event per input; files no reader
    recognises are ``{"kind": "partner"}`` when a two-file header among the inputs claims them."""
    from dicomforge.dicom.describe import describe_dicom
    from dicomforge.formats import UNRECOGNISED, detect_format
    from dicomforge.images import image_kind
    from dicomforge.inputset import InputSet, header_volume, waits_for_partners

    feed = InputFeed.of(inputs)
    kinds, later, done = {}, [], 0
    for item in feed.arrivals():
        if item is None:
            yield events.wait()
            continue
        kind = kinds[item.name] = detect_format(item)
        if kind == "dicom":
            value = lambda i: {"kind": "dicom", **describe_dicom(i.complete(), context.budget)}  # noqa: E731
        elif waits_for_partners(item, kind):
            later.append(item)
            continue
        else:
            try:
                volume = header_volume(item, {}, kinds, context.budget)
            except MissingPartnerError:  # a one-file format naming a data file all the same
                later.append(item)
                continue
            except DicomForgeError as error:
                volume = error.with_file(item.name)
            value = lambda i, kind=kind, volume=volume: _volume_value(kind, volume)  # noqa: E731
        yield from batch_events([item], value, done, feed.expected)
        done += 1
    everything = InputSet(feed.items, kinds)
    volumes = dict(InputSet(later, kinds).volumes(header_only=True, budget=context.budget)) if later else {}

    def describe(item: NamedInput) -> dict:
        kind = kinds[item.name]
        if everything.in_store(item):
            return {"kind": "partner", "store": True}
        if everything.is_partner(item):
            return {"kind": "partner"}
        image = image_kind(item.data) if kind is None else None
        if image is not None:  # (for the image job)
            return {"kind": "image", "format": image}
        if kind is None:
            raise UnsupportedError(UNRECOGNISED, item.name)
        return _volume_value(kind, volumes[item.name])

    yield from batch_events(later, describe, done, feed.expected)


JOB = Job("describe", "what each input is: a DICOM header summary, or a volume's format and geometry",
          Schema("describe"), run, feed=True, partial=True)
