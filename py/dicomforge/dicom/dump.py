"""The inspect tool: a dcmdump-like text dump, an element tree for the inspector panel, and
:func:`ftest` (is it DICOM?). Every text returned is plain text, never HTML.

pydicom parses the file (:func:`read_dataset`). Hand-written here is what a dump shows and a
parsed dataset no longer says, the file *as stored*: lengths (pydicom's raw elements; items'
from the file or summed), a value's text (its bytes decoded with the file's character set,
padding cut as dcmtk cuts it: "1.50" stays "1.50", not DSfloat 1.5), where a truncated file
ends (pydicom reads a short last value without a word), and dcmdump's layout, after DCMTK's
dcmdata/libsrc: ``printInfoLine`` in dcobject.cc (value padded to 40 columns, cut at 70 with
"...", then ``# length, VM name``), dcvrobow.cc (hex), dcvrfl.cc/dcvrfd.cc (9/17 significant
digits), dcitem.cc, dcsequen.cc, dcpixseq.cc, dcdirrec.cc (items), dcxfer.cc (names).
"""

from __future__ import annotations

import re
import struct
import warnings
from dataclasses import dataclass, field
from io import BytesIO

import pydicom
from pydicom.charset import decode_bytes
from pydicom.datadict import DicomDictionary, dictionary_is_retired, keyword_for_tag, tag_for_keyword
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element
from pydicom.uid import UID, DeflatedExplicitVRLittleEndian

from dicomforge.dicom.tags import block_creator
from dicomforge.errors import InputError, plain_reason

__all__ = ["ftest", "read_dataset", "element_tree", "dump_text", "TRANSFER_SYNTAX_NAMES"]

_UNDEFINED, _ITEM, _ITEM_END, _SEQ_END = 0xFFFFFFFF, 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
_ITEM_TAGS = {True: b"\xfe\xff\x00\xe0", False: b"\xff\xfe\xe0\x00"}
_PIXEL_DATA, _DIRECTORY_RECORDS, _RECORD_TYPE, _FILE_ID = 0x7FE00010, 0x00041220, 0x00041430, 0x00041500
_LONG_VRS = frozenset("OB OD OF OL OV OW SQ SV UC UN UR UT UV".split())
_BYTES_VRS = frozenset(("OB", "OW", "UN", "??"))  # hex in the dump and the tree
_WORDS_VRS = frozenset(("OF", "OD", "OL", "OV"))  # numbers in the dump, hex in the tree too
#: struct code and text format of the numeric VRs (dcmtk: %.9g-like for FL, %.17g-like for FD)
_NUMBERS = {"US": ("H", "%d"), "SS": ("h", "%d"), "UL": ("L", "%d"), "SL": ("l", "%d"), "UV": ("Q", "%d"),
            "SV": ("q", "%d"), "OL": ("L", "%d"), "OV": ("Q", "%d"), "OW": ("H", "%04x"),
            "FL": ("f", "%.9g"), "OF": ("f", "%.9g"), "FD": ("d", "%.17g"), "OD": ("d", "%.17g")}
_ONE_VALUE_VRS = frozenset(("LT", "ST", "UT", "UR"))  # VM 1 whatever backslashes they hold
#: Text VRs decoded with (0008,0005) Specific Character Set, and the delimiters that reset ISO 2022.
_TEXT_DELIMITERS = {"PN": {0x5C, 0x5E, 0x3D}, "SH": {0x5C}, "LO": {0x5C}, "UC": {0x5C}, "ST": set(), "LT": set(), "UT": set()}
_OFFSET_TAGS = frozenset((0x00041200, 0x00041202, 0x00041400, 0x00041420, 0x00041504))  # dcmtk's "up" (DICOMDIR)
_VALUE_COLUMN, _LINE_WIDTH = 40, 70  # DCM_OptPrintValueLength, DCM_OptPrintLineLength

