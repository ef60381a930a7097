"""``python -m dicomforge overlay DICOM... --mask LABELS -o DIR``: burn a label map into files (the overlay job).

Without ``--mask``, ``--replace`` or ``--remove-group 60xx`` only removes existing
overlays. Slices are matched by geometry (Image Position/Orientation), not by file order
(files without any geometry: by Instance Number order, with a warning).
A bad label map or option stops the command before any file is written; a bad DICOM
file is one error line and the others are still written.
"""

from __future__ import annotations

import argparse
import os
import sys

from dicomforge.errors import OptionsError

from .run import Outputs, add_options, given_options, read_paths, run_job

__all__ = ["add_command"]

_OPTIONS = ["labels", "type", "keep_uids", "replace", "remove_groups", "uid_prefix"]


def _labels(text: str) -> list:
    """``1,2`` -> ``["1", "2"]`` (the job checks that they are numbers)."""
    values = [part.strip() for part in text.split(",") if part.strip()]
    if not values:
        raise argparse.ArgumentTypeError("give at least one label value, e.g. --labels 1,2")
    return values


def _run(args: argparse.Namespace) -> int:
    if args.mask is None and not (args.replace or args.remove_groups):
        raise OptionsError("give --mask LABELS to add overlays, or --replace / --remove-group 60xx to remove them")
    if args.mask is None and args.labels:
        raise OptionsError("--labels needs --mask")
    outputs = Outputs(args.output)
    options = given_options(args, _OPTIONS)
    extra = []
    if args.mask is not None:  # (read first: a label map that cannot be read stops the command)
        extra, problems = read_paths([args.mask], data_files=True)
        for problem in problems.values():
            print(f"error: --mask {problem}", file=sys.stderr)
        if problems:
            return 2
        options["label_map"] = args.mask
    shown = [0]  # outputs written so far

    def show_file(event: dict) -> None:  # a progress event follows each input's output file
        if len(outputs.names) > shown[0] and not args.quiet:
            print(f"{event['file']} -> {os.path.join(args.output, outputs.names[-1])}")
        shown[0] = len(outputs.names)

    return run_job("overlay", args.files, options, lambda file, value: None, outputs, extra, on_progress=show_file)


def add_command(sub) -> None:
    p = sub.add_parser(
        "overlay",
        help="burn a label map into DICOM files as overlay planes (60xx), pixels untouched",
        description="Write a copy of each DICOM file with one overlay plane per label. Slices are "
        "matched by geometry (Image Position/Orientation), not by file order; files without any "
        "geometry by Instance Number order.",
    )
    p.add_argument("files", nargs="+", metavar="DICOM")
    p.add_argument("--mask", metavar="FILE", help="label map (NRRD, NIfTI, MetaImage, VTK) on the series' grid "
                   "(leave out to only remove overlays with --replace or --remove-group)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for the new files (same names as the inputs)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings")
    add_options(p, "overlay", _OPTIONS, {"remove_groups": ["--remove-group"]},
                labels={"type": _labels, "metavar": "1,2"}, type={"type": str.upper, "choices": ("G", "R"), "metavar": "G|R"},
                remove_groups={"action": "append", "type": str, "metavar": "60xx"})
    p.set_defaults(run=_run)
