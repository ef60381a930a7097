"""The viewing jobs: ``preview`` (what the page's canvas needs), ``render`` (RGBA or PNG), and the display table.

Both jobs take the same window options (:data:`WINDOW_OPTIONS`): a frame, a window
(center and width, with a VOI LUT function) or a named preset, and which overlay planes
to draw. :func:`display_table` is not a job: the viewer calls it on every mouse move.

What the jobs run (:mod:`.preview_run`) is imported when one first runs (the worker's warm-up
does that right after start-up): importing the registry loads only what names the options.
"""

from __future__ import annotations

import math
from typing import Iterator

from dicomforge.dicom.tags import OVERLAY_GROUPS
from dicomforge.display.presets import FUNCTIONS
from dicomforge.overlays.options import group_number

from .registry import Job, JobContext
from .schema import Option, Schema

__all__ = ["PREVIEW", "RENDER", "WINDOW_OPTIONS", "display_table"]


def _groups(value) -> str | None:
    if isinstance(value, (list, tuple)):
        wrong = [g for g in value if isinstance(g, bool) or group_number(g) not in OVERLAY_GROUPS]
        if wrong:
            return f"overlays: {', '.join(map(repr, wrong))} not overlay groups (6000, 6002, ... 601E)"
    return None


def _finite(name: str):
    def check(value) -> str | None:
        try:
            return None if math.isfinite(value) else f"window {name} must be a finite number, got {value!r}"
        except OverflowError:  # an int too large for a float
            return f"window {name} {value!r:.20}... is out of range"
    return check


#: The options of both jobs: which frame, which window, which overlay planes.
WINDOW_OPTIONS = (
    Option("frame", ("integer",), 0, "0-based frame of a multi-frame file",
           lambda v: None if v >= 0 else f"frame must be a whole number >= 0, got {v!r}"),
    Option("center", ("number",), None, "window center (with width)", _finite("center")),
    Option("width", ("number",), None, "window width (with center)", _finite("width")),
    Option("function", ("text",), None, "VOI LUT function for the window: LINEAR (default), LINEAR_EXACT or SIGMOID",
           lambda v: None if v.upper() in FUNCTIONS else f"function must be one of {', '.join(FUNCTIONS)}, got {v!r}"),
    Option("preset", ("text",), None, "a window the file names, or a CT preset (brain, lung, ...)"),
    Option("overlays", ("boolean", "list"), True, "draw the overlay planes: true, false or a list of groups", _groups),
)


def _check(options: dict, label) -> list[str]:
    if (options["center"] is None) != (options["width"] is None):
        return [f"give both the window {label('center')} and the window {label('width')}"]
    return []


def run_preview(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """See :func:`dicomforge.jobs.preview_run.run_preview` (imported when the job first runs)."""
    from .preview_run import run_preview as run

    return run(inputs, options, context)


def run_render(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """See :func:`dicomforge.jobs.preview_run.run_render` (imported when the job first runs)."""
    from .preview_run import run_render as run

    return run(inputs, options, context)


def display_table(frame_info: dict, center=None, width=None, function: str = "LINEAR", voi=None) -> dict:
    """See :func:`dicomforge.jobs.preview_run.display_table` (the viewer calls it per mouse move)."""
    from .preview_run import display_table as table

    return table(frame_info, center, width, function, voi)


PREVIEW = Job("preview", "what a viewer needs to show each DICOM input (stored values, display table, overlays)",
              Schema("preview", *WINDOW_OPTIONS, Option(
                  "segmentation", ("text",), "", "an input that is a DICOM Segmentation: its segments drawn over the "
                  "images it was made on (one plane each, in its colours); the Segmentation itself is not previewed")),
              run_preview, check=_check, pixels=True)
RENDER = Job("render", "each DICOM input rendered to RGBA (or PNG) in a window, overlays drawn on top",
             Schema("render", *WINDOW_OPTIONS, Option("png", ("boolean",), False, "a PNG file per input instead of RGBA")),
             run_render, check=_check, pixels=True)
