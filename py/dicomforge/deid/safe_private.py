"""Which private attributes the Retain Safe Private Option keeps (PS3.15 E.3.10).

Two sources say a private attribute is safe: the list of attributes known to be safe
(``safe_private.tsv`` beside this module, from PixelMed's list, the reference implementation of
PS3.15 Table E.3.10-1: see its ``#`` lines and ``py/tools/safe_private_table.py``), and the
instance itself, whose Private Data Element Characteristics Sequence (0008,0300) may declare
a block SAFE, or MIXED with its Nonidentifying Private Elements (0008,0304) (PS3.3 C.12.1.1.7).
A block is named by its group and Private Creator, so a listed element whose block was
reserved by another creator is not safe. pydicom and highdicom leave Retain Safe Private to
their caller, hence this module.

An element kept whose encoding hides its value (VR UN, as in implicit VR files with no
private dictionary entry) is re-read with the VR the list gives: a UID becomes a UI value,
so the batch's UID map replaces it like any other, and a sequence becomes items the profile
walks like any other; one that cannot be re-read is not kept. Where no VR is known (a block
declared safe, a list entry without one), a value that reads as UIDs is taken as UIDs, so a
safe block never carries an original UID past the map.
"""

from __future__ import annotations

import functools
import io
import re

from pydicom.charset import convert_encodings
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.filereader import read_sequence
from pydicom.multival import MultiValue

from dicomforge.dicom.tags import block_creator

from .table import read_table

__all__ = ["SafePrivate", "load_safe_list"]

_COLUMNS = ("creator", "group", "element", "vr", "meaning")
# UIDs as bytes: dotted digits (two dots at least, so no DS value matches), backslash-separated, padded
_UIDS = re.compile(rb"[0-9]+(\.[0-9]+){2,}(\\[0-9]+(\.[0-9]+){2,})*[ \0]?")


@functools.cache
def load_safe_list() -> dict[tuple[int, str], dict[int, str]]:
    """``{(group, creator): {element in block: VR}}`` from ``safe_private.tsv``, read once."""
    safe: dict[tuple[int, str], dict[int, str]] = {}
    for _, (creator, group, element, vr, _meaning) in read_table("safe_private.tsv", _COLUMNS):
        first, _, last = element.partition("-")
        block = safe.setdefault((int(group, 16), creator), {})
        for number_in_block in range(int(first, 16), int(last or first, 16) + 1):
            block[number_in_block] = vr
    return safe


def _declared(ds: Dataset) -> dict[tuple[int, str], frozenset[int] | None]:
    """Blocks the instance declares safe: ``(group, creator) -> None`` (all of the block, SAFE)
    or the element numbers of a MIXED block that identify no one."""
    declared: dict[tuple[int, str], frozenset[int] | None] = {}
    for item in ds.get("PrivateDataElementCharacteristicsSequence", None) or ():
        group, creator = item.get("PrivateGroupReference"), item.get("PrivateCreatorReference")
        status = str(item.get("BlockIdentifyingInformationStatus", "") or "").strip().upper()
        if group is None or not creator:
            continue
        key = (int(group), str(creator).strip())
        if status == "SAFE":
            declared[key] = None
        elif status == "MIXED":
            listed = item.get("NonidentifyingPrivateElements", None)
            values = [] if listed is None else listed if isinstance(listed, (list, MultiValue)) else [listed]
            declared[key] = frozenset(int(v) & 0xFF for v in values)
    return declared


class SafePrivate:
    """The private attributes of one instance that Retain Safe Private keeps.

    Parameters
    ----------
    ds : Dataset
        The instance (its top level): the blocks it declares safe in (0008,0300) count at
        every depth, a block being named by group and creator wherever it is.
    """

    def __init__(self, ds: Dataset) -> None:
        self.listed = load_safe_list()
        self.declared = _declared(ds)

    def kept(self, ds: Dataset, elem: DataElement) -> DataElement | None:
        """*elem* (a private, non-creator element of *ds*) as it is kept, re-read where its
        VR is UN and the list gives another; None where it is not known to be safe."""
        tag = elem.tag
        creator = block_creator(ds, int(tag))
        if not creator:
            return None
        number = tag.element & 0xFF
        key = (tag.group, creator)
        vr = self.listed.get(key, {}).get(number)
        if vr is None:
            if key not in self.declared or not (self.declared[key] is None or number in self.declared[key]):
                return None
            vr = ""
        return _as(elem, vr, ds)


def _as(elem: DataElement, vr: str, ds: Dataset) -> DataElement | None:
    """*elem* with the VR *vr* where it came as UN ("": unknown, UIDs if its bytes read as
    such); None where its bytes are not that VR."""
    if elem.VR != "UN" or not isinstance(elem.value, bytes):
        return elem
    raw = elem.value
    if vr == "" and _UIDS.fullmatch(raw):
        vr = "UI"
    try:
        if vr == "SQ":  # (PS3.5 6.2.2: a sequence in UN is implicit VR little endian)
            encodings = convert_encodings(ds.get("SpecificCharacterSet") or "ISO_IR 6")
            value = read_sequence(io.BytesIO(raw), True, True, len(raw), encodings)
        elif vr == "UI":
            text = raw.decode("ascii").rstrip(" \0")
            value = text.split("\\") if "\\" in text else text
        else:
            return elem  # (numbers and text of no identifying kind: kept as they came)
    except (ValueError, UnicodeDecodeError, EOFError, NotImplementedError, TypeError, KeyError):
        return None
    return DataElement(elem.tag, vr, value)