#: Transfer syntax UID -> (dcmtk's UID name, dcmtk's "Used TransferSyntax" name) (dcuid.cc, dcxfer.cc).
TRANSFER_SYNTAX_NAMES = {
    "1.2.840.10008.1.2": ("LittleEndianImplicit", "Little Endian Implicit"),
    "1.2.840.10008.1.2.1": ("LittleEndianExplicit", "Little Endian Explicit"),
    "1.2.840.10008.1.2.2": ("BigEndianExplicit", "Big Endian Explicit"),
    "1.2.840.10008.1.2.1.99": ("DeflatedLittleEndianExplicit", "Deflated Explicit VR Little Endian"),
    "1.2.840.10008.1.2.4.50": ("JPEGBaseline", "JPEG Baseline"),
    "1.2.840.10008.1.2.4.51": ("JPEGExtended:Process2+4", "JPEG Extended, Process 2+4"),
    "1.2.840.10008.1.2.4.57": ("JPEGLossless:Non-hierarchical:Process14", "JPEG Lossless, Non-hierarchical, Process 14"),
    "1.2.840.10008.1.2.4.70": ("JPEGLossless:Non-hierarchical-1stOrderPrediction", "JPEG Lossless, Non-hierarchical, 1st Order Prediction"),
    "1.2.840.10008.1.2.4.80": ("JPEGLSLossless", "JPEG-LS Lossless"),
    "1.2.840.10008.1.2.4.81": ("JPEGLSLossy", "JPEG-LS Lossy (Near-lossless)"),
    "1.2.840.10008.1.2.4.90": ("JPEG2000LosslessOnly", "JPEG 2000 (Lossless only)"),
    "1.2.840.10008.1.2.4.91": ("JPEG2000", "JPEG 2000 (Lossless or Lossy)"),
    "1.2.840.10008.1.2.5": ("RLELossless", "RLE Lossless"),
}
_ENCODING_UIDS = {(True, True): "1.2.840.10008.1.2", (False, True): "1.2.840.10008.1.2.1", (False, False): "1.2.840.10008.1.2.2"}


def ftest(data) -> dict:
    """Is *data* DICOM? ``{"part10", "dicom", "reason"}``, JSON-ready. *part10*: a 128-byte
    preamble and "DICM" (PS3.10 7.1), exactly what dcmtk's ``dcmftest`` checks; *dicom*: Part 10,
    or a data set without preamble and file meta that dcmdump and :func:`dump_text` read too."""
    if len(data) >= 132 and bytes(data[128:132]) == b"DICM":
        return {"part10": True, "dicom": True, "reason": "DICOM Part 10: preamble and 'DICM' at byte 128"}
    bare = _bare_data_set(data)
    reason = (f"no 'DICM' at byte 128, but a DICOM data set without file meta ({bare})" if bare
              else f"only {len(data)} bytes: too short for the 128-byte preamble and 'DICM'" if len(data) < 132
              else "no 'DICM' at byte 128, and the bytes do not start like a DICOM data set")
    return {"part10": False, "dicom": bool(bare), "reason": reason}


def _bare_data_set(data) -> str:
    """How a data set without preamble is encoded, judged by its first element; "" if it is not one."""
    for order, encoding in (("<", "little endian"), (">", "big endian")):
        if len(data) < 12 or struct.unpack_from(order + "H", data, 0)[0] not in (0x0002, 0x0008):
            continue
        vr = bytes(data[4:6])
        if vr.isalpha() and vr.isupper():
            length = struct.unpack_from(order + "I", data, 8)[0] if vr.decode() in _LONG_VRS else struct.unpack_from(order + "H", data, 6)[0]
            return f"explicit VR {encoding}" if 8 + length <= len(data) else ""
        if order == "<" and 8 + struct.unpack_from("<I", data, 4)[0] <= len(data):
            return "implicit VR little endian"
    return ""


def read_dataset(data, name: str):
    """*data* (bytes or memoryview, not modified) parsed by pydicom, or an InputError naming *name*."""
    test = ftest(data)
    if not test["dicom"]:
        raise InputError(f"not a DICOM file: {test['reason']}", name)
    try:
        with warnings.catch_warnings(action="ignore"):
            return pydicom.dcmread(BytesIO(data), force=not test["part10"])
    except Exception as exc:  # pydicom raises many types for damaged files
        raise InputError(f"DICOM data cannot be read: {plain_reason(exc)}", name) from None


@dataclass
class _Node:
    """An element as stored (*length* None: undefined; *header*: bytes before the value; *unknown*: dcmdump's
    "??"; *items*: (nodes, length or None, offset in the file or None); *fragments*: encapsulated)."""

    tag: int
    vr: str
    length: int | None
    raw: bytes
    little: bool
    header: int
    path: str
    keyword: str
    name: str
    encodings: list = field(repr=False)
    unknown: bool
    creator: str | None = None
    items: list | None = None
    fragments: list | None = None
    problem: str = ""

    @property
    def size(self) -> int:  # bytes in the file: header, value, items and delimiters
        if self.length is not None:
            return self.header + self.length
        items = sum(16 + sum(n.size for n in nodes) if length is None else 8 + length for nodes, length, _ in self.items or ())
        return self.header + sum(8 + len(f) for f in self.fragments or ()) + items + 8


