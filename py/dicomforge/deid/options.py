"""What the user chose for de-identification, and how the data set records it.

The options are those of PS3.15 Table E.1-1 a user can tick (E.3); each maps to its
column of the profile table (:mod:`.table`) and to its code of CID 7050 "De-identification
Method", written into (0012,0064) *De-identification Method Code Sequence* (PS3.16).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["DATES", "DeidOptions", "METHOD_CODES"]

#: What happens to dates: removed or emptied (the Basic Profile), kept, or shifted by a
#: per-patient number of days (Retain Longitudinal Temporal Information, full or modified dates).
DATES = ("remove", "keep", "shift")

#: CID 7050 codes (DCM): the profile and each option.
METHOD_CODES = {
    "basic": ("113100", "Basic Application Confidentiality Profile"),
    "clean_descriptors": ("113105", "Clean Descriptors Option"),
    "retain_long_full_dates": ("113106", "Retain Longitudinal Temporal Information Full Dates Option"),
    "retain_long_modified_dates": ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
    "retain_patient_characteristics": ("113108", "Retain Patient Characteristics Option"),
    "retain_device_identity": ("113109", "Retain Device Identity Option"),
    "retain_uids": ("113110", "Retain UIDs Option"),
    "retain_safe_private": ("113111", "Retain Safe Private Option"),
    "retain_institution_identity": ("113112", "Retain Institution Identity Option"),
}


@dataclass(frozen=True)
class DeidOptions:
    """The user's choices.

    Attributes
    ----------
    retain_uids, retain_patient_characteristics, retain_device_identity,
    retain_institution_identity, clean_descriptors, retain_safe_private : bool
        The options of PS3.15 E.3 of the same names.
    dates : str
        One of :data:`DATES`.
    uid_prefix : str
        Root for the new UIDs ("" gives ``2.25.`` UUID-derived ones).
    patient_name, patient_id : str
        Written instead of the emptied (0010,0010) and (0010,0020) (a study's subject code), or "".
    """

    retain_uids: bool = False
    retain_patient_characteristics: bool = False
    retain_device_identity: bool = False
    retain_institution_identity: bool = False
    clean_descriptors: bool = False
    retain_safe_private: bool = False
    dates: str = "remove"
    uid_prefix: str = ""
    patient_name: str = ""
    patient_id: str = ""

    @property
    def columns(self) -> set[str]:
        """The profile table's option columns these choices apply."""
        ticked = {f.name for f in fields(self) if f.type == "bool" and getattr(self, f.name)}
        if self.dates == "keep":
            ticked.add("retain_long_full_dates")
        elif self.dates == "shift":
            ticked.add("retain_long_modified_dates")
        return ticked

    def method_codes(self) -> list[tuple[str, str]]:
        """(code value, meaning) of CID 7050 for the profile and each option applied, in a fixed order."""
        applied = self.columns
        return [METHOD_CODES[name] for name in METHOD_CODES if name == "basic" or name in applied]

    def method_text(self, version: str) -> str:
        """(0012,0063) *De-identification Method*: at most 64 characters (LO)."""
        return f"dicomforge {version} PS3.15 E.1 basic+{len(self.columns)} options"[:64]
