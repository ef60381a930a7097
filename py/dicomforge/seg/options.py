"""What the user chooses about a DICOM Segmentation (:class:`SegOptions`), and its checks.

The seg job's option schema is derived from this dataclass, so a field added here is an
option of the page, the API and the CLI alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dicomforge.dicom.uids import root_problem

__all__ = ["SegOptions", "SEG_TYPES", "ALGORITHM_TYPES", "MAX_SEGMENTS"]

SEG_TYPES = ("binary", "labelmap")
ALGORITHM_TYPES = ("MANUAL", "SEMIAUTOMATIC", "AUTOMATIC")
#: Segment Number is a US: at most this many segments (a label map SEG: 255 in 8 bits, more in 16).
MAX_SEGMENTS = 65535
_CS = re.compile(r"^[A-Z0-9_ ]{1,16}$")


@dataclass
class SegOptions:
    """What the user chooses about the Segmentation; every field has a usable default.

    Attributes
    ----------
    type : str
        ``binary`` (Segmentation Storage, one bit per pixel, a frame per segment and position)
        or ``labelmap`` (Label Map Segmentation Storage, one frame per position, segment numbers).
    algorithm_type : str
        (0062,0008) Segment Algorithm Type of every segment: MANUAL, SEMIAUTOMATIC or AUTOMATIC.
    algorithm_name : str
        (0062,0009) Segment Algorithm Name (needed when the type is not MANUAL).
    keep_empty_frames : bool
        Write frames that hold no pixel of their segment (left out by default).
    series_description, content_label, content_creator : str
        (0008,103E), (0070,0080) Content Label (upper case), (0070,0084) Content Creator's Name.
    series_number : int
    uid_prefix : str
        Root for generated UIDs (ending in "."); ``"2.25."`` + UUID when empty.
    """

    type: str = "binary"
    algorithm_type: str = "MANUAL"
    algorithm_name: str = ""
    keep_empty_frames: bool = False
    series_description: str = "Segmentation"
    series_number: int = 300
    content_label: str = "SEGMENTATION"
    content_creator: str = ""
    uid_prefix: str = ""

    def problems(self, label=str) -> list[str]:
        """What is wrong with these options, in words (empty when nothing)."""
        found = []
        if self.type not in SEG_TYPES:
            found.append(f"{label('type')} must be binary or labelmap, got {self.type!r}")
        if self.algorithm_type not in ALGORITHM_TYPES:
            found.append(f"{label('algorithm_type')} must be one of {', '.join(ALGORITHM_TYPES)}, got {self.algorithm_type!r}")
        elif self.algorithm_type != "MANUAL" and not self.algorithm_name.strip():
            found.append(f"{label('algorithm_name')} is needed when the algorithm type is {self.algorithm_type}")
        if not _CS.match(self.content_label or ""):
            found.append(f"{label('content_label')} must be 1-16 upper-case letters, digits, '_' or spaces, "
                         f"got {self.content_label!r}")
        if len(self.series_description) > 64 or "\\" in self.series_description:
            found.append(f"{label('series_description')} must be at most 64 characters without '\\'")
        if not isinstance(self.series_number, int) or not 0 <= self.series_number <= 2**31 - 1:
            found.append(f"{label('series_number')} must be an integer from 0 to 2147483647")
        problem = root_problem(label("uid_prefix"), self.uid_prefix)
        if problem:
            found.append(problem)
        return found
