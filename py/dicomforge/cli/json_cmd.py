"""``python -m dicomforge json FILE... [-o DIR] [--bulk inline|uri] [--bulk-threshold N]`` and
``python -m dicomforge json --from-json FILE.json... -o DIR [--transfer-syntax UID]``: DICOM
files as the DICOM JSON model (PS3.18 F.2) and back (the json and from_json jobs,
:mod:`dicomforge.jobs.dicom_json`). Without ``-o`` one file's JSON is printed.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys

from .run import Outputs, add_options, add_outputs, given_options, run_job

__all__ = ["add_command"]


class _Printed(Outputs):
    """Outputs printed to stdout (one JSON and no bulk files: ``json FILE`` without ``-o``)."""

    def __init__(self) -> None:
        self.folder, self.zip_path, self.names = None, None, []

    def add(self, name: str, data) -> str:
        sys.stdout.write(bytes(data).decode("utf-8") + "\n")
        self.names.append(name)
        return "stdout"

    def where(self, names) -> str:
        return "stdout"

    def close(self) -> None:
        pass


def _bulk_files(paths: list[str]) -> list[str]:
    """The bulk data files beside each JSON (``x.bulk/...``): inputs of from_json too."""
    found = []
    for path in paths:
        folder = os.path.join(os.path.dirname(path), os.path.basename(path)[:-5] + ".bulk")
        if path.lower().endswith(".json") and os.path.isdir(folder):
            found += sorted(p for p in glob.glob(os.path.join(glob.escape(folder), "**"), recursive=True) if os.path.isfile(p))
    return found


def _run(args: argparse.Namespace) -> int:
    if args.from_json:
        if not args.output:
            print("error: --from-json needs -o DIR", file=sys.stderr)
            return 2
        outputs = Outputs(args.output, args.zip)
        options = given_options(args, ["transfer_syntax"])

        def show_dicom(file: str, value: dict) -> None:
            print(f"{file}: {value['bytes']} bytes -> {outputs.where([value['name']])}")

        return run_job("from_json", [*args.inputs, *_bulk_files(args.inputs)], options, show_dicom, outputs)
    if not args.output and not args.zip and (len(args.inputs) != 1 or args.bulk == "uri"):
        print("error: give -o DIR (the JSON of one file without bulk files can go to stdout)", file=sys.stderr)
        return 2
    outputs = Outputs(args.output, args.zip) if args.output or args.zip else _Printed()

    def show(file: str, value: dict) -> None:
        if not isinstance(outputs, _Printed):
            print(f"{file}: {value['elements']} elements, {value['bulk']} bulk data files -> {outputs.where([value['name']])}")

    return run_job("json", args.inputs, given_options(args, ["bulk", "bulk_threshold"]), show, outputs)


def add_command(sub) -> None:
    p = sub.add_parser("json", help="DICOM files as DICOM JSON (PS3.18 F.2), or back with --from-json")
    p.add_argument("inputs", nargs="+", metavar="FILE")
    add_outputs(p, "the outputs (default: print one file's JSON)")
    p.add_argument("--from-json", action="store_true", help="the inputs are DICOM JSON: write DICOM files")
    add_options(p, "json", ["bulk", "bulk_threshold"], bulk={"choices": ("inline", "uri"), "metavar": "inline|uri"})
    add_options(p, "from_json", ["transfer_syntax"])
    p.set_defaults(run=_run)
