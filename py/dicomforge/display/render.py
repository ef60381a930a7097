"""A frame as RGBA, windowed, with the file's overlay planes drawn on top in colour.

For PNG export, the CLI and tests; the page applies the display table itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dicomforge import kernels
from dicomforge.errors import DicomForgeError, OptionsError, malformed_input
from dicomforge.overlays.planes import read_overlays

from .frame import Frame, prepare_frame
from .lut import inverted, mapping
from .presets import PRESET_ALIASES, colour

__all__ = ["Rendered", "render", "grey", "overlay_masks", "choose_window", "public_window"]


@dataclass
class Rendered:
    """A rendered frame: ``rgba`` is ``width * height * 4`` bytes, row by row."""

    width: int
    height: int
    rgba: bytes = field(repr=False)
    window: dict | None
    presets: list
    warnings: list = field(default_factory=list)  # what the display worked around (see Frame)


def choose_window(fr: Frame, center=None, width=None, preset=None, function=None) -> dict:
    if (center is None) != (width is None):
        raise OptionsError("give both the window center and the window width")
    if center is not None:
        return {"name": "custom", "center": float(center), "width": float(width),
                "function": (function or "LINEAR").upper(), "source": "custom"}
    if preset is not None:
        wanted = str(preset).strip().lower()
        wanted = PRESET_ALIASES.get(wanted, wanted)
        for candidate in fr.presets:
            if candidate["name"].lower() == wanted:
                return dict(candidate)
        known = ", ".join(p["name"] for p in fr.presets) or "none"
        raise OptionsError(f"no preset named {preset!r} for this file (presets: {known})")
    window = dict(fr.window)
    if function:
        window["function"] = function.upper()
    return window


def overlay_masks(fr: Frame, overlays=True) -> list:
    """``(plane, mask)`` for each overlay plane shown on this frame, *mask* one byte (0/1)
    per image pixel. *overlays*: True (all), False/None (none) or a set of groups."""
    if not overlays or fr.dataset is None:
        return []
    try:
        planes = read_overlays(fr.dataset)
    except DicomForgeError as error:
        raise error.with_file(fr.name)
    wanted = None if overlays is True else {int(g) for g in overlays}
    shown = []
    for plane in planes:
        if wanted is not None and plane.group not in wanted:
            continue
        mask = _place(plane, fr.index, fr.rows, fr.columns)
        if mask is not None:
            shown.append((plane, mask))
    return shown


def _place(plane, frame: int, rows: int, columns: int) -> bytes | None:
    """The plane's bits for image frame *frame* on the image grid, or None when the plane
    has no frame for it. PS3.3 C.9.2.1.3: (60xx,0050) *Overlay Origin* is the 1-based
    (row, column) of the overlay's first pixel; C.9.2.1.4 (60xx,0051) *Image Frame Origin*
    the 1-based image frame of the overlay's first frame."""
    k = frame - (int(plane.frame_origin or 1) - 1)
    if not 0 <= k < int(plane.frames or 1):
        return None
    bits = plane.bits(k)
    r0, c0 = plane.origin[0] - 1, plane.origin[1] - 1
    if (r0, c0) == (0, 0) and (plane.rows, plane.columns) == (rows, columns):
        return bytes(bits)
    mask = bytearray(rows * columns)
    start, stop = max(0, -c0), min(plane.columns, columns - c0)
    if start >= stop:
        return bytes(mask)
    for r in range(max(0, -r0), min(plane.rows, rows - r0)):
        at = (r0 + r) * columns + c0
        mask[at + start : at + stop] = bits[r * plane.columns + start : r * plane.columns + stop]
    return bytes(mask)



def public_window(window: dict | None) -> dict | None:
    if window is None:
        return None
    return {k: window[k] for k in ("name", "center", "width", "function", "voi") if k in window}


def _grey_bytes(fr: Frame, window: dict) -> bytes:
    lut, split = mapping(fr, window.get("center"), window.get("width"), window.get("function", "LINEAR"),
                          window.get("voi"), table=False)
    if split is None:
        return kernels.apply_lut(fr.data, fr.dtype, lut, fr.lut_offset)
    high, low, invert = split
    return inverted(kernels.apply_split_lut(fr.data, high, low), invert)


def render(item_or_ds, frame: int = 0, center=None, width=None, preset=None, overlays=True,
           function: str | None = None) -> Rendered:
    """The frame as RGBA, windowed and with overlays drawn on top.

    Window: *center*/*width* (with *function*, default LINEAR) if given, else the
    preset called *preset*, else the file's first window (or VOI LUT), else min/max.
    Colour images are shown as they are. *overlays*: True (all planes), False, or a set
    of groups (``{0x6000}``).
    """
    fr = item_or_ds if isinstance(item_or_ds, Frame) else prepare_frame(item_or_ds, frame)
    with malformed_input(fr.name):
        masks = [(mask, colour(plane.group)) for plane, mask in overlay_masks(fr, overlays)]
        if fr.colour:
            return Rendered(fr.columns, fr.rows, kernels.rgb_to_rgba(fr.data, masks), None, [], list(fr.warnings))
        window = choose_window(fr, center, width, preset, function)
        rgba = kernels.grey_to_rgba(_grey_bytes(fr, window), masks)
    return Rendered(fr.columns, fr.rows, rgba, public_window(window), [public_window(p) for p in fr.presets],
                    list(fr.warnings))


def grey(item_or_ds, frame: int = 0, center=None, width=None, preset=None, function: str | None = None) -> tuple:
    """``(width, height, grey bytes)`` of a grey frame, windowed as :func:`render` does."""
    fr = item_or_ds if isinstance(item_or_ds, Frame) else prepare_frame(item_or_ds, frame)
    if fr.colour:
        raise OptionsError("a colour image has no single grey channel", fr.name)
    try:
        return fr.columns, fr.rows, _grey_bytes(fr, choose_window(fr, center, width, preset, function))
    except DicomForgeError as error:
        raise error.with_file(fr.name)

