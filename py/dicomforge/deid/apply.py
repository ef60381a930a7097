"""PS3.15 Annex E de-identification of one data set, attribute by attribute, from the table.

Every attribute listed in Table E.1-1 (:mod:`.table`) gets the action its row gives for the
options chosen (:class:`.options.DeidOptions`), at every depth: the table applies to the
attributes of sequence items too. Attributes the table does not list are kept, except
instance UIDs (all replaced through the batch's map unless Retain UIDs) and private ones,
which are removed unless Retain Safe Private keeps those known to be safe (:mod:`.safe_private`;
a safe UID is replaced like any other, a safe sequence's items walked like any other). The
action codes that leave a choice (PS3.15 E.1.1 legend: "X unless Z is required to maintain
IOD conformance", ...) are resolved without knowing each IOD's module table, the safe way
round: a code that allows D gives a dummy value (never an IOD error), one that allows Z but
not D gives an empty value, so no attribute an IOD requires disappears and no value survives.
"""

from __future__ import annotations

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from dicomforge.dicom.uid_map import remap_dataset

from .mapping import DeidMapping
from .options import DeidOptions
from .safe_private import SafePrivate
from .table import ProfileTable, action
from .values import clean_text, dummy, shift_date_text

__all__ = ["deidentify_dataset", "IDENTIFYING"]

#: Attributes whose values, where present, are removed from descriptors by Clean Descriptors.
IDENTIFYING = ("PatientName", "PatientID", "OtherPatientIDs", "OtherPatientNames", "PatientBirthName",
               "PatientMotherBirthName", "PatientBirthDate", "AccessionNumber", "InstitutionName",
               "ReferringPhysicianName", "PerformingPhysicianName", "OperatorsName", "StudyID",
               "IssuerOfPatientID", "MedicalRecordLocator")
_TEXT = frozenset({"LO", "LT", "SH", "ST", "UT", "UC", "PN"})
# (the D/Z choices of the combined codes: see the module's docstring)
_RESOLVED = {"X/Z": "Z", "X/D": "D", "Z/D": "D", "X/Z/D": "D"}


