"""The de-identification mapping: what replaced what, kept so a later batch matches.

UIDs are replaced consistently (:class:`~dicomforge.dicom.uid_map.UidMap`): the same
original UID always gets the same new one, within a batch and, when the user keeps this
mapping and gives it back, across batches, so series, Segmentations and their references
stay linked. Dates are shifted by one number of days per patient (PS3.15 E.3.6, "modified
dates"), chosen at random the first time a patient is seen and kept here too.

The mapping holds the original identifiers: it is as sensitive as the original files, and
it is written only when the user asks for it.
"""

from __future__ import annotations

import json
import random

from dicomforge.dicom.uid_map import UidMap
from dicomforge.errors import OptionsError

__all__ = ["DeidMapping", "FORMAT"]

FORMAT = "dicomforge-deid-mapping"
#: Dates are shifted back by 1 to 10 years' worth of days (never 0: a shift must change them).
SHIFT_DAYS = (365, 3650)


class DeidMapping:
    """UIDs old -> new, date shifts per patient (original Patient ID -> days), output names.

    Parameters
    ----------
    uid_prefix : str
        Root for the new UIDs.
    text : str, optional
        A mapping written by :meth:`to_json` (from an earlier batch) to continue.
    """

    def __init__(self, uid_prefix: str = "", text: str | None = None) -> None:
        known, self.date_shifts, self.files = {}, {}, {}
        if text:
            known, self.date_shifts = self._parse(text)
        self.uids = UidMap(uid_prefix, known)
        self._random = random.SystemRandom()

    @staticmethod
    def _parse(text: str) -> tuple[dict, dict]:
        try:
            document = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise OptionsError(f"mapping is not JSON ({exc})") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise OptionsError(f"mapping is not a dicomforge de-identification mapping (its \"format\" must be {FORMAT!r})")
        uids, shifts = document.get("uids", {}), document.get("dateShifts", {})
        if not (isinstance(uids, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in uids.items())):
            raise OptionsError("mapping: \"uids\" must map UID text to UID text")
        if not (isinstance(shifts, dict) and all(isinstance(v, int) for v in shifts.values())):
            raise OptionsError("mapping: \"dateShifts\" must map patient IDs to whole numbers of days")
        return uids, shifts

    def date_shift(self, patient: str) -> int:
        """Days (negative: earlier) every date of patient *patient* (the original Patient ID) moves by."""
        if patient not in self.date_shifts:
            self.date_shifts[patient] = -self._random.randint(*SHIFT_DAYS)
        return self.date_shifts[patient]

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT, "version": 1,
            "note": "SENSITIVE: links de-identified files to the original patients; keep it as safe as the originals",
            "uids": self.uids.mapping, "dateShifts": self.date_shifts, "files": self.files,
        }, indent=1, sort_keys=False)
