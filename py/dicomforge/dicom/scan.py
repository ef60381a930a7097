"""Where the top-level elements of a Part 10 file are: a byte scanner, no pydicom parsing.

Why hand-written: pydicom's reader parses every element into Python objects; listing
hundreds of files, or splicing new elements into one (the overlay writer), needs only
the tag and byte offsets of each top-level element in the file's own transfer syntax.
:func:`scan` finds them with one precompiled ``struct`` read per element, skipping
undefined-length sequences and encapsulated Pixel Data by their delimiters; deflated
data sets are inflated first, no further than the memory budget.
"""

from __future__ import annotations

import struct
import zlib
from bisect import bisect_left
from dataclasses import dataclass, field

from dicomforge.errors import InputError, plain_reason
from dicomforge.inputs import NamedInput
from dicomforge.limits import PLATFORM_MAX_BYTES

from . import tags
from .encode import LONG_VRS, UNDEFINED_LENGTH

__all__ = ["DicomScan", "scan", "check_header", "unreadable", "sop_class_of", "NOT_PART10", "NOT_DICOM"]

#: The scanner's error for a file without the Part 10 preamble ...
NOT_PART10 = "not a DICOM Part 10 file (no 'DICM' at byte 128)"
#: ... and what a user is told about such a file where it was expected to be DICOM.
NOT_DICOM = "not a DICOM file: no 'DICM' marker at byte 128 (is it a DICOM Part 10 file?)"

_LONG_VRS, _UNDEFINED = LONG_VRS, UNDEFINED_LENGTH
_ITEM, _ITEM_END, _SEQ_END = tags.ITEM, tags.ITEM_END, tags.SEQUENCE_END


def _header(data, pos: int, implicit: bool, little: bool) -> tuple:
    """``(tag, VR or None, value offset, value length)`` of the element at *pos*."""
    if pos + 8 > len(data):
        raise InputError(f"the file ends inside an element header at byte {pos}")
    fmt = "<" if little else ">"
    group, elem = struct.unpack_from(fmt + "HH", data, pos)
    tag = (group << 16) | elem
    if implicit or group == 0xFFFE:
        return tag, None, pos + 8, struct.unpack_from(fmt + "I", data, pos + 4)[0]
    vr = bytes(data[pos + 4 : pos + 6])
    if vr in _LONG_VRS:
        if pos + 12 > len(data):
            raise InputError(f"the file ends inside an element header at byte {pos}")
        return tag, vr, pos + 12, struct.unpack_from(fmt + "I", data, pos + 8)[0]
    return tag, vr, pos + 8, struct.unpack_from(fmt + "H", data, pos + 6)[0]


def _skip_sequence(data, pos: int, implicit: bool, little: bool) -> int:
    """Offset just after the Sequence Delimitation Item of the value starting at *pos*."""
    while True:
        tag, _, start, length = _header(data, pos, True, little)
        if tag == _SEQ_END:
            return start
        if tag != _ITEM:
            raise InputError(f"expected an item or a sequence delimiter at byte {pos}, found ({tag >> 16:04X},{tag & 0xFFFF:04X})")
        pos = _skip_item(data, start, implicit, little) if length == _UNDEFINED else start + length
        if pos > len(data):
            raise InputError(f"an item at byte {start - 8} runs past the end of the file")


def _skip_item(data, pos: int, implicit: bool, little: bool) -> int:
    """Offset just after the Item Delimitation Item of the item whose content starts at *pos*."""
    while True:
        tag, vr, start, length = _header(data, pos, implicit, little)
        if tag == _ITEM_END:
            return start
        if length == _UNDEFINED:  # PS3.5 6.2.2: UN of undefined length is implicit VR LE inside
            un = vr == b"UN"
            pos = _skip_sequence(data, start, implicit or un, little or un)
        else:
            pos = start + length
        if pos > len(data):
            raise InputError(f"element ({tag >> 16:04X},{tag & 0xFFFF:04X}) runs past the end of the file")


