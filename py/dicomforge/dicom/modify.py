"""The modify tool (dcmtk's dcmodify): set, insert and delete elements, at any depth in sequences.

Paths (:func:`parse_path`): ``step ("." step)*``, a step an element (keyword, ``(gggg,eeee)``,
``gggg,eeee``, ``ggggeeee``; private ones by number) with ``[n]`` or ``[*]`` (every item) for a
sequence: ``(0008,1115)[*].(0020,000E)``; a path ending in an index names an item. Ops as dcmodify's:
``set`` (-m) changes existing elements, ``insert`` (-i) creates or changes (with the sequences and
next items a path numbers), ``delete`` (-e) removes. Values (``\\`` between them) are checked against
the VR (PS3.5 6.2) and VM. :func:`modify_file` writes what it did not edit as it came (pydicom keeps
unparsed values as bytes), with preamble, meta and transfer syntax; group lengths follow edits and,
as with dcmodify (without -nmu), (0002,0003)/(0002,0002) follow an edited SOP Instance/Class UID.
"""

from __future__ import annotations

import difflib
import math
import re
import zlib
from calendar import monthrange
from dataclasses import dataclass
from io import BytesIO
from itertools import groupby
from typing import NamedTuple

from pydicom.charset import convert_encodings
from pydicom.datadict import dictionary_VM, dictionary_VR, keyword_dict, tag_for_keyword
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element, write_file_meta_info
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.valuerep import VALIDATORS, VR

from dicomforge.errors import DicomForgeError, InputError, OptionsError, malformed_input, plain_reason
from dicomforge.inputs import NamedInput

from . import tags
from .pixels import read_dataset
from .scan import scan
from .uid_map import UidMap, element_name, remap_dataset

__all__ = ["Step", "Path", "Edit", "parse_path", "check_value", "modify_file", "OPS", "EVERY"]

OPS = ("set", "insert", "delete")
EVERY = "*"
_HEX4 = r"[0-9A-Fa-f]{4}"
_STEP = re.compile(rf"(?:\((?P<g1>{_HEX4}),(?P<e1>{_HEX4})\)|(?P<g2>{_HEX4}),(?P<e2>{_HEX4})|(?P<word>[A-Za-z0-9]+))"
                   r"(?:\[(?P<item>[0-9]+|\*)\])?")
_NO_ELEMENTS = (0x0001, 0x0003, 0x0005, 0x0007, 0xFFFE, 0xFFFF)  # PS3.5 7.1, 7.5
_VRS = frozenset(vr.value for vr in VR if len(vr.value) == 2)


#: An element of a path and, for a sequence, its item: a number or :data:`EVERY`.
Step = NamedTuple("Step", [("tag", int), ("item", "int | str | None")])


@dataclass(frozen=True)
class Path:
    """An element path; ``text`` as the user typed it."""

    text: str
    steps: tuple[Step, ...]

    @property
    def tag(self) -> int:  # the element the path ends at
        return self.steps[-1].tag

    def __str__(self) -> str:
        return self.text


def _dictionary_vr(tag: int) -> str | None:
    """The dictionary's VR (maybe ``"US or SS"``), LO for a private creator, None when unknown."""
    try:
        return ("LO" if 0x10 <= tag & 0xFFFF <= 0xFF else None) if tag >> 16 & 1 else dictionary_VR(tag)
    except KeyError:
        return None


def _tag(match, text: str) -> int:
    if match["g1"] or match["g2"]:
        return int((match["g1"] or match["g2"]) + (match["e1"] or match["e2"]), 16)
    tag = tag_for_keyword(match["word"])
    if tag is None and re.fullmatch(r"[0-9A-Fa-f]{8}", match["word"]):
        tag = int(match["word"], 16)
    if tag is None:
        close = difflib.get_close_matches(match["word"], keyword_dict, n=1)
        raise OptionsError(f"path {text!r}: {match['word']!r} is neither a DICOM keyword nor a tag such as (0010,0010)"
                           + (f" (did you mean {close[0]}?)" if close else ""))
    return tag


