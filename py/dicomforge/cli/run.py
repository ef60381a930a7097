"""What every subcommand does around its job: read the paths, start the job, report, write outputs.

The CLI's edge of the job layer: inputs come from paths (a two-file volume's header can
bring its data file from beside it), outputs go to a folder and/or a zip file, and the
events become lines: what the subcommand prints per result, then ``error: <file>:
<message>`` per failed input on stderr, both in the order of the inputs, and ``warning:``
lines as they come. Options are given to the job by their Python names and named in its
messages as the flags that set them (casing ``"cli"``). Exit 0 when every input succeeded,
2 otherwise.
"""

from __future__ import annotations

import glob
import os
import sys
from typing import Callable

from dicomforge import archives, jobs
from dicomforge.errors import DicomForgeError, InputError, OptionsError
from dicomforge.inputs import NamedInput
from dicomforge.jobs.schema import flag_name
from dicomforge.kinds import role_by_name, stem
from dicomforge.limits import PLATFORM_MAX_BYTES, parse_size
from dicomforge.zipstream import ZipStream

__all__ = ["EXIT_OK", "EXIT_BAD_INPUT", "read_input", "read_text", "read_paths", "run_job", "Outputs", "add_outputs", "add_options",
           "given_options"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def read_input(path: str, name: str | None = None) -> NamedInput:
    """Read *path* from disk (as input *name*, by default the path), turning OS errors into an
    :class:`InputError` naming it."""
    try:
        with open(path, "rb") as fh:
            return NamedInput(name or path, fh.read())
    except IsADirectoryError:
        raise InputError("is a directory, not a file", name or path) from None
    except FileNotFoundError:
        raise InputError("no such file", name or path) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", name or path) from None


def read_text(path: str, flag: str) -> str:
    """The UTF-8 text of *path* given as *flag* (a mapping file an earlier run wrote); an
    OptionsError naming the flag when it cannot be read."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise OptionsError(f"{flag} {path}: cannot be read ({exc})") from None


def _data_files(path: str, given: set) -> list[str]:
    """The files beside a two-file header with its stem and no format of their own (its data)."""
    if role_by_name(path) != "header":
        return []
    pattern = os.path.join(glob.escape(os.path.dirname(path)), glob.escape(stem(path)) + ".*")
    return sorted(p for p in glob.glob(pattern) if p not in given and os.path.isfile(p) and stem(p) == stem(path)
                  and role_by_name(p) in ("data", None))


def _expand_stores(paths: list[str]) -> list[str]:
    """*paths* with each folder that is a Zarr store (holds a ``zarr.json``) replaced by its files."""
    out = []
    for path in paths:
        if os.path.isdir(path) and os.path.isfile(os.path.join(path, "zarr.json")):
            out += sorted(os.path.join(folder, name) for folder, _, names in os.walk(path) for name in names)
        else:
            out.append(path)
    return out


def read_paths(paths: list[str], data_files: bool = False, budget: int = PLATFORM_MAX_BYTES,
               shown: list | None = None) -> tuple[list[NamedInput], dict[str, DicomForgeError]]:
    """``(inputs, errors)``: every readable path as an input (a zip archive: each of its usable
    entries, :mod:`dicomforge.archives`; and, with *data_files*, the data file beside each
    two-file header), and the error of each path or entry that cannot be read. *shown* gets
    the names whose results the user sees, in order: the paths, an archive's entries in its place."""
    inputs, errors, given = [], {}, set(paths)
    shown = [] if shown is None else shown
    for path in paths:
        shown.append(path)
        try:
            item = read_input(path)
            if archives.opens_as_archive(path, item.data):
                entries, refused = archives.expand(path, item.data, budget)
                inputs += entries
                shown += [entry.name for entry in entries] + [error.file for error in refused]
                errors.update((error.file, error) for error in refused)
                continue
            inputs.append(item)
        except DicomForgeError as error:
            errors[error.file or path] = error
            continue
        for found in _data_files(path, given) if data_files else ():
            given.add(found)
            try:
                inputs.append(read_input(found))
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
        try:
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
        except OSError as exc:  # (a folder that is a file, a zip path that is a folder, a full disk)
            raise OptionsError(f"cannot write {exc.filename or where}: {exc.strerror or exc}") from None
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


def add_outputs(parser, what: str) -> None:
    """The flags of where outputs go (:class:`Outputs`): ``-o DIR``, a folder for *what*, and ``--zip FILE``."""
    parser.add_argument("-o", "--output", metavar="DIR", help=f"folder for {what}")
    parser.add_argument("--zip", metavar="FILE", help="also (or only) write every output into this zip")


def add_options(parser, job: str, names: list[str], aliases: dict | None = None, **settings) -> None:
    """Add a flag for each of job *job*'s options *names* (``--series-description`` for
    ``series_description``, and *aliases*' older names), typed, documented and defaulted by the
    job's schema, so that an option's default lives in one place. *settings* maps an option name
    to extra ``add_argument`` keywords (a ``type`` that parses ``1,2``, ``action="append"``)."""
    schema = jobs.JOBS.get(job).schema
    for name in names:
        option = schema.options[name]
        extra = dict(settings.get(name, {}))
        shown = option.default is not None and option.default is not False and option.default not in ("", ())
        help_text = option.doc + (f" (default {option.default})" if shown else "")
        flags = [flag_name(name), *(aliases or {}).get(name, ())]
        if option.kinds == ("boolean",) and option.default is True:  # on unless turned off
            flags = ["--no-" + flag_name(name)[2:]]
            extra.setdefault("action", "store_false")
            help_text = "do not " + option.doc
        elif option.kinds == ("boolean",):
            extra.setdefault("action", "store_true")
        else:
            extra.setdefault("type", _TYPES.get(option.kinds[0], str))
            extra.setdefault("metavar", name.split("_")[-1].upper())
        if extra.get("action") == "append":
            help_text += "; repeatable"
        parser.add_argument(*flags, dest=name, default=None, help=help_text.replace("%", "%%"), **extra)


def given_options(args, names: list[str]) -> dict:
    """The options among *names* the user gave on the command line (the job defaults the rest)."""
    values = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    if args.memory_budget is not None:
        values["memory_budget"] = args.memory_budget
    return values


def run_job(name: str, paths: list[str], options: dict, on_result: Callable[[str, object], None],
            outputs: Outputs | None = None, extra: list[NamedInput] = (), data_files: bool = False,
            on_progress: Callable[[dict], None] | None = None) -> int:
    """Run job *name* over the files at *paths* (and *extra* inputs): print its warnings, send
    output files to *outputs*, then call *on_result(file, value)* per result and print one
    error line per failed input, both in the order of the inputs (results of the data files
    read beside headers are not shown). Returns the exit code."""
    paths = _expand_stores(paths)
    shown = []
    inputs, failures = read_paths(paths, data_files, parse_size(options.get("memory_budget")), shown)
    order = {name: i for i, name in enumerate(dict.fromkeys([*shown, *(item.name for item in extra)]))}
    results, stopped = [], None
    try:
        for event in jobs.start(name, [*inputs, *extra], options, casing="cli"):
            kind = event["type"]
            if kind == "result":
                results.append(event)
            elif kind == "file" and outputs is not None:
                outputs.add(event["name"], event["data"])
            elif kind == "progress" and on_progress is not None:
                on_progress(event)
            elif kind == "warning":
                print(f"warning: {event['file'] + ': ' if event['file'] else ''}{event['message']}", file=sys.stderr)
            elif kind == "error":
                failures.setdefault(event["file"] or "", DicomForgeError(event["message"], event["file"]))
            elif kind == "failed":
                stopped = DicomForgeError(event["message"], event["file"])
    finally:
        if outputs is not None:
            outputs.close()
    rank = lambda file: order.get(file, len(order))  # noqa: E731
    for event in sorted(results, key=lambda e: rank(e["file"])):
        if event["file"] in order or not event["file"]:
            on_result(event["file"], event["value"])
    for path in sorted(failures, key=rank):
        print(f"error: {failures[path]}", file=sys.stderr)
    if stopped is not None:  # (the job could not go on: an option, the label map)
        print(f"error: {stopped}", file=sys.stderr)
    return EXIT_BAD_INPUT if failures or stopped else EXIT_OK