_STRUCTS = {
    (little, implicit): struct.Struct(("<" if little else ">") + ("HHI" if implicit else "HH2sH"))
    for little in (True, False)
    for implicit in (True, False)
}
_LENGTH32 = {True: struct.Struct("<I"), False: struct.Struct(">I")}


def _scan_elements(data, pos: int, implicit: bool, little: bool, stop: int = 0x100000000) -> list:
    """Top-level ``(tag, start, value start, end, VR)`` of the data set starting at *pos*.

    The hot loop of the overlay writer (:func:`dicomforge.overlays.write.add_overlays`): one
    precompiled struct read per element.
    Scanning ends before the first element whose tag is *stop* or larger.
    """
    out = []
    append = out.append
    end_of_data = len(data)
    head = _STRUCTS[(little, implicit)].unpack_from
    long32 = _LENGTH32[little].unpack_from
    long_vrs = _LONG_VRS
    while pos < end_of_data:
        if pos + 8 > end_of_data:
            raise InputError(f"the file ends inside an element header at byte {pos}")
        if implicit:
            group, elem, length = head(data, pos)
            vr, start = None, pos + 8
        else:
            group, elem, vr, length = head(data, pos)
            if group == 0xFFFE:
                vr, start, length = None, pos + 8, long32(data, pos + 4)[0]
            elif vr in long_vrs:
                if pos + 12 > end_of_data:
                    raise InputError(f"the file ends inside an element header at byte {pos}")
                start, length = pos + 12, long32(data, pos + 8)[0]
            else:
                start = pos + 8
        tag = (group << 16) | elem
        if tag >= stop:
            break
        if length == _UNDEFINED:
            un = vr == b"UN"
            end = _skip_sequence(data, start, implicit or un, little or un)
        else:
            end = start + length
            if end > end_of_data:
                raise InputError(
                    f"element ({group:04X},{elem:04X}) needs {length} bytes, "
                    f"the file ends {end - end_of_data} bytes early (truncated?)"
                )
        append((tag, pos, start, end, vr))
        pos = end
    return out


@dataclass
class DicomScan:
    """Where the top-level elements of a Part 10 file are (see :func:`scan`).

    Offsets of :attr:`meta` are in :attr:`data`; those of :attr:`elements` in
    :attr:`body` (the data set after the file meta, inflated for deflated files).
    """

    name: str
    data: bytes | memoryview = field(repr=False)
    transfer_syntax: str
    meta: list = field(repr=False)
    meta_end: int
    body: bytes | memoryview = field(repr=False)
    elements: list = field(repr=False)
    implicit: bool = False
    little: bool = True
    deflated: bool = False

    def __post_init__(self) -> None:
        self.index = {e[0]: e for e in self.elements}
        self.tag_order = [e[0] for e in self.elements]

    def raw(self, tag: int) -> bytes | None:
        """The value bytes of top-level element *tag*, or None when absent."""
        found = self.index.get(tag)
        return None if found is None else bytes(self.body[found[2] : found[3]])

    def text(self, tag: int) -> str | None:
        """A string value without padding, or None when absent or empty."""
        raw = self.raw(tag)
        if raw is None:
            return None
        text = raw.decode("latin-1").strip(" \x00")
        return text or None

    def decoded(self, tag: int) -> str:
        """A text value (LO, PN, SH...) decoded with (0008,0005) *Specific Character Set*; "" when absent."""
        raw = self.raw(tag)
        if not raw:
            return ""
        raw = raw.rstrip(b" \x00")
        if raw.isascii():
            return raw.decode("ascii")
        from pydicom.charset import convert_encodings, decode_bytes

        charset = self.text(tags.SPECIFIC_CHARACTER_SET)
        try:
            return decode_bytes(raw, convert_encodings(charset.split("\\") if charset else None), {0x5C, 0x5E, 0x3D})
        except (LookupError, ValueError):
            return raw.decode("latin-1")

    def number(self, tag: int, vr: str = "US") -> int | None:
        """A US or IS (*vr*) value as int, or None when absent or empty."""
        raw = self.raw(tag)
        if not raw:
            return None
        if vr == "US":
            return struct.unpack("<H" if self.little else ">H", raw[:2])[0]
        try:
            return int(raw.decode("latin-1").strip(" \x00").split("\\")[0])
        except ValueError:
            raise InputError(f"({tag >> 16:04X},{tag & 0xFFFF:04X}) {raw!r} is not an integer", self.name) from None

    def numbers(self, tag: int) -> list[float] | None:
        """A DS value as floats, or None when absent or empty."""
        text = self.text(tag)
        if text is None:
            return None
        try:
            return [float(v) for v in text.split("\\")]
        except ValueError:
            raise InputError(f"({tag >> 16:04X},{tag & 0xFFFF:04X}) {text!r} is not a list of numbers", self.name) from None

    def overlay_groups(self) -> list[int]:
        """The overlay groups present, in order."""
        lo, hi = bisect_left(self.tag_order, 0x60000000), bisect_left(self.tag_order, 0x60200000)
        return sorted({t >> 16 for t in self.tag_order[lo:hi]} & set(tags.OVERLAY_GROUPS))

    @property
    def frames(self) -> int:
        return self.number(tags.NUMBER_OF_FRAMES, "IS") or 1


