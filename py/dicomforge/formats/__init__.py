"""Volume readers: NRRD, NIfTI, MetaImage, VTK legacy and DICOM series -> :class:`Volume` (LPS).

Zarr v3 stores (a ``.zarr.zip``, or a dropped ``.zarr`` folder's ``zarr.json`` with the
folder's files as partners) are read by :mod:`dicomforge.zarr`.

Every reader is pure Python + the standard library (pydicom for DICOM), because
numpy, nibabel, pynrrd and SimpleITK are not available in the browser.

:func:`read_volume` detects the format by content first (magic numbers and
header keywords), by file name second, and hands two-file formats
(``.mhd`` + ``.raw``, ``.nhdr`` + data, ``.hdr`` + ``.img``) their *partners*.
"""

from __future__ import annotations

import re
import zlib

from dicomforge.errors import UnsupportedError
from dicomforge.inputs import NamedInput
from dicomforge.kinds import format_by_name
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.volume import Volume

from . import _common, dicom_series, metaimage, nifti, nrrd, seg_input, vtk, zarr_input
from .dicom_series import read_dicom_series, series_volumes

__all__ = ["read_volume", "detect_format", "read_dicom_series", "series_volumes", "READERS", "UNRECOGNISED"]

UNRECOGNISED = "unrecognised format: not NRRD, NIfTI, MetaImage, VTK legacy, Zarr or DICOM"

#: The one-file and two-file volume readers: ``read(item, partners, header_only=, budget=)``.
READERS = {
    "nrrd": nrrd.read,
    "nifti": nifti.read,
    "metaimage": metaimage.read,
    "vtk": vtk.read,
    "zarr": zarr_input.read,
    "seg": seg_input.read,
}

_METAIMAGE = re.compile(rb"^\s*(ObjectType\s*=\s*Image|NDims\s*=)", re.MULTILINE | re.IGNORECASE)


def _by_content(data) -> str | None:
    head = bytes(data[:1024])
    if head.startswith(b"NRRD000"):
        return "nrrd"
    if nifti.header_kind(data) is not None:
        return "nifti"
    if head.startswith(b"\x1f\x8b"):
        try:
            inner = zlib.decompressobj(31).decompress(bytes(data[:65536]), 1024)
        except zlib.error:
            return None
        return "nifti" if nifti.header_kind(inner) is not None else None
    if head[128:132] == b"DICM":
        from dicomforge.dicom.scan import sop_class_of
        from dicomforge.dicom.uids import SEGMENTATION_CLASSES

        return "seg" if sop_class_of(NamedInput("", data)) in SEGMENTATION_CLASSES else "dicom"
    if head.lstrip().startswith(b"# vtk DataFile"):
        return "vtk"
    if _METAIMAGE.search(head):
        return "metaimage"
    if head.startswith(b"PK\x03\x04"):
        from dicomforge.zarr.store import is_zip_store

        return "zarr" if is_zip_store(data) else None
    return None


def detect_format(item: NamedInput) -> str | None:
    """``"nrrd"``, ``"nifti"``, ``"metaimage"``, ``"vtk"``, ``"zarr"``, ``"seg"`` (a DICOM
    Segmentation, read as a label map), ``"dicom"`` or None.

    The content decides first (so a NIfTI file named ``.dat`` is NIfTI); the
    file name only when the content is not recognised (a ``.img`` holds no header).
    """
    if zarr_input.is_store_metadata(item):
        return "zarr"
    return _by_content(item.data) or format_by_name(item.name)


def read_volume(
    item: NamedInput, partners: dict[str, NamedInput] | None = None, *, header_only: bool = False,
    budget: int = PLATFORM_MAX_BYTES,
) -> Volume:
    """Read *item* into a :class:`Volume` in LPS.

    Parameters
    ----------
    item : NamedInput
        The file to read.
    partners : dict, optional
        The other dropped files by name, for two-file formats and DICOM series.
    header_only : bool
        Read the header and geometry only (``volume.data`` is None): what describing
        an input needs, without touching (or having) its voxels. *item* may then hold
        only the start of the file, as long as the header is in it. DICOM series are
        always read whole.
    budget : int
        The most bytes the volume (or any inflated data) may take (:mod:`dicomforge.limits`).

    Raises
    ------
    UnsupportedError
        "unrecognised format" when neither content nor name identifies it.
    InputError, MissingPartnerError, GeometryError
        From the reader, naming the file.
    """
    kind = detect_format(item)
    if kind is None:
        raise UnsupportedError(UNRECOGNISED, item.name)
    if kind == "dicom":
        return dicom_series.read(item, partners, budget)
    if header_only or item.partial:
        return READERS[kind](item, partners, header_only=header_only, budget=budget)
    remembered = item.memo.get("volume")
    if remembered is not None:  # (read by an earlier job, maybe with a larger budget)
        _common.check_size(item.name, remembered.size, remembered.components, remembered.dtype, None, budget)
        return remembered
    watched = _WatchedPartners(partners or {})
    volume = READERS[kind](item, watched, budget=budget)
    if not watched.used and memoryview(volume.data).nbytes <= REMEMBER_BYTES:
        item.memo["volume"] = volume
    return volume


#: A one-file volume up to this size is kept with its input once read (``item.memo``):
#: describing a label map and then drawing it decodes it once. Volumes are not modified
#: after reading, so the jobs can share one.
REMEMBER_BYTES = 64 << 20


class _WatchedPartners(dict):
    """The partners dict, noting whether a reader looked at it: a volume read with a
    partner's bytes depends on more than its own input and is not remembered with it."""

    used = False

    def items(self):
        self.used = True
        return super().items()

    def values(self):
        self.used = True
        return super().values()

    def keys(self):
        self.used = True
        return super().keys()

    def get(self, key, default=None):
        self.used = True
        return super().get(key, default)

    def __getitem__(self, key):
        self.used = True
        return super().__getitem__(key)

    def __iter__(self):
        self.used = True
        return super().__iter__()

    def __contains__(self, key):
        self.used = True
        return super().__contains__(key)
