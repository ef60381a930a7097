"""Overlay planes (PS3.3 C.9.2): reading them back, and burning masks into existing files.

Reading: :func:`read_overlays` lists the 60xx overlay planes of a pydicom
``Dataset`` as :class:`OverlayPlane` objects whose :meth:`OverlayPlane.bits`
gives one byte (0 or 1) per overlay pixel of one overlay frame.

Listing: :func:`describe_overlays` lists the planes of a file for the page from a
header scan (``scan(item, header_only=True)``: no pydicom parsing, Pixel Data not read).

Removing: :func:`remove_overlays` (``OverlayOptions.replace`` / ``remove_groups``),
or the same options given to :func:`add_overlays`, whose new planes then take the
freed groups (replacing them).

Writing: :func:`add_overlays` returns a new Part 10 file made by *splicing* the
input's bytes: a small scanner (:func:`scan`) finds the top-level elements (tag,
offsets; sequences of undefined length and encapsulated Pixel Data skipped by
their delimiters) in the file's own transfer syntax, and the output is the
input's bytes with the new 60xx elements inserted in tag order and the few
derived-copy elements replaced in place. Pixel Data is never decoded; every other
element keeps its bytes. Deflated files are inflated, spliced and deflated again.

Decisions, each written where it is implemented:

* Derived copy (``keep_uids=False``, the default): new (0008,0018) *SOP Instance
  UID* (and (0002,0003) in the file meta), one new (0020,000E) *Series Instance
  UID* shared by every output made with the same :class:`OverlayOptions`,
  (0008,103E) *Series Description* suffixed " (overlays)", (0008,2111)
  *Derivation Description* (appended to an existing one) and (0008,2112) *Source
  Image Sequence* with one item referencing the source instance (an existing
  sequence is replaced). Image Type and everything else stay as they are.
* Groups: the first free even groups 6000-601E, in order; more than 16 planes
  in one file (existing ones kept + new) is an :class:`OptionsError`.
* Label maps: slices are matched by geometry (see :class:`LabelMatcher`); a file
  whose slice holds none of a chosen label gets an *empty* plane for it, so that
  every file of the derived series carries the same planes (the job reports how
  many such files there were in one warning). A per-file mask that is all zero is
  an error for that file (most likely the wrong mask).
"""

from __future__ import annotations

import re
import struct
import zlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from pydicom.uid import generate_uid

from dicomforge import __version__, kernels
from dicomforge.errors import DicomForgeError, GeometryError, InputError, OptionsError, UnsupportedError
from dicomforge.inputs import NamedInput
from dicomforge.limits import memory_budget
from dicomforge.volume import Volume

__all__ = [
    "OVERLAY_GROUPS",
    "SERIES_SUFFIX",
    "OverlayPlane",
    "read_overlays",
    "MaskPlane",
    "OverlayOptions",
    "DicomScan",
    "scan",
    "add_overlays",
    "remove_overlays",
    "LabelMatcher",
    "add_label_overlays",
    "describe_overlays",
    "output_names",
    "overlay_options",
    "overlay_job",
]

#: The 16 repeating groups an overlay may use: even groups 6000-601E (PS3.5 7.6).
OVERLAY_GROUPS = tuple(range(0x6000, 0x6020, 2))

_ROWS, _COLUMNS, _FRAMES, _DESCRIPTION, _TYPE = 0x0010, 0x0011, 0x0015, 0x0022, 0x0040
_ORIGIN, _FRAME_ORIGIN, _BITS_ALLOCATED, _BIT_POSITION = 0x0050, 0x0051, 0x0100, 0x0102
_LABEL, _DATA = 0x1500, 0x3000
_UID_RE = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")