def scan(item: NamedInput, header_only: bool = False, budget: int = PLATFORM_MAX_BYTES) -> DicomScan:
    """Find the file meta and the top-level elements of Part 10 file *item*.

    *header_only* may stop before (7FE0,0010) *Pixel Data* (and what follows it):
    enough to describe a file or list its overlays, never enough to write it. A whole
    input is scanned whole once and the scan kept with it (``item.memo``), so that
    describing files and then adding overlays to them scans each once; a header-only
    request then gets the whole scan. *budget*: the most bytes a deflated data set may
    inflate to (:mod:`dicomforge.limits`).

    Raises
    ------
    InputError
        Not a Part 10 file (no "DICM" at byte 128), truncated or malformed.
    """
    memo = None if getattr(item, "partial", False) else getattr(item, "memo", None)
    if memo is None:
        return _scan(item, header_only, budget)
    found = memo.get("scan")
    if found is None:
        try:
            found = _scan(item, False, budget)
        except InputError:
            if not header_only:
                raise
            return _scan(item, True, budget)  # e.g. truncated inside Pixel Data: its header still reads
        memo["scan"] = found
    return found


def _file_meta(data) -> tuple[list, int, str]:
    """``(elements, end, transfer syntax UID or "")`` of the file meta (group 0002, explicit VR
    little endian) of Part 10 *data*; an InputError names a damaged element."""
    meta = []
    pos = 132
    while pos + 8 <= len(data) and struct.unpack_from("<H", data, pos)[0] == 0x0002:
        tag, vr, start, length = _header(data, pos, False, True)
        if length == _UNDEFINED or start + length > len(data):
            raise InputError(f"file meta element (0002,{tag & 0xFFFF:04X}) is damaged")
        meta.append((tag, pos, start, start + length, vr))
        pos = start + length
    ts = next((bytes(data[s:e]).decode("ascii", "replace").strip(" \x00") for t, _, s, e, _ in meta if t == tags.TRANSFER_SYNTAX_UID), "")
    return meta, pos, ts


def _meta_of(item: NamedInput) -> tuple[list, int, str]:
    """:func:`_file_meta` of *item*, kept with a whole input (``item.memo``): its format is
    detected from the file meta and then the file is scanned, one parse for both."""
    memo = None if getattr(item, "partial", False) else getattr(item, "memo", None)
    if memo is None:
        return _file_meta(item.data)
    found = memo.get("file_meta")
    if found is None:
        found = memo["file_meta"] = _file_meta(item.data)
    return found


