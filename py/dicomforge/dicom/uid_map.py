"""Old UID -> new UID, the same new one every time: UIDs regenerated consistently over a batch.

Modify and de-identification share one :class:`UidMap` per batch, so that the files of a series keep
one (0020,000E) *Series Instance UID* and references in sequences keep pointing at the right
instance; :meth:`UidMap.to_json` carries a map into a later batch. UIDs of the standard (under
``1.2.840.10008.``) are never mapped, nor values of elements naming a class (:data:`CLASS_TAGS`).
"""

from __future__ import annotations

import json
import re

from pydicom.datadict import DicomDictionary, dictionary_VR, keyword_for_tag, tag_for_keyword
from pydicom.dataelem import DataElement, convert_raw_data_element
from pydicom.multival import MultiValue

from dicomforge.errors import OptionsError

from .uids import is_uid, new_uid, root_problem

__all__ = ["UidMap", "remap_dataset", "element_name", "is_well_known", "CLASS_TAGS", "FORMAT"]

FORMAT, VERSION = "dicomforge-uid-map", 1
DICOM_ROOT = "1.2.840.10008."
_BACKSLASH = "\\"  # between values, as typed

#: UI elements whose value names a class, a syntax, a coding scheme or an implementation (the same
#: for every instance), found in pydicom's dictionary by keyword so that no hand-kept list drifts.
_CLASS_WORD = re.compile(r"ClassUID|SOPClass|TransferSyntax|CodingScheme|^ContextUID$|MappingResourceUID"
                         r"|ContextGroupExtensionCreatorUID|PrivateInformationCreatorUID")
CLASS_TAGS = frozenset(tag for tag, entry in DicomDictionary.items() if entry[0] == "UI" and _CLASS_WORD.search(entry[4]))


def is_well_known(uid: str) -> bool:
    """True for UIDs of the standard itself (PS3.6 Annex A): transfer syntaxes, SOP classes, ..."""
    return uid == DICOM_ROOT[:-1] or uid.startswith(DICOM_ROOT)


def element_name(tag: int) -> str:
    """*tag*'s keyword, or ``(gggg,eeee)`` for private, unknown and repeating-group elements."""
    keyword = keyword_for_tag(tag)
    return keyword if keyword and tag_for_keyword(keyword) == tag else f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


class UidMap:
    """Old UID -> new UID, stable for the map's life. New UIDs are under *prefix* (a root ending in
    "."; empty: ``2.25.`` and a random UUID, PS3.5 B.2); *known* pairs (an earlier batch's) come first."""

    def __init__(self, prefix: str = "", known: dict | None = None) -> None:
        problem = root_problem("UID prefix", prefix)
        if problem:
            raise OptionsError(problem)
        self.prefix, self._map, self._used = prefix, {}, set()
        for old, new in (known or {}).items():
            valid = isinstance(old, str) and old and isinstance(new, str) and is_uid(new)
            if not valid or is_well_known(old) or new in self._used:
                raise OptionsError(f"the UID map pairs {old!r} with {new!r}: each old UID (none of the standard's) "
                                   "must map to a valid UID of its own")
            self._map[old] = new
            self._used.add(new)

    def map(self, uid: str) -> str:
        """*uid*'s new UID (made on first sight); empty and well-known UIDs come back unchanged."""
        uid = str(uid)
        if not uid or is_well_known(uid):
            return uid
        if uid not in self._map:
            new = new_uid(self.prefix)
            while new in self._used:  # (10^-30 odds, but a repeat would merge two instances)
                new = new_uid(self.prefix)
            self._map[uid] = new
            self._used.add(new)
        return self._map[uid]

    @property
    def mapping(self) -> dict[str, str]:
        """A copy of the pairs made so far, old -> new."""
        return dict(self._map)

    def to_json(self) -> str:
        """The map as ``{"format": "dicomforge-uid-map", "version": 1, "uids": {old: new}}``."""
        return json.dumps({"format": FORMAT, "version": VERSION, "uids": self._map}, indent=1)

    @classmethod
    def from_json(cls, text: str | bytes, prefix: str = "") -> "UidMap":
        """A map saved by :meth:`to_json`; anything else is an :class:`OptionsError` saying why."""
        try:
            doc = json.loads(text)
        except (ValueError, UnicodeError) as exc:
            raise OptionsError(f"the UID map is not JSON: {exc}") from None
        doc = doc if isinstance(doc, dict) else {"format": f"a JSON {type(doc).__name__}"}
        if doc.get("format") != FORMAT:
            raise OptionsError(f"not a dicomforge UID map: its format is {doc.get('format')!r}, expected {FORMAT!r}")
        if doc.get("version") != VERSION:
            raise OptionsError(f"UID map version {doc.get('version')!r} is not supported (this reads version {VERSION})")
        if not isinstance(doc.get("uids"), dict):
            raise OptionsError("the UID map's 'uids' must be an object of old UID -> new UID")
        return cls(prefix, doc["uids"])


