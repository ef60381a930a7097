"""The one table of input kinds: which file-name endings belong to which format, and what role.

Readers recognise inputs by content first (:func:`dicomforge.formats.detect_format`);
names decide only what content cannot (a ``.img`` or ``.raw`` holds no header). Every
place that looks at a name asks this table: format detection, the stem of an output
folder, which inputs may be the data half of a two-file volume, and the page, which
gets :func:`host_table` from the worker at start-up instead of keeping a copy.
"""

from __future__ import annotations

import os

__all__ = ["ENDINGS", "basename", "format_by_name", "role_by_name", "is_two_file_header", "stem", "host_table"]

#: ``(ending, format, role)``, longest endings first where they overlap. *role*:
#: ``"volume"`` a one-file volume, ``"header"`` the header of a two-file volume, ``"data"``
#: the data half of one (NIfTI's ``.img``, or a raw file any header may name), ``"dicom"``.
ENDINGS = (
    (".nii.gz", "nifti", "volume"),
    (".hdr.gz", "nifti", "header"),
    (".img.gz", "nifti", "data"),
    (".nii", "nifti", "volume"),
    (".hdr", "nifti", "header"),
    (".img", "nifti", "data"),
    (".nrrd", "nrrd", "volume"),
    (".nhdr", "nrrd", "header"),
    (".mha", "metaimage", "volume"),
    (".mhd", "metaimage", "header"),
    (".vtk", "vtk", "volume"),
    (".zarr.zip", "zarr", "volume"),
    (".raw.gz", None, "data"),
    (".raw", None, "data"),
    (".zraw", None, "data"),
    (".dcm", "dicom", "dicom"),
    (".dicom", "dicom", "dicom"),
    (".ima", "dicom", "dicom"),
)


def basename(name: str) -> str:
    """The last component of *name*, for either kind of path separator."""
    return os.path.basename(name.replace("\\", "/"))


def _row(name: str):
    lower = name.lower()
    for row in ENDINGS:
        if lower.endswith(row[0]):
            return row
    return None


def format_by_name(name: str) -> str | None:
    """The format a file name implies (``"nifti"`` for ``a.img``), or None."""
    row = _row(name)
    return row[1] if row else None


def role_by_name(name: str) -> str | None:
    """``"volume"``, ``"header"``, ``"data"``, ``"dicom"``, or None for a name of no known kind."""
    row = _row(name)
    return row[2] if row else None


def is_two_file_header(name: str) -> bool:
    """Whether *name* is the header of a two-file volume (``.mhd``, ``.nhdr``, ``.hdr``)."""
    return role_by_name(name) == "header"


def stem(name: str) -> str:
    """File name without folders and its kind's ending (``a/b.nii.gz`` -> ``b``; other names
    lose only ``.gz``: ``scan.1`` and ``scan.2`` stay apart; a store folder's ``scan.zarr/zarr.json``
    -> ``scan``). ``"series"`` when nothing is left."""
    base = basename(name)
    if base == "zarr.json":  # a dropped store folder's root: the folder names it (scan.zarr/zarr.json -> scan)
        folder = basename(name.replace("\\", "/").rsplit("/", 1)[0]) if "/" in name.replace("\\", "/") else ""
        base = folder[: -len(".zarr")] if folder.lower().endswith(".zarr") and len(folder) > 5 else folder or "zarr"
        return base or "series"
    row = _row(base)
    if row is None and base.lower().endswith(".gz") and len(base) > 3:
        base = base[:-3]
        row = _row(base)
    if row is not None and len(base) > len(row[0]):
        base = base[: -len(row[0])]
    return base or "series"


def host_table() -> dict:
    """What a host (the page) needs of this table: ``volumeEndings``, the endings of volume
    files (one-file volumes, headers and NIfTI data), which it sends to the worker first."""
    return {"volumeEndings": [ending for ending, kind, role in ENDINGS if kind not in (None, "dicom")]}