def parse_path(text: str) -> Path:
    """*text* as a :class:`Path` (grammar in the module notes), else an :class:`OptionsError`
    naming the text and what is wrong with it."""
    if not isinstance(text, str) or not text.strip():
        raise OptionsError("an element path is empty: give a keyword such as PatientName or a tag such as (0010,0010)")
    parts, steps = text.strip().split("."), []
    for number, part in enumerate(parts):
        match = _STEP.fullmatch(part.strip())
        if match is None:
            raise OptionsError(f"path {text!r}: {part!r} is not an element: give a keyword, (gggg,eeee) or gggg,eeee, "
                               "then [n] or [*] for items of a sequence")
        tag, item = _tag(match, text), match["item"]
        item = item if item in (None, EVERY) else int(item)
        group, name, known = tag >> 16, element_name(tag), _dictionary_vr(tag)
        problem = (f"{name}: group {group:04X} holds no data elements (PS3.5 7.1)" if group in _NO_ELEMENTS
                   else f"{name} is a group length, recomputed on writing" if tag & 0xFFFF == 0
                   else f"{name}: file meta elements are only at the top" if group == 2 and (number or item is not None)
                   else "(0002,0010) says how the file is encoded: change it with transcode" if tag == 0x00020010
                   else f"{name} needs an item index, such as {name}[0] or {name}[*]"
                   if item is None and number < len(parts) - 1
                   else f"{name} is not a sequence (VR {known}): it has no items"
                   if item is not None and known not in (None, "SQ")
                   else None)
        if problem:
            raise OptionsError(f"path {text!r}: {problem}")
        steps.append(Step(tag, item))
    return Path(text.strip(), tuple(steps))


#: what a value looks like, for the VRs pydicom checks by pattern (PS3.5 Table 6.2-1)
_LOOKS = {"AE": "at most 16 printable ASCII characters", "AS": "nnnD, nnnW, nnnM or nnnY, such as 045Y",
          "DA": "YYYYMMDD, such as 20240131", "CS": "at most 16 capitals, digits, spaces and _",
          "DS": "a decimal number (at most 16 characters) such as -12.5", "IS": "an integer (at most 12 characters)",
          "DT": "YYYYMMDDHHMMSS.FFFFFF+ZZXX from the year on", "TM": "HHMMSS.FFFFFF from the hour on, such as 120000",
          "UR": "a URI", "UI": "digits in dot-separated components without leading zeros, at most 64 characters"}
_TEXT = frozenset(_LOOKS) | {"LO", "LT", "PN", "SH", "ST", "UC", "UT"}
_SINGLE = ("LT", "ST", "UT", "UR")  # a backslash is part of the value, not a separator
_CHARSET = ("SH", "LO", "ST", "LT", "UT", "UC", "PN")  # the VRs (0008,0005) Specific Character Set governs
_INTS = {"US": (0, 2**16 - 1), "SS": (-2**15, 2**15 - 1), "UL": (0, 2**32 - 1), "SL": (-2**31, 2**31 - 1),
         "UV": (0, 2**64 - 1), "SV": (-2**63, 2**63 - 1)}
_FLOATS = {"FL": 3.4028234663852886e38, "FD": 1.7976931348623157e308}


def check_value(vr: str, text: str, where: str, charset=None):
    """*text* as typed (several values separated by ``\\``) as pydicom stores it for *vr*, or an
    :class:`OptionsError` naming *where*, the VR and the value. *charset*: (0008,0005)'s value
    (empty: ASCII only), None to skip that check. Binary values (OB, OW, ...) are not typed."""
    def fail(value: str, problem: str):
        raise OptionsError(f"{where}: {value!r} is not a valid {vr} value: {problem}")

    if vr == "SQ":
        return Sequence() if not text else fail(text, "a sequence takes no value; set its items' elements (Seq[0].Keyword)")
    if vr not in _TEXT and vr not in _INTS and vr not in _FLOATS and vr != "AT":
        fail(text, f"{vr} values cannot be typed")
    if text == "":
        return "" if vr in _TEXT else None
    values = [_one(vr, value, where, fail, charset) for value in ([text] if vr in _SINGLE else text.split("\\"))]
    return values[0] if len(values) == 1 else values


