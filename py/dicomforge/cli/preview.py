"""``python -m dicomforge preview FILE... -o out.png``: window/level a frame to PNG (the render job).

With one input, ``-o`` names the PNG; with several, ``-o`` is a folder and each PNG is
named after its input (``<stem>.png``).
"""

from __future__ import annotations

import argparse
import os

from dicomforge.display.presets import FUNCTIONS
from dicomforge.errors import OptionsError

from .run import Outputs, add_options, given_options, run_job

__all__ = ["add_command"]

_OPTIONS = ["frame", "preset", "function"]


def _groups(text: str) -> list:
    """``6000,6002`` -> ``["6000", "6002"]`` (the job checks that they are overlay groups)."""
    return [part.strip() for part in text.split(",")]


class _OnePng(Outputs):
    """The single PNG of a one-file call goes to ``-o`` itself."""

    def __init__(self, path: str) -> None:
        folder, self.path = os.path.dirname(path) or ".", path
        super().__init__(folder)

    def add(self, name: str, data) -> str:
        os.makedirs(self.folder, exist_ok=True)
        with open(self.path, "wb") as fh:
            fh.write(data)
        self.names.append(name)
        return self.path


def _run(args: argparse.Namespace) -> int:
    if args.frame is not None and args.frame < 0:
        raise OptionsError(f"--frame must be >= 0, got {args.frame}")
    several = len(args.files) > 1
    outputs = Outputs(args.output) if several else _OnePng(args.output)
    options = {**given_options(args, _OPTIONS), "png": True,
               "overlays": args.overlay_groups if args.overlay_groups else bool(args.overlays)}
    if args.window:
        options["center"], options["width"] = args.window

    def show(file: str, value: dict) -> None:
        window = value["window"]
        how = "colour" if window is None else (
            f"window {window['name']}" if window.get("center") is None
            else f"window C {window['center']:g} W {window['width']:g} {window['function']}")
        target = os.path.join(args.output, value["png"]) if several else args.output
        print(f"{file}: {value['width']}x{value['height']}, {how} -> {target}")

    return run_job("render", args.files, options, show, outputs)


def add_command(sub) -> None:
    p = sub.add_parser("preview", help="render a DICOM frame to PNG (window/level, overlays)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-o", "--output", required=True, metavar="PNG", help="output PNG (a folder when several files)")
    add_options(p, "render", ["frame"], frame={"metavar": "N"})
    window = p.add_mutually_exclusive_group()
    window.add_argument("--window", nargs=2, type=float, metavar=("C", "W"), help="window center and width")
    add_options(window, "render", ["preset"], preset={"metavar": "NAME"})
    add_options(p, "render", ["function"], function={"type": str.upper, "choices": FUNCTIONS, "metavar": "NAME"})
    p.add_argument("--overlays", action="store_true", help="draw the file's overlay planes (60xx)")
    p.add_argument("--overlay-groups", type=_groups, metavar="G[,G]", help="draw only these overlay groups (hex)")
    p.set_defaults(run=_run)
