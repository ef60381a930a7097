"""``python -m dicomforge image IMAGE... -o DIR [--reference DICOM] [--patient-name N] ...``:
PNG, JPEG or Netpbm images as DICOM Secondary Capture files of one new series (the image
job, :mod:`dicomforge.jobs.image`). JPEG needs Pillow natively; PNG and Netpbm do not.
"""

from __future__ import annotations

import argparse

from .run import Outputs, add_options, add_outputs, given_options, run_job

__all__ = ["add_command"]

_OPTIONS = ["patient_name", "patient_id", "study_description", "series_description", "modality", "photometric",
            "uid_prefix"]


def _run(args: argparse.Namespace) -> int:
    outputs = Outputs(args.output, args.zip)
    options = given_options(args, _OPTIONS)
    inputs = list(args.inputs)
    if args.reference:
        options["reference"] = args.reference
        inputs.append(args.reference)

    def show(file: str, value: dict) -> None:
        kind = "RGB" if value["samples"] == 3 else "grey"
        print(f"{file}: {value['columns']}x{value['rows']} {kind} {value['bits']}-bit {value['source']} -> "
              f"{outputs.where([value['name']])}")

    return run_job("image", inputs, options, show, outputs)


def add_command(sub) -> None:
    p = sub.add_parser("image", help="PNG / JPEG images as DICOM Secondary Capture files (one series)")
    p.add_argument("inputs", nargs="+", metavar="IMAGE")
    add_outputs(p, "the DICOM files")
    p.add_argument("--reference", metavar="DICOM", help="a DICOM file whose patient and study are copied")
    add_options(p, "image", _OPTIONS, photometric={"choices": ("auto", "RGB", "MONOCHROME2"), "metavar": "auto|RGB|MONOCHROME2"})
    p.set_defaults(run=_run)