def _tag_text(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _nodes(ds, prefix: str, little: bool, implicit: bool, base: int) -> list:
    """*base*: where pydicom's offsets in *ds* count from (the start of a sequence's value)."""
    raw = next((e for e in (ds.get_item(t, keep_deferred=True) for t in ds.keys()) if getattr(e, "is_raw", False)), None)
    if raw is not None:  # the encoding of the items of a sequence read from UN (PS3.5 6.2.2)
        little, implicit = raw.is_little_endian, raw.is_implicit_VR
    return [_node(ds, tag, prefix, little, implicit, base, ds._character_set) for tag in sorted(ds.keys())]


def _node(ds, tag: int, prefix: str, little: bool, implicit: bool, base: int, encodings) -> _Node:
    stored = ds.get_item(tag, keep_deferred=True)  # an empty raw value is None, not deferred
    is_raw = getattr(stored, "is_raw", False)
    try:
        elem = ds[tag]
    except Exception:  # a value pydicom cannot convert: shown as its bytes
        elem = None
    if is_raw:
        little, implicit = stored.is_little_endian, stored.is_implicit_VR
    vr = ((stored.VR if is_raw else None) or (elem.VR if elem is not None else "UN")).split(" or ")[0]
    keyword = keyword_for_tag(tag)
    step = keyword if keyword and tag_for_keyword(keyword) == tag else _tag_text(tag)
    node = _Node(tag, vr, None, b"", little, 8 if implicit or vr not in _LONG_VRS else 12, prefix + step,
                 keyword, elem.name if elem is not None else "Unknown", encodings, is_raw and stored.VR is None and vr == "UN")
    private = tag >> 16 & 1 and tag >> 16 > 7 and tag & 0xFF00  # PS3.5 7.8.1: (gggg,xxyy) is in block (gggg,00xx)
    if private:
        node.creator = block_creator(ds, tag)
    length = stored.length if is_raw else None
    if elem is not None and elem.VR == "SQ" and (vr == "SQ" or length == _UNDEFINED):
        undefined = length == _UNDEFINED if is_raw else elem.is_undefined_length
        inner = base if undefined else base + (stored.value_tell if is_raw else elem.file_tell or 0)
        node.vr, node.items = "SQ", []
        for i, item in enumerate(elem.value):
            nodes = _nodes(item, f"{node.path}[{i}].", little, implicit, inner)
            at = getattr(item, "seq_item_tell", None)
            node.items.append((nodes, None if getattr(item, "is_undefined_length_sequence_item", False)
                               else sum(n.size for n in nodes), None if at is None else base + at))
        node.length = None if undefined else node.size - node.header - 8  # the items' sizes
        if is_raw and not undefined and len(stored.value or b"") < length:
            node.problem = f"{length} bytes declared, {len(stored.value or b'')} present"
        return node
    if is_raw and (stored.value is not None or not stored.length):
        node.raw = stored.value or b""
    elif elem is not None and isinstance(elem.value, (bytes, bytearray)):
        node.raw = bytes(elem.value)
    elif elem is not None:  # converted by pydicom already: encoded again
        fp = DicomBytesIO()
        fp.is_little_endian, fp.is_implicit_VR = little, True
        write_data_element(fp, elem, encodings)
        node.raw = fp.getvalue()[8:]  # after the implicit VR header
    if (length == _UNDEFINED if is_raw else elem is not None and elem.is_undefined_length) and tag == _PIXEL_DATA:
        node.fragments = _fragments(node.raw)
    else:
        node.length = len(node.raw) if length is None or length == _UNDEFINED else length
        if len(node.raw) < node.length:
            node.problem = f"{node.length} bytes declared, {len(node.raw)} present"
    return node


def _fragments(value: bytes) -> list:
    out, pos = [], 0  # the items of encapsulated Pixel Data, the offset table first (PS3.5 A.4)
    while pos + 8 <= len(value):
        group, elem, length = struct.unpack_from("<HHI", value, pos)  # always little endian
        if (group, elem) != (0xFFFE, 0xE000) or length > len(value) - pos - 8:
            break
        out.append(memoryview(value)[pos + 8 : pos + 8 + length])
        pos += 8 + length
    return out


def _meta_and_body(ds) -> tuple[list, list]:
    meta, (implicit, little) = getattr(ds, "file_meta", None), ds.original_encoding  # (None, None): built
    with warnings.catch_warnings(action="ignore"):
        return _nodes(meta, "", True, False, 0) if meta else [], _nodes(ds, "", little is not False, bool(implicit), 0)


def _string(node: _Node) -> str:
    """A string value as stored, its trailing padding cut as dcmtk cuts it (dcbytstr.cc)."""
    data = bytes(node.raw).rstrip(b"\x00" if node.vr == "UI" else b" ")
    if node.vr in _TEXT_DELIMITERS and not data.isascii():
        try:
            return decode_bytes(data, node.encodings, _TEXT_DELIMITERS[node.vr])
        except LookupError:  # a damaged (0008,0005): the bytes as dcmdump prints them
            pass
    return data.decode("latin-1")


def _numbers(node: _Node, limit: int) -> tuple[list, int]:
    """The first *limit* numbers of a value as text (a dump shows a few of a large array), and the count."""
    code, fmt = _NUMBERS["US" if node.vr == "AT" else node.vr]
    total = len(node.raw) // struct.calcsize("<" + code)
    values = struct.unpack_from(("<" if node.little else ">") + code * min(total, limit), node.raw)
    if node.vr == "AT":
        return [f"({g:04x},{e:04x})" for g, e in zip(values[::2], values[1::2])], total // 2
    return ["0" if v == 0 and fmt[-1] == "g" else fmt % v for v in values], total  # dcmtk: -0.0 is 0


def _tree_node(node: _Node, max_value_chars: int, max_hex_bytes: int) -> dict:
    hexed = " ".join(f"{b:02x}" for b in bytes(node.raw[:max_hex_bytes]))
    hexed += f" … ({len(node.raw)} bytes)" if len(node.raw) > max_hex_bytes else ""
    out = {"path": node.path, "tag": _tag_text(node.tag), "keyword": node.keyword, "name": node.name,
           "vr": node.vr, "length": node.length}
    if node.items is not None:
        out["value"] = f"{len(node.items)} item{'s' * (len(node.items) != 1)}"
        out["items"] = [[_tree_node(n, max_value_chars, max_hex_bytes) for n in nodes] for nodes, _, _ in node.items]
    elif node.fragments is not None or node.vr in _BYTES_VRS or node.tag == _PIXEL_DATA:
        frames = node.fragments[1:] if node.fragments else []
        out["value"] = (f"encapsulated: {len(frames)} fragments, {sum(map(len, frames))} bytes"
                        if node.fragments is not None else f"{len(node.raw)} bytes")
        out["hex"] = hexed
    else:
        texts, total = _numbers(node, max_value_chars) if node.vr in _NUMBERS or node.vr == "AT" else ([_string(node)], 0)
        text = "\\".join(texts).upper() if node.vr == "AT" else "\\".join(texts)
        full = f"{total} values" if total else f"{len(text)} characters"
        out["value"] = text if len(text) <= max_value_chars and total <= len(texts) else f"{text[:max_value_chars]}… ({full})"
        out.update({"hex": hexed} if node.vr in _WORDS_VRS else {})
    out.update({"private_creator": node.creator} if node.creator is not None else {})
    if node.problem:
        out["problem"] = f"the file ends inside this element: {node.problem} (truncated?)"
    return out


def element_tree(dataset, max_value_chars: int = 256, max_hex_bytes: int = 64) -> list[dict]:
    """JSON-ready nodes, one per element in file order, the file meta (group 0002) first: ``path``
    (keywords; private and unknown tags as "(0009,1001)"; "Seq[0].Keyword"), ``tag``, ``keyword``,
    ``name``, ``vr``, ``length`` (as stored; None: undefined), ``value`` (text, cut after
    *max_value_chars* saying the full length), ``hex`` (binary values, *max_hex_bytes* of them),
    ``private_creator``, ``items`` (SQ: a list of nodes per item), ``problem`` (where a file ends).
    Converting pydicom's raw elements is all that happens to *dataset*."""
    meta, body = _meta_and_body(dataset)
    return [_tree_node(n, max_value_chars, max_hex_bytes) for n in meta + body]


def _uid_name(uid: str, column: int = 0) -> str:  # column 0: "=Name", 1: the header's; dcmtk's, else pydicom's
    named, known = TRANSFER_SYNTAX_NAMES.get(uid), UID(uid, validation_mode=pydicom.config.IGNORE)
    return named[column] if named else (known.name if column else known.keyword)


def _values_line(texts: list, total: int, fixed: int = 0) -> str:
    """The first of *total* values joined by "\\", cut at 70 characters as dcmtk cuts them: whole
    values, "..." after the last one shown (dcvrus.cc); *fixed*: the width of each (dcvrobow.cc)."""
    if fixed:
        count = total if total * (fixed + 1) - 1 <= _LINE_WIDTH else (_LINE_WIDTH - 2) // (fixed + 1)
        return "\\".join(texts[:count]) + ("..." if count < total else "")
    width = -1
    for i, text in enumerate(texts):
        width += len(text) + 1
        if width > _LINE_WIDTH or (i + 1 < total and width + 3 > _LINE_WIDTH):
            return "\\".join(texts[:i]) + "..." * (i + 1 < total)
    return "\\".join(texts)


def _dump_value(node: _Node) -> tuple[str, int]:  # dcmdump's text of a value, and its VM
    vr = "??" if node.unknown else node.vr
    if vr in _BYTES_VRS or vr in _WORDS_VRS:  # VM 1, even when empty
        if not node.raw or (vr == "OW" and len(node.raw) < 2):
            return "(no value available)" if not node.raw else "(invalid value)", 1
        if vr in _BYTES_VRS and vr != "OW":
            return _values_line([f"{b:02x}" for b in bytes(node.raw[:24])], len(node.raw), 2), 1
        return _values_line(*_numbers(node, 36), 4 if vr == "OW" else 0), 1
    if vr in _NUMBERS or vr == "AT":
        texts, total = _numbers(node, 36)
        return (_values_line(texts, total, 11 if vr == "AT" else 0), total) if texts else (
            "(invalid value)" if node.raw else "(no value available)", 0)
    text = _string(node)
    if not text:
        return "(no value available)", 0
    vm = 1 if vr in _ONE_VALUE_VRS else text.count("\\") + 1
    if vr == "UI" and _uid_name(text):
        return "=" + _uid_name(text), vm
    return (f"[{text}]" if len(text) + 2 <= _LINE_WIDTH else f"[{text[:_LINE_WIDTH - 4]}..."), vm


def _line(level: int, tag: int, vr: str, text: str, length, vm: int, name: str) -> str:
    text = text if len(text) <= _LINE_WIDTH else text[: _LINE_WIDTH - 3] + "..."
    return (f"{'  ' * level}({tag >> 16:04x},{tag & 0xFFFF:04x}) {vr} {text:<{_VALUE_COLUMN}} "
            f"# {'u/l' if length is None else format(length, '3d')},{vm:2d} {name}")


def _dump_name(node: _Node) -> str:
    group, element = node.tag >> 16, node.tag & 0xFFFF
    if group & 1 and group > 7:  # private; pydicom's private dictionary: "[Full Fidelity]" -> FullFidelity
        return "PrivateCreator" if 0x10 <= element <= 0xFF else "".join(
            w[:1].upper() + w[1:] for w in re.findall("[0-9A-Za-z]+", node.name)) if "[" in node.name else "Unknown Tag & Data"
    if not node.keyword:
        return "GenericGroupLength" if element == 0 else "Unknown Tag & Data"
    return "RETIRED_" * (node.tag in DicomDictionary and dictionary_is_retired(node.tag)) + node.keyword


def _dump_lines(nodes: list, level: int, lines: list, data) -> None:
    for node in nodes:
        name = _dump_name(node)
        if node.items is not None:
            kind = "undefined" if node.length is None else "explicit"
            lines.append(_line(level, node.tag, node.vr, f"(Sequence with {kind} length #={len(node.items)})",
                               node.length, 1, name))
            for item in node.items:
                _dump_item(node, *item, level + 1, lines, data)
            end = "(SequenceDelimitationItem)" if node.length is None else "(SequenceDelimitationItem for re-encod.)"
            lines.append(_line(level, _SEQ_END, "na", end, 0, 0, "SequenceDelimitationItem"))
        elif node.fragments is not None:  # dcpixseq.cc: shown as OB whatever the file says
            lines.append(_line(level, node.tag, "OB", f"(PixelSequence #={len(node.fragments)})", None, 1, name))
            for fragment in node.fragments:
                text = _values_line([f"{b:02x}" for b in bytes(fragment[:24])], len(fragment), 2) if fragment else "(no value available)"
                lines.append(_line(level + 1, _ITEM, "pi", text, len(fragment), 1, "Item"))
            lines.append(_line(level, _SEQ_END, "na", "(SequenceDelimitationItem)", 0, 0, "SequenceDelimitationItem"))
        else:
            text, vm = _dump_value(node)
            vr = "??" if node.unknown else ("up" if node.vr == "UL" and node.tag in _OFFSET_TAGS else node.vr)
            lines.append(_line(level, node.tag, vr, text, node.length, vm, name))


def _dump_item(seq: _Node, nodes: list, length, offset, level: int, lines: list, data) -> None:
    if data is not None and offset is not None and bytes(data[offset : offset + 4]) == _ITEM_TAGS[seq.little]:  # as stored
        length = struct.unpack_from("<I" if seq.little else ">I", data, offset + 4)[0]
        length = None if length == _UNDEFINED else length
    record = seq.tag == _DIRECTORY_RECORDS
    if record:  # dcdirrec.cc
        kind = next((_string(n) for n in nodes if n.tag == _RECORD_TYPE), "")
        lines.append(_line(level, _ITEM, "na", f'"Directory Record" {kind} #={len(nodes)}', length, 1, "Item"))
        refs = next((f'  refFileID="{_string(n)}"' for n in nodes if n.tag == _FILE_ID), "")
        lines.append(f"{'  ' * level}#  offset=${offset}{refs}")
    else:
        kind = "undefined" if length is None else "explicit"
        lines.append(_line(level, _ITEM, "na", f"(Item with {kind} length #={len(nodes)})", length, 1, "Item"))
    _dump_lines(nodes, level + 1, lines, data)
    end = "ItemDelimitationItem" + ("" if length is None else " for re-encoding")
    lines.append(_line(level, _ITEM_END, "na", f'"{end}"' if record else f"({end})", 0, 0, "ItemDelimitationItem"))


def _problems(nodes: list) -> list:
    """Where the file ends early: the innermost element it ends in."""
    return [p for n in nodes for p in ([q for item in n.items or () for q in _problems(item[0])] or
            [f"the file ends inside {_tag_text(n.tag)} {n.path}: {n.problem} (truncated?)"] * bool(n.problem))]


def dump_text(data, name: str) -> str:
    """The file as DCMTK's ``dcmdump`` shows it by default, its text decoded with the file's
    character set (as ``dcmdump +U8`` would). Raises InputError for a file that is not DICOM
    or that pydicom cannot read; a truncated file is dumped as far as it goes, and a last
    comment line says where it ends."""
    ds = read_dataset(data, name)
    meta, body = _meta_and_body(ds)
    meta_uid = ds.file_meta.get("TransferSyntaxUID") if getattr(ds, "file_meta", None) else None
    uid = str(meta_uid) if meta_uid else _ENCODING_UIDS.get(tuple(map(bool, ds.original_encoding)), "")
    unknown = "Unknown Transfer Syntax"
    lines = ["", "# Dicom-File-Format", "", "# Dicom-Meta-Information-Header",
             f"# Used TransferSyntax: {'Little Endian Explicit' if meta else unknown}"]
    _dump_lines(meta, 0, lines, data)
    lines += ["", "# Dicom-Data-Set", f"# Used TransferSyntax: {_uid_name(uid, 1) if uid else unknown}"]
    _dump_lines(body, 0, lines, None if uid == DeflatedExplicitVRLittleEndian else data)  # offsets of the inflated data
    problems = _problems(meta + body)
    declared = 144 + length if meta and isinstance(length := ds.file_meta.get("FileMetaInformationGroupLength"), int) else 0
    if not problems and declared > len(data):
        problems = [f"the file ends inside the file meta information, after {len(data)} of {declared} bytes (truncated?)"]
    rest = len(data) - 132 * (getattr(ds, "preamble", None) is not None) - sum(n.size for n in meta + body)
    if not problems and rest > 0 and uid != DeflatedExplicitVRLittleEndian:
        problems = [f"the {rest} bytes after the last element read are not whole elements (truncated or damaged?)"]
    lines += [f"# Reading stopped: {problem}" for problem in problems]
    return "\n".join(lines) + "\n"