@dataclass
class OverlayPlane:
    """One overlay plane (60xx group) as stored in a dataset.

    Attributes
    ----------
    group : int
        The repeating group, 0x6000..0x601E.
    rows, columns : int
        (60xx,0010) *Overlay Rows*, (60xx,0011) *Overlay Columns*.
    origin : tuple of int
        (60xx,0050) *Overlay Origin* ``(row, column)``, 1-based as stored (1\\1 is the
        top left image pixel).
    frames : int
        (60xx,0015) *Number of Frames in Overlay*, 1 when absent.
    frame_origin : int
        (60xx,0051) *Image Frame Origin*: the image frame (1-based) overlay frame 0 applies to.
    type : str
        (60xx,0040) *Overlay Type*, ``"G"`` (graphics) or ``"R"`` (ROI).
    label, description : str
        (60xx,1500) *Overlay Label*, (60xx,0022) *Overlay Description*.
    data : bytes
        (60xx,3000) *Overlay Data*, bit-packed, least significant bit first.
    """

    group: int
    rows: int
    columns: int
    origin: tuple[int, int] = (1, 1)
    frames: int = 1
    frame_origin: int = 1
    type: str = "G"
    label: str = ""
    description: str = ""
    data: bytes = field(default=b"", repr=False)

    def bits(self, frame_index: int = 0) -> bytes:
        """``rows * columns`` bytes of 0 or 1 for overlay frame *frame_index* (0-based).

        Frames are packed one after the other without byte alignment: frame f starts
        at bit ``f * rows * columns`` of (60xx,3000) *Overlay Data* (PS3.3 C.9.2.1.3).
        """
        if not 0 <= frame_index < self.frames:
            raise InputError(
                f"overlay {self.group:04X} has {self.frames} frame(s), "
                f"frame index {frame_index} does not exist"
            )
        count = self.rows * self.columns
        start = frame_index * count
        skip = start % 8
        chunk = memoryview(self.data)[start // 8 :]
        if len(chunk) * 8 < skip + count:
            raise InputError(
                f"overlay {self.group:04X}: Overlay Data has {len(self.data)} bytes, "
                f"frame {frame_index} of {self.rows}x{self.columns} needs "
                f"{(start + count + 7) // 8}"
            )
        unpacked = kernels.unpack_bits(chunk, skip + count)
        return unpacked[skip:] if skip else unpacked

    def count_set(self, frame_index: int | None = None) -> int:
        """Number of set pixels in one overlay frame, or in all of them (None)."""
        frames = range(self.frames) if frame_index is None else (frame_index,)
        return sum(self.bits(f).count(1) for f in frames)


def _value(ds, group: int, element: int, default=None):
    elem = ds.get((group << 16) | element)
    if elem is None or elem.value is None or elem.value == "":
        return default
    return elem.value


def read_overlays(ds) -> list[OverlayPlane]:
    """The overlay planes of pydicom Dataset *ds*, in group order.

    Only overlays stored in (60xx,3000) *Overlay Data* with (60xx,0100) *Overlay
    Bits Allocated* 1 are read. Overlays embedded in the high bits of Pixel Data
    (retired, PS3.3 C.9.2.1.1 of older editions) raise :class:`UnsupportedError`.
    A group with Overlay Data but no Overlay Rows/Columns is an :class:`InputError`.
    Overlay Data read from a big endian file is byte-swapped back to the bit order
    of PS3.3 C.9.2.1.3 (pydicom keeps OW bytes as stored; dcmtk swaps them).
    """
    planes = []
    encoding = getattr(ds, "original_encoding", None) or (None, True)
    big_endian = encoding[1] is False
    for group in OVERLAY_GROUPS:
        tag_rows = (group << 16) | _ROWS
        tag_data = (group << 16) | _DATA
        if tag_rows not in ds and tag_data not in ds:
            continue
        bits_allocated = _value(ds, group, _BITS_ALLOCATED, 1)
        if tag_data not in ds or int(bits_allocated) != 1:
            raise UnsupportedError(
                f"overlay {group:04X} is embedded in the Pixel Data (Overlay Bits Allocated "
                f"{bits_allocated}); only overlays in Overlay Data (60xx,3000) are supported"
            )
        rows = _value(ds, group, _ROWS)
        columns = _value(ds, group, _COLUMNS)
        missing = [name for name, v in (("Overlay Rows", rows), ("Overlay Columns", columns)) if v is None]
        if missing:
            raise InputError(f"overlay {group:04X} lacks {' and '.join(missing)}")
        data = bytes(_value(ds, group, _DATA, b""))
        if big_endian and len(data) % 2 == 0:  # OW words in the file's byte order (PS3.5 7.3)
            data = kernels.byteswap(data, 2)
        origin = _value(ds, group, _ORIGIN, (1, 1))
        origin = tuple(int(v) for v in origin) if len(origin) == 2 else (1, 1)
        planes.append(
            OverlayPlane(
                group=group,
                rows=int(rows),
                columns=int(columns),
                origin=origin,
                frames=int(_value(ds, group, _FRAMES, 1)),
                frame_origin=int(_value(ds, group, _FRAME_ORIGIN, 1)),
                type=str(_value(ds, group, _TYPE, "G")).strip(),
                label=str(_value(ds, group, _LABEL, "")).strip(),
                description=str(_value(ds, group, _DESCRIPTION, "")).strip(),
                data=data,
            )
        )
    return planes


# -- writing: options and masks ---------------------------------------------------------------

#: Appended to (0008,103E) *Series Description* of a derived copy.
SERIES_SUFFIX = " (overlays)"


@dataclass
class MaskPlane:
    """One overlay plane to add: one byte per pixel (nonzero = set).

    Attributes
    ----------
    mask : bytes
        ``rows * columns * frames`` bytes, frame after frame, row after row.
    label : str
        (60xx,1500) *Overlay Label* (at most 64 characters are kept).
    description : str
        (60xx,0022) *Overlay Description*.
    """

    mask: bytes | memoryview = field(repr=False)
    label: str = ""
    description: str = ""


@dataclass
class OverlayOptions:
    """What the user chooses about the overlays; one instance = one derived series.

    Attributes
    ----------
    type : str
        (60xx,0040) *Overlay Type*: "G" (graphics, the default) or "R" (ROI).
    keep_uids : bool
        False (default): a derived copy (new SOP Instance UID, the shared
        :attr:`series_uid`, suffixed Series Description, Source Image Sequence,
        Derivation Description). True: only the 60xx groups change.
    replace : bool
        Remove every existing overlay group first.
    remove_groups : tuple of int
        Existing overlay groups to remove first (e.g. ``(0x6000,)``).
    series_uid : str
        (0020,000E) of every derived copy made with these options; generated when empty.
    series_suffix : str
        Appended to the Series Description of a derived copy.
    uid_prefix : str
        Root for generated UIDs (ending in "."); "2.25." + UUID when empty.
    """

    type: str = "G"
    keep_uids: bool = False
    replace: bool = False
    remove_groups: tuple = ()
    series_uid: str = ""
    series_suffix: str = SERIES_SUFFIX
    uid_prefix: str = ""

    def __post_init__(self) -> None:
        problems = []
        kind = str(self.type or "G").strip().upper()
        if kind not in ("G", "R"):
            problems.append(f"overlay type must be G (graphics) or R (ROI), got {self.type!r}")
        self.type = kind
        groups = []
        for group in self.remove_groups or ():
            try:
                value = int(group, 16) if isinstance(group, str) else int(group)
            except (TypeError, ValueError):
                value = -1
            if value not in OVERLAY_GROUPS:
                problems.append(f"{group!r} is not an overlay group (6000, 6002, ... 601E)")
            groups.append(value)
        self.remove_groups = tuple(groups)
        if self.uid_prefix and not (self.uid_prefix.endswith(".") and _UID_RE.match(self.uid_prefix[:-1])
                                    and len(self.uid_prefix) <= 54):
            problems.append(f"uid_prefix {self.uid_prefix!r} must be a UID root ending in '.', <= 54 characters")
        if self.series_uid and not (_UID_RE.match(self.series_uid) and len(self.series_uid) <= 64):
            problems.append(f"series_uid {self.series_uid!r} is not a valid UID")
        if problems:
            raise OptionsError("; ".join(problems))
        if not self.series_uid and not self.keep_uids:
            self.series_uid = generate_uid(self.uid_prefix or None)


# -- the scanner ------------------------------------------------------------------------------

_LONG_VRS = frozenset((b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV"))
_UNDEFINED = 0xFFFFFFFF
_ITEM, _ITEM_END, _SEQ_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
_IMPLICIT_LE, _EXPLICIT_BE = "1.2.840.10008.1.2", "1.2.840.10008.1.2.2"
_DEFLATED = ("1.2.840.10008.1.2.1.99",)

# dataset tags the writer reads or changes
_SOP_CLASS, _SOP_INSTANCE, _SPECIFIC_CHARSET = 0x00080016, 0x00080018, 0x00080005
_SERIES_DESCRIPTION, _DERIVATION, _SOURCE_IMAGES = 0x0008103E, 0x00082111, 0x00082112
_SERIES_UID, _IPP, _IOP = 0x0020000E, 0x00200032, 0x00200037
_NUMBER_OF_FRAMES, _IMAGE_ROWS, _IMAGE_COLUMNS, _PIXEL_SPACING = 0x00280008, 0x00280010, 0x00280011, 0x00280030


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

    The hot loop of :func:`add_overlays`: one precompiled struct read per element.
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
        self.tags = [e[0] for e in self.elements]

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

        charset = self.text(_SPECIFIC_CHARSET)
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
        lo, hi = bisect_left(self.tags, 0x60000000), bisect_left(self.tags, 0x60200000)
        return sorted({t >> 16 for t in self.tags[lo:hi]} & set(OVERLAY_GROUPS))

    @property
    def frames(self) -> int:
        return self.number(_NUMBER_OF_FRAMES, "IS") or 1


#: (7FE0,0010) *Pixel Data*: where a header-only scan stops.
PIXEL_DATA = 0x7FE00010


def scan(item: NamedInput, header_only: bool = False) -> DicomScan:
    """Find the file meta and the top-level elements of Part 10 file *item*.

    *header_only* may stop before (7FE0,0010) *Pixel Data* (and what follows it):
    enough to describe a file or list its overlays, never enough to write it. A whole
    input is scanned whole once and the scan kept with it (``item.memo``), so that
    describing files and then adding overlays to them scans each once; a header-only
    request then gets the whole scan.

    Raises
    ------
    InputError
        Not a Part 10 file (no "DICM" at byte 128), truncated or malformed.
    """
    memo = None if getattr(item, "partial", False) else getattr(item, "memo", None)
    if memo is None:
        return _scan(item, header_only)
    found = memo.get("scan")
    if found is None:
        try:
            found = _scan(item, False)
        except InputError:
            if not header_only:
                raise
            return _scan(item, True)  # e.g. truncated inside Pixel Data: its header still reads
        memo["scan"] = found
    return found


def _scan(item: NamedInput, header_only: bool) -> DicomScan:
    data = item.data
    if len(data) < 132 or bytes(data[128:132]) != b"DICM":
        raise InputError("not a DICOM Part 10 file (no 'DICM' at byte 128)", item.name)
    try:
        meta = []
        pos = 132
        while pos + 8 <= len(data) and struct.unpack_from("<H", data, pos)[0] == 0x0002:
            tag, vr, start, length = _header(data, pos, False, True)
            if length == _UNDEFINED or start + length > len(data):
                raise InputError(f"file meta element (0002,{tag & 0xFFFF:04X}) is damaged")
            meta.append((tag, pos, start, start + length, vr))
            pos = start + length
        meta_end = pos
        ts = next((bytes(data[s:e]).decode("ascii", "replace").strip(" \x00") for t, _, s, e, _ in meta if t == 0x00020010), "")
        if not ts:
            raise InputError("the file meta has no Transfer Syntax UID (0002,0010)")
        implicit, little, deflated = ts == _IMPLICIT_LE, ts != _EXPLICIT_BE, ts in _DEFLATED
        body = memoryview(data)[meta_end:]
        if deflated:
            body = _inflate(body)
        elements = _scan_elements(body, 0, implicit, little, PIXEL_DATA if header_only else 0x100000000)
    except (InputError, struct.error) as exc:
        if isinstance(exc, InputError):
            raise exc.with_file(item.name)
        raise InputError(f"malformed DICOM file ({exc})", item.name) from None
    return DicomScan(item.name, data, ts, meta, meta_end, body, elements, implicit, little, deflated)


def _inflate(body) -> bytes:
    """The deflated data set (PS3.5 A.5) inflated, at most the memory budget
    (:mod:`dicomforge.limits`): more is a decompression bomb, refused before it fills memory."""
    limit = memory_budget()
    engine = zlib.decompressobj(-15)
    try:
        out = engine.decompress(bytes(body), limit)
    except zlib.error as exc:
        raise InputError(f"the deflated data set cannot be inflated ({exc})") from None
    if engine.unconsumed_tail:
        raise InputError(f"the deflated data set inflates to more than {limit} bytes (the memory budget)")
    return out


# -- the writer --------------------------------------------------------------------------------


def _encode(tag: int, vr: bytes, value: bytes, implicit: bool, little: bool) -> bytes:
    """One element in the given encoding, with a defined length."""
    fmt = "<" if little else ">"
    group, elem = tag >> 16, tag & 0xFFFF
    if implicit:
        return struct.pack(fmt + "HHI", group, elem, len(value)) + value
    if vr in _LONG_VRS:
        return struct.pack(fmt + "HH2sHI", group, elem, vr, 0, len(value)) + value
    return struct.pack(fmt + "HH2sH", group, elem, vr, len(value)) + value


def _pad(raw: bytes, vr: bytes) -> bytes:
    if len(raw) % 2:
        return raw + (b"\x00" if vr == b"UI" else b" ")
    return raw


def _text_bytes(text: str, limit: int, charset: str | None) -> bytes:
    """*text* (at most *limit* characters) in the file's character set."""
    text = text.replace("\\", "/")[:limit]
    if text.isascii():
        return text.encode("ascii")
    if charset:
        from pydicom.charset import convert_encodings, encode_string

        try:
            return encode_string(text, convert_encodings(charset.split("\\")))
        except (LookupError, ValueError):
            pass
    return text.encode("ascii", "replace")


def _plane_elements(group: int, plane: MaskPlane, bits: bytes, rows: int, columns: int,
                    frames: int | None, kind: str, charset, implicit: bool, little: bool) -> bytes:
    """The elements of one overlay group, in tag order (PS3.3 C.9.2, C.9.3)."""
    if not little:  # OW is a stream of 16-bit words in the transfer syntax's byte order
        bits = kernels.byteswap(bits, 2)
    head = _plane_head(group, plane.label, plane.description, rows, columns, frames, kind, charset, implicit, little)
    return head + _encode((group << 16) | _DATA, b"OW", bits, implicit, little)


@lru_cache(maxsize=64)
def _plane_head(group: int, label: str, description: str, rows: int, columns: int,
                frames: int | None, kind: str, charset, implicit: bool, little: bool) -> bytes:
    """The elements of one overlay group before (60xx,3000) *Overlay Data*: the same for
    every file of a series, so encoded once."""
    fmt = "<" if little else ">"
    base = group << 16

    def el(element: int, vr: bytes, value: bytes) -> bytes:
        return _encode(base | element, vr, value, implicit, little)

    parts = [
        el(_ROWS, b"US", struct.pack(fmt + "H", rows)),
        el(_COLUMNS, b"US", struct.pack(fmt + "H", columns)),
    ]
    if frames is not None:  # PS3.3 C.9.3: Multi-frame Overlay module
        parts.append(el(_FRAMES, b"IS", _pad(str(frames).encode(), b"IS")))
    if description:
        parts.append(el(_DESCRIPTION, b"LO", _pad(_text_bytes(description, 64, charset), b"LO")))
    parts.append(el(_TYPE, b"CS", _pad(kind.encode(), b"CS")))
    parts.append(el(_ORIGIN, b"SS", struct.pack(fmt + "hh", 1, 1)))  # C.9.2.1.2: 1\1 = top left
    if frames is not None:
        parts.append(el(_FRAME_ORIGIN, b"US", struct.pack(fmt + "H", 1)))
    parts.append(el(_BITS_ALLOCATED, b"US", struct.pack(fmt + "H", 1)))  # C.9.2.1.4: always 1
    parts.append(el(_BIT_POSITION, b"US", struct.pack(fmt + "H", 0)))  # C.9.2.1.4: always 0
    if label:
        parts.append(el(_LABEL, b"LO", _pad(_text_bytes(label, 64, charset), b"LO")))
    return b"".join(parts)


def _source_reference(scan_: DicomScan, implicit: bool, little: bool) -> bytes:
    """(0008,2112) *Source Image Sequence* with one item naming the source instance."""
    sop_class = _uid_bytes(scan_, scan_.text(_SOP_CLASS) or _meta_text(scan_, 0x00020002), "SOP Class UID (0008,0016)")
    sop_instance = _uid_bytes(scan_, scan_.text(_SOP_INSTANCE), "SOP Instance UID (0008,0018)")
    content = _encode(0x00081150, b"UI", _pad(sop_class, b"UI"), implicit, little)
    content += _encode(0x00081155, b"UI", _pad(sop_instance, b"UI"), implicit, little)
    fmt = "<" if little else ">"
    item = struct.pack(fmt + "HHI", 0xFFFE, 0xE000, len(content)) + content
    return _encode(_SOURCE_IMAGES, b"SQ", item, implicit, little)


def _uid_bytes(scan_: DicomScan, uid: str | None, what: str) -> bytes:
    """*uid* as the ASCII a UI value holds; an InputError naming *what* when it cannot be one."""
    if not uid or not uid.isascii() or len(uid) > 64:
        raise InputError(f"{what} {uid!r} is not a UID that can be referenced", scan_.name)
    return uid.encode("ascii")


def _meta_text(scan_: DicomScan, tag: int) -> str:
    for t, _, start, end, _ in scan_.meta:
        if t == tag:
            return bytes(scan_.data[start:end]).decode("ascii", "replace").strip(" \x00")
    return ""


def _check_masks(scan_: DicomScan, planes: list) -> tuple[int, int, int]:
    """``(rows, columns, frames)`` of the image; every mask must have that many pixels."""
    rows, columns = scan_.number(_IMAGE_ROWS), scan_.number(_IMAGE_COLUMNS)
    missing = [n for n, v in (("Rows (0028,0010)", rows), ("Columns (0028,0011)", columns)) if not v]
    if missing:
        raise InputError(f"has no {' and no '.join(missing)}: not an image, overlays need its size", scan_.name)
    frames = scan_.frames
    need = rows * columns * frames
    for plane in planes:
        if len(plane.mask) != need:
            named = f"mask {plane.label!r}" if plane.label else "the mask"
            raise InputError(
                f"{named} has {len(plane.mask)} pixels, the image has "
                f"{columns}x{rows}x{frames} (columns x rows x frames) = {need}",
                scan_.name,
            )
    return rows, columns, frames


def add_overlays(item: NamedInput | DicomScan, planes: list[MaskPlane], options: OverlayOptions | None = None) -> bytes:
    """A new Part 10 file: *item* with one overlay plane per mask of *planes*.

    The input is not modified and its Pixel Data is not decoded: the output is
    the input's bytes with the 60xx groups inserted (and, for a derived copy, the
    elements listed in the module notes replaced). Any transfer syntax; deflated
    files are inflated and deflated again.

    Raises
    ------
    InputError
        Not a Part 10 file, truncated, no Rows/Columns, a mask of the wrong size.
    OptionsError
        More planes than free overlay groups.
    """
    options = options or OverlayOptions()
    scan_ = item if isinstance(item, DicomScan) else scan(item)
    rows, columns, frames = _check_masks(scan_, planes)
    implicit, little = scan_.implicit, scan_.little

    existing = scan_.overlay_groups()
    remove = set(existing) if options.replace else set(options.remove_groups) & set(existing)
    free = [g for g in OVERLAY_GROUPS if g not in existing or g in remove]
    if len(planes) > len(free):
        kept = len(existing) - len(remove)
        raise OptionsError(
            f"{len(planes)} overlay planes do not fit: {kept} of the 16 overlay groups "
            f"(6000-601E) are already used and kept, {len(free)} are free "
            "(remove or replace the existing overlays, or choose fewer labels)",
            scan_.name,
        )
    charset = scan_.text(_SPECIFIC_CHARSET)
    multi = _NUMBER_OF_FRAMES in scan_.index
    edits = []  # (start, end, replacement bytes, tag)
    if remove:
        edits += [(start, end, b"", tag) for tag, start, _, end, _ in scan_.elements if tag >> 16 in remove]
    for group, plane in zip(free, planes):
        bits = kernels.pack_bits(plane.mask)  # C.9.2.1.3: LSB first, frames back to back, even length
        encoded = _plane_elements(group, plane, bits, rows, columns, frames if multi else None,
                                  options.type, charset, implicit, little)
        edits.append((_insert_at(scan_, (group << 16) | 0xFFFF), None, encoded, group << 16))

    sop_uid = None
    if not options.keep_uids:
        sop_uid = generate_uid(options.uid_prefix or None)
        if not scan_.text(_SOP_INSTANCE):
            raise InputError("has no SOP Instance UID (0008,0018) to reference", scan_.name)
        done = " and ".join(what for what, did in (("added", planes), ("removed", remove)) if did)
        changed = {
            _SOP_INSTANCE: _encode(_SOP_INSTANCE, b"UI", _pad(sop_uid.encode(), b"UI"), implicit, little),
            **_series_elements(scan_.raw(_SERIES_DESCRIPTION), scan_.raw(_DERIVATION), options.series_suffix,
                               done, options.series_uid, implicit, little),
            _SOURCE_IMAGES: _source_reference(scan_, implicit, little),
        }
        for tag, encoded in changed.items():
            found = scan_.index.get(tag)
            if found is not None:
                edits.append((found[1], found[3], encoded, tag))
            else:
                edits.append((_insert_at(scan_, tag), None, encoded, tag))
    edits = _with_group_lengths(scan_, edits)
    body = _apply(scan_.body, edits)
    if scan_.deflated:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = [packer.compress(b"".join(body)) + packer.flush()]
    head = _meta_bytes(scan_, sop_uid)
    return b"".join([head, *body])


@lru_cache(maxsize=64)
def _series_elements(description: bytes | None, derivation: bytes | None, suffix: str, done: str,
                     series_uid: str, implicit: bool, little: bool) -> dict:
    """The derived copy's (0008,103E) *Series Description*, (0008,2111) *Derivation
    Description* and (0020,000E) *Series Instance UID*, encoded: from the source's
    description and derivation (*description*, *derivation*: raw values or None) and the
    same for every file of a series, so encoded once."""
    description = (description or b"").rstrip(b" \x00")
    suffix_bytes = suffix.encode("ascii", "replace")
    description = description[: max(0, 64 - len(suffix_bytes))] + suffix_bytes
    ours = f"overlay planes {done or 'copied'} by dicomforge {__version__}".encode("ascii")
    derivation = (derivation or b"").rstrip(b" \x00")
    derivation = (derivation + b"; " + ours)[-1024:] if derivation else ours
    return {
        _SERIES_DESCRIPTION: _encode(_SERIES_DESCRIPTION, b"LO", _pad(description, b"LO"), implicit, little),
        _DERIVATION: _encode(_DERIVATION, b"ST", _pad(derivation, b"ST"), implicit, little),
        _SERIES_UID: _encode(_SERIES_UID, b"UI", _pad(series_uid.encode(), b"UI"), implicit, little),
    }


def _insert_at(scan_: DicomScan, tag: int) -> int:
    """Offset in the body where an element *tag* goes: before the first larger tag."""
    at = bisect_right(scan_.tags, tag)
    return scan_.elements[at][1] if at < len(scan_.elements) else len(scan_.body)


def _with_group_lengths(scan_: DicomScan, edits: list) -> list:
    """Add updates of any (gggg,0000) *Group Length* whose group the edits resize."""
    delta: dict[int, int] = {}
    for start, end, data, tag in edits:
        size = len(data) - (0 if end is None else end - start)
        delta[tag >> 16] = delta.get(tag >> 16, 0) + size
    fmt = "<" if scan_.little else ">"
    for group, change in delta.items():
        found = scan_.index.get(group << 16)
        if found is None or not change or found[3] - found[2] != 4 or any(e[3] == group << 16 for e in edits):
            continue
        old = struct.unpack(fmt + "I", bytes(scan_.body[found[2] : found[3]]))[0]
        value = struct.pack(fmt + "I", max(0, old + change))
        edits.append((found[2], found[3], value, group << 16))
    return edits


def _apply(body, edits: list) -> list:
    """The pieces of *body* with *edits* applied (ordered by offset, then tag)."""
    pieces = []
    pos = 0
    for start, end, data, _ in sorted(edits, key=lambda e: (e[0], e[3])):
        if start < pos:
            raise InputError("internal error: overlapping edits")  # pragma: no cover
        pieces.append(body[pos:start])
        pieces.append(data)
        pos = start if end is None else end
    pieces.append(body[pos:])
    return pieces


def _meta_bytes(scan_: DicomScan, sop_uid: str | None) -> bytes:
    """Preamble + file meta, with (0002,0003) and the group length updated for *sop_uid*."""
    data = scan_.data
    if sop_uid is None:
        return bytes(data[: scan_.meta_end])
    uid = _encode(0x00020003, b"UI", _pad(sop_uid.encode(), b"UI"), False, True)
    parts, length_at, total = [], None, 0
    seen = False
    for tag, start, _, end, _ in scan_.meta:
        if tag == 0x00020000:
            length_at = len(parts)
            parts.append(b"")
            continue
        piece = uid if tag == 0x00020003 else bytes(data[start:end])
        seen |= tag == 0x00020003
        if not seen and tag > 0x00020003:
            parts.append(uid)
            total += len(uid)
            seen = True
        parts.append(piece)
        total += len(piece)
    if not seen:
        parts.append(uid)
        total += len(uid)
    if length_at is not None:
        parts[length_at] = _encode(0x00020000, b"UL", struct.pack("<I", total), False, True)
    return bytes(data[:132]) + b"".join(parts)


def remove_overlays(item: NamedInput | DicomScan, options: OverlayOptions) -> bytes:
    """A new Part 10 file: *item* without the overlay groups *options* removes.

    ``options.replace`` removes every overlay group, ``options.remove_groups`` the
    named ones; everything else is as :func:`add_overlays` leaves it (a derived
    copy unless ``keep_uids``).

    Raises
    ------
    InputError
        The file has none of the groups to remove (it would be a copy for nothing).
    """
    scan_ = item if isinstance(item, DicomScan) else scan(item)
    existing = scan_.overlay_groups()
    wanted = existing if options.replace else [g for g in options.remove_groups if g in existing]
    if not wanted:
        asked = "overlay planes" if options.replace else "overlay group " + ", ".join(f"{g:04X}" for g in options.remove_groups)
        has = ", ".join(f"{g:04X}" for g in existing) or "none"
        raise InputError(f"has no {asked} to remove (its overlay groups: {has})", scan_.name)
    return add_overlays(scan_, [], options)


# -- label maps ------------------------------------------------------------------------------


def _dot(a, b) -> float:
    return sum(x * y for x, y in zip(a, b))


def _cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _fmt(values) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in values) + ")"


def _label_text(value) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class LabelMatcher:
    """Masks for DICOM files from a label-map :class:`~dicomforge.volume.Volume` on their grid.

    Each file's slice is found BY GEOMETRY, not by file order: (0020,0032) *Image
    Position (Patient)* projected on the normal of (0020,0037) *Image Orientation
    (Patient)* is matched against the label map's slice positions. The file must
    have the label map's rows and columns, (0028,0030) *Pixel Spacing*, row and
    column directions (within 1e-3) and lie on one of its slices (within 1% of the
    slice spacing, no in-plane shift); otherwise a :class:`GeometryError` says how
    it differs, with the numbers.

    Parameters
    ----------
    volume : Volume
        The label map (one component; integer or integral float values).
    labels : list of numbers, optional
        Label values to write, one plane each; default every nonzero value present.
    names : dict, optional
        Label value -> name used as Overlay Label (default "label <value>").
    """

    def __init__(self, volume: Volume, labels=None, names: dict | None = None) -> None:
        volume.validate()
        self.volume = volume
        name = volume.name or "the label map"
        if volume.components != 1:
            raise UnsupportedError(f"a label map must have one value per voxel, {name} has {volume.components}", volume.name or None)
        present = volume.distinct_values()
        nonzero = [v for v in present if v != 0]
        if labels is None or len(labels) == 0:
            if not nonzero:
                raise InputError("the label map has no nonzero voxels: nothing to draw", volume.name or None)
            labels = nonzero
        else:
            missing = [v for v in labels if v not in present]
            if missing:
                raise OptionsError(
                    f"label(s) {', '.join(_label_text(v) for v in missing)} not present in {name} "
                    f"(labels present: {', '.join(_label_text(v) for v in nonzero) or 'none'})"
                )
        self.labels = list(labels)
        # an 8-bit map holding one label and 0 is its own mask (nonzero = set): no comparison
        self._data_is_mask = volume.dtype in ("uint8", "int8") and len(self.labels) == 1 and all(
            v in (0, self.labels[0]) for v in present
        )
        names = names or {}
        self.names = {v: str(names.get(v, names.get(_label_text(v), f"label {_label_text(v)}"))) for v in self.labels}
        row, col, axis = volume.direction
        self.normal = _cross(row, col)
        self.step = volume.spacing[2] * _dot(axis, self.normal)  # mm along the normal per slice
        self.base = _dot(volume.origin, self.normal)

    def slice_index(self, scan_: DicomScan) -> int:
        """The label map slice that file *scan_* shows; GeometryError when none matches."""
        v, name = self.volume, scan_.name
        nx, ny, nz = v.size
        if scan_.frames > 1:
            raise UnsupportedError(
                f"is a multi-frame image ({scan_.frames} frames): label maps are matched to "
                "single-frame files; give per-file masks for multi-frame images", name
            )
        rows, columns = scan_.number(_IMAGE_ROWS), scan_.number(_IMAGE_COLUMNS)
        if (rows, columns) != (ny, nx):
            raise GeometryError(
                f"is {columns}x{rows} (columns x rows), the label map {v.name} is {nx}x{ny}", name
            )
        ipp, iop, spacing = scan_.numbers(_IPP), scan_.numbers(_IOP), scan_.numbers(_PIXEL_SPACING)
        missing = [t for t, x, n in (("Image Position (Patient)", ipp, 3), ("Image Orientation (Patient)", iop, 6),
                                     ("Pixel Spacing", spacing, 2)) if x is None or len(x) != n]
        if missing:
            raise GeometryError(f"has no usable {', '.join(missing)}: a label map is matched by geometry", name)
        want = (v.spacing[1], v.spacing[0])  # PixelSpacing is row spacing \ column spacing
        if any(abs(a - b) > 1e-3 * max(1.0, abs(b)) for a, b in zip(spacing, want)):
            raise GeometryError(
                f"Pixel Spacing {spacing[0]:.6g}\\{spacing[1]:.6g} differs from the label map's "
                f"{want[0]:.6g}\\{want[1]:.6g} (row \\ column, mm)", name
            )
        directions = (*v.direction[0], *v.direction[1])
        worst = max(abs(a - b) for a, b in zip(iop, directions))
        if worst > 1e-3:
            raise GeometryError(
                f"Image Orientation (Patient) {_fmt(iop)} differs from the label map's row and column "
                f"directions {_fmt(directions)} by up to {worst:.3g} (tolerance 1e-3)", name
            )
        depth = _dot(ipp, self.normal)
        k_float = (depth - self.base) / self.step
        k = round(k_float)
        first, last = self.base, self.base + (nz - 1) * self.step
        if not 0 <= k < nz:
            raise GeometryError(
                f"Image Position (Patient) {_fmt(ipp)} is at {depth:.6g} mm along the normal, outside "
                f"the label map's {nz} slices ({min(first, last):.6g} to {max(first, last):.6g} mm)", name
            )
        off = abs(k_float - k) * abs(self.step)
        if off > max(1e-3, 0.01 * abs(self.step)):
            lo = int(k_float // 1)
            if lo < 0 or lo + 1 >= nz:
                raise GeometryError(
                    f"Image Position (Patient) {_fmt(ipp)} is at {depth:.6g} mm along the normal, outside "
                    f"the label map's {nz} slices ({min(first, last):.6g} to {max(first, last):.6g} mm)", name
                )
            raise GeometryError(
                f"Image Position (Patient) {_fmt(ipp)} is at {depth:.6g} mm along the normal, between "
                f"label slices {lo} and {lo + 1} ({self.base + lo * self.step:.6g} and "
                f"{self.base + (lo + 1) * self.step:.6g} mm)", name
            )
        expected = v.position(k)
        shift = [a - b for a, b in zip(ipp, expected)]
        if max(abs(d) for d in shift) > max(1e-3, 0.01 * min(v.spacing[0], v.spacing[1])):
            raise GeometryError(
                f"Image Position (Patient) {_fmt(ipp)} is shifted by {_fmt(shift)} mm from label slice "
                f"{k}'s first voxel {_fmt(expected)}", name
            )
        return k

    def planes(self, scan_: DicomScan) -> list[MaskPlane]:
        """One :class:`MaskPlane` per label for the slice file *scan_* shows (may be empty)."""
        k = self.slice_index(scan_)
        data = self.volume.slice_data(k)
        source = self.volume.name or "label map"
        if kernels.all_zero(data):  # a slice without labels (most of a lesion's map): no comparisons
            empty = bytes(len(data) // kernels.itemsize(self.volume.dtype))
            masks = {value: empty for value in self.labels}
        else:
            masks = {value: data if self._data_is_mask else kernels.equal_mask(data, self.volume.dtype, value)
                     for value in self.labels}
        return [
            MaskPlane(masks[value], self.names[value], f"label {_label_text(value)} of {source}"[:64])
            for value in self.labels
        ]


def add_label_overlays(item: NamedInput | DicomScan, matcher: LabelMatcher,
                       options: OverlayOptions | None = None) -> tuple[bytes, bool]:
    """``(Part 10 bytes, any pixel set)``: *item* with one plane per label of *matcher*."""
    scan_ = item if isinstance(item, DicomScan) else scan(item)
    planes = matcher.planes(scan_)
    return add_overlays(scan_, planes, options), any(_any_set(p.mask) for p in planes)


def _any_set(mask) -> bool:
    return not kernels.all_zero(mask)


# -- listing, job ----------------------------------------------------------------------------


def describe_overlays(item: NamedInput | DicomScan) -> list[dict]:
    """The overlay planes of DICOM file *item*, JSON-ready, for the page.

    Read from a header scan (:func:`scan`, no pydicom parsing, Pixel Data not
    read). Each: ``group`` (int), ``label``, ``description``, ``rows``,
    ``columns``, ``frames``, ``type``, ``origin`` and ``count`` (set pixels over
    all frames; None for an overlay embedded in Pixel Data, which has no
    (60xx,3000) *Overlay Data*).
    """
    scan_ = item if isinstance(item, DicomScan) else scan(item, header_only=True)
    fmt = "<" if scan_.little else ">"
    out = []
    for group in scan_.overlay_groups():
        base = group << 16
        rows, columns = scan_.number(base | _ROWS), scan_.number(base | _COLUMNS)
        if rows is None or columns is None:
            continue  # a 60xx group without an overlay plane (e.g. only a group length)
        frames = scan_.number(base | _FRAMES, "IS") or 1
        origin_raw = scan_.raw(base | _ORIGIN) or b""
        origin = list(struct.unpack(fmt + "hh", origin_raw)) if len(origin_raw) == 4 else [1, 1]
        data = scan_.raw(base | _DATA)
        count = None
        if data is not None:
            total = rows * columns * frames
            if not scan_.little and len(data) % 2 == 0:  # OW words in the file's byte order
                data = kernels.byteswap(data, 2)
            packed = data[: (total + 7) // 8]
            count = (int.from_bytes(packed, "little") & ((1 << total) - 1)).bit_count()
        out.append({
            "group": group, "label": scan_.decoded(base | _LABEL),
            "description": scan_.decoded(base | _DESCRIPTION),
            "rows": rows, "columns": columns, "frames": frames,
            "type": (scan_.text(base | _TYPE) or "G").strip(), "origin": origin, "count": count,
        })
    return out


def output_names(names: list[str]) -> list[str]:
    """Output file names: each input's base name, made unique with ``_2``, ``_3``..."""
    out, used = [], set()
    for name in names:
        base = name.replace("\\", "/").rsplit("/", 1)[-1] or "file.dcm"
        candidate, n = base, 1
        while candidate.lower() in used:
            n += 1
            stem_, dot, ext = base.rpartition(".")
            candidate = f"{stem_}_{n}.{ext}" if dot and stem_ else f"{base}_{n}"
        used.add(candidate.lower())
        out.append(candidate)
    return out


_JOB_OPTIONS = {"type", "keep_uids", "replace", "remove_groups", "series_uid", "series_suffix",
                "uid_prefix", "labels", "label_names", "masks"}


def overlay_options(options: dict) -> OverlayOptions:
    """OverlayOptions from a job's options dict (unknown keys are an OptionsError)."""
    unknown = sorted(set(options) - _JOB_OPTIONS)
    if unknown:
        raise OptionsError(f"unknown overlay option(s): {', '.join(unknown)}")
    known = {"type", "keep_uids", "replace", "remove_groups", "series_uid", "series_suffix", "uid_prefix"}
    return OverlayOptions(**{k: v for k, v in options.items() if k in known and v is not None})


def overlay_job(inputs: list[NamedInput], options: dict):
    """DICOM files + one label map (or ``options["masks"]``) -> the files with overlays.

    Inputs are DICOM files plus at most one label-map volume (NRRD, NIfTI,
    MetaImage, VTK; its data file too for two-file formats), or DICOM files plus
    ``options["masks"]``: SOP Instance UID -> mask bytes (``rows*columns*frames``,
    nonzero = set) or a list of such masks (one plane each), or DICOM files alone
    with ``replace`` or ``remove_groups`` (existing overlays removed, none added;
    a file without any of them is an error for that file). Other options:
    :class:`OverlayOptions` fields, ``labels`` (label values to draw) and
    ``label_names`` (value -> Overlay Label).

    Yields one ``file`` event per output (the input's base name), ``progress``
    events, an ``error`` event per bad input (the rest go on), ``warning`` events,
    and a final ``result`` summary. A bad label map or option stops the job
    (raised, so :func:`dicomforge.jobs.start` turns it into ``failed``).
    """
    from dicomforge.formats import detect_format, read_volume

    chosen = overlay_options(options)
    masks = options.get("masks")
    kinds = {item.name: detect_format(item) for item in inputs}
    volumes = [i for i in inputs if kinds[i.name] not in (None, "dicom")]
    two_file = any(i.name.lower().endswith((".nhdr", ".mhd", ".hdr")) for i in volumes)
    dicoms = [i for i in inputs if kinds[i.name] == "dicom" or (kinds[i.name] is None and not two_file)]
    if masks is not None and volumes:
        raise OptionsError("give either a label map or per-file masks, not both")
    if len(volumes) > 1:
        raise OptionsError(f"give at most one label map, got {len(volumes)}: {', '.join(v.name for v in volumes)}")
    matcher = None
    if volumes:
        partners = {i.name: i for i in inputs if i.name != volumes[0].name and kinds[i.name] != "dicom"}
        try:
            volume = read_volume(volumes[0], partners)
        except DicomForgeError as error:
            raise error.with_file(volumes[0].name)
        try:
            matcher = LabelMatcher(volume, _label_values(options.get("labels")), options.get("label_names"))
        except DicomForgeError as error:
            raise error.with_file(volumes[0].name)
        for warning in volume.warnings:
            yield {"type": "warning", "file": volume.name, "message": warning}
    elif masks is None and not (chosen.replace or chosen.remove_groups):
        raise OptionsError(
            "give a label map (NRRD, NIfTI, MetaImage, VTK) or per-file masks with the DICOM files, "
            "or choose existing overlays to remove"
        )
    if not dicoms:
        raise OptionsError("no DICOM files among the inputs")

    names = output_names([i.name for i in dicoms])
    used_uids, empty, written = set(), [], 0
    total = len(dicoms)
    for done, (item, out_name) in enumerate(zip(dicoms, names), start=1):
        try:
            if kinds[item.name] is None:
                raise UnsupportedError("unrecognised format: not DICOM (no 'DICM' at byte 128)", item.name)
            scan_ = scan(item)
            if matcher is not None:
                data, any_set = add_label_overlays(scan_, matcher, chosen)
                if not any_set:
                    empty.append(item.name)
            elif masks is None:  # only removing existing overlays
                data = remove_overlays(scan_, chosen)
            else:
                uid = scan_.text(_SOP_INSTANCE)
                given = masks.get(uid) if uid else None
                if given is None:
                    raise InputError(f"no mask given for its SOP Instance UID {uid}", item.name)
                used_uids.add(uid)
                data = add_overlays(scan_, _mask_planes(given, scan_), chosen)
            yield {"type": "file", "name": out_name, "data": data}
            written += 1
        except DicomForgeError as error:
            yield {"type": "error", **error.with_file(item.name).to_dict()}
        yield {"type": "progress", "done": done, "total": total, "file": item.name}
    if empty:
        yield {
            "type": "warning", "file": matcher.volume.name,
            "message": f"{len(empty)} of {total} files show slices without any of the labels: "
                       "their overlay planes are empty",
        }
    if masks is not None:
        unused = len(set(masks) - used_uids)
        if unused:
            yield {"type": "warning", "file": "",
                   "message": f"{unused} mask(s) match no SOP Instance UID among the DICOM files"}
    yield {"type": "result", "file": matcher.volume.name if matcher else "", "value": {
        "files": written, "failed": total - written,
        "labels": [matcher.names[v] for v in matcher.labels] if matcher else [],
        "seriesInstanceUID": chosen.series_uid or None,
    }}


def _label_values(labels) -> list | None:
    """The ``labels`` option as numbers (ints where integral); None for "all"."""
    if not labels:
        return None
    values = []
    for value in labels:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise OptionsError(f"label {value!r} is not a number") from None
        values.append(int(number) if number.is_integer() else number)
    return values


def _mask_planes(given, scan_: DicomScan) -> list[MaskPlane]:
    """Per-file masks (bytes, or a list of bytes) -> planes; an all-zero mask is an error."""
    masks = [given] if isinstance(given, (bytes, bytearray, memoryview)) else list(given)
    planes = [MaskPlane(m, "mask" if len(masks) == 1 else f"mask {i}", "") for i, m in enumerate(masks, start=1)]
    _check_masks(scan_, planes)
    for plane in planes:
        if not _any_set(plane.mask):
            raise InputError(f"{plane.label} is empty (no nonzero pixel): nothing to draw", scan_.name)
    return planes
