"""What the user chooses about a written series (:class:`SeriesOptions`), and its checks.

The series job's option schema is derived from this dataclass (names, defaults, types),
so a field added here is an option of the page, the API and the CLI alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydicom.dataset import Dataset

from dicomforge.dicom.uids import root_problem, uid_problem
from dicomforge.errors import OptionsError

__all__ = ["SeriesOptions"]

_CS = re.compile(r"^[A-Z0-9_ ]{1,16}$")
_WIDTH = re.compile(r"%[-+ #0]*(\d+)")  # the field widths of a printf pattern
_NAME_MAX = 255  # characters of a file name on every platform (and in every extractor)


@dataclass
class SeriesOptions:
    """What the user chooses about the series; every field has a usable default.

    Attributes
    ----------
    series_description : str
        (0008,103E) *Series Description*.
    series_number : int
        (0020,0011) *Series Number*.
    modality : str
        "CT" (CT Image Storage), "MR" (MR Image Storage) or anything else (Secondary
        Capture Image Storage with that *Modality*). Empty: a DICOM series' own modality,
        "OT" for other volumes.
    instance_start : int
        *Instance Number* of the first slice along the normal.
    file_pattern : str
        printf-style file name given the instance number, e.g. ``slice_%04d.dcm``.
    patient_name, patient_id, study_description : str
        Override those of *reference* when not empty.
    study_instance_uid : str
        Join this existing study instead of starting a new one.
    uid_prefix : str
        Root for generated UIDs (ending in "."); ``"2.25."`` + UUID when empty.
    from_source : bool
        A volume read from a DICOM series keeps its patient, study, frame of reference,
        modality and acquisition attributes (:mod:`dicomforge.series.source`); the fields
        above still win when given.
    renew_uids : bool
        A series rebuilt from a Zarr store's DICOM attributes gets new Study, Series, SOP
        Instance and Frame of Reference UIDs (the same new one for the same old one);
        otherwise it keeps them (:mod:`dicomforge.zarr.reconstruct`).
    reference : pydicom Dataset or None
        Patient and study attributes are copied from it (:data:`.source.REFERENCE_KEYWORDS`),
        before those of the source series.
    """

    series_description: str = ""
    series_number: int = 1
    modality: str = ""
    instance_start: int = 1
    file_pattern: str = "slice_%04d.dcm"
    patient_name: str = ""
    patient_id: str = ""
    study_description: str = ""
    study_instance_uid: str = ""
    uid_prefix: str = ""
    from_source: bool = True
    renew_uids: bool = False
    reference: Dataset | None = field(default=None, metadata={"option": False})


    def checked(self, count: int = 1, default_modality: str = "") -> str:
        """Raise one :class:`OptionsError` naming every invalid field (for a series of
        *count* files); return the modality, upper-cased (*default_modality* when none was
        chosen and it is a valid one, else "OT")."""
        problems = self.problems(count)
        if problems:
            raise OptionsError("; ".join(problems))
        chosen = (self.modality or "").strip().upper()
        if not chosen and _CS.match(default_modality or ""):
            chosen = default_modality
        return chosen or "OT"

    def problems(self, count: int = 1, label=str) -> list[str]:
        """What is wrong with these options for a series of *count* files, in words, one
        entry per field (empty when nothing); *label* spells a field's name for the user."""
        problems = []
        modality = (self.modality or "OT").strip().upper()
        if not _CS.match(modality):
            problems.append(f"{label('modality')} {self.modality!r} must be 1-16 letters, digits or '_'")
        for name, limit in (("series_description", 64), ("study_description", 64), ("patient_id", 64)):
            value = getattr(self, name)
            if len(value) > limit or "\\" in value:
                problems.append(f"{label(name)} must be at most {limit} characters without '\\'")
        if len(self.patient_name) > 64 * 5 or "\\" in self.patient_name:
            problems.append(f"{label('patient_name')} is too long or contains '\\'")
        if not isinstance(self.series_number, int) or not 0 <= self.series_number <= 2**31 - 1:
            problems.append(f"{label('series_number')} must be an integer from 0 to 2147483647, got {self.series_number!r}")
        start = self.instance_start
        if not isinstance(start, int) or start < 0 or start + count - 1 > 2**31 - 1:
            problems.append(f"{label('instance_start')} must be an integer from 0, got {start!r}")
        problems += filter(None, [uid_problem(label("study_instance_uid"), self.study_instance_uid),
                                  root_problem(label("uid_prefix"), self.uid_prefix)])
        if isinstance(start, int):
            problems += self._pattern_problems(start, label("file_pattern"))
        return problems

    def _pattern_problems(self, start: int, name: str) -> list[str]:
        pattern = self.file_pattern
        widths = [int(w) for w in _WIDTH.findall(pattern)]
        if len(pattern) > _NAME_MAX or any(w > _NAME_MAX for w in widths):
            longest = max([len(pattern), *widths])
            return [f"{name} {pattern[:40]!r} gives names of {longest} characters (at most {_NAME_MAX})"]
        try:
            first, last = pattern % start, pattern % (start + 1)
        except (TypeError, ValueError):
            return [f"{name} {pattern!r} needs exactly one integer field like %04d"]
        if first == last:
            return [f"{name} {pattern!r} gives every file the same name"]
        if max(len(part) for part in first.split("/")) > _NAME_MAX:
            return [f"{name} {pattern!r} gives names longer than {_NAME_MAX} characters"]
        if first.startswith("/") or ".." in first.split("/"):
            return [f"{name} {pattern!r} must give a relative name"]
        return []
