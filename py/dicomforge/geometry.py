"""Vector maths in DICOM patient coordinates (LPS), and the tolerances geometry is compared with.

Every Volume is in LPS from the moment a reader returns it (:mod:`dicomforge.volume`);
direction columns are unit vectors, slice *k* lies at ``origin + k * dz * direction[2]``.
The readers, the series writer and the label matcher all compute with the functions
here, so one rule decides, for instance, what "perpendicular" means.
"""

from __future__ import annotations

import math

from dicomforge.errors import GeometryError

__all__ = [
    "UNIT_TOLERANCE",
    "NEAR_PERPENDICULAR",
    "ORIENTATION_TOLERANCE",
    "SERIES_ORIENTATION_TOLERANCE",
    "SPACING_TOLERANCE",
    "SLICE_TOLERANCE",
    "GAP_TOLERANCE",
    "ZERO",
    "dot",
    "cross",
    "norm",
    "unit",
    "square_up",
    "normal",
    "fmt_vector",
    "orientation_label",
    "frame_from_columns",
]

#: Direction columns must be unit vectors and mutually perpendicular to this (absolute).
UNIT_TOLERANCE = 1e-4
#: Axes whose cosine is beyond UNIT_TOLERANCE but within this (0.57 degrees) are scanner
#: rounding, not shear (real oblique series store cosines such as -0.000422): they are made
#: perpendicular with a warning (:func:`square_up`). Beyond it a volume is sheared.
NEAR_PERPENDICULAR = 1e-2
#: A DICOM file's (0020,0037) row/column cosines match a label map's directions to this.
ORIENTATION_TOLERANCE = 1e-3
#: The slices of one DICOM series share (0020,0037) to this.
SERIES_ORIENTATION_TOLERANCE = 1e-4
#: (0028,0030) Pixel Spacing matches a label map's, relative to the spacing (at least 1e-3 mm).
SPACING_TOLERANCE = 1e-3
#: A file lies on a label-map slice when off by at most this share of the slice gap along the
#: normal and of a voxel in-plane: half, since scanners round gaps (7.071 and 7.001 mm in one
#: series) and the nearest slice is then still unambiguous.
SLICE_TOLERANCE = 0.5
#: Gaps between slices that differ from their mean by more than this share are reported.
GAP_TOLERANCE = 0.01
#: Coordinates and cosines below this are rounding noise, written as 0.
ZERO = 1e-10

Vector = tuple[float, float, float]


def dot(a, b) -> float:
    """The scalar product of two vectors."""
    return sum(x * y for x, y in zip(a, b))


def cross(a, b) -> Vector:
    """The vector product ``a x b`` of two 3-vectors."""
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def norm(v) -> float:
    """The Euclidean length of *v*."""
    return math.sqrt(sum(c * c for c in v))


def unit(v) -> Vector:
    """*v* scaled to length 1 (a zero vector stays zero)."""
    length = norm(v) or 1.0
    return tuple(c / length for c in v)


def normal(row, column) -> Vector:
    """The slice normal of (0020,0037) *Image Orientation (Patient)*: row x column (PS3.3 C.7.6.2.1.1)."""
    return cross(row, column)


def fmt_vector(values) -> str:
    """``(a, b, c)`` with 6 significant digits, for messages."""
    return "(" + ", ".join(f"{v:.6g}" for v in values) + ")"


def orientation_label(axis) -> str:
    """PS3.3 C.7.6.1.1.1 letters for an LPS direction, strongest component first."""
    letters = []
    for i in sorted(range(3), key=lambda i: -abs(axis[i])):
        if abs(axis[i]) > UNIT_TOLERANCE:
            letters.append("LPH"[i] if axis[i] > 0 else "RAF"[i])
    return "".join(letters)


def square_up(direction, warnings: list | None = None) -> tuple:
    """*direction* (three unit vectors) made perpendicular when it is off by rounding only.

    Axes whose largest pairwise cosine lies between :data:`UNIT_TOLERANCE` and
    :data:`NEAR_PERPENDICULAR` are squared: the first two symmetrically about their bisector
    (each turns by half the error), the third replaced by their normal on its own side. A warning with the figure
    goes to *warnings*. Perpendicular or clearly sheared axes are returned unchanged (the
    latter are refused by :meth:`~dicomforge.volume.Volume.validate`).
    """
    row, col, axis = direction
    pairs = {(0, 1): dot(row, col), (0, 2): dot(row, axis), (1, 2): dot(col, axis)}
    (a, b), worst = max(pairs.items(), key=lambda kv: abs(kv[1]))
    if not UNIT_TOLERANCE < abs(worst) <= NEAR_PERPENDICULAR:
        return direction
    # about their bisector: (b + d) and (b - d) are perpendicular for unit b, d
    bisector = unit([r + c for r, c in zip(row, col)])
    apart = unit([r - c for r, c in zip(row, col)])
    row2 = unit([b + d for b, d in zip(bisector, apart)])
    col2 = unit([b - d for b, d in zip(bisector, apart)])
    axis2 = unit(cross(row2, col2))
    if dot(axis2, axis) < 0:
        axis2 = tuple(-c for c in axis2)
    if warnings is not None:
        degrees = abs(90.0 - math.degrees(math.acos(max(-1.0, min(1.0, worst)))))
        warnings.append(f"axes {a} and {b} are {degrees:.3g} degrees from perpendicular (cosine {worst:.6f}): "
                        "taken as scanner rounding and made perpendicular")
    return row2, col2, axis2


def frame_from_columns(columns, name: str, warnings: list | None = None):
    """Spacing (column norms) and unit directions from 1-3 axis vectors in LPS.

    Missing axes (2D or 1D images) are completed with unit vectors perpendicular to
    the given ones (right-handed), spacing 1. Axes off perpendicular by rounding only are
    squared (:func:`square_up`), with a warning in *warnings*.

    Returns
    -------
    spacing : tuple of 3 float
    direction : tuple of 3 unit vectors

    Raises
    ------
    GeometryError
        An axis vector of length zero, NaN or infinite, naming *name*.
    """
    spacing, direction = [], []
    for k, col in enumerate(columns):
        col = tuple(float(c) for c in col)
        length = norm(col)
        if not math.isfinite(length) or length == 0:
            raise GeometryError(f"axis {k} has a zero or invalid step vector {col}", name)
        spacing.append(length)
        direction.append(tuple(c / length for c in col))
    while len(direction) < 3:
        if len(direction) == 2:
            extra = cross(direction[0], direction[1])
        else:
            base = direction[0]
            helper = (0.0, 0.0, 1.0) if abs(base[2]) < 0.9 else (1.0, 0.0, 0.0)
            extra = cross(helper, base)
        length = norm(extra) or 1.0
        direction.append(tuple(c / length for c in extra))
        spacing.append(1.0)
    return tuple(spacing), square_up(tuple(direction), warnings)
