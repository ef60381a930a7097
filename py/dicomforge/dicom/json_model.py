"""The DICOM JSON model (PS3.18 F.2) both ways: a Part 10 file's data set as JSON, and back.

Built on pydicom (``DataElement.to_json_dict``, ``Dataset.from_json``); added here is what they lack:

- *Bulk data by tag path*: with ``bulk="uri"`` binary values from *bulk_threshold* bytes become
  ``BulkDataURI`` *bulk_uri* + tag path (tags and 0-based item indices joined by "/":
  ``54000100/1/54001010``, unique; pydicom's handler gets the element, not where it is).
- *Byte order*: ``InlineBinary`` is the Value Field in little endian (F.2.7: PS3.5's rules
  apply): OW/OF/OL/OD/OV of a big endian file are swapped (pydicom keeps the file's bytes).
- *Encapsulated Pixel Data*: ``InlineBinary`` (or ``BulkDataURI``) of its Value Field, the
  offset table and fragment items as pydicom keeps them (dcmtk 3.6.7's dcm2json refuses such
  data; F.2.7 allows it). The transfer syntax is not in the JSON (F.2 has no file meta;
  DICOMweb sends it as the ``transfer-syntax`` parameter of ``application/dicom+json``):
  :func:`from_json` requires it then; :func:`~.scan.transfer_syntax_of` reads the original's.
- *Left out*, as by dcm2json: file meta (group 0002), group lengths (gggg,0000: PS3.5 7.2).
- *Kept*: (0008,0005) *Specific Character Set* as in the file (dcm2json writes ``ISO_IR 192``
  for its UTF-8 output): JSON text is Unicode either way; the value says how :func:`from_json`
  encodes it back (text it cannot hold is an InputError; pydicom would write "?"). A UN goes
  back as the bytes it is (pydicom's ``from_json`` decodes one whose tag it knows, keeps VR UN
  and fails).
- *Numbers*: DS and IS are JSON numbers (F.2.3), an empty one among several null (pydicom's
  ``to_json_dict`` fails on it); NaN and infinity an InputError (no JSON number; dcm2json's
  default ``--encode-strict`` refuses them too). A DS goes back in <= 16 characters (pydicom
  writes ``str(float)``: ``0.30000000000000004``).
- *Checks* of the JSON's shape before pydicom reads it: an InputError naming the element
  ("element 00100010: 'Value' must be a list, not a string"), not a KeyError or a warning.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import struct
import warnings
from io import BytesIO

import pydicom
from pydicom.charset import convert_encodings, encode_string
from pydicom.dataset import Dataset
from pydicom.uid import UID, AllTransferSyntaxes, ExplicitVRBigEndian, ExplicitVRLittleEndian
from pydicom.valuerep import format_number_as_ds

from dicomforge import kernels
from dicomforge.errors import DicomForgeError, InputError, OptionsError, plain_reason
from dicomforge.inputs import NamedInput

from .scan import scan, unreadable

__all__ = ["to_json", "from_json", "BULK_MODES", "VRS", "ds_text", "is_encapsulated"]

#: ``bulk`` options of :func:`to_json`.
BULK_MODES = ("inline", "uri")
#: VRs whose value is bytes in JSON: InlineBinary or BulkDataURI (PS3.18 F.2.7).
BINARY_VRS = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN"})
#: Word size of the binary VRs byte-swapped in big endian (PS3.5 7.3).
_WORDS = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}
#: Range of the integer VRs (PS3.5 6.2).
_RANGES = {"US": (0, 0xFFFF), "SS": (-0x8000, 0x7FFF), "UL": (0, 0xFFFFFFFF), "SL": (-2**31, 2**31 - 1),
           "UV": (0, 2**64 - 1), "SV": (-2**63, 2**63 - 1), "IS": (-2**31, 2**31 - 1)}
_FLOAT_VRS = frozenset({"DS", "FL", "FD"})
_NUMBER_VRS = _FLOAT_VRS | set(_RANGES)
#: VRs whose text (0008,0005) *Specific Character Set* applies to (PS3.5 6.1.2.3).
_CHARSET_VRS = frozenset({"SH", "LO", "ST", "LT", "UC", "UT", "PN"})
#: Every VR of PS3.5 6.2 (pydicom resolves "OB or OW" and the like when it reads a file).
VRS = BINARY_VRS | _NUMBER_VRS | {"AE", "AS", "AT", "CS", "DA", "DT", "LO", "LT", "PN", "SH", "SQ", "ST", "TM",
                                  "UC", "UI", "UR", "UT"}
_PN_GROUPS = ("Alphabetic", "Ideographic", "Phonetic")
_VALUE_KEYS = ("Value", "InlineBinary", "BulkDataURI")
_PIXEL_DATA, _ITEM, _SEQUENCE_END = 0x7FE00010, b"\xfe\xff\x00\xe0", b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
_HEX = frozenset("0123456789abcdefABCDEF")


def to_json(data: bytes, name: str, bulk: str = "inline", bulk_threshold: int = 1024,
            bulk_uri: str = "") -> tuple[dict, dict]:
    """The data set of Part 10 file *data* as a DICOM JSON object, and the bulk data left out.

    *name* is the file's name, for errors. ``bulk="inline"``: every binary value is
    ``InlineBinary`` (base64); ``bulk="uri"``: binary values of at least *bulk_threshold* bytes
    are ``BulkDataURI`` *bulk_uri* + tag path (``"bulk/"`` gives ``bulk/7FE00010``). Returns
    the JSON object (tags as 8 upper-case hex digits, in tag order) and ``{uri: bytes}`` of the
    values left out. Raises OptionsError for an invalid *bulk* or *bulk_threshold*; InputError
    for what is not a Part 10 file, is truncated or damaged, or has a value with no JSON form
    (an IS "1A", a NaN), naming the element.
    """
    problems = {}
    if bulk not in BULK_MODES:
        problems["bulk"] = f"bulk must be one of {', '.join(BULK_MODES)}, not {bulk!r}"
    if isinstance(bulk_threshold, bool) or not isinstance(bulk_threshold, int) or bulk_threshold < 1:
        problems["bulk_threshold"] = f"bulk_threshold must be a whole number of bytes >= 1, not {bulk_threshold!r}"
    if problems:
        raise OptionsError("; ".join(problems.values()), name, problems)
    item = NamedInput(name, data)
    found = scan(item)  # an InputError for what is not Part 10, truncated or damaged
    try:
        ds = pydicom.dcmread(BytesIO(data))
    except Exception as exc:  # pydicom raises many types for damaged files
        raise unreadable(item, exc) from None
    writer = _JsonWriter(bulk == "uri", bulk_threshold, bulk_uri, big_endian=not found.little)
    try:
        return writer.dataset(ds, ""), writer.bulk
    except DicomForgeError as error:
        raise error.with_file(name)


class _JsonWriter:
    """Data sets to JSON, gathering the bulk data left out in :attr:`bulk`."""

    def __init__(self, by_uri: bool, threshold: int, prefix: str, big_endian: bool) -> None:
        self.by_uri, self.threshold, self.prefix, self.big_endian = by_uri, threshold, prefix, big_endian
        self.bulk: dict[str, bytes] = {}

    def dataset(self, ds: Dataset, parents: str) -> dict:
        out = {}
        for tag in ds.keys():
            if tag & 0xFFFF == 0:  # group length, retired (PS3.5 7.2)
                continue
            path = f"{parents}{tag:08X}"
            try:
                out[f"{tag:08X}"] = self.element(ds[tag], path)  # (pydicom parses the value here)
            except DicomForgeError:
                raise
            except Exception as exc:  # a value pydicom cannot parse
                raise InputError(f"element {path} ({_keyword(tag)}) has no JSON form: {plain_reason(exc)}") from None
        return out

    def element(self, elem, path: str) -> dict:
        vr = str(elem.VR)
        if vr == "SQ":  # no Value when empty, as for every VR (dcm2json too; pydicom writes [])
            items = [self.dataset(item, f"{path}/{i}/") for i, item in enumerate(elem.value)]
            return {"vr": vr, "Value": items} if items else {"vr": vr}
        if elem.is_empty:
            return {"vr": vr}
        if vr in BINARY_VRS:
            value = bytes(elem.value)
            if self.big_endian and vr in _WORDS and not (elem.tag == _PIXEL_DATA and elem.is_undefined_length):
                value = swap_words(value, _WORDS[vr])
            if self.by_uri and len(value) >= self.threshold:
                self.bulk[self.prefix + path] = value
                return {"vr": vr, "BulkDataURI": self.prefix + path}
            return {"vr": vr, "InlineBinary": base64.b64encode(value).decode("ascii")}
        if vr in _NUMBER_VRS:
            kind = float if vr in _FLOAT_VRS else int
            values = [None if v is None or v == "" else kind(v) for v in (elem.value if elem.VM > 1 else [elem.value])]
            if not all(v is None or math.isfinite(v) for v in values):
                raise InputError(f"element {path} ({_keyword(elem.tag)}) holds NaN or infinity, "
                                 "which JSON has no number for")
            return {"vr": vr, "Value": values}
        out = elem.to_json_dict(None, 0)
        if elem.VM > 1:  # an empty value among several is null (PS3.18 F.2.5)
            out["Value"] = [None if v == "" or (isinstance(v, dict) and not any(v.values())) else v
                            for v in out["Value"]]
        return out


def _keyword(tag: int) -> str:
    return "private" if tag >> 16 & 1 else pydicom.datadict.keyword_for_tag(tag) or "unknown"


def swap_words(value: bytes, size: int) -> bytes:
    """*value* with the bytes of each *size*-byte word reversed (a damaged odd end kept)."""
    whole = len(value) - len(value) % size
    return kernels.byteswap(value[:whole], size) + value[whole:]


def from_json(obj: dict | str, name: str, transfer_syntax: str | None = None, bulk: dict | None = None) -> bytes:
    """A Part 10 file of the data set in DICOM JSON object *obj* (a dict, or JSON text).

    *name* is the JSON's name, for errors. *transfer_syntax*: the Transfer Syntax UID to write,
    Explicit VR Little Endian when None; required when Pixel Data is encapsulated (the syntax
    its fragments are compressed in). *bulk*: ``{uri: bytes}`` for each ``BulkDataURI`` (what
    :func:`to_json` returned). The file meta's Media Storage SOP Class/Instance UID are the
    data set's (0008,0016) and (0008,0018); its Implementation Class UID is dicomforge's.

    Raises InputError for what is not JSON, a wrong shape or unknown VR (naming the element), a
    BulkDataURI not in *bulk*, no SOP Class/Instance UID, text the character set cannot hold,
    or Pixel Data that does not fit the transfer syntax; OptionsError for a *transfer_syntax*
    pydicom cannot write.
    """
    if isinstance(obj, (str, bytes, bytearray)):
        try:
            obj = json.loads(obj)
        except ValueError as exc:  # json.JSONDecodeError ("...: line 1 column 2 (char 1)"), UnicodeDecodeError
            raise InputError(f"not JSON: {exc}", name) from None
    bulk = {} if bulk is None else bulk
    syntax = _syntax(transfer_syntax, name)
    try:
        _check_dataset(obj, "", bulk)
        # (pydicom decodes a UN of a known tag, keeping VR UN: DataElement(t, IS("1"), "UN") fails)
        keep, pydicom.config.replace_un_with_known_vr = pydicom.config.replace_un_with_known_vr, False
        try:
            ds = Dataset.from_json(obj, bulk_data_uri_handler=lambda uri: bytes(bulk[uri]))
        finally:
            pydicom.config.replace_un_with_known_vr = keep
        syntax = _check_pixels(ds, syntax)
        _prepare(ds, "", ("", convert_encodings(None)), syntax == ExplicitVRBigEndian)
        ds.file_meta = _file_meta(ds, syntax)
    except DicomForgeError as error:
        raise error.with_file(name)
    except Exception as exc:  # what pydicom still refuses after the checks
        raise InputError(f"the JSON data set cannot be read: {plain_reason(exc)}", name) from None
    out = BytesIO()
    try:
        pydicom.dcmwrite(out, ds, enforce_file_format=True)
    except Exception as exc:  # a value pydicom refuses to encode
        raise InputError(f"the data set cannot be written as {syntax.name}: {plain_reason(exc)}", name) from None
    return out.getvalue()


def _syntax(uid: str | None, name: str) -> UID | None:
    if uid is not None and UID(str(uid).strip()) not in AllTransferSyntaxes:
        problem = f"transfer_syntax {str(uid)!r} is not a transfer syntax pydicom can write"
        raise OptionsError(problem, name, {"transfer_syntax": problem})
    return None if uid is None else UID(str(uid).strip())


def _check_dataset(obj, parents: str, bulk: dict) -> None:
    """Raise an InputError naming the first element of JSON data set *obj* whose shape is not
    PS3.18 F.2's: tag keys, a known VR, one value key of the JSON type of the VR."""
    where = f"item {parents[:-1]}" if parents else "the JSON"
    if not isinstance(obj, dict):
        raise InputError(f"{where} must be an object of elements keyed by tag, not {_kind(obj)}")
    for key, attr in obj.items():
        if not (isinstance(key, str) and len(key) == 8 and set(key) <= _HEX):
            raise InputError(f"{where}: key {key!r} is not a tag (8 hex digits such as '00100010')")
        if key.startswith("0002"):  # (as dcm2json +m writes it, "not conforming")
            raise InputError(f"element {parents}{key}: the file meta (group 0002) is not in the JSON model: "
                             "leave it out (its transfer syntax is the transfer_syntax option)")
        _check_element(f"{parents}{key.upper()}", attr, bulk)


