"""``python -m dicomforge modify FILE... -o DIR [-m PATH=VALUE] [-i PATH=VALUE] [-e PATH]
[--regenerate-uids [--uid-map MAP.json] [--write-uid-map]]``: DICOM files with elements
changed as dcmodify's ``-m`` (set an existing one), ``-i`` (insert or set) and ``-e`` (delete)
do, applied in the order given (the modify job, :mod:`dicomforge.jobs.modify`). Paths are
keywords or tags, through sequence items: ``ReferencedSeriesSequence[0].SeriesInstanceUID``,
``(0008,1115)[*].(0020,000E)``. The inputs are never modified.
"""

from __future__ import annotations

import argparse

from .run import Outputs, add_options, add_outputs, given_options, read_text, run_job

__all__ = ["add_command"]


class _Edits(argparse.Action):
    """Collects -m/-i/-e in the order given, as the job's text edits."""

    def __call__(self, parser, namespace, value, option_string=None) -> None:
        op = {"-m": "set", "--set": "set", "-i": "insert", "--insert": "insert", "-e": "delete", "--delete": "delete"}
        namespace.edits = [*(namespace.edits or []), f"{op[option_string]} {value}"]


def _run(args: argparse.Namespace) -> int:
    options = given_options(args, ["regenerate_uids", "uid_prefix", "write_uid_map"])
    options["edits"] = args.edits or []
    if args.uid_map:
        options["uid_map"] = read_text(args.uid_map, "--uid-map")
    outputs = Outputs(args.output, args.zip)

    def show(file: str, value: dict) -> None:
        print(f"{file}: {len(value['changes'])} change(s) -> {outputs.where([value['name']])}")
        for change in value["changes"]:
            print(f"  {change}")

    return run_job("modify", args.inputs, options, show, outputs)


def add_command(sub) -> None:
    p = sub.add_parser("modify", help="set, insert or delete elements of DICOM files (as dcmodify); new UIDs")
    p.add_argument("inputs", nargs="+", metavar="FILE")
    add_outputs(p, "the modified files")
    p.add_argument("-m", "--set", action=_Edits, dest="edits", metavar="PATH=VALUE", help="change an existing element")
    p.add_argument("-i", "--insert", action=_Edits, dest="edits", metavar="PATH=VALUE", help="insert or change an element")
    p.add_argument("-e", "--delete", action=_Edits, dest="edits", metavar="PATH", help="delete an element")
    p.add_argument("--uid-map", metavar="MAP.json", help="an earlier batch's UID map (--write-uid-map): the same new UIDs")
    add_options(p, "modify", ["regenerate_uids", "uid_prefix", "write_uid_map"])
    p.set_defaults(run=_run, edits=None)
