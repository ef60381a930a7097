"""Which of a job's inputs go together: DICOM files into series, headers with their data files.

A job gets a flat list of named files (dropped on the page, given on the command line).
:class:`InputSet` detects each one's format once (:func:`dicomforge.formats.detect_format`:
content first, then the name's kind in :mod:`dicomforge.kinds`), groups the DICOM files
into series, and gives a two-file volume's header the files it may need as partners.
A data file (one no reader recognises, or one whose name says it holds data, like NIfTI's
``.img``) is the data half of a two-file volume when a header among the inputs claims it
(same stem, or named in the header's text, in any case as Windows and macOS match names);
it is then no volume of its own. An unclaimed file no reader recognises is an error.
"""

from __future__ import annotations

from typing import Iterator

from dicomforge.errors import DicomForgeError, InputError, UnsupportedError
from dicomforge.formats import UNRECOGNISED, detect_format, read_volume, series_volumes
from dicomforge.inputs import EMPTY, NamedInput
from dicomforge.kinds import basename, is_two_file_header, role_by_name, stem
from dicomforge.limits import PLATFORM_MAX_BYTES
from dicomforge.volume import Volume
from dicomforge.zarr.store import is_store_key, store_root

__all__ = ["InputSet", "header_volume", "waits_for_partners"]


class InputSet:
    """The inputs of one job, each with its detected format (``None``: not recognised).

    Parameters
    ----------
    inputs : list of NamedInput
        Every input of the job (names are unique within a job).
    formats : dict, optional
        Input name -> format, for inputs whose format the caller detected already.
    """

    def __init__(self, inputs: list[NamedInput], formats: dict | None = None) -> None:
        self.items = list(inputs)
        known = formats or {}
        self.formats = {item.name: known[item.name] if item.name in known else detect_format(item)
                        for item in self.items}
        self.store_roots = store_roots([item.name for item in self.items if self.formats[item.name] == "zarr"])

    @property
    def dicom(self) -> list[NamedInput]:
        """The DICOM files, in input order."""
        return [item for item in self.items if self.formats[item.name] == "dicom"]

    @property
    def volume_files(self) -> list[NamedInput]:
        """The recognised non-DICOM inputs that are volumes of their own (one-file volumes,
        headers, a NIfTI ``.img`` no header claims)."""
        return [item for item in self.items if self.formats[item.name] not in (None, "dicom") and not self.is_partner(item)]

    @property
    def has_two_file_header(self) -> bool:
        """Whether a recognised input is the header of a two-file volume."""
        return any(is_two_file_header(item.name) for item in self.volume_files)

    @property
    def unrecognised(self) -> list[str]:
        """The names of the inputs no reader recognises and no two-file header claims."""
        return [item.name for item in self.items if self.formats[item.name] is None and not self.claimed(item)]

    def in_store(self, item: NamedInput) -> bool:
        """Whether *item* is a file of a dropped Zarr store folder other than its root ``zarr.json``."""
        return any(item.name.startswith(root) and item.name != root + "zarr.json"
                   and (root or is_store_key(item.name)) for root in self.store_roots)

    def claimed(self, item: NamedInput) -> bool:
        """Whether a two-file header among the inputs (not *item* itself) has *item*'s stem or
        names it in its text, in any case, or a Zarr store folder among the inputs holds it."""
        if self.in_store(item):
            return True
        base, own = basename(item.name).lower().encode(), stem(item.name).lower()
        for header in self.items:
            if header is not item and self.formats[header.name] and is_two_file_header(header.name):
                if stem(header.name).lower() == own or base in bytes(header.data[:4096]).lower():
                    return True
        return False

    def is_partner(self, item: NamedInput) -> bool:
        """Whether *item* is the data half of a two-file volume among the inputs: a data file
        (no format of its own, or a name that says data) that a header claims."""
        if self.in_store(item):
            return True
        return (self.formats[item.name] is None or role_by_name(item.name) == "data") and self.claimed(item)

    def partners_of(self, item: NamedInput, dicom: bool = True) -> dict[str, NamedInput]:
        """The other inputs by name (without the DICOM files when *dicom* is False)."""
        return {other.name: other for other in self.items
                if other.name != item.name and (dicom or self.formats[other.name] != "dicom")}

    def volumes(self, header_only: bool = False,
                budget: int = PLATFORM_MAX_BYTES) -> Iterator[tuple[str, Volume | DicomForgeError]]:
        """``(source name, Volume or DicomForgeError)`` for every volume among the inputs.

        DICOM files are grouped into series (a file that cannot be read, or a series that
        cannot be stacked, fails alone); files no reader recognises are the data halves of
        two-file formats when a header claims them, else errors; an empty file is one.
        *header_only*: volumes without voxels where the inputs allow (see :func:`header_volume`).
        """
        empty = [item for item in self.items if item.empty]
        yield from ((item.name, InputError(EMPTY, item.name)) for item in empty)
        dicom = [item.complete() for item in self.dicom if not item.empty]
        if dicom:
            yield from series_volumes(dicom, budget)
        for item in self.items:
            kind = self.formats[item.name]
            if item.empty or kind == "dicom" or self.is_partner(item):
                continue
            if kind is None:
                yield item.name, UnsupportedError(UNRECOGNISED, item.name)
                continue
            others = self.partners_of(item)
            try:
                if header_only:
                    yield item.name, header_volume(item, others, self.formats, budget)
                else:
                    yield item.name, read_volume(item.complete(), {k: v.complete() for k, v in others.items()},
                                                 budget=budget)
            except DicomForgeError as error:
                yield item.name, error.with_file(item.name)


def waits_for_partners(item: NamedInput, kind: str | None) -> bool:
    """Whether describing *item* must wait for every input: a two-file header, a Zarr folder's
    ``zarr.json`` (its chunks may still come), or a data file (no format of its own, or a name
    that says data: a header still to come may claim it)."""
    return (kind is None or is_two_file_header(item.name) or role_by_name(item.name) == "data"
            or store_root(item.name) is not None)


def store_roots(names: list[str]) -> list[str]:
    """The folders of the Zarr stores among *names* (the Zarr inputs): each ``zarr.json`` not
    inside another one's folder roots a store (``scan.zarr/`` for ``scan.zarr/zarr.json``)."""
    roots = sorted({root for root in map(store_root, names) if root is not None}, key=len)
    kept: list[str] = []
    for root in roots:
        if not any(root.startswith(outer) for outer in kept):
            kept.append(root)
    return kept


def header_volume(item: NamedInput, partners: dict, formats: dict, budget: int = PLATFORM_MAX_BYTES) -> Volume:
    """*item*'s Volume from its header (``data`` None) when it or a partner holds only the
    start of its file, read whole when it must be.

    Whole: inputs the host gave whole with their partners (reading them costs no copy,
    and checks the data), 8-bit scalar volumes (their distinct values tell a label map),
    and inputs whose header could not be read from the start of the file alone, so that
    an error names the real problem. Only the partners a reader may take (same stem, or
    no format of their own, by *formats*) are then loaded whole.
    """
    if not (item.partial or any(p.partial for p in partners.values())):
        return read_volume(item, partners, budget=budget)
    try:
        volume = read_volume(item, partners, header_only=True, budget=budget)
    except DicomForgeError:
        pass  # (the whole file, read below, gets the error that names the real problem)
    else:
        if not (volume.components == 1 and volume.dtype in ("uint8", "int8")):
            return volume
    own = stem(item.name)
    whole = {k: v.complete() if formats.get(k) is None or stem(k) == own else v for k, v in partners.items()}
    return read_volume(item.complete(), whole, budget=budget)
