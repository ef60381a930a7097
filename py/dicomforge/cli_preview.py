"""``python -m dicomforge preview FILE... -o out.png``: window/level a frame to PNG.

With one input, ``-o`` names the PNG; with several, ``-o`` is a folder and each PNG is
named after its input (``<stem>.png``). Bad inputs follow the CLI convention: one
``error: <file>: <message>`` line each, exit 2, the others still written.
"""

from __future__ import annotations

import argparse
import os

from dicomforge.errors import OptionsError

__all__ = ["add_command"]


def _groups(text: str) -> set:
    groups = set()
    for part in text.split(","):
        try:
            group = int(part.strip(), 16)
        except ValueError:
            raise argparse.ArgumentTypeError(f"overlay groups are hex numbers like 6000, got {part!r}") from None
        if not (0x6000 <= group <= 0x601E and group % 2 == 0):
            raise argparse.ArgumentTypeError(f"{part.strip()} is not an overlay group (6000-601E, even)")
        groups.add(group)
    return groups


def _run(args: argparse.Namespace) -> int:
    from dicomforge.cli import batch, report
    from dicomforge.display import render
    from dicomforge.inputs import stem
    from dicomforge.png import encode_png

    if args.frame < 0:
        raise OptionsError(f"--frame must be >= 0, got {args.frame}")
    several = len(args.files) > 1
    if several:
        os.makedirs(args.output, exist_ok=True)
    overlays = args.overlay_groups if args.overlay_groups else bool(args.overlays)
    center, width = args.window if args.window else (None, None)

    def work(item):
        shown = render(item, args.frame, center, width, args.preset, overlays, args.function)
        target = os.path.join(args.output, stem(item.name) + ".png") if several else args.output
        with open(target, "wb") as fh:
            fh.write(encode_png(shown.width, shown.height, shown.rgba, "RGBA"))
        return target, shown

    def show(result) -> None:
        target, shown = result.value
        window = shown.window
        how = "colour" if window is None else (
            f"window {window['name']}" if window.get("center") is None
            else f"window C {window['center']:g} W {window['width']:g} {window['function']}")
        print(f"{result.name}: {shown.width}x{shown.height}, {how} -> {target}")

    return report(batch(args.files, work), show)


def add_command(subparsers) -> None:
    """Add the ``preview`` subcommand to *subparsers* (``cli.COMMANDS`` calls this)."""
    p = subparsers.add_parser("preview", help="render a DICOM frame to PNG (window/level, overlays)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-o", "--output", required=True, metavar="PNG", help="output PNG (a folder when several files)")
    p.add_argument("--frame", type=int, default=0, metavar="N", help="0-based frame of a multi-frame file")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--window", nargs=2, type=float, metavar=("C", "W"), help="window center and width")
    group.add_argument("--preset", metavar="NAME", help="a window the file names, or a CT preset (brain, lung, ...)")
    p.add_argument("--function", choices=("LINEAR", "LINEAR_EXACT", "SIGMOID"), type=str.upper,
                   help="VOI LUT function for --window (default LINEAR)")
    p.add_argument("--overlays", action="store_true", help="draw the file's overlay planes (60xx)")
    p.add_argument("--overlay-groups", type=_groups, metavar="G[,G]", help="draw only these overlay groups (hex)")
    p.set_defaults(run=_run)
