"""How the viewing jobs run: each DICOM frame decoded, windowed, and handed over (canvas data,
RGBA or PNG); and the display table the viewer asks for on every mouse move.

The jobs' definitions (options, checks) are :mod:`dicomforge.jobs.preview`; this module is
imported when one first runs.
"""

from __future__ import annotations

from typing import Iterator

from dicomforge.display.frame import prepare_frame
from dicomforge.display.lut import display_lut
from dicomforge.display.orientation import display_orientation
from dicomforge.display.presets import colour
from dicomforge.display.render import choose_window, overlay_masks, public_window, render
from dicomforge.errors import DicomForgeError, OptionsError
from dicomforge.inputs import NamedInput
from dicomforge.kinds import stem
from dicomforge.overlays.options import group_number
from dicomforge.png import encode_png

from . import events
from .batch import batch_events
from .output import unique_names
from .registry import JobContext

__all__ = ["run_preview", "run_render", "display_table"]


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
    segmentation = None
    if options["segmentation"]:
        from dicomforge.seg.read import read_segmentation

        found = [i for i in inputs if i.name == options["segmentation"]]
        if not found:
            raise OptionsError(f"the segmentation {options['segmentation']!r} is not among the inputs")
        segmentation = read_segmentation(found[0].complete())
        inputs = [i for i in inputs if i.name != options["segmentation"]]
    yield from batch_events(inputs, lambda item: _preview_value(item, options, overlays, segmentation))


def _segment_planes(segmentation, fr) -> list[dict]:
    from dicomforge.seg.read import segment_planes

    uid = str(fr.dataset.get("SOPInstanceUID", ""))
    return segment_planes(segmentation, uid, fr.index + 1)


def _preview_value(item: NamedInput, options: dict, overlays, segmentation=None) -> dict:
    fr = prepare_frame(item, options["frame"])
    try:
        planes = overlay_masks(fr, overlays)
        value = {
            "rows": fr.rows, "columns": fr.columns, "frames": fr.frames, "frame": fr.index,
            "photometric": fr.photometric, "samples": fr.samples, "dtype": fr.dtype, "pixels": fr.data,
            "range": [fr.minimum, fr.maximum], "warnings": list(fr.warnings),
            "orientation": display_orientation(fr.dataset),
            "overlays": [{"group": p.group, "label": p.label, "description": p.description, "type": p.type,
                          "color": [*colour(p.group), 255], "bits": mask} for p, mask in planes],
        }
        if segmentation is not None:
            value["overlays"] += [{**plane, "color": [*plane["color"], 255]} for plane in _segment_planes(segmentation, fr)]
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
                 "presets": frame.presets, "warnings": frame.warnings}
        return value

    for event in batch_events(inputs, shown):
        if event["type"] == "result":
            yield from (events.warning(w, event["file"]) for w in event["value"].pop("warnings"))
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
