"""``python -m dicomforge overlay DICOM... --mask FILE -o OUTDIR``: burn a label map into files.

Without ``--mask``, ``--replace`` or ``--remove-group 60xx`` only removes existing overlays.

Follows :mod:`dicomforge.cli`'s conventions: one ``error: <file>: <message>`` line
per bad DICOM input (the rest are still written) and exit 2 when any failed; a bad
label map or option stops the command with exit 2 before any file is written.
"""

from __future__ import annotations

import argparse
import os
import sys

from dicomforge.errors import DicomForgeError, OptionsError

__all__ = ["add_command"]


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


def _cmd_overlay(args: argparse.Namespace) -> int:
    from dicomforge import cli
    from dicomforge.formats import read_volume
    from dicomforge.inputs import read_input, sibling_partners
    from dicomforge.overlays import LabelMatcher, OverlayOptions, add_label_overlays, output_names, remove_overlays

    options = OverlayOptions(
        type=args.type, keep_uids=args.keep_uids, replace=args.replace,
        remove_groups=tuple(args.remove_group or ()), uid_prefix=args.uid_prefix,
    )
    matcher = volume = None
    if args.mask is None:
        if not (args.replace or args.remove_group):
            raise OptionsError("give --mask LABELS to add overlays, or --replace / --remove-group 60xx to remove them")
        if args.labels:
            raise OptionsError("--labels needs --mask")
    else:
        try:
            label_item = read_input(args.mask)
        except DicomForgeError as exc:
            raise OptionsError(f"--mask {exc}") from None
        try:
            volume = read_volume(label_item, sibling_partners(args.mask))
            matcher = LabelMatcher(volume, args.labels)
        except DicomForgeError as exc:
            raise exc.with_file(args.mask)
    os.makedirs(args.output, exist_ok=True)
    names = dict(zip(args.files, output_names(args.files)))
    empty: list[str] = []

    def work(item):
        if matcher is None:  # only removing existing overlays
            data = remove_overlays(item, options)
        else:
            data, any_set = add_label_overlays(item, matcher, options)
            if not any_set:
                empty.append(item.name)
        path = os.path.join(args.output, names[item.name])
        with open(path, "wb") as fh:
            fh.write(data)
        return path

    def show(result) -> None:
        if not args.quiet:
            print(f"{result.name} -> {result.value}")

    code = cli.report(cli.batch(args.files, work), show)
    for warning in volume.warnings if volume else ():
        print(f"warning: {args.mask}: {warning}", file=sys.stderr)
    if empty:
        print(
            f"warning: {args.mask}: {len(empty)} file(s) show slices without any of the labels "
            "(their overlay planes are empty)",
            file=sys.stderr,
        )
    return code


def add_command(subparsers) -> None:
    """Add the ``overlay`` subcommand to *subparsers* (``cli.COMMANDS`` calls this)."""
    p = subparsers.add_parser(
        "overlay",
        help="burn a label map into DICOM files as overlay planes (60xx), pixels untouched",
        description="Write a copy of each DICOM file with one overlay plane per label. Slices are "
        "matched by geometry (Image Position/Orientation), not by file order.",
    )
    p.add_argument("files", nargs="+", metavar="DICOM")
    p.add_argument("--mask", metavar="FILE", help="label map (NRRD, NIfTI, MetaImage, VTK) on the series' grid "
                   "(leave out to only remove overlays with --replace or --remove-group)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for the new files (same names as the inputs)")
    p.add_argument("--labels", type=_labels, metavar="1,2", help="label values to draw (default: every nonzero label)")
    p.add_argument("--type", default="G", type=str.upper, choices=("G", "R"), help="overlay type: G graphics (default), R ROI")
    p.add_argument("--keep-uids", action="store_true", help="keep the UIDs (default: a derived copy in a new series)")
    p.add_argument("--replace", action="store_true",
                   help="remove every existing overlay plane first (new planes take the freed groups)")
    p.add_argument("--remove-group", action="append", metavar="60xx",
                   help="remove this existing overlay group first (repeatable; new planes take the freed groups)")
    p.add_argument("--uid-prefix", default="", metavar="ROOT", help="root for generated UIDs, ending in '.'")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings")
    p.set_defaults(run=_cmd_overlay)
