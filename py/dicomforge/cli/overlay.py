"""``python -m dicomforge overlay DICOM... --mask LABELS -o DIR``: burn a label map into files (the overlay job).

Without ``--mask``, ``--replace`` or ``--remove-group 60xx`` only removes existing
overlays. Slices are matched by geometry (Image Position/Orientation), not by file order.
A bad label map or option stops the command before any file is written; a bad DICOM
file is one error line and the others are still written.
"""

from __future__ import annotations

import argparse
import sys

from dicomforge.errors import OptionsError

from .run import Outputs, add_options, given_options, read_paths, run_job

__all__ = ["add_command"]

_OPTIONS = ["labels", "type", "keep_uids", "replace", "remove_groups", "uid_prefix"]


def _labels(text: str) -> list:
    values = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            number = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{part!r} is not a label value (give numbers like 1,2)") from None
        values.append(int(number) if number.is_integer() else number)
    if not values:
        raise argparse.ArgumentTypeError("give at least one label value, e.g. --labels 1,2")
    return values


def _run(args: argparse.Namespace) -> int:
    if args.mask is None and not (args.replace or args.remove_groups):
        raise OptionsError("give --mask LABELS to add overlays, or --replace / --remove-group 60xx to remove them")
    if args.mask is None and args.labels:
        raise OptionsError("--labels needs --mask")
    outputs = Outputs(args.output)
    options = given_options(args, "overlay", _OPTIONS)
    extra = []
    if args.mask is not None:  # (read first: a label map that cannot be read stops the command)
        extra, problems = read_paths([args.mask])
        for problem in problems.values():
            print(f"error: --mask {problem}", file=sys.stderr)
        if problems:
            return 2

    def show(file: str, value: dict) -> None:
        if not args.quiet:
            print(f"{value['files']} files -> {args.output}" + (f" ({value['failed']} failed)" if value["failed"] else ""))

    return run_job("overlay", args.files, options, show, outputs, extra)


def add_command(sub) -> None:
    p = sub.add_parser(
        "overlay",
        help="burn a label map into DICOM files as overlay planes (60xx), pixels untouched",
        description="Write a copy of each DICOM file with one overlay plane per label. Slices are "
        "matched by geometry (Image Position/Orientation), not by file order.",
    )
    p.add_argument("files", nargs="+", metavar="DICOM")
    p.add_argument("--mask", metavar="FILE", help="label map (NRRD, NIfTI, MetaImage, VTK) on the series' grid "
                   "(leave out to only remove overlays with --replace or --remove-group)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for the new files (same names as the inputs)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings")
    add_options(p, "overlay", _OPTIONS, {"remove_groups": "--remove-group"},
                labels={"type": _labels, "metavar": "1,2"}, type={"type": str.upper, "choices": ("G", "R")},
                remove_groups={"action": "append", "type": str, "metavar": "60xx"})
    p.set_defaults(run=_run)
