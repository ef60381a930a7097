"""geometry: axes squared when they are off perpendicular by scanner rounding, refused beyond."""

from __future__ import annotations

import math

import pytest

from dicomforge.errors import GeometryError
from dicomforge.geometry import NEAR_PERPENDICULAR, UNIT_TOLERANCE, cross, dot, frame_from_columns, norm, square_up, unit


def _skewed(cosine: float):
    """Unit row and column whose cosine is *cosine*, and their normal."""
    row = (1.0, 0.0, 0.0)
    col = unit((cosine, math.sqrt(1 - cosine * cosine), 0.0))
    return row, col, unit(cross(row, col))


@pytest.mark.parametrize("cosine", [-0.000422, 5e-4, 0.009])
def test_near_perpendicular_axes_are_squared_with_the_figure(cosine):
    warnings = []
    row, col, axis = square_up(_skewed(cosine), warnings)
    assert abs(dot(row, col)) < 1e-12 and abs(dot(row, axis)) < 1e-12 and abs(dot(col, axis)) < 1e-12
    assert all(abs(norm(v) - 1) < 1e-12 for v in (row, col, axis))
    # each of the two moved by half the error, the normal stays on its side
    assert abs(dot(row, (1.0, 0.0, 0.0)) - 1) < cosine * cosine and axis[2] > 0.999
    [message] = warnings
    assert f"(cosine {cosine:.6f})" in message and "made perpendicular" in message
    assert f"{abs(math.degrees(math.asin(cosine))):.3g} degrees" in message


def test_a_slice_axis_off_the_normal_by_rounding_becomes_the_normal():
    warnings = []
    tilted = unit((0.0, 0.003, 1.0))
    row, col, axis = square_up(((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), tilted), warnings)
    assert axis == (0.0, 0.0, 1.0) and row == (1.0, 0.0, 0.0) and "axes 1 and 2" in warnings[0]
    # a left-handed volume keeps its hand
    assert square_up(((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, -0.003, -1.0)), [])[2] == (0.0, 0.0, -1.0)


def test_perpendicular_and_sheared_axes_are_left_alone():
    exact = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    warnings = []
    assert square_up(exact, warnings) is exact
    assert square_up(_skewed(UNIT_TOLERANCE / 2), warnings) == _skewed(UNIT_TOLERANCE / 2)
    sheared = _skewed(NEAR_PERPENDICULAR * 2)
    assert square_up(sheared, warnings) == sheared and warnings == []


def test_frame_from_columns_squares_and_reports():
    warnings = []
    row, col, _ = _skewed(5e-4)
    spacing, direction = frame_from_columns([[0.5 * c for c in row], [0.7 * c for c in col], [0, 0, 3.0]], "x", warnings)
    assert spacing == pytest.approx((0.5, 0.7, 3.0)) and abs(dot(direction[0], direction[1])) < 1e-12
    assert len(warnings) == 1
    with pytest.raises(GeometryError, match="axis 1 has a zero"):
        frame_from_columns([[1, 0, 0], [0, 0, 0]], "x")