def _check_element(path: str, attr, bulk: dict) -> None:
    def fail(problem: str) -> InputError:
        return InputError(f"element {path}: {problem}")

    if not isinstance(attr, dict):
        raise fail(f"must be an object with 'vr', not {_kind(attr)}")
    vr = attr.get("vr")
    if not isinstance(vr, str) or vr not in VRS:
        raise fail("has no 'vr'" if vr is None else f"unknown VR {vr!r}")
    unknown = sorted(set(attr) - {"vr", *_VALUE_KEYS})
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (only 'vr', 'Value', 'InlineBinary', 'BulkDataURI')")
    keys = [k for k in _VALUE_KEYS if k in attr]
    if len(keys) > 1:
        raise fail(f"has both {keys[0]!r} and {keys[1]!r}")
    if not keys:
        return
    key, value = keys[0], attr[keys[0]]
    if key != "Value":
        if vr not in BINARY_VRS:
            raise fail(f"'{key}' is for binary VRs ({', '.join(sorted(BINARY_VRS))}), not {vr}")
        if isinstance(value, list) and len(value) == 1:  # PS3.18 F.4's example puts it in a list
            value = value[0]
        if not isinstance(value, str):
            raise fail(f"'{key}' must be a string, not {_kind(value)}")
        if key == "BulkDataURI" and value not in bulk:
            raise fail(f"BulkDataURI {value!r} is not among the bulk data given")
        if key == "InlineBinary":
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise fail("'InlineBinary' is not base64") from None
        return
    if vr in BINARY_VRS:
        raise fail(f"a {vr} value must be 'InlineBinary' or 'BulkDataURI', not 'Value'")
    if not isinstance(value, list):
        raise fail(f"'Value' must be a list, not {_kind(value)}")
    for i, v in enumerate(value):
        problem = _value_problem(vr, v, f"{path}/{i}/", bulk)
        if problem:
            raise fail(f"value {i + 1} {problem}")


