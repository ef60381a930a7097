"""Tag numbers (``group << 16 | element``) that the byte-level code reads or writes.

One table, so that the scanner, the describer, the overlay writer and the label matcher
name (0028,0010) *Rows* the same way. pydicom keywords are used wherever a dataset is parsed.
:func:`block_creator` finds the Private Creator of a private element's block, for the dump and
the de-identifier alike.
"""

from __future__ import annotations

SPECIFIC_CHARACTER_SET = 0x00080005
SOP_CLASS_UID = 0x00080016
SOP_INSTANCE_UID = 0x00080018
MODALITY = 0x00080060
STUDY_DESCRIPTION = 0x00081030
SERIES_DESCRIPTION = 0x0008103E
DERIVATION_DESCRIPTION = 0x00082111
SOURCE_IMAGE_SEQUENCE = 0x00082112
REFERENCED_SOP_CLASS_UID = 0x00081150
REFERENCED_SOP_INSTANCE_UID = 0x00081155
PATIENT_NAME = 0x00100010
PATIENT_ID = 0x00100020
SERIES_INSTANCE_UID = 0x0020000E
INSTANCE_NUMBER = 0x00200013
IMAGE_POSITION_PATIENT = 0x00200032
IMAGE_ORIENTATION_PATIENT = 0x00200037
NUMBER_OF_FRAMES = 0x00280008
ROWS = 0x00280010
COLUMNS = 0x00280011
PIXEL_SPACING = 0x00280030
PIXEL_DATA = 0x7FE00010

#: File meta (group 0002, PS3.10 7.1).
META_GROUP_LENGTH = 0x00020000
MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002
MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003
TRANSFER_SYNTAX_UID = 0x00020010

#: The 16 repeating groups an overlay may use: even groups 6000-601E (PS3.5 7.6).
OVERLAY_GROUPS = tuple(range(0x6000, 0x6020, 2))

#: Elements of an overlay group (PS3.3 C.9.2, C.9.3): add them to ``group << 16``.
OVERLAY_ROWS, OVERLAY_COLUMNS, OVERLAY_FRAMES, OVERLAY_DESCRIPTION, OVERLAY_TYPE = 0x0010, 0x0011, 0x0015, 0x0022, 0x0040
OVERLAY_ORIGIN, OVERLAY_FRAME_ORIGIN, OVERLAY_BITS_ALLOCATED, OVERLAY_BIT_POSITION = 0x0050, 0x0051, 0x0100, 0x0102
OVERLAY_LABEL, OVERLAY_DATA = 0x1500, 0x3000

#: Item, item and sequence delimiters (PS3.5 7.5).
ITEM, ITEM_END, SEQUENCE_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD

#: Transfer syntaxes whose encoding the scanner must know.
IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2"
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"
DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1.99"
EXPLICIT_VR_BIG_ENDIAN = "1.2.840.10008.1.2.2"
RLE_LOSSLESS = "1.2.840.10008.1.2.5"


def block_creator(ds, tag: int) -> str | None:
    """The Private Creator of the block holding private element *tag* of *ds* ((gggg,xxyy) is in
    the block reserved by (gggg,00xx), PS3.5 7.8.1), padding stripped; None where none reserved it."""
    creator = ds.get_item(tag & 0xFFFF0000 | (tag & 0xFF00) >> 8, keep_deferred=True)
    if creator is None:
        return None
    value = creator.value or b""
    return (value if isinstance(value, str) else bytes(value).decode("latin-1")).strip(" \x00")