def _scan(item: NamedInput, header_only: bool, budget: int) -> DicomScan:
    data = item.data
    if len(data) < 132 or bytes(data[128:132]) != b"DICM":
        raise InputError(NOT_PART10, item.name)
    try:
        meta, meta_end, ts = _meta_of(item)
        if not ts:
            raise InputError("the file meta has no Transfer Syntax UID (0002,0010)")
        implicit, little = ts == tags.IMPLICIT_VR_LITTLE_ENDIAN, ts != tags.EXPLICIT_VR_BIG_ENDIAN
        deflated = ts == tags.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN
        body = memoryview(data)[meta_end:]
        if deflated:
            body = _inflate(body, budget)
        elements = _scan_elements(body, 0, implicit, little, tags.PIXEL_DATA if header_only else 0x100000000)
    except (InputError, struct.error) as exc:
        if isinstance(exc, InputError):
            raise exc.with_file(item.name)
        raise InputError(f"malformed DICOM file ({plain_reason(exc)})", item.name) from None
    return DicomScan(item.name, data, ts, meta, meta_end, body, elements, implicit, little, deflated)


def transfer_syntax_of(item: NamedInput) -> str | None:
    """(0002,0010) *Transfer Syntax UID* from the file meta alone, None when *item* is
    not a Part 10 file or its meta is damaged (whoever reads it whole will say why)."""
    data = item.data
    if len(data) < 132 or bytes(data[128:132]) != b"DICM":
        return None
    try:
        return _meta_of(item)[2] or None
    except (InputError, struct.error):
        return None


def sop_class_of(item: NamedInput) -> str | None:
    """(0002,0002) *Media Storage SOP Class UID* from the file meta alone, None when *item* is
    not a Part 10 file or its meta is damaged."""
    data = item.data
    if len(data) < 132 or bytes(data[128:132]) != b"DICM":
        return None
    try:
        meta = _meta_of(item)[0]
    except (InputError, struct.error):
        return None
    found = next((bytes(data[s:e]) for t, _, s, e, _ in meta if t == tags.MEDIA_STORAGE_SOP_CLASS_UID), b"")
    return found.decode("ascii", "replace").strip(" \x00") or None


def check_header(item: NamedInput, what: str = "DICOM file cannot be read") -> None:
    """Raise the InputError that names what breaks *item*'s header (an element longer than
    the file, say), before pydicom reads it: pydicom would read such an element to the end
    of the file and report the elements it swallowed as missing (or, in Pyodide, fail on a
    4 GB length in Python's words). Files without the Part 10 preamble are left to pydicom.
    The scan is kept with the input, so a described file is not scanned twice."""
    try:
        scan(item, header_only=True)
    except InputError as error:
        if not error.message.startswith(NOT_PART10):
            raise InputError(f"{what}: {error.message}", item.name) from None


def unreadable(item: NamedInput, exc: BaseException, what: str = "DICOM file cannot be read") -> InputError:
    """Why pydicom could not read *item*, in words: the scan names the element that breaks
    the file (its length past the end, say); failing that, :func:`plain_reason`."""
    try:
        scan(item)
    except InputError as error:
        if not error.message.startswith(NOT_PART10):
            return InputError(f"{what}: {error.message}", item.name)
    except Exception:  # (the scan's own failure tells nothing more)
        pass
    return InputError(f"{what}: {plain_reason(exc)}", item.name)


def _inflate(body, limit: int) -> bytes:
    """The deflated data set (PS3.5 A.5) inflated, at most *limit* bytes (the memory
    budget): more is a decompression bomb, refused before it fills memory."""
    engine = zlib.decompressobj(-15)
    try:
        out = engine.decompress(bytes(body), limit)
    except zlib.error as exc:
        raise InputError(f"the deflated data set cannot be inflated ({plain_reason(exc)})") from None
    if engine.unconsumed_tail:
        raise InputError(f"the deflated data set inflates to more than {limit} bytes (the memory budget)")
    return out