def _value_problem(vr: str, v, item_path: str, bulk: dict) -> str | None:
    """Why *v* cannot be one value of VR *vr* (PS3.18 Table F.2.3-1), or None."""
    if vr == "SQ":
        if v is not None and not isinstance(v, dict):
            return f"must be an item (an object), not {_kind(v)}"
        _check_dataset(v or {}, item_path, bulk)
        return None
    if v is None:
        return None
    if vr == "PN":
        if not isinstance(v, dict):
            return f"must be an object with 'Alphabetic', 'Ideographic' or 'Phonetic', not {_kind(v)}"
        extra = sorted(set(v) - set(_PN_GROUPS))
        bad = next((g for g in _PN_GROUPS if not isinstance(v.get(g, ""), str)), None)
        if extra:
            return f"has unknown name group {extra[0]!r} (only {', '.join(_PN_GROUPS)})"
        return None if bad is None else f"'{bad}' must be a string, not {_kind(v[bad])}"
    if vr == "AT":
        ok = isinstance(v, str) and len(v) == 8 and set(v) <= _HEX
        return None if ok else f"must be a tag of 8 hex digits, not {v!r}"
    if vr not in _NUMBER_VRS:
        return None if isinstance(v, str) else f"must be a string, not {_kind(v)}"
    if isinstance(v, bool) or not isinstance(v, (int, float, str)) or (isinstance(v, str) and vr not in ("DS", "IS")):
        return f"must be a number, not {_kind(v)} {json.dumps(v)}"  # (DS and IS as strings: some servers do)
    try:
        number = float(v)
    except ValueError:
        return f"must be a number, not {v!r}"
    if vr in _RANGES:
        low, high = _RANGES[vr]
        if not (math.isfinite(number) and number == int(number) and low <= int(number) <= high):
            return f"must be a whole number from {low} to {high} for VR {vr}, not {v!r}"
    return None


