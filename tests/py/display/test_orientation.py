"""Frames turned to the radiological convention, with the letters of their edges."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from dicomforge.display.orientation import STORED, display_orientation


def _ds(**values):
    ds = Dataset()
    for key, value in values.items():
        setattr(ds, key, value)
    return ds


@pytest.mark.parametrize("iop, turn, markers", [
    # axial as stored by most CTs: left on the right, anterior up: nothing to do
    ([1, 0, 0, 0, 1, 0], (False, False, False), ("R", "L", "A", "P")),
    # the NRRD-through-series case: rows run to the patient's right, columns anterior
    ([-1, 0, 0, 0, -1, 0], (False, True, True), ("R", "L", "A", "P")),
    # coronal, stored head down: turned upright
    ([1, 0, 0, 0, 0, 1], (False, False, True), ("R", "L", "H", "F")),
    # sagittal with rows running down the patient: transposed
    ([0, 0, -1, 0, 1, 0], (True, False, False), ("A", "P", "H", "F")),
    # an oblique axial: the strongest letters first
    ([0.94, 0.34, 0, -0.34, 0.94, 0], (False, False, False), ("RA", "LP", "AL", "PR")),
])
def test_cross_sections_turned_radiologically(iop, turn, markers):
    shown = display_orientation(_ds(ImageOrientationPatient=iop))
    assert (shown["transpose"], shown["flipH"], shown["flipV"]) == turn
    m = shown["markers"]
    assert (m["left"], m["right"], m["top"], m["bottom"]) == markers


def test_projection_keeps_its_orientation_and_letters():
    shown = display_orientation(_ds(PatientOrientation=["A", "FR"]))
    assert shown == {**STORED, "markers": {"left": "P", "right": "A", "top": "HL", "bottom": "FR"}}


@pytest.mark.parametrize("values", [{}, {"PatientOrientation": ["X", "Y"]}, {"ImageOrientationPatient": [0] * 6},
                                    {"PatientOrientation": "L"}])
def test_without_usable_orientation_nothing_is_claimed(values):
    assert display_orientation(_ds(**values)) == STORED


@pytest.mark.parametrize("tag", [0x00200020, 0x00200037])
def test_malformed_orientation_elements_claim_nothing(tag):
    """An element pydicom cannot convert (a bit flip in its VR, found by the fuzzer): no letters, no crash."""
    from pydicom.dataelem import RawDataElement
    from pydicom.tag import Tag

    ds = _ds()
    ds[tag] = RawDataElement(Tag(tag), "C\x13", 4, b"A\\P ", 0, False, True)
    assert display_orientation(ds) == STORED
