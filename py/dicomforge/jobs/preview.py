"""The viewing jobs: ``preview`` (what the page's canvas needs), ``render`` (RGBA or PNG), and the display table.

Both jobs take the same window options (:data:`WINDOW_OPTIONS`): a frame, a window
(center and width, with a VOI LUT function) or a named preset, and which overlay planes
to draw. :func:`display_table` is not a job: the viewer calls it on every mouse move.
"""

from __future__ import annotations

import math
from typing import Iterator

from dicomforge.dicom.tags import OVERLAY_GROUPS
from dicomforge.display import FUNCTIONS, display_lut, overlay_masks, prepare_frame, render
from dicomforge.display.presets import colour
from dicomforge.display.render import choose_window, public_window
from dicomforge.errors import DicomForgeError
from dicomforge.inputs import NamedInput
from dicomforge.kinds import stem
from dicomforge.overlays.options import group_number
from dicomforge.png import encode_png

from . import events
from .batch import batch_events
from .output import unique_names
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


def _overlays(options: dict):
    chosen = options["overlays"]
    if isinstance(chosen, (list, tuple)):
        return {group_number(g) for g in chosen}
    return chosen


def _window(options: dict) -> dict:
    return {k: options[k] for k in ("center", "width", "preset", "function")}


def run_preview(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """Everything the page's canvas needs to show each input, one ``result`` per file.

    The result value holds the stored values (``pixels``, little-endian ``dtype``: a typed
    array in JS), the display table (``lut``, indexed by ``value - lutOffset``), ``window``,
    ``presets``, ``overlays`` (``bits``: one byte 0/1 per image pixel, with ``color`` RGBA)
    and ``display``, the :meth:`~dicomforge.display.Frame.info` dict to pass to
    :func:`display_table` when the window changes. Colour images carry RGB ``pixels``
    (dtype uint8, 3 per pixel) and no table.
    """
    overlays = _overlays(options)
    yield from batch_events(inputs, lambda item: _preview_value(item, options, overlays))


def _preview_value(item: NamedInput, options: dict, overlays) -> dict:
    fr = prepare_frame(item, options["frame"])
    try:
        planes = overlay_masks(fr, overlays)
        value = {
            "rows": fr.rows, "columns": fr.columns, "frames": fr.frames, "frame": fr.index,
            "photometric": fr.photometric, "samples": fr.samples, "dtype": fr.dtype, "pixels": fr.data,
            "range": [fr.minimum, fr.maximum],
            "overlays": [{"group": p.group, "label": p.label, "description": p.description, "type": p.type,
                          "color": [*colour(p.group), 255], "bits": mask} for p, mask in planes],
        }
        if fr.colour:
            value.update(lut=None, lutOffset=0, window=None, presets=[], display=None)
            return value
        window = choose_window(fr, **_window(options))
        lut = display_lut(fr, window.get("center"), window.get("width"), window.get("function", "LINEAR"),
                          window.get("voi"))
    except DicomForgeError as error:
        raise error.with_file(fr.name)
    value.update(lut=lut, lutOffset=fr.lut_offset, window=public_window(window),
                 presets=[public_window(p) for p in fr.presets], display=fr.info())
    return value


def run_render(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """Each DICOM input rendered to RGBA (``result``: width, height, rgba, window, presets),
    or with ``png`` to a PNG file (``file`` event ``<stem>.png``; the result without rgba)."""
    overlays = _overlays(options)
    names = iter(unique_names([f"{stem(item.name)}.png" for item in inputs]))

    def shown(item: NamedInput) -> dict:
        frame = render(item, options["frame"], overlays=overlays, **_window(options))
        value = {"width": frame.width, "height": frame.height, "rgba": frame.rgba, "window": frame.window,
                 "presets": frame.presets}
        return value

    for event in batch_events(inputs, shown):
        if options["png"] and event["type"] == "result":
            value = event["value"]
            name = next(names)
            yield events.output(name, encode_png(value["width"], value["height"], value.pop("rgba"), "RGBA"))
            value["png"] = name
        elif event["type"] == "error":
            next(names)
        yield event


def display_table(frame_info: dict, center=None, width=None, function: str = "LINEAR", voi=None) -> dict:
    """The display table for one window, or the error in words (hosts see no exception).

    ``{"lut": bytes}`` on success, else ``{"error": <DicomForgeError.to_dict()>}``; see
    :func:`dicomforge.display.display_lut`.
    """
    try:
        return {"lut": display_lut(dict(frame_info), center, width, function, voi)}
    except DicomForgeError as error:
        return {"error": error.to_dict()}


PREVIEW = Job("preview", "what a viewer needs to show each DICOM input (stored values, display table, overlays)",
              Schema("preview", *WINDOW_OPTIONS), run_preview, check=_check)
RENDER = Job("render", "each DICOM input rendered to RGBA (or PNG) in a window, overlays drawn on top",
             Schema("render", *WINDOW_OPTIONS, Option("png", ("boolean",), False, "a PNG file per input instead of RGBA")),
             run_render, check=_check)
