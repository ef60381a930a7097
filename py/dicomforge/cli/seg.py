"""``python -m dicomforge seg DICOM... --mask LABELS [--labels 1,2] [--names "Liver,Spleen"]
[--type binary|labelmap] -o OUT.dcm``: a DICOM Segmentation of the images from a label map on
their grid (the seg job). The inputs are never modified; nothing is written when the job fails.
"""

from __future__ import annotations

import argparse
import os
import sys

from .overlay import _labels
from .run import Outputs, add_options, given_options, read_paths, run_job

__all__ = ["add_command"]

_OPTIONS = ["labels", "type", "algorithm_type", "algorithm_name", "keep_empty_frames", "series_description",
            "series_number", "content_label", "content_creator", "uid_prefix"]


class _Named(Outputs):
    """The Segmentation written where ``-o`` says (a folder: under its own name)."""

    def __init__(self, path: str) -> None:
        folder = path if os.path.isdir(path) or not path.lower().endswith(".dcm") else os.path.dirname(path) or "."
        super().__init__(folder)
        self.file = None if folder == path else os.path.basename(path)

    def add(self, name: str, data) -> str:
        return super().add(self.file or name, data)


def _run(args: argparse.Namespace) -> int:
    extra, problems = read_paths([args.mask], data_files=True)
    for problem in problems.values():
        print(f"error: --mask {problem}", file=sys.stderr)
    if problems:
        return 2
    options = {**given_options(args, _OPTIONS), "label_map": args.mask}
    if args.names:
        options["names"] = [n.strip() for n in args.names.split(",")]
    outputs = _Named(args.output)

    def show(file: str, value: dict) -> None:
        segments = ", ".join(f"{s['number']} {s['label']}" for s in value["segments"])
        where = os.path.join(outputs.folder, outputs.names[-1]) if outputs.names else args.output
        print(f"{file}: {value['type']} Segmentation, {value['frames']} frames, segments {segments} -> {where}")

    return run_job("seg", args.inputs, options, show, outputs, extra)


def add_command(sub) -> None:
    p = sub.add_parser("seg", help="a DICOM Segmentation (SEG) of DICOM images from a label map on their grid")
    p.add_argument("inputs", nargs="+", metavar="DICOM")
    p.add_argument("--mask", metavar="LABELS", required=True,
                   help="label map (NRRD, NIfTI, MetaImage, VTK, Zarr, another SEG) on the images' grid")
    p.add_argument("--names", metavar="A,B", help="segment names in label order, e.g. Liver,Spleen")
    p.add_argument("-o", "--output", required=True, metavar="OUT.dcm", help="the Segmentation file (or a folder)")
    add_options(p, "seg", _OPTIONS, labels={"type": _labels, "metavar": "1,2"},
                type={"choices": ("binary", "labelmap"), "metavar": "binary|labelmap"})
    p.set_defaults(run=_run)
