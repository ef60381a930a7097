"""``python -m dicomforge deidentify FILE... -o DIR [--zip FILE] [--dates remove|keep|shift]
[--retain-uids] ... [--mapping MAP.json] [--write-mapping]``: de-identified copies of DICOM files
by the PS3.15 Annex E basic profile and the options given (the deidentify job,
:mod:`dicomforge.jobs.deidentify`). Folders and zip archives among the inputs are read
entry by entry; the inputs are never modified. Each output is named by its new SOP Instance UID.
"""

from __future__ import annotations

import argparse

from .run import Outputs, add_options, add_outputs, given_options, read_text, run_job

__all__ = ["add_command"]

_OPTIONS = ["dates", "retain_uids", "retain_patient_characteristics", "retain_device_identity",
            "retain_institution_identity", "clean_descriptors", "retain_safe_private", "uid_prefix", "patient_name",
            "patient_id", "write_mapping"]


def _run(args: argparse.Namespace) -> int:
    options = given_options(args, _OPTIONS)
    if args.mapping:
        options["mapping"] = read_text(args.mapping, "--mapping")
    outputs = Outputs(args.output, args.zip)

    def show(file: str, value: dict) -> None:
        print(f"{file}: {len(value['changed'])} attributes changed -> {outputs.where([value['output']])}")

    return run_job("deidentify", args.inputs, options, show, outputs)


def add_command(sub) -> None:
    p = sub.add_parser("deidentify", help="de-identify DICOM files (PS3.15 Annex E basic profile and options)")
    p.add_argument("inputs", nargs="+", metavar="FILE")
    add_outputs(p, "the de-identified files and the report")
    p.add_argument("--mapping", metavar="MAP.json",
                   help="the mapping an earlier batch wrote (--write-mapping): the same new UIDs and date shifts")
    add_options(p, "deidentify", _OPTIONS, dates={"choices": ("remove", "keep", "shift"), "metavar": "remove|keep|shift"})
    p.set_defaults(run=_run)
