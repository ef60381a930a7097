"""The json and from_json jobs: DICOM files <-> the DICOM JSON model (PS3.18 F.2).

``json``: one ``<stem>.json`` per input (:func:`dicomforge.dicom.json_model.to_json`); with
``bulk: "uri"`` binary values from ``bulk_threshold`` bytes on are left out as
``BulkDataURI``s ``<stem>.bulk/<tag path>`` and written as files of those names beside it.
``from_json``: each ``.json`` input back into a Part 10 file ``<stem>.dcm``, its bulk data
found among the other inputs by those names, relative to the JSON's folder. The transfer syntax of the original rides in
the result (``transferSyntax``) and is given back as ``transfer_syntax`` (needed only for
compressed Pixel Data: the JSON model has no file meta).
"""

from __future__ import annotations

import json
from typing import Iterator

from dicomforge.errors import InputError
from dicomforge.kinds import basename, stem

from . import events
from .batch import each_input
from .output import unique_names
from .registry import Job, JobContext
from .schema import Option, Schema

__all__ = ["JOB", "FROM_JSON"]

SCHEMA = Schema(
    "json",
    Option("bulk", ("text",), "inline", "binary values as inline (base64 in the JSON) or uri (files beside it)",
           lambda v: None if v in ("inline", "uri") else f"bulk must be inline or uri, got {v!r}"),
    Option("bulk_threshold", ("integer",), 1024, "with bulk uri: binary values from this many bytes on go to files",
           lambda v: None if v >= 1 else f"bulk threshold must be at least 1 byte, got {v}"),
)
FROM_SCHEMA = Schema(
    "from_json",
    Option("transfer_syntax", ("text",), "", "Transfer Syntax UID to write (default Explicit VR Little Endian; "
           "compressed Pixel Data needs its own)"),
)


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """A ``.json`` file (and its bulk data files), a ``result`` and a ``progress`` per input."""
    from dicomforge.dicom.json_model import to_json
    from dicomforge.dicom.scan import transfer_syntax_of

    names = unique_names([stem(item.name) for item in inputs])

    def as_json(index: int, item) -> Iterator[dict]:
        name = names[index]
        obj, bulk = to_json(item.data, item.name, options["bulk"], options["bulk_threshold"], f"{name}.bulk/")
        yield events.output(f"{name}.json", json.dumps(obj, indent=1).encode("utf-8"))
        for uri, data in bulk.items():
            yield events.output(uri, data)
        yield events.result(item.name, {"name": f"{name}.json", "elements": len(obj), "bulk": len(bulk),
                                        "transferSyntax": transfer_syntax_of(item) or ""})

    yield from each_input(inputs, as_json)


class _Bulk(dict):
    """URI -> bytes for one JSON: the input named by the URI relative to the JSON's folder
    (``out/x.json``'s ``x.bulk/7FE00010`` is the input ``out/x.bulk/7FE00010``), read when asked."""

    def __init__(self, by_name: dict, folder: str) -> None:
        super().__init__()
        self.by_name, self.folder = by_name, folder

    def _item(self, uri: str):
        return self.by_name.get(f"{self.folder}/{uri}" if self.folder else uri)

    def __missing__(self, uri: str):
        item = self._item(uri)
        if item is None:
            raise KeyError(uri)
        return bytes(item.complete().data)

    def __contains__(self, uri) -> bool:
        return self._item(uri) is not None

    def get(self, uri, default=None):
        return self[uri] if uri in self else default


def run_from_json(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """A ``.dcm`` file, a ``result`` and a ``progress`` per JSON input (other inputs: its bulk data)."""
    from dicomforge.dicom.json_model import from_json

    sources = [item for item in inputs if item.name.lower().endswith(".json")]
    if not sources:
        yield events.failed(InputError("no .json input: give DICOM JSON files (and their bulk data files)"))
        return
    by_name = {item.name.replace("\\", "/"): item for item in inputs if not item.name.lower().endswith(".json")}
    names = unique_names([basename(item.name)[:-len(".json")] + ".dcm" for item in sources])

    def as_dicom(index: int, item) -> Iterator[dict]:
        try:
            text = bytes(item.complete().data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        bulk = _Bulk(by_name, item.name.replace("\\", "/").rpartition("/")[0])
        data = from_json(text, item.name, options["transfer_syntax"] or None, bulk)
        yield events.output(names[index], data)
        yield events.result(item.name, {"name": names[index], "bytes": len(data), "source": basename(item.name)})

    yield from each_input(sources, as_dicom)


JOB = Job("json", "DICOM files -> DICOM JSON (PS3.18 F.2), bulk data inline or as files", SCHEMA, run)
FROM_JSON = Job("from_json", "DICOM JSON (and its bulk data files) -> DICOM files", FROM_SCHEMA, run_from_json)
