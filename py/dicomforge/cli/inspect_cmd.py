"""``python -m dicomforge dump FILE...`` (each file's elements as dcmdump prints them) and
``python -m dicomforge ftest FILE...`` (is it a DICOM Part 10 file: exit 0 when every file is,
as dcmtk's dcmftest): the inspect job (:mod:`dicomforge.jobs.inspect`).
"""

from __future__ import annotations

import argparse

from .run import EXIT_BAD_INPUT, EXIT_OK, run_job

__all__ = ["add_command"]


def _dump(args: argparse.Namespace) -> int:
    def show(file: str, value: dict) -> None:
        if len(args.inputs) > 1:
            print(f"# {file}")
        print(value["text"], end="" if value["text"].endswith("\n") else "\n")

    return run_job("inspect", args.inputs, {"format": "text"}, show)


def _ftest(args: argparse.Namespace) -> int:
    answers = []

    def show(file: str, value: dict) -> None:
        answers.append(value["part10"])
        print(f"{'yes' if value['part10'] else 'no'}: {file}" + ("" if args.quiet else f" ({value['reason']})"))

    code = run_job("inspect", args.inputs, {"format": "ftest"}, show)
    return code if code != EXIT_OK else (EXIT_OK if all(answers) else EXIT_BAD_INPUT)


def add_command(sub) -> None:
    p = sub.add_parser("dump", help="each DICOM file's elements, as dcmdump prints them")
    p.add_argument("inputs", nargs="+", metavar="FILE")
    p.set_defaults(run=_dump)
    p = sub.add_parser("ftest", help="is each file DICOM (Part 10)? exit 0 when every file is (as dcmftest)")
    p.add_argument("inputs", nargs="+", metavar="FILE")
    p.add_argument("-q", "--quiet", action="store_true", help="no reasons")
    p.set_defaults(run=_ftest)
