"""The native command line: ``python -m dicomforge <command> ...``.

Conventions every subcommand follows: exit 0 on success; exit 2 when any input
was bad, with one line ``error: <file>: <message>`` per failed input on stderr
(never a traceback for bad input), the other inputs of the same call still
processed. Subcommands register themselves in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Iterable

import pydicom

from dicomforge import __version__, kernels
from dicomforge.errors import DicomForgeError
from dicomforge.inputs import BatchResult, NamedInput, read_input, run_batch

__all__ = ["main", "build_parser", "report", "EXIT_OK", "EXIT_BAD_INPUT"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def version_text() -> str:
    return (
        f"dicomforge {__version__} (pydicom {pydicom.__version__}, "
        f"Python {sys.version.split()[0]}, backend {kernels.BACKEND})"
    )


def report(results: Iterable[BatchResult], on_success: Callable[[BatchResult], None]) -> int:
    """Print one ``error:`` line per failed input; return the exit code of the batch."""
    failed = 0
    for result in results:
        if result.ok:
            on_success(result)
        else:
            failed += 1
            print(f"error: {result.error}", file=sys.stderr)
    return EXIT_BAD_INPUT if failed else EXIT_OK


def read_inputs(paths: Iterable[str]) -> Iterable[NamedInput | BatchResult]:
    """Read each path; unreadable ones become failed results in place."""
    for path in paths:
        try:
            yield read_input(path)
        except DicomForgeError as exc:
            yield BatchResult(path, error=exc)


def batch(paths: Iterable[str], work: Callable[[NamedInput], object]) -> Iterable[BatchResult]:
    """Read and process each path, in order, failures kept per input."""
    for item in read_inputs(paths):
        if isinstance(item, BatchResult):
            yield item
        else:
            yield from run_batch([item], work)


def _cmd_info(args: argparse.Namespace) -> int:
    from dicomforge.describe import describe_dicom

    def show(result: BatchResult) -> None:
        print(json.dumps(result.value) if args.json else _info_line(result.value))

    return report(batch(args.files, describe_dicom), show)


def _info_line(info: dict) -> str:
    return (
        f"{info['file']}: {info['modality'] or '?'} {info['sopClass']}, "
        f"{info['columns']}x{info['rows']}x{info['frames']}, {info['transferSyntax']}"
        + "".join(f", overlay {o['group']:04X} {o['columns']}x{o['rows']} {o['type']}"
                  + (f" {o['label'] or o['description']!r}" if o['label'] or o['description'] else "")
                  for o in info.get("overlays", ()))
    )


def _add_info(sub) -> None:
    p = sub.add_parser("info", help="summarise DICOM files (header only)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(run=_cmd_info)


def _feature_commands() -> list[Callable]:
    """The ``add_command`` of each feature's CLI module (imported when the parser is built)."""
    from dicomforge import cli_bench, cli_overlay, cli_preview, cli_series

    return [cli_series.add_command, cli_overlay.add_command, cli_preview.add_command, cli_bench.add_command]


#: Functions that add one subcommand each to the parser.
COMMANDS: list[Callable] = [_add_info]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dicomforge", description="DICOM volume export, overlays and preview."
    )
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument("--memory-budget", metavar="SIZE",
                        help="most bytes one volume may take, e.g. 800M or 2G (default: what the platform holds)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in [*COMMANDS, *_feature_commands()]:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    from dicomforge.limits import budget

    try:
        with budget(args.memory_budget):
            return args.run(args)
    except DicomForgeError as exc:  # an option error that concerns no single input
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
