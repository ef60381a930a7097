"""``python -m dicomforge convert FILE... -o DIR --to explicit|implicit|deflated|rle``: DICOM
files in another transfer syntax (the convert job, :mod:`dicomforge.jobs.convert`).

Compressed inputs (JPEG, JPEG-LS, JPEG 2000, HTJ2K, RLE) are decoded with the libraries
pydicom uses (``pip install dicomforge[codecs]``); each output keeps its input's name.
The inputs are never modified.
"""

from __future__ import annotations

import argparse

from dicomforge.dicom.codecs import syntax_name

from .run import Outputs, add_options, add_outputs, given_options, run_job

__all__ = ["add_command"]


def _run(args: argparse.Namespace) -> int:
    outputs = Outputs(args.output, args.zip)

    def show(file: str, value: dict) -> None:
        print(f"{file}: {syntax_name(value['from'])} -> {syntax_name(value['to'])}, {value['bytes']} bytes"
              f" -> {outputs.where([value['name']])}")

    return run_job("convert", args.inputs, given_options(args, ["to"]), show, outputs)


def add_command(sub) -> None:
    p = sub.add_parser("convert", help="write DICOM files in another transfer syntax (decompressed, deflated or RLE)")
    p.add_argument("inputs", nargs="+", metavar="FILE")
    add_outputs(p, "the converted files")
    add_options(p, "convert", ["to"])
    p.set_defaults(run=_run)
