"""The modify job: DICOM files with elements set, inserted or deleted, and UIDs regenerated on request.

``edits``: a list of ``{"op": "set"|"insert"|"delete", "path": ..., "value": ..., "vr": ...}``
(or the text ``"set PatientName=Anon"``, ``"delete (0010,1000)"``), applied in order to every
input (:func:`dicomforge.dicom.modify.modify_file`, dcmodify's ``-m``, ``-i``, ``-e``);
paths are keywords or tags, through sequence items (``ReferencedSeriesSequence[0].SeriesInstanceUID``,
``[*]`` for every item). ``regenerate_uids``: every instance UID replaced through one map for
the whole batch (a series stays a series), continued from ``uid_map`` (an earlier batch's,
JSON text) and written as ``uid_map.json`` when ``write_uid_map`` is set. Each output keeps its
input's name and transfer syntax; everything not edited stays as it was.
"""

from __future__ import annotations

from typing import Iterator

from dicomforge.dicom.uids import root_problem
from dicomforge.errors import OptionsError

from . import events
from .batch import each_input
from .output import output_names
from .registry import Job, JobContext
from .schema import Option, Schema

__all__ = ["JOB", "UID_MAP_NAME", "parse_edits"]

UID_MAP_NAME = "uid_map.json"

SCHEMA = Schema(
    "modify",
    Option("edits", ("list",), (), "the edits, in order: {op, path, value, vr} or 'set PATH=VALUE', "
           "'insert PATH=VALUE', 'delete PATH'"),
    Option("regenerate_uids", ("boolean",), False, "replace every instance UID, consistently across the files"),
    Option("uid_prefix", ("text",), "", "root for the new UIDs, ending in '.'"),
    Option("uid_map", ("text",), "", "an earlier batch's UID map (its JSON text): the same new UIDs again"),
    Option("write_uid_map", ("boolean",), False, f"also write {UID_MAP_NAME} (old -> new UIDs)"),
)


def _edit(entry):
    from dicomforge.dicom.modify import Edit

    if isinstance(entry, str):
        op, _, rest = entry.strip().partition(" ")
        path, _, value = rest.strip().partition("=")
        return Edit(op.lower(), path.strip(), value if op.lower() != "delete" else "")
    if isinstance(entry, dict) and "op" in entry and "path" in entry:
        return Edit(str(entry["op"]), str(entry["path"]), entry.get("value", "") or "", entry.get("vr") or None)
    raise OptionsError(f"edit {entry!r}: give {{op, path, value}} or text like 'set PatientName=Anon'")


def parse_edits(entries) -> tuple[list, list[str]]:
    """``(edits, problems)``: each entry as an Edit, or the words saying why it is not one."""
    edits, problems = [], []
    for entry in entries:
        try:
            edits.append(_edit(entry))
        except OptionsError as error:
            problems.append(f"edits: {error.message}")
    return edits, problems


def _check(options: dict, label) -> list:
    from dicomforge.dicom.uid_map import UidMap

    problems = parse_edits(options["edits"])[1]
    problems += [p for p in [root_problem(label("uid_prefix"), options["uid_prefix"])] if p]
    if not options["edits"] and not options["regenerate_uids"]:
        problems.append(f"{label('edits')}: nothing to do (give edits, or regenerate UIDs)")
    if options["uid_map"]:
        try:
            UidMap.from_json(options["uid_map"])
        except OptionsError as error:
            problems.append(f"{label('uid_map')}: {error.message}")
    return problems


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """A ``file``, a ``result`` (``{"name", "changes"}``) and a ``progress`` per input."""
    from dicomforge.dicom.modify import modify_file
    from dicomforge.dicom.uid_map import UidMap

    edits = parse_edits(options["edits"])[0]
    uid_map = None
    if options["regenerate_uids"]:
        uid_map = UidMap.from_json(options["uid_map"], options["uid_prefix"]) if options["uid_map"] else \
            UidMap(options["uid_prefix"])
    names = output_names([item.name for item in inputs])

    def modified(index: int, item) -> Iterator[dict]:
        data, changes = modify_file(item.data, item.name, edits, uid_map)
        yield events.output(names[index], data)
        yield events.result(item.name, {"name": names[index], "changes": changes})

    yield from each_input(inputs, modified)
    if uid_map is not None and options["write_uid_map"]:
        yield events.output(UID_MAP_NAME, uid_map.to_json().encode("utf-8"))


JOB = Job("modify", "DICOM files with elements set, inserted or deleted (and UIDs regenerated)", SCHEMA, run,
          check=_check)
