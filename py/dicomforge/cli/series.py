"""``python -m dicomforge series INPUT... -o DIR``: volumes -> DICOM series (the series job).

The inputs are grouped as the page groups dropped files: the files of one DICOM series
make one series, a two-file volume's header brings its data file. With several volumes,
each series goes into a folder named after its input. The options and their defaults
are the series job's (:mod:`dicomforge.jobs.series`).
"""

from __future__ import annotations

import argparse
import sys

from dicomforge.errors import DicomForgeError

from .run import Outputs, add_options, add_outputs, given_options, read_input, run_job

__all__ = ["add_command"]

_OPTIONS = ["modality", "series_description", "series_number", "patient_name", "patient_id", "study_description",
            "study_instance_uid", "uid_prefix", "file_pattern", "instance_start", "from_source", "renew_uids"]


def _run(args: argparse.Namespace) -> int:
    outputs = Outputs(args.output, args.zip)
    options = given_options(args, _OPTIONS)
    extra = []
    if args.reference:  # an input of its own, named apart from the inputs to convert (it may be one)
        reference = f"--reference {args.reference}"
        try:
            extra.append(read_input(args.reference, reference))
        except DicomForgeError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        options["reference"] = reference
    written = {}  # input -> the names of its files

    def count(event: dict) -> None:
        written.setdefault(event["file"], []).append(outputs.names[-1])

    def show(file: str, value: dict) -> None:
        print(f"{file}: {value['files']} files, series {value['seriesInstanceUid']} -> {outputs.where(written[file])}")

    return run_job("series", args.inputs, options, show, outputs, extra, data_files=True, on_progress=count)


def add_command(sub) -> None:
    p = sub.add_parser("series", help="write volumes (NIfTI, NRRD, MetaImage, VTK, DICOM) as DICOM series")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    add_outputs(p, "the files (one subfolder per volume when several)")
    p.add_argument("--reference", metavar="FILE", help="DICOM file whose patient and study attributes are copied")
    add_options(p, "series", _OPTIONS, {"study_instance_uid": ["--study-uid"]})
    p.set_defaults(run=_run)
