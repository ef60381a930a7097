"""The native command line: ``python -m dicomforge <command> ...``, one thin module per command.

Each command reads its paths, starts a job of :mod:`dicomforge.jobs` and writes its
outputs (:mod:`.run`); the jobs are the page's. Conventions every command follows: exit
0 on success; exit 2 when any input was bad, with one line ``error: <file>: <message>``
per failed input on stderr (never a traceback for bad input), the other inputs of the
same call still processed.
"""

from __future__ import annotations

import argparse
import sys

import pydicom

from dicomforge import __version__, kernels
from dicomforge.errors import DicomForgeError
from dicomforge.limits import parse_size

from . import bench, convert, deidentify, image, info, inspect_cmd, json_cmd, modify, net, overlay, preview, seg, series, volumes
from .run import EXIT_BAD_INPUT, EXIT_OK

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_BAD_INPUT"]

#: Functions that add one subcommand each to the parser.
COMMANDS = (info.add_command, series.add_command, overlay.add_command, preview.add_command, convert.add_command,
            volumes.add_command, seg.add_command, deidentify.add_command, json_cmd.add_command,
            image.add_command, inspect_cmd.add_command, modify.add_command, net.add_command, bench.add_command)


def version_text() -> str:
    return (
        f"dicomforge {__version__} (pydicom {pydicom.__version__}, "
        f"Python {sys.version.split()[0]}, backend {kernels.BACKEND})"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dicomforge", description="DICOM volume export, overlays, preview and transcoding.")
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument("--memory-budget", metavar="SIZE",
                        help="most bytes one volume may take, e.g. 800M or 2G (default: what the platform holds)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        parse_size(args.memory_budget)  # (checked here for every command, bench included)
        return args.run(args)
    except DicomForgeError as exc:  # an option error that concerns no single input
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
