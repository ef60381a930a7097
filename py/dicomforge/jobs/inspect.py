"""The inspect job: what is in each DICOM input, as the page's inspector shows it or as dcmdump prints it.

``format``: ``tree`` (default): the element tree (:func:`dicomforge.dicom.dump.element_tree`):
sequences nested, private elements with their creator, binary values as truncated hex;
``text``: the lines dcmdump prints for the file (:func:`~dicomforge.dicom.dump.dump_text`);
``ftest``: only whether it is a DICOM (Part 10) file, as dcmftest says. Every result also
carries ``part10``, ``dicom`` and ``reason`` (the ftest). A file that is not DICOM is an error
for ``tree`` and ``text``, and a result (``part10: false``) for ``ftest``.
"""

from __future__ import annotations

from typing import Iterator

from . import events
from .batch import batch_events
from .registry import Job, JobContext
from .schema import Option, Schema

__all__ = ["JOB", "FORMATS"]

FORMATS = ("tree", "text", "ftest")

SCHEMA = Schema(
    "inspect",
    Option("format", ("text",), "tree", "tree (the element tree), text (as dcmdump prints it) or ftest (is it DICOM)",
           lambda v: None if v in FORMATS else f"format must be one of {', '.join(FORMATS)}, got {v!r}"),
)


def _camel(node: dict) -> dict:
    """A tree node with the contract's camelCase keys, its items' nodes too."""
    out = {("privateCreator" if key == "private_creator" else key): value for key, value in node.items()}
    if "items" in out:
        out["items"] = [[_camel(child) for child in item] for item in out["items"]]
    return out


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """A ``result`` (or ``error``) and a ``progress`` per input."""
    from dicomforge.dicom.dump import dump_text, element_tree, ftest, read_dataset

    def inspect(item) -> dict:
        found = dict(ftest(item.data))
        if options["format"] == "ftest":
            return found
        if options["format"] == "text":
            return {**found, "text": dump_text(item.data, item.name)}
        return {**found, "elements": [_camel(node) for node in element_tree(read_dataset(item.data, item.name))]}

    if options["format"] == "ftest":  # (an empty file is a "no", not an error)
        for done, item in enumerate(inputs, start=1):
            yield events.result(item.name, inspect(item))
            yield events.progress(done, len(inputs), item.name)
        return
    yield from batch_events(inputs, inspect)


JOB = Job("inspect", "what is in each DICOM file: its element tree, its dcmdump text, or whether it is DICOM",
          SCHEMA, run)
