"""What every subcommand does around its job: read the paths, start the job, report, write outputs.

The CLI's edge of the job layer: inputs come from paths (a two-file volume's header
brings its data file from beside it), outputs go to a folder and/or a zip file, and the
events become lines: ``error: <file>: <message>`` per failed input on stderr (in the
order of the inputs, after the job), ``warning: ...`` lines, and what the subcommand
prints per result. Exit 0 when every input succeeded, 2 otherwise.
"""

from __future__ import annotations

import glob
import os
import sys
from typing import Callable

from dicomforge import jobs
from dicomforge.errors import DicomForgeError, InputError, OptionsError
from dicomforge.inputs import NamedInput
from dicomforge.kinds import role_by_name, stem
from dicomforge.zipstream import ZipStream

__all__ = ["EXIT_OK", "EXIT_BAD_INPUT", "read_input", "read_paths", "run_job", "Outputs", "add_options", "given_options"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def read_input(path: str) -> NamedInput:
    """Read *path* from disk, turning OS errors into an :class:`InputError` naming it."""
    try:
        with open(path, "rb") as fh:
            return NamedInput(path, fh.read())
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path) from None
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", path) from None


def _siblings(path: str, given: set) -> list[str]:
    """The data files beside a two-file header (same stem), or the header beside a NIfTI ``.img``."""
    role = role_by_name(path)
    if role not in ("header", "data"):
        return []
    wanted = ("data", None) if role == "header" else ("header",)
    pattern = os.path.join(glob.escape(os.path.dirname(path)), glob.escape(stem(path)) + ".*")
    return sorted(p for p in glob.glob(pattern)
                  if p not in given and os.path.isfile(p) and stem(p) == stem(path) and role_by_name(p) in wanted)


def read_paths(paths: list[str]) -> tuple[list[NamedInput], dict[str, DicomForgeError]]:
    """``(inputs, errors)``: every readable path as an input (with the partner files a two-file
    volume needs from beside it), and the error of each one that cannot be read."""
    inputs, errors, given = [], {}, set(paths)
    for path in paths:
        try:
            inputs.append(read_input(path))
        except DicomForgeError as error:
            errors[path] = error
            continue
        for sibling in _siblings(path, given):
            given.add(sibling)
            try:
                inputs.append(read_input(sibling))
            except DicomForgeError:
                pass  # (the header's reader names its missing partner)
    return inputs, errors


class Outputs:
    """Where a job's output files go: a folder (created on the first file) and/or a zip file."""

    def __init__(self, folder: str | None = None, zip_path: str | None = None) -> None:
        if not folder and not zip_path:
            raise OptionsError("give an output folder (-o DIR) or a zip file (--zip FILE)")
        self.folder, self.zip_path = folder, zip_path
        self._zip_file = self._zip = None
        self.names: list[str] = []

    def add(self, name: str, data) -> str:
        """Write output *name* (a relative, "/"-separated path); returns where it went."""
        parts = name.split("/")
        if name.startswith("/") or ".." in parts:
            raise OptionsError(f"output name {name!r} is not a relative path")
        where = self.zip_path or ""
        if self.folder:
            where = os.path.join(self.folder, *parts)
            os.makedirs(os.path.dirname(where) or ".", exist_ok=True)
            with open(where, "wb") as fh:
                fh.write(data)
        if self.zip_path:
            if self._zip is None:
                self._zip_file = open(self.zip_path, "wb")
                self._zip = ZipStream(self._zip_file, "STORE")
            self._zip.add(name, data)
        self.names.append(name)
        return where

    def where(self, names: list[str]) -> str:
        """Where files *names* went: their folder, or the zip file."""
        folders = sorted({n.rsplit("/", 1)[0] if "/" in n else "" for n in names})
        if not self.folder:
            return self.zip_path
        return ", ".join(os.path.join(self.folder, f) if f else self.folder for f in folders)

    def close(self) -> None:
        """Finish the zip file, if one was started."""
        if self._zip is not None:
            self._zip.close()
            self._zip_file.close()


_TYPES = {"text": str, "integer": int, "number": float}


def add_options(parser, job: str, names: list[str], flags: dict | None = None, **settings) -> None:
    """Add a flag for each of job *job*'s options *names* (``--series-description`` for
    ``series_description``, or *flags*' name), typed, documented and defaulted by the job's
    schema, so that an option's default lives in one place. *settings* maps an option name to
    extra ``add_argument`` keywords (a ``type`` that parses ``1,2``, ``action="append"``)."""
    schema = jobs.JOBS.get(job).schema
    for name in names:
        option = schema.options[name]
        flag = (flags or {}).get(name, "--" + name.replace("_", "-"))
        extra = dict(settings.get(name, {}))
        default = f" (default {option.default})" if option.default not in (None, "", False, ()) else ""
        if option.kinds == ("boolean",):
            extra.setdefault("action", "store_true")
        else:
            extra.setdefault("type", _TYPES.get(option.kinds[0], str))
            extra.setdefault("metavar", name.split("_")[-1].upper())
        help_text = (option.doc + default).replace("%", "%%")  # (argparse formats help with %)
        parser.add_argument(flag, dest=name, default=None, help=help_text, **extra)


def given_options(args, job: str, names: list[str]) -> dict:
    """The options among *names* the user gave on the command line (the job defaults the rest)."""
    values = {name: getattr(args, name) for name in names
              if getattr(args, name) is not None and getattr(args, name) is not False}
    if args.memory_budget is not None:
        values["memory_budget"] = args.memory_budget
    return values


def run_job(name: str, paths: list[str], options: dict, on_result: Callable[[str, object], None],
            outputs: Outputs | None = None, extra: list[NamedInput] = ()) -> int:
    """Run job *name* over the files at *paths* (and *extra* inputs): print its warnings,
    call *on_result(file, value)* per result, send output files to *outputs*, print one
    error line per failed input in input order. Returns the exit code."""
    inputs, failures = read_paths(paths)
    order = {path: i for i, path in enumerate(paths)}
    stopped = None
    try:
        for event in jobs.start(name, [*inputs, *extra], options):
            kind = event["type"]
            if kind == "result":
                on_result(event["file"], event["value"])
            elif kind == "file" and outputs is not None:
                try:
                    outputs.add(event["name"], event["data"])
                except DicomForgeError as error:
                    failures[event["name"]] = error
            elif kind == "warning":
                print(f"warning: {event['file'] + ': ' if event['file'] else ''}{event['message']}", file=sys.stderr)
            elif kind == "error":
                failures.setdefault(event["file"] or "", DicomForgeError(event["message"], event["file"]))
            elif kind == "failed":
                stopped = DicomForgeError(event["message"], event["file"])
    finally:
        if outputs is not None:
            outputs.close()
    for path in sorted(failures, key=lambda p: order.get(p, len(order))):
        print(f"error: {failures[path]}", file=sys.stderr)
    if stopped is not None:  # (the job could not go on: an option, the label map)
        print(f"error: {stopped}", file=sys.stderr)
    return EXIT_BAD_INPUT if failures or stopped else EXIT_OK
