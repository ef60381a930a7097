"""The convert job: DICOM files -> the same files in another transfer syntax.

``to``: ``explicit`` (Explicit VR Little Endian, the default), ``implicit``, ``deflated``
(Deflated Explicit VR Little Endian) or ``rle`` (RLE Lossless). Compressed inputs (JPEG,
JPEG-LS, JPEG 2000, HTJ2K, RLE) are decoded; what changes besides the transfer syntax is
what the standard asks (:mod:`dicomforge.dicom.transcode`). One ``file`` event per input,
under the input's name; a file that cannot be converted is an ``error`` for that file and
the others are still written.
"""

from __future__ import annotations

from typing import Iterator

from . import events
from .batch import each_input
from .output import output_names
from .registry import Job, JobContext
from .schema import Option, Schema

__all__ = ["JOB", "TARGET_NAMES"]

#: The ``to`` option's values (dicomforge.dicom.transcode.TARGETS has their UIDs).
TARGET_NAMES = ("explicit", "implicit", "deflated", "rle")

SCHEMA = Schema(
    "convert",
    Option("to", ("text",), "explicit", f"the transfer syntax to write: {', '.join(TARGET_NAMES)}",
           lambda v: None if v.lower() in TARGET_NAMES else f"to must be one of {', '.join(TARGET_NAMES)}, got {v!r}"),
)


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """A ``file`` and a ``result`` (``{"from": uid, "to": uid, "bytes": n, "name": output name}``) per input."""
    from dicomforge.dicom.scan import transfer_syntax_of
    from dicomforge.dicom.transcode import TARGETS, transcode

    target = TARGETS[options["to"].lower()]
    names = output_names([item.name for item in inputs])

    def convert(index: int, item) -> Iterator[dict]:
        data, notes = transcode(item, target)
        yield events.output(names[index], data)
        yield from (events.warning(note, item.name) for note in notes)
        yield events.result(item.name, {"from": transfer_syntax_of(item) or "", "to": target, "bytes": len(data),
                                        "name": names[index]})

    yield from each_input(inputs, convert)


JOB = Job("convert", "DICOM files -> the same files in another transfer syntax (decompressed, deflated or RLE)",
          SCHEMA, run, pixels=True)