def _one(vr: str, value: str, where: str, fail, charset):
    if vr in _INTS:
        low, high = _INTS[vr]
        if not re.fullmatch(r"[+-]?\d+", value) or not low <= int(value) <= high:
            fail(value, f"must be an integer from {low} to {high}")
        return int(value)
    if vr in _FLOATS:
        number = float(value) if re.fullmatch(r" *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *", value) else math.nan
        if not math.isfinite(number) or abs(number) > _FLOATS[vr]:
            fail(value, f"must be a finite number (at most {_FLOATS[vr]:g})")
        return number
    if vr == "AT":
        match = _STEP.fullmatch(value)
        return _tag(match, where) if match and not match["item"] else fail(value, "must be a tag such as (0010,0010)")
    valid, why = VALIDATORS[vr](vr, value) if vr in VALIDATORS else (True, "")
    if valid and vr in ("DA", "DT"):  # pydicom's patterns let a range (query syntax) pass, and 31 February
        valid = (re.fullmatch(r"\d{8}" if vr == "DA" else r"\d{4,14}(\.\d{1,6})?([+-]\d{4})?", value)
                 and 1 <= int(value[6:8] or 1) <= monthrange(max(int(value[:4]), 1), int(value[4:6] or 1))[1])
    valid = valid and not (vr == "TM" and "-" in value)
    problem = _text_problem(vr, value, charset) if valid else f"must be {_LOOKS[vr]}" if vr in _LOOKS else why.split(". ")[0]
    return fail(value, problem) if problem else value


def _text_problem(vr: str, value: str, charset) -> str | None:
    allowed = "\r\n\t\f\x1b" if vr in ("LT", "ST", "UT") else "\x1b" if vr in _CHARSET else ""
    control = next((c for c in value if (c < " " and c not in allowed) or c == "\x7f"), None)
    if control:
        return f"the control character {control!r} is not allowed"
    if vr == "IS" and not -2**31 <= int(value) < 2**31 or vr == "DS" and not math.isfinite(float(value)):
        return "out of range"
    if vr == "PN" and any(group.count("^") > 4 for group in value.split("=")):
        return "at most 5 components (^) in each of at most 3 groups (=)"
    if vr not in _CHARSET and not value.isascii():
        return "only ASCII characters are allowed in this VR"
    if vr in _CHARSET and charset is not None and not _encodable(value, charset):
        return (f"its characters are not in the file's character set {charset or 'ISO_IR 6 (ASCII)'}: insert "
                "(0008,0005) Specific Character Set first, such as ISO_IR 192 for UTF-8")
    return None


def _encodable(text: str, charset) -> bool:
    names = [charset] if isinstance(charset, str) else list(charset)
    codecs = ["ascii"] if not any(names) or names == ["ISO_IR 6"] else convert_encodings(names)
    return any(text.encode(codec, "replace").decode(codec, "replace") == text for codec in codecs)


def _typed(where: str, vr: str, tag: int, text: str, charset=None):
    """:func:`check_value`, and the number of values against the dictionary's VM (``1``, ``1-3``, ``2-2n``)."""
    value = check_value(vr, text, where, charset)
    count = len(value) if isinstance(value, list) else int(text != "")
    vm = dictionary_VM(tag) if _dictionary_vr(tag) and not tag >> 16 & 1 else "1-n"
    low, _, high = vm.partition("-")
    if count and not (count >= int(low) and count % int(high[:-1] or 1) == 0 if high.endswith("n")
                      else int(low) <= count <= int(high or low)):
        raise OptionsError(f"{where}: {count} values given, but its value multiplicity (VM) is {vm}")
    return value


@dataclass(frozen=True)
class Edit:
    """One change: *op* (set, insert, delete), *path* (text or :class:`Path`), *value* as typed
    (several separated by ``\\``) and *vr*, needed for elements the dictionary does not know
    (private ones) or gives several VRs; checked here as far as the dictionary allows."""

    op: str
    path: Path
    value: str = ""
    vr: str | None = None

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise OptionsError(f"edit {self.op!r}: the operation must be set, insert or delete")
        path = self.path if isinstance(self.path, Path) else parse_path(self.path)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "vr", self.vr.strip().upper() if self.vr else None)
        known, vr, item = _dictionary_vr(path.tag), self.vr, path.steps[-1].item
        problem = ("the value must be text" if not isinstance(self.value, str)
                   else f"{vr!r} is not a VR (two capitals, such as LO, US or SQ)" if vr and vr not in _VRS
                   else f"its VR is {known}, not {vr}" if vr and known and vr not in known.split(" or ") and item is None
                   else "names an item: insert adds it, delete removes it" if item is not None and self.op == "set"
                   else "names an item, which takes no value" if item is not None and self.value
                   else "insert adds one item: give its number, not [*]" if item == EVERY and self.op == "insert"
                   else "Pixel Data cannot be typed, only deleted" if path.tag == tags.PIXEL_DATA and self.op != "delete"
                   else None)
        if problem:
            raise OptionsError(f"{path}: {problem}")
        vr = vr or (known if known and " or " not in known else None)
        if item is None and self.op != "delete" and vr:
            _typed(str(path), vr, path.tag, self.value)


