"""``python -m dicomforge info FILE...``: what each file is (the describe job), one line or JSON object each."""

from __future__ import annotations

import argparse
import json

from .run import run_job

__all__ = ["add_command"]


def line(file: str, info: dict) -> str:
    """One line about a described input: a DICOM file's SOP class, size, transfer syntax and
    overlays; a volume's format, size, type and spacing."""
    if info.get("kind") == "dicom":
        return (
            f"{file}: {info['modality'] or '?'} {info['sopClass']}, "
            f"{info['columns']}x{info['rows']}x{info['frames']}, {info['transferSyntax']}"
            + "".join(f", overlay {o['group']:04X} {o['columns']}x{o['rows']} {o['type']}"
                      + (f" {o['label'] or o['description']!r}" if o['label'] or o['description'] else "")
                      for o in info.get("overlays", ()))
        )
    if info.get("kind") == "partner":
        return f"{file}: data file of a two-file volume"
    what = f"label map (labels {', '.join(map(str, info['labels']))})" if info["kind"] == "labelmap" else "volume"
    return (f"{file}: {info['format'].upper()} {what}, {'x'.join(map(str, info['size']))} {info['dtype']}"
            + (f" x{info['components']}" if info["components"] > 1 else "")
            + f", spacing {' x '.join(f'{s:g}' for s in info['spacing'])} mm")


def _run(args: argparse.Namespace) -> int:
    def show(file: str, value: dict) -> None:
        if value.get("store") and not args.json:
            return  # (a file of a Zarr store folder: the store's zarr.json says what it holds)
        print(json.dumps({"file": file, **value}) if args.json else line(file, value))

    return run_job("describe", args.files, {"memory_budget": args.memory_budget}, show, data_files=True)


def add_command(sub) -> None:
    p = sub.add_parser("info", help="what each file is: DICOM header summary, or a volume's geometry")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(run=_run)
