"""New values for de-identified attributes: dummies (D), shifted dates (C of the modified
dates option) and cleaned descriptors (C of the Clean Descriptors option).

Written here, not taken from a library: pydicom has no de-identification, and the
de-identifiers that exist (dicognito, deid) bring their own profiles rather than PS3.15's table.
"""

from __future__ import annotations

import datetime
import re

__all__ = ["dummy", "shift_date_text", "clean_text"]

# PS3.15 E.1: "a dummy value ... consistent with the VR" (non-zero length)
_DUMMIES = {
    "AE": "ANONYMOUS", "AS": "000D", "CS": "ANONYMOUS", "DA": "19000101", "DT": "19000101000000.000000",
    "TM": "000000.000000", "DS": "0", "IS": "0", "LO": "ANONYMIZED", "LT": "ANONYMIZED", "PN": "ANONYMIZED",
    "SH": "ANONYMIZED", "ST": "ANONYMIZED", "UC": "ANONYMIZED", "UT": "ANONYMIZED", "UR": "urn:anonymized",
}
_BINARY_ZERO = {"US": 0, "SS": 0, "UL": 0, "SL": 0, "FL": 0.0, "FD": 0.0, "UV": 0, "SV": 0, "AT": 0}


def dummy(vr: str):
    """A dummy value for an element of *vr* (None for SQ: the caller empties the sequence)."""
    if vr in _DUMMIES:
        return _DUMMIES[vr]
    if vr in _BINARY_ZERO:
        return _BINARY_ZERO[vr]
    if vr in ("OB", "OW", "OF", "OD", "OL", "OV", "UN"):
        return b"\0\0\0\0\0\0\0\0"
    return None


def _shift_da(text: str, days: int) -> str:
    if len(text) != 8 or not text.isdigit():
        return ""  # not YYYYMMDD: nothing of it is kept
    try:
        day = datetime.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except (ValueError, IndexError):
        return ""  # not a date: nothing of it is kept
    return (day + datetime.timedelta(days=days)).strftime("%Y%m%d")


# a DT value (PS3.5 6.2): YYYYMMDD, then the time (up to HHMMSS.FFFFFF) and the UTC offset
# (&ZZXX, at most 14 hours either way: so "-2001" in "20010203-2001" is a range's year, not an offset), kept
_DT = re.compile(r"(\d{8})\d{0,6}(?:\.\d{1,6})?(?:[+-](?:0\d|1[0-4])[0-5]\d)?")


def _shift_dt(text: str, days: int) -> str:
    if not _DT.fullmatch(text):
        return ""  # (a DT of only a year or a month, or not a DT: nothing of it is kept)
    shifted = _shift_da(text[:8], days)
    return shifted + text[8:] if shifted else ""


def shift_date_text(text: str, vr: str, days: int) -> str:
    """*text* (a DA or DT value, or a range ``a-b``, PS3.5 6.2) moved by *days*; its time part kept.
    A value that is not a date becomes empty (nothing of it is kept). A DT range is told from
    a DT with a negative UTC offset by its parts: each side of a range is a DT of its own."""
    text = text.strip()
    if vr == "DA":
        return "-".join(_shift_da(part.strip(), days) for part in text.split("-"))  # (an empty side stays empty)
    if not text or _DT.fullmatch(text):
        return _shift_dt(text, days)
    for at in [i for i, c in enumerate(text) if c == "-"]:
        sides = text[:at].strip(), text[at + 1:].strip()
        if all(not side or _DT.fullmatch(side) for side in sides) and any(sides):
            return "-".join(_shift_dt(side, days) for side in sides)
    return ""


def clean_text(text: str, identifiers: list[str]) -> str:
    """*text* with every occurrence of *identifiers* (the data set's own names and IDs,
    case-insensitive, also their ``^``/``=``-separated parts: whole words of 2 characters or more,
    and any non-ASCII part) replaced by ``*``.

    Clean Descriptors (PS3.15 E.3.5) asks for "values of similar meaning known not to contain
    identifying information"; a program cannot know that of free text, so this removes what
    the data set itself says identifies someone and keeps the rest of the description.
    """
    words = set()
    for identifier in identifiers:
        for part in [identifier, *re.split(r"[\^=]", identifier)]:
            part = part.strip()
            if len(part) >= 2 or (part and not part.isascii()):  # (an ideographic name part may be one character)
                words.add(part)
    for word in sorted(words, key=len, reverse=True):
        pattern = rf"(?<!\w){re.escape(word)}(?!\w)" if word.isascii() else re.escape(word)
        text = re.sub(pattern, "*", text, flags=re.IGNORECASE)
    return text
