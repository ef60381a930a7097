"""How a frame is turned on screen so that it reads as radiologists expect, and its edge letters.

The convention (the radiological one, as viewers such as OHIF and Weasis apply it): axial
images are seen from the feet, the patient's left on the screen's right and anterior up;
coronal images from the front, left on the right and the head up; sagittal images from
the patient's left, anterior on the left and the head up. A cross-sectional image (with
(0020,0037) *Image Orientation (Patient)*) is shown with whichever of the eight flips and
transposes of its pixel grid brings its row and column directions closest to that; its
edges are labelled with the directions they face (PS3.3 C.7.6.1.1.1 letters: L/R, A/P, H/F).
A projection image (only (0020,0020) *Patient Orientation*) keeps its stored orientation and
gets the letters the file gives.
"""

from __future__ import annotations

from dicomforge.geometry import cross, dot, orientation_label

__all__ = ["display_orientation", "STORED"]

#: No turn and no letters: an image without orientation.
STORED = {"transpose": False, "flipH": False, "flipV": False, "markers": None}

_X, _Y, _Z = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)
_FEET = (0.0, 0.0, -1.0)
# the screen's right and down for the plane whose normal is mostly along x, y or z
_SCREEN = {0: (_Y, _FEET), 1: (_X, _FEET), 2: (_X, _Y)}
_OPPOSITE = {"L": "R", "R": "L", "A": "P", "P": "A", "H": "F", "F": "H"}


def _negated(v) -> tuple:
    return tuple(-c for c in v)


def _numbers(ds, keyword: str, count: int) -> list[float] | None:
    try:
        values = [float(v) for v in (ds.get(keyword) or [])]
    except Exception:  # pydicom raises many types for a malformed element (an unknown VR, say)
        return None
    return values if len(values) == count else None


def _letters(text: str) -> str:
    return "".join(_OPPOSITE.get(c, c) for c in text)


def display_orientation(ds) -> dict:
    """``{"transpose", "flipH", "flipV", "markers"}`` for showing *ds*'s frames.

    The stored image is first transposed (rows become columns) when ``transpose``, then
    mirrored left-right (``flipH``) and top-bottom (``flipV``). ``markers`` gives the letters
    of the shown image's ``left``, ``right``, ``top`` and ``bottom`` edges, or is None when
    the file says nothing of its orientation.
    """
    iop = _numbers(ds, "ImageOrientationPatient", 6)
    if iop is None or not any(iop):
        return _projection(ds)
    row, col = tuple(iop[:3]), tuple(iop[3:])
    normal = cross(row, col)
    want_right, want_down = _SCREEN[max(range(3), key=lambda i: abs(normal[i]))]
    best = None
    for transpose in (False, True):
        right0, down0 = (col, row) if transpose else (row, col)
        for flip_h in (False, True):
            for flip_v in (False, True):
                right = _negated(right0) if flip_h else right0
                down = _negated(down0) if flip_v else down0
                score = dot(right, want_right) + dot(down, want_down)
                if best is None or score > best[0] + 1e-9:
                    best = (score, transpose, flip_h, flip_v, right, down)
    _, transpose, flip_h, flip_v, right, down = best
    markers = {"left": orientation_label(_negated(right)), "right": orientation_label(right),
               "top": orientation_label(_negated(down)), "bottom": orientation_label(down)}
    return {"transpose": transpose, "flipH": flip_h, "flipV": flip_v, "markers": markers}


def _projection(ds) -> dict:
    """A projection image: the letters of (0020,0020) *Patient Orientation*, no turn."""
    try:
        value = ds.get("PatientOrientation") or []
        letters = [str(v).strip().upper() for v in (value if not isinstance(value, str) else value.split("\\"))]
    except Exception:  # pydicom raises many types for a malformed element (an unknown VR, say)
        return dict(STORED)
    if len(letters) != 2 or not all(letters) or not all(set(t) <= set(_OPPOSITE) for t in letters):
        return dict(STORED)
    right, down = letters
    return {**STORED, "markers": {"left": _letters(right), "right": right, "top": _letters(down), "bottom": down}}