def _show(elem) -> str:
    value = elem.value
    if elem.VR == "SQ" or isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} {'item(s)' if elem.VR == 'SQ' else 'bytes'}>"
    text = "\\".join(map(str, value)) if isinstance(value, (MultiValue, list)) else "" if value is None else str(value)
    return f"'{text if len(text) <= 80 else text[:77] + '...'}'"


def _items(ds, tag: int, label: str, name: str, notes: list[str], create: bool):
    """The items of sequence *tag* in *ds*, the sequence created when missing and *create*; else None."""
    if tag not in ds:
        if not create:
            return None
        ds.add(DataElement(tag, "SQ", Sequence()))
        notes.append(f"{label}: sequence inserted")
    if ds[tag].VR != "SQ":
        raise OptionsError(f"{label} is not a sequence (its VR is {ds[tag].VR})", name)
    return ds[tag].value


def _item(items, index: int, label: str, name: str, notes: list[str]) -> Dataset:
    """Item *index*, appended (empty) when it is the next one."""
    if index > len(items):
        raise OptionsError(f"{label}[{index}]: the sequence has {len(items)} item(s): the next is [{len(items)}]", name)
    if index == len(items):
        items.append(Dataset())
        notes.append(f"{label}[{index}]: item inserted")
    return items[index]


def _parents(root, edit: Edit, name: str, notes: list[str]) -> list[tuple[Dataset, str]]:
    """The data sets the path's last step applies in, each with its path prefix (``Seq[1].``)."""
    create, level = edit.op == "insert", [(root, "")]
    for step in edit.path.steps[:-1]:
        following = []
        for ds, prefix in level:
            label = prefix + element_name(step.tag)
            items = _items(ds, step.tag, label, name, notes, create and step.item != EVERY)
            if items is not None and step.item == EVERY:
                following += [(item, f"{label}[{index}].") for index, item in enumerate(items)]
            elif items is not None and (step.item < len(items) or create):
                following.append((_item(items, step.item, label, name, notes), f"{label}[{step.item}]."))
        level = following
    return level


def _vr_for(edit: Edit, elem, top, label: str, name: str) -> str:
    known, had = _dictionary_vr(edit.path.tag), elem.VR if elem is not None else None
    if edit.vr or had in _VRS and had != "UN":
        return edit.vr or had
    if known == "US or SS":  # PS3.5 A.1 c: SS where (0028,0103) Pixel Representation is 1
        return "SS" if top.get("PixelRepresentation") == 1 else "US"
    if known and " or " not in known:
        return known
    raise OptionsError(f"{label}: {f'its VR may be {known}' if known else 'not in the DICOM dictionary'}: give the VR", name)


def _apply(ds, edit: Edit, name: str, notes: list[str]) -> None:
    last, matched = edit.path.steps[-1], 0
    for parent, prefix in _parents(ds.file_meta if last.tag >> 16 == 2 else ds, edit, name, notes):
        label, items = prefix + element_name(last.tag), None
        if last.item is not None:  # an item: insert adds it, delete removes it (or all)
            items = _items(parent, last.tag, label, name, notes, edit.op == "insert")
        if items is not None and edit.op == "insert":
            matched += _item(items, last.item, label, name, notes) is not None
        elif items is not None and (last.item == EVERY or last.item < len(items)):
            matched += 1
            notes.append(f"{label}[{last.item}]: {len(items) if last.item == EVERY else 1} item(s) deleted")
            del items[slice(None) if last.item == EVERY else slice(last.item, last.item + 1)]
        elif last.item is None and (last.tag in parent or edit.op == "insert"):
            matched += 1
            _apply_element(ds, parent, edit, label, name, notes)
    if not matched and edit.op == "set":
        raise OptionsError(f"{edit.path}: not in the file, so it cannot be set (insert creates it)", name)
    if not matched:
        notes.append(f"{edit.path}: not in the file, nothing {'deleted' if edit.op == 'delete' else 'inserted'}")


