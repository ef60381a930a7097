"""What the user chooses about new overlay planes (:class:`OverlayOptions`) and one plane's mask.

One :class:`OverlayOptions` instance is one derived series: its generated Series Instance
UID is shared by every file written with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dicomforge.dicom import tags
from dicomforge.dicom.uids import new_uid, root_problem, uid_problem
from dicomforge.errors import OptionsError

__all__ = ["SERIES_SUFFIX", "MaskPlane", "OverlayOptions", "group_number", "label_value"]

#: Appended to (0008,103E) *Series Description* of a derived copy.
SERIES_SUFFIX = " (overlays)"


@dataclass
class MaskPlane:
    """One overlay plane to add: one byte per pixel (nonzero = set).

    Attributes
    ----------
    mask : bytes
        ``rows * columns * frames`` bytes, frame after frame, row after row.
    label : str
        (60xx,1500) *Overlay Label* (at most 64 characters are kept).
    description : str
        (60xx,0022) *Overlay Description*.
    """

    mask: bytes | memoryview = field(repr=False)
    label: str = ""
    description: str = ""


@dataclass
class OverlayOptions:
    """What the user chooses about the overlays; one instance = one derived series.

    Attributes
    ----------
    type : str
        (60xx,0040) *Overlay Type*: "G" (graphics, the default) or "R" (ROI).
    keep_uids : bool
        False (default): a derived copy (new SOP Instance UID, the shared
        :attr:`series_uid`, suffixed Series Description, Source Image Sequence,
        Derivation Description). True: only the 60xx groups change.
    replace : bool
        Remove every existing overlay group first.
    remove_groups : tuple of int
        Existing overlay groups to remove first (e.g. ``(0x6000,)``).
    series_uid : str
        (0020,000E) of every derived copy made with these options; generated when empty.
    series_suffix : str
        Appended to the Series Description of a derived copy.
    uid_prefix : str
        Root for generated UIDs (ending in "."); "2.25." + UUID when empty.
    """

    type: str = "G"
    keep_uids: bool = False
    replace: bool = False
    remove_groups: tuple = ()
    series_uid: str = ""
    series_suffix: str = SERIES_SUFFIX
    uid_prefix: str = ""

    def __post_init__(self) -> None:
        problems = self.problems(vars(self))
        if problems:
            raise OptionsError("; ".join(problems))
        self.type = str(self.type or "G").strip().upper()
        self.remove_groups = tuple(group_number(g) for g in self.remove_groups or ())
        if not self.series_uid and not self.keep_uids:
            self.series_uid = new_uid(self.uid_prefix)

    @staticmethod
    def problems(values: dict, label=str) -> list[str]:
        """What is wrong with these field *values*, in words (each option named by *label*)."""
        problems = []
        kind = values.get("type") or "G"
        if str(kind).strip().upper() not in ("G", "R"):
            problems.append(f"overlay {label('type')} must be G (graphics) or R (ROI), got {kind!r}")
        for group in values.get("remove_groups") or ():
            if group_number(group) not in tags.OVERLAY_GROUPS:
                problems.append(f"{group!r} is not an overlay group (6000, 6002, ... 601E)")
        return problems + list(filter(None, [root_problem(label("uid_prefix"), values.get("uid_prefix") or ""),
                                             uid_problem(label("series_uid"), values.get("series_uid") or "")]))


def group_number(group) -> int:
    """An overlay group given as a number or as hex text ("6000"); -1 when it is neither."""
    try:
        return int(group, 16) if isinstance(group, str) else int(group)
    except (TypeError, ValueError):
        return -1


def label_value(value):
    """A label value as a number (an int where integral) from a number or its text; None when
    it is not a finite number."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number
