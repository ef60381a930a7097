"""Segment codes and colours: a small table of common labels (SNOMED CT, as DICOM CID 7150/7151
and their colours in 3D Slicer's table) and the CIELab <-> sRGB conversion of Recommended
Display CIELab Value (PS3.3 C.10.7.1.1).

A label name found here gets its category, its type and a colour; any other gets the
generic "Tissue" / "Tissue" and a colour from a cycle, so every segment carries codes.
"""

from __future__ import annotations

__all__ = ["Code", "segment_codes", "cielab_of", "rgb_of", "TISSUE", "ANATOMY"]

Code = tuple  # (code value, coding scheme designator, code meaning)

TISSUE: Code = ("85756007", "SCT", "Tissue")
ANATOMY: Code = ("91723000", "SCT", "Anatomical Structure")
ALTERED: Code = ("49755003", "SCT", "Morphologically Altered Structure")

# name (lower case, and synonyms) -> (category, type, sRGB colour)
_TABLE = {
    "liver": (ANATOMY, ("10200004", "SCT", "Liver"), (221, 130, 101)),
    "spleen": (ANATOMY, ("78961009", "SCT", "Spleen"), (157, 108, 162)),
    "kidney": (ANATOMY, ("64033007", "SCT", "Kidney"), (185, 102, 83)),
    "left kidney": (ANATOMY, ("18639004", "SCT", "Left kidney"), (185, 102, 83)),
    "right kidney": (ANATOMY, ("9846003", "SCT", "Right kidney"), (185, 102, 83)),
    "pancreas": (ANATOMY, ("15776009", "SCT", "Pancreas"), (249, 180, 111)),
    "stomach": (ANATOMY, ("69695003", "SCT", "Stomach"), (216, 132, 105)),
    "gallbladder": (ANATOMY, ("28231008", "SCT", "Gallbladder"), (139, 150, 98)),
    "urinary bladder": (ANATOMY, ("89837001", "SCT", "Urinary bladder"), (222, 154, 132)),
    "bladder": (ANATOMY, ("89837001", "SCT", "Urinary bladder"), (222, 154, 132)),
    "prostate": (ANATOMY, ("41216001", "SCT", "Prostate"), (230, 158, 140)),
    "heart": (ANATOMY, ("80891009", "SCT", "Heart"), (206, 110, 84)),
    "lung": (ANATOMY, ("39607008", "SCT", "Lung"), (197, 165, 145)),
    "left lung": (ANATOMY, ("44029006", "SCT", "Left lung"), (197, 165, 145)),
    "right lung": (ANATOMY, ("3341006", "SCT", "Right lung"), (197, 165, 145)),
    "brain": (ANATOMY, ("12738006", "SCT", "Brain"), (250, 250, 225)),
    "aorta": (ANATOMY, ("15825003", "SCT", "Aorta"), (224, 97, 76)),
    "esophagus": (ANATOMY, ("32849002", "SCT", "Esophagus"), (211, 171, 143)),
    "bone": (TISSUE, ("272673000", "SCT", "Bone"), (241, 214, 145)),
    "muscle": (TISSUE, ("71616004", "SCT", "Muscle"), (192, 104, 88)),
    "fat": (TISSUE, ("55603005", "SCT", "Adipose tissue"), (230, 220, 70)),
    "tumor": (ALTERED, ("108369006", "SCT", "Neoplasm"), (144, 238, 144)),
    "tumour": (ALTERED, ("108369006", "SCT", "Neoplasm"), (144, 238, 144)),
    "lesion": (ALTERED, ("52988006", "SCT", "Lesion"), (144, 238, 144)),
}
# colours for labels the table does not know (Slicer's first generic colours)
_CYCLE = ((128, 174, 128), (241, 214, 145), (177, 122, 101), (111, 184, 210), (216, 101, 79), (221, 130, 101),
          (144, 238, 144), (192, 104, 88), (220, 245, 20), (78, 63, 0))


def segment_codes(name: str, index: int) -> tuple[Code, Code, tuple]:
    """``(category, type, sRGB)`` of a segment called *name* (the *index*-th, 0-based, for the colour
    of a name the table does not know)."""
    known = _TABLE.get(name.strip().lower())
    if known is not None:
        return known
    return TISSUE, TISSUE, _CYCLE[index % len(_CYCLE)]


# sRGB <-> CIELab (D65 white), DICOM's scaling: L* 0..100 -> 0..65535, a* b* -128..127 -> 0..65535
_WHITE = (0.95047, 1.0, 1.08883)
_M = ((0.4124564, 0.3575761, 0.1804375), (0.2126729, 0.7151522, 0.0721750), (0.0193339, 0.1191920, 0.9503041))
_M_INV = ((3.2404542, -1.5371385, -0.4985314), (-0.9692660, 1.8760108, 0.0415560), (0.0556434, -0.2040259, 1.0572252))


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def cielab_of(rgb: tuple) -> list[int]:
    """DICOM's scaled CIELab of an 8-bit sRGB colour."""
    lin = [_linear(c / 255) for c in rgb]
    xyz = [sum(m * c for m, c in zip(row, lin)) / w for row, w in zip(_M, _WHITE)]
    f = [t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz]
    lab = (116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2]))
    return [round(lab[0] * 65535 / 100), round((lab[1] + 128) * 65535 / 255), round((lab[2] + 128) * 65535 / 255)]


def rgb_of(scaled) -> tuple[int, int, int]:
    """The 8-bit sRGB colour of DICOM's scaled CIELab (*scaled*: three numbers 0..65535)."""
    lab = (scaled[0] * 100 / 65535, scaled[1] * 255 / 65535 - 128, scaled[2] * 255 / 65535 - 128)
    fy = (lab[0] + 16) / 116
    f = (fy + lab[1] / 500, fy, fy - lab[2] / 200)
    xyz = [(t ** 3 if t ** 3 > 216 / 24389 else (116 * t - 16) * 27 / 24389) * w for t, w in zip(f, _WHITE)]
    lin = [sum(m * c for m, c in zip(row, xyz)) for row in _M_INV]
    return tuple(max(0, min(255, round(_gamma(max(0.0, c)) * 255))) for c in lin)
