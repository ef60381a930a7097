"""The events a job yields, built here and nowhere else: the Python half of the written contract.

A job is a generator of plain dicts, one step at a time, so that a host can report
progress and stop between steps. The page and the worker read them as described in
``web/worker/contract.js`` (``JobEvent``); every key is in camelCase there and here.

- ``progress``: ``done`` of ``total`` steps, the input (``file``) being worked on;
- ``result``: the value one input (``file``) produced, JSON-ready;
- ``file``: an output file (``name``, ``data``);
- ``zip``: the next bytes of the job's zip archive (``chunks``, ``entries``, ``final``);
- ``warning``: something the user should know (``file`` may be "");
- ``error``: one input failed (``name`` "DicomForgeError", ``kind``, ``message``, ``file``);
  the job goes on with the next input;
- ``failed``: the job as a whole could not go on (an invalid option); always the last event;
- ``wait``: the job needs an input that has not arrived (:class:`~dicomforge.inputs.InputFeed`).
"""

from __future__ import annotations

from dicomforge.errors import DicomForgeError
from dicomforge.filenames import safe_name

__all__ = ["TYPES", "progress", "result", "output", "zip_part", "warning", "error", "failed", "wait"]

#: Every event type, as ``web/worker/contract.js`` lists them.
TYPES = ("progress", "result", "file", "zip", "warning", "error", "failed", "wait")


def progress(done: int, total: int, file: str) -> dict:
    """*done* of *total* steps finished; *file*: the input being worked on."""
    return {"type": "progress", "done": done, "total": total, "file": file}


def result(file: str, value) -> dict:
    """The JSON-ready *value* input *file* produced."""
    return {"type": "result", "file": file, "value": value}


def output(name: str, data) -> dict:
    """An output file: *name* (may hold folders, "/"-separated; made safe for every platform
    and zip extractor, :func:`~dicomforge.filenames.safe_name`) and its bytes."""
    return {"type": "file", "name": safe_name(name), "data": data}


def zip_part(chunks: list, entries: list[dict], final: bool) -> dict:
    """The next *chunks* of the job's zip archive and the *entries* they complete
    (:attr:`dicomforge.zipstream.ZipStream.entries` rows, in the contract's casing)."""
    rows = [{"name": e["name"], "offset": e["offset"], "size": e["size"], "compressedSize": e["compressed_size"],
             "method": e["method"]} for e in entries]
    return {"type": "zip", "chunks": chunks, "entries": rows, "final": final}


def warning(message: str, file: str = "") -> dict:
    """Something the user should know about *file* (or the job, when "")."""
    return {"type": "warning", "file": file, "message": message}


def error(problem: DicomForgeError) -> dict:
    """One input failed with *problem*; the job goes on."""
    return {"type": "error", **problem.to_dict()}


def failed(problem: DicomForgeError) -> dict:
    """The whole job stopped with *problem* (the last event)."""
    return {"type": "failed", **problem.to_dict()}


def wait() -> dict:
    """The job needs an input of its feed that has not arrived yet."""
    return {"type": "wait"}