def _kind(v) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(v), "a number" if isinstance(v, (int, float)) else type(v).__name__)


def _check_pixels(ds: Dataset, syntax: UID | None) -> UID:
    """The syntax to write: *syntax* (None: Explicit VR Little Endian) checked against the
    form of Pixel Data, native or encapsulated (whose trailing delimiter pydicom adds itself)."""
    elem = ds.get(_PIXEL_DATA)
    value = elem.value if elem is not None and isinstance(elem.value, bytes) else b""
    if value.endswith(_SEQUENCE_END) and is_encapsulated(value[: -len(_SEQUENCE_END)]):
        value = elem.value = value[: -len(_SEQUENCE_END)]
    encapsulated = is_encapsulated(value)
    if syntax is None and encapsulated:
        raise InputError("Pixel Data (7FE0,0010) is encapsulated (compressed): give the transfer syntax it is "
                         "compressed in")
    syntax = syntax or ExplicitVRLittleEndian
    if encapsulated and not syntax.is_encapsulated:
        raise InputError(f"Pixel Data (7FE0,0010) is encapsulated (compressed), but {syntax.name} "
                         f"({syntax}) is a native transfer syntax")
    if value and syntax.is_encapsulated and not encapsulated:
        raise InputError(f"{syntax.name} ({syntax}) needs encapsulated Pixel Data (7FE0,0010), items "
                         "(FFFE,E000) of fragments, but its value is native pixels")
    return syntax


