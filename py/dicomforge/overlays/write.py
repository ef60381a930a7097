"""New overlay planes spliced into a Part 10 file (and existing ones removed), Pixel Data untouched.

:func:`add_overlays` returns a new file made by *splicing* the input's bytes: the header
scan (:func:`~dicomforge.dicom.scan.scan`) finds the top-level elements in the file's own
transfer syntax, and the output is the input's bytes with the new 60xx elements inserted
in tag order and the few derived-copy elements replaced in place. Pixel Data is never
decoded; every other element keeps its bytes. Deflated files are inflated, spliced and
deflated again. Why not pydicom's writer: it would parse and re-encode every element of
every file (about ten times slower for a 500-file series in the browser) and may change
bytes the user did not ask to change.

Decisions, each written where it is implemented:

* Derived copy (``keep_uids=False``, the default): new (0008,0018) *SOP Instance UID*
  (and (0002,0003) in the file meta), one new (0020,000E) *Series Instance UID* shared by
  every output made with the same :class:`~dicomforge.overlays.options.OverlayOptions`,
  (0008,103E) *Series Description* suffixed " (overlays)", (0008,2111) *Derivation
  Description* (appended to an existing one) and (0008,2112) *Source Image Sequence*
  with one item referencing the source instance (an existing sequence is replaced).
  Image Type and everything else stay as they are.
* Groups: the first free even groups 6000-601E, in order; more than 16 planes in one
  file (existing ones kept + new) is an :class:`OptionsError`.
"""

from __future__ import annotations

import struct
import zlib
from bisect import bisect_right
from functools import lru_cache

from dicomforge import __version__, kernels
from dicomforge.dicom import tags
from dicomforge.dicom.encode import element, pad, text_bytes
from dicomforge.dicom.scan import DicomScan, scan
from dicomforge.dicom.uids import new_uid
from dicomforge.errors import InputError, OptionsError
from dicomforge.inputs import NamedInput

from .options import MaskPlane, OverlayOptions

__all__ = ["add_overlays", "remove_overlays", "check_masks"]

OVERLAY_GROUPS = tags.OVERLAY_GROUPS
_ROWS, _COLUMNS, _FRAMES = tags.OVERLAY_ROWS, tags.OVERLAY_COLUMNS, tags.OVERLAY_FRAMES
_DESCRIPTION, _TYPE, _ORIGIN = tags.OVERLAY_DESCRIPTION, tags.OVERLAY_TYPE, tags.OVERLAY_ORIGIN
_FRAME_ORIGIN, _BITS_ALLOCATED, _BIT_POSITION = tags.OVERLAY_FRAME_ORIGIN, tags.OVERLAY_BITS_ALLOCATED, tags.OVERLAY_BIT_POSITION
_LABEL, _DATA = tags.OVERLAY_LABEL, tags.OVERLAY_DATA
_SOP_CLASS, _SOP_INSTANCE, _SPECIFIC_CHARSET = tags.SOP_CLASS_UID, tags.SOP_INSTANCE_UID, tags.SPECIFIC_CHARACTER_SET
_SERIES_DESCRIPTION, _DERIVATION = tags.SERIES_DESCRIPTION, tags.DERIVATION_DESCRIPTION
_SOURCE_IMAGES, _SERIES_UID = tags.SOURCE_IMAGE_SEQUENCE, tags.SERIES_INSTANCE_UID
_NUMBER_OF_FRAMES, _IMAGE_ROWS, _IMAGE_COLUMNS = tags.NUMBER_OF_FRAMES, tags.ROWS, tags.COLUMNS

_encode, _pad, _text_bytes = element, pad, text_bytes


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


def check_masks(scan_: DicomScan, planes: list) -> tuple[int, int, int]:
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
    rows, columns, frames = check_masks(scan_, planes)
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
        sop_uid = new_uid(options.uid_prefix)
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
    at = bisect_right(scan_.tag_order, tag)
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