def _apply_element(ds, parent, edit: Edit, label: str, name: str, notes: list[str]) -> None:
    tag = edit.path.tag
    elem = parent[tag] if tag in parent else None
    if edit.op == "delete":
        del parent[tag]
        return notes.append(f"{label}: deleted (was {_show(elem)})")
    vr, group, element = _vr_for(edit, elem, ds, label, name), tag >> 16, tag & 0xFFFF
    if vr == "SQ" and elem is not None and edit.op == "set":
        raise OptionsError(f"{label} is a sequence: set its items' elements, as {label}[0].Keyword", name)
    if vr == "SQ" and elem is not None:
        return notes.append(f"{label}: already in the file")
    if elem is None and group & 1 and element >= 0x1000 and (group << 16 | element >> 8) not in parent:
        raise OptionsError(f"{label}: a private element needs its private creator {element_name(group << 16 | element >> 8)}"
                           " (LO, naming the block): insert that first", name)
    parent[tag] = DataElement(tag, vr, _typed(label, vr, tag, edit.value, ds.get("SpecificCharacterSet") or ""))
    notes.append(f"{label}: {_show(elem) if elem is not None else '(absent)'} -> {_show(parent[tag])}")


_FOLLOW = (("SOPInstanceUID", "MediaStorageSOPInstanceUID"), ("SOPClassUID", "MediaStorageSOPClassUID"))


def modify_file(data: bytes, name: str, edits: list[Edit], uid_map: UidMap | None = None) -> tuple[bytes, list[str]]:
    """*data* (a Part 10 file's bytes, never modified) with *edits* applied in order, after every
    UID was replaced through *uid_map* when given (one map per batch keeps series, studies and
    references together): the new file and its changes ("PatientName: 'A^B' -> 'C^D'"). Raises an
    InputError naming *name* for bytes that are not DICOM (or too damaged to write back), an
    OptionsError for an edit that does not fit the file (``set`` of a missing element, say)."""
    ds, _ = read_dataset(item := NamedInput(name, data))
    if "TransferSyntaxUID" not in (meta := ds.file_meta):
        raise InputError("no (0002,0010) Transfer Syntax UID in the file meta: cannot write it back as it was", name)
    notes: list[str] = []
    with malformed_input(name):
        scan(item)  # the whole file: pydicom reads a truncated value short, and writing would hide that
        changed = remap_dataset(ds, uid_map, notes=notes) if uid_map is not None else []
        before = [(ds.get(keyword), meta.get(meta_keyword)) for keyword, meta_keyword in _FOLLOW]
        for edit in edits:
            _apply(ds, edit, name, notes)
        for (keyword, meta_keyword), (old, old_meta) in zip(_FOLLOW, before):
            new = ds.get(keyword)
            if new is not None and new != old and old_meta == old == meta.get(meta_keyword):
                setattr(meta, meta_keyword, new)
                notes.append(f"{meta_keyword}: '{old}' -> '{new}' (follows {keyword})")
        touched = {parse_path(path).steps[0].tag >> 16 for path in changed} | {e.path.steps[0].tag >> 16 for e in edits}
    try:
        return _write(ds, touched), notes
    except DicomForgeError as error:
        raise error.with_file(name)
    except Exception as exc:  # pydicom refusing a value of a damaged file
        raise InputError(f"cannot be written back: {plain_reason(exc)}", name) from None


def _write(ds, touched: set[int]) -> bytes:
    """Preamble, meta (pydicom recomputes (0002,0000)), then the data set in its own encoding. A retired
    group length (gggg,0000), which pydicom drops (PS3.5 7.2), is kept; recomputed for *touched* groups."""
    out, body, charset = BytesIO(), DicomBytesIO(), ds.get("SpecificCharacterSet")
    out.write((ds.preamble or bytes(128)) + b"DICM")
    write_file_meta_info(out, ds.file_meta, enforce_standard=False)
    body.is_implicit_VR, body.is_little_endian = ds.original_encoding
    for group, group_tags in groupby(sorted(ds.keys()), key=lambda tag: tag >> 16):
        start = body.tell()
        for tag in group_tags:  # (a group length comes first: 8 bytes of header, then its UL value)
            write_data_element(body, ds.get_item(tag) if tag & 0xFFFF or group not in touched else DataElement(tag, "UL", 0),
                               charset)
        if group << 16 in ds and group in touched:
            end = body.tell()
            body.seek(start + 8)
            body.write_UL(end - start - 12)
            body.seek(end)
    encoded = body.getvalue()
    if ds.file_meta.TransferSyntaxUID == tags.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN:  # PS3.5 A.5
        deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        encoded = deflate.compress(encoded) + deflate.flush()
        encoded += b"\0" * (len(encoded) % 2)
    return out.getvalue() + encoded