def is_encapsulated(value: bytes) -> bool:
    """Whether *value* is a run of items (FFFE,E000) filling it exactly (PS3.5 A.4)."""
    pos = 0
    while pos + 8 <= len(value) and value[pos : pos + 4] == _ITEM:
        pos += 8 + struct.unpack_from("<I", value, pos + 4)[0]
    return pos == len(value) and len(value) >= 8


def _prepare(ds: Dataset, parents: str, charset: tuple, big_endian: bool) -> None:
    """Values pydicom took from JSON made fit to write: each DS in <= 16 characters, text the
    character set (*charset*: the enclosing one's value and encodings, PS3.5 7.5.3) cannot hold
    refused (pydicom writes "?"), binary words big endian for Explicit VR Big Endian."""
    if "SpecificCharacterSet" in ds:
        value = ds.SpecificCharacterSet
        charset = (value if isinstance(value, str) else "\\".join(value), convert_encodings(value))
    for elem in ds:
        path, values = f"{parents}{elem.tag:08X}", elem.value if elem.VM > 1 else [elem.value]
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value):
                _prepare(item, f"{path}/{i}/", charset, big_endian)
        elif elem.VR == "DS" and not elem.is_empty:
            texts = ["" if v is None or v == "" else ds_text(float(v)) for v in values]
            elem.value = texts if elem.VM > 1 else texts[0]
        elif elem.VR in _CHARSET_VRS and not elem.is_empty:
            for text in map(str, values):
                if not text.isascii() and not _encodes(text, charset[1]):
                    raise InputError(f"element {path}: {text!r} cannot be written in the character set "
                                     f"of (0008,0005) ({charset[0] or 'none'}): set it to ISO_IR 192 (UTF-8)")
        elif big_endian and elem.VR in _WORDS and elem.value:
            elem.value = swap_words(bytes(elem.value), _WORDS[elem.VR])


def _encodes(text: str, encodings: list) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pydicom warns, then writes "?", when no encoding holds it
        try:
            return encode_string(text, encodings) is not None
        except (UserWarning, UnicodeError):
            return False


def ds_text(number: float) -> str:
    """*number* as a DS of at most 16 characters (PS3.5 6.2): exact when it fits."""
    text = repr(number).removesuffix(".0")
    mantissa, e, exponent = text.partition("e")
    text = f"{mantissa}e{int(exponent)}" if e else text
    return text if len(text) <= 16 else format_number_as_ds(number)


def _file_meta(ds: Dataset, syntax: UID):
    from dicomforge.series.template import file_meta  # (dicomforge's implementation UID and name)
    sop_class, sop_uid = ds.get("SOPClassUID"), ds.get("SOPInstanceUID")
    missing = [label for label, value in (("(0008,0016) SOP Class UID", sop_class),
                                          ("(0008,0018) SOP Instance UID", sop_uid)) if not value]
    if missing:
        raise InputError(f"the data set has no {' and no '.join(missing)}, which the file meta's "
                         "Media Storage SOP Class/Instance UID are copied from")
    meta = file_meta(str(sop_class), str(sop_uid))
    meta.TransferSyntaxUID = syntax
    return meta