class _Walk:
    """One data set's de-identification: the choices, what is known of it, what changed."""

    def __init__(self, table: ProfileTable, options: DeidOptions, mapping: DeidMapping, days: int | None,
                 identifiers: list[str], safe_private: SafePrivate | None) -> None:
        self.table, self.options, self.mapping, self.days = table, options, mapping, days
        self.columns = options.columns
        self.identifiers, self.safe_private = identifiers, safe_private
        self.changes: list[list[str]] = []

    def note(self, path: str, keyword: str, code: str) -> None:
        self.changes.append([path, keyword, code])

    def items(self, elem, path: str) -> None:
        for i, item in enumerate(elem.value or ()):
            self.dataset(item, f"{path}[{i}]")

    def dataset(self, ds: Dataset, path: str = "") -> None:
        for elem in list(ds):
            tag = elem.tag
            where = f"{path}({tag.group:04X},{tag.element:04X})"
            if tag.is_private:
                self.private(ds, elem, where)
                continue
            row = self.table.row_for(int(tag))
            if row is None:
                if elem.VR == "SQ":
                    self.items(elem, where)
                continue
            self.apply(ds, elem, action(row, self.columns), where)

    def private(self, ds: Dataset, elem, where: str) -> None:
        """Private attributes: removed (PS3.15 E.1, basic X) unless safe and Retain Safe Private is on."""
        tag = elem.tag
        if tag.is_private_creator:
            return  # (removed below with its block, once no element of the block is left)
        kept = self.safe_private.kept(ds, elem) if self.safe_private is not None else None
        if kept is not None:
            if kept is not elem:
                ds[tag] = kept
            if kept.VR == "SQ":
                self.items(kept, where)
            return
        del ds[tag]
        self.note(where, elem.keyword or "", "X")

    def apply(self, ds: Dataset, elem, code: str, where: str) -> None:
        vr, keyword = elem.VR, elem.keyword
        if code == "X/Z/U*":  # a sequence of UID references: kept, its UIDs replaced (U inside)
            code = "U" if vr in ("UI", "SQ") else "Z"
        code = _RESOLVED.get(code, code)
        if code == "K" or (code in ("U", "C") and vr == "SQ"):
            if vr == "SQ":
                self.items(elem, where)
            return
        if code == "X":
            del ds[elem.tag]
        elif code == "Z" or (code == "D" and (vr == "SQ" or dummy(vr) is None)):
            if elem.is_empty:
                return
            elem.value = Sequence() if vr == "SQ" else None
        elif code == "D":
            elem.value = dummy(vr)
        elif code == "U":
            if vr != "UI" or elem.is_empty:
                return
            old = list(elem.value) if elem.VM > 1 else [elem.value]
            new = [self.mapping.uids.map(str(uid)) for uid in old]
            if new == [str(uid) for uid in old]:
                return  # (well-known UIDs: never replaced)
            elem.value = new if elem.VM > 1 else new[0]
        elif code == "C":
            if not self.clean(elem):
                return
        self.note(where, keyword, code)

    def clean(self, elem) -> bool:
        """C: dates shifted (Retain Longitudinal Temporal Information, modified dates), free text
        cleaned of the data set's identifiers (Clean Descriptors); other VRs kept. Whether it changed."""
        if elem.is_empty:
            return False
        values = list(elem.value) if elem.VM > 1 else [elem.value]
        if elem.VR in ("DA", "DT") and self.days is not None:
            new = [shift_date_text(str(v), elem.VR, self.days) for v in values]
        elif elem.VR in _TEXT and self.options.clean_descriptors:
            new = [clean_text(str(v), self.identifiers) for v in values]
        elif elem.VR in ("DA", "DT"):  # (C for a date without a shift: nothing of it is kept)
            new = [""]
        else:
            return False
        if new == [str(v) for v in values]:
            return False
        elem.value = new if len(new) > 1 else new[0]
        return True


def deidentify_dataset(ds: Dataset, options: DeidOptions, mapping: DeidMapping,
                       table: ProfileTable) -> list[list[str]]:
    """De-identify *ds* in place; ``[path, keyword, action code]`` per attribute changed.

    Identifiers met in *ds* are read before anything changes, so Clean Descriptors can
    remove them from free text; so are the private blocks *ds* declares safe.
    """
    identifiers = [str(v) for keyword in IDENTIFYING if keyword in ds and not ds[keyword].is_empty
                   for v in (ds[keyword].value if ds[keyword].VM > 1 else [ds[keyword].value])]
    days = mapping.date_shift(str(ds.get("PatientID", "") or "")) if options.dates == "shift" else None
    safe_private = SafePrivate(ds) if options.retain_safe_private else None
    walk = _Walk(table, options, mapping, days, identifiers, safe_private)
    walk.dataset(ds)
    _drop_empty_private_blocks(ds)
    if not options.retain_uids:
        # the instance UIDs Table E.1-1 does not list ((0008,1167), (0020,0242)...) through the
        # batch's one map too; class, syntax and coding scheme UIDs are kept
        for path in remap_dataset(ds, mapping.uids, keep=table.listed_tags):
            if not any(change[1] == path for change in walk.changes):
                walk.changes.append(["", path, "U"])
    return walk.changes


def _drop_empty_private_blocks(ds: Dataset) -> None:
    """Private creator elements whose block has no element left, at every depth."""
    used = {(tag.group, tag.element >> 8) for tag in ds.keys() if tag.is_private and not tag.is_private_creator}
    for tag in [t for t in ds.keys() if t.is_private_creator]:
        if (tag.group, tag.element & 0xFF) not in used:
            del ds[tag]
    for elem in ds:
        if elem.VR == "SQ":
            for item in elem.value or ():
                _drop_empty_private_blocks(item)