def _vr_of(ds, elem) -> str | None:
    """*elem*'s VR without parsing its value: the file's (explicit VR), else the dictionary's; a UN
    element the dictionary knows as UI counts as UI, so that no UID hides behind an unknown VR."""
    if elem.VR not in (None, "UN"):
        return elem.VR
    try:
        known = dictionary_VR(elem.tag)
    except KeyError:  # private, in implicit VR: pydicom's private dictionary may know it
        known = convert_raw_data_element(elem, ds=ds).VR if elem.VR is None and elem.is_raw else "UN"
    return known if elem.VR is None or known == "UI" else elem.VR


def remap_dataset(dataset, uid_map: UidMap, keep=frozenset(), notes: list[str] | None = None) -> list[str]:
    """Replace every UID in *dataset* (at any depth, every value, its file meta too) by
    ``uid_map.map(uid)``, except in :data:`CLASS_TAGS`, well-known UIDs and elements in *keep*
    (tags or keywords, at any depth). Returns the paths changed, as
    :func:`dicomforge.dicom.modify.parse_path` reads them (``ReferencedSeriesSequence[0].SeriesInstanceUID``);
    *notes*, when given, gets a ``"path: 'old' -> 'new'"`` line for each."""
    unknown = [key for key in keep if not isinstance(key, int) and tag_for_keyword(key) is None]
    if unknown:
        raise OptionsError(f"not DICOM keywords (in the UIDs to keep): {', '.join(map(str, unknown))}")
    keep_tags = frozenset(key if isinstance(key, int) else tag_for_keyword(key) for key in keep)
    changed: list[str] = []
    meta = getattr(dataset, "file_meta", None)
    for ds in ([meta] if meta is not None else []) + [dataset]:
        _remap(ds, uid_map, keep_tags, "", changed, notes)
    return changed


def _remap(ds, uid_map: UidMap, keep: frozenset, prefix: str, changed: list[str], notes) -> None:
    for tag in list(ds.keys()):
        elem, name = ds.get_item(tag), prefix + element_name(tag)
        vr = _vr_of(ds, elem) if tag not in keep else None
        if vr == "SQ":
            for index, item in enumerate(ds[tag].value):
                _remap(item, uid_map, keep, f"{name}[{index}].", changed, notes)
        elif vr == "UI" and tag not in CLASS_TAGS:
            value = (convert_raw_data_element(elem, ds=ds) if elem.is_raw else elem).value
            if not value or isinstance(value, bytes):
                continue
            olds = [str(v) for v in value] if isinstance(value, (MultiValue, list)) else [str(value)]
            news = [uid_map.map(old) for old in olds]
            if news != olds:
                ds[tag] = DataElement(tag, "UI", news if len(news) > 1 else news[0])
                changed.append(name)
                if notes is not None:
                    notes.append(f"{name}: '{_BACKSLASH.join(olds)}' -> '{_BACKSLASH.join(news)}'")
