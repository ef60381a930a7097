"""Label maps on the grid of a DICOM series: which label-map slice each file shows, and its masks.

:class:`LabelMatcher` matches each file to a slice BY GEOMETRY, not by file order (files
without any geometry, by Instance Number order, see :meth:`LabelMatcher.place`); a
file whose slice holds none of a chosen label gets an *empty* plane for it, so that
every file of the derived series carries the same planes (the overlay job reports how
many such files there were in one warning).
"""

from __future__ import annotations

from dicomforge import kernels
from dicomforge.dicom import tags
from dicomforge.dicom.scan import DicomScan, scan
from dicomforge.errors import DicomForgeError, GeometryError, InputError, OptionsError, UnsupportedError
from dicomforge.geometry import (
    GAP_TOLERANCE, ORIENTATION_TOLERANCE, SLICE_TOLERANCE, SPACING_TOLERANCE, dot, fmt_vector, normal,
)
from dicomforge.inputs import NamedInput
from dicomforge.volume import Volume

from .options import MaskPlane, OverlayOptions
from .write import add_overlays

__all__ = ["LabelMatcher", "add_label_overlays", "any_set", "label_text"]

_IPP, _IOP, _PIXEL_SPACING = tags.IMAGE_POSITION_PATIENT, tags.IMAGE_ORIENTATION_PATIENT, tags.PIXEL_SPACING
_IMAGE_ROWS, _IMAGE_COLUMNS = tags.ROWS, tags.COLUMNS


_GEOMETRY = (("Image Position (Patient)", _IPP, 3), ("Image Orientation (Patient)", _IOP, 6),
             ("Pixel Spacing", _PIXEL_SPACING, 2))


def _lacks_geometry(scan_: DicomScan) -> bool:
    """Whether *scan_* has no (or an empty) Image Position/Orientation (Patient) or Pixel Spacing."""
    return any(not scan_.raw(tag) for _, tag, _ in _GEOMETRY)


def _order_key(scan_: DicomScan) -> tuple:
    """What tells the files of one job apart for :meth:`LabelMatcher.place`."""
    return scan_.name, scan_.text(tags.SOP_INSTANCE_UID)


def label_text(value) -> str:
    """A label value as the user wrote it: ``2`` for 2.0, ``2.5`` for 2.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class LabelMatcher:
    """Masks for DICOM files from a label-map :class:`~dicomforge.volume.Volume` on their grid.

    Each file's slice is found BY GEOMETRY, not by file order: (0020,0032) *Image
    Position (Patient)* projected on the normal of (0020,0037) *Image Orientation
    (Patient)* is matched against the label map's slice positions. The file must
    have the label map's rows and columns, (0028,0030) *Pixel Spacing*, row and
    column directions (within :data:`~dicomforge.geometry.ORIENTATION_TOLERANCE`) and
    lie nearest one of its slices, within half a voxel in the image plane
    (:data:`~dicomforge.geometry.SLICE_TOLERANCE`: scanners round positions and gaps);
    otherwise a :class:`GeometryError` says how it differs, with the numbers. Files
    without that geometry at all are matched by Instance Number order when :meth:`place`
    can.

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
                    f"label(s) {', '.join(label_text(v) for v in missing)} not present in {name} "
                    f"(labels present: {', '.join(label_text(v) for v in nonzero) or 'none'})"
                )
        self.labels = list(labels)
        # an 8-bit map holding one label and 0 is its own mask (nonzero = set): no comparison
        self._data_is_mask = volume.dtype in ("uint8", "int8") and len(self.labels) == 1 and all(
            v in (0, self.labels[0]) for v in present
        )
        names = names or {}
        self.names = {v: str(names.get(v, names.get(label_text(v), f"label {label_text(v)}"))) for v in self.labels}
        row, col, axis = volume.direction
        self.normal = normal(row, col)
        self.step = volume.spacing[2] * dot(axis, self.normal)  # mm along the normal per slice
        self.base = dot(volume.origin, self.normal)
        self._placed: dict = {}  # file -> its slice, or the error that says why none (see place)

    def place(self, scans: list[DicomScan]) -> list[str]:
        """Decide every file's slice at once; returns the warnings to give the user.

        Files with geometry are matched to their nearest slice (:meth:`slice_index`); when two
        lie nearest the same slice, the closer keeps it and the other is refused, naming it
        (a series denser than the label map). Files without any geometry get their slices by
        (0020,0013) *Instance Number* order when they are as many as the label map has slices
        (or one file for a one-slice map): old files (ACR-NEMA conversions, secondary captures)
        have no (0020,0032) *Image Position*, (0020,0037) *Image Orientation (Patient)* or
        (0028,0030) *Pixel Spacing*. Files matched neither way keep the error
        :meth:`slice_index` gives. The warnings say how far off their slices the files were
        (more than :data:`~dicomforge.geometry.GAP_TOLERANCE` of a gap) and which were matched
        by order.
        """
        warnings = []
        nearest: dict[int, tuple] = {}  # slice -> (offset, key, name)
        worst = 0.0
        for s in scans:
            if _lacks_geometry(s):
                continue
            try:
                k, off = self._locate(s)
            except DicomForgeError:
                continue
            worst = max(worst, off)
            key = _order_key(s)
            self._placed[key] = k
            held = nearest.get(k)
            if held is not None and key[1] and held[1][1] == key[1]:
                continue  # the same instance twice (two copies): both get the slice
            if held is None or off < held[0]:
                if held is not None:
                    self._placed[held[1]] = self._crowded(k, held[2], s.name)
                nearest[k] = (off, key, s.name)
            else:
                self._placed[key] = self._crowded(k, s.name, held[2])
        if worst > GAP_TOLERANCE * abs(self.step):
            warnings.append(f"files lie up to {worst:.3g} mm off the label map's slices (gaps of "
                            f"{abs(self.step):.4g} mm): each was matched to the nearest slice")
        by_order = self._match_by_order(scans)
        if by_order:
            warnings.append(by_order)
        return warnings

    def _crowded(self, k: int, name: str, other: str) -> GeometryError:
        return GeometryError(f"lies nearest label slice {k}, as {other} does, which is closer to it: the files are "
                             f"more closely spaced than the label map's slices ({abs(self.step):.4g} mm apart)", name)

    def _match_by_order(self, scans: list[DicomScan]) -> str | None:
        """The files without geometry matched by Instance Number order (see :meth:`place`);
        the warning to give, or None when none lacks geometry or their number does not fit."""
        unplaced = [(s.number(tags.INSTANCE_NUMBER, "IS"), i, s) for i, s in enumerate(scans) if _lacks_geometry(s)]
        nz = self.volume.size[2]
        if not unplaced or len(unplaced) != nz:
            return None
        unplaced.sort(key=lambda entry: (entry[0] is None, entry[0] or 0, entry[1]))
        self._placed.update({_order_key(s): k for k, (_, _, s) in enumerate(unplaced)})
        how = "as the only slice" if nz == 1 else f"by Instance Number order to the label map's {nz} slices"
        return (f"{len(unplaced)} file(s) have no Image Position/Orientation (Patient) or Pixel Spacing: "
                f"matched {how} (check that the label map follows that order)")

    def slice_index(self, scan_: DicomScan) -> int:
        """The label map slice that file *scan_* shows (as :meth:`place` decided, when it was
        called); GeometryError when none matches."""
        placed = self._placed.get(_order_key(scan_))
        if isinstance(placed, GeometryError):
            raise placed
        if placed is not None and not _lacks_geometry(scan_):
            return placed
        if placed is not None:
            self._check_size(scan_)
            return placed
        return self._locate(scan_)[0]

    def _check_size(self, scan_: DicomScan) -> None:
        v, name = self.volume, scan_.name
        nx, ny, _ = v.size
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

    def _locate(self, scan_: DicomScan) -> tuple[int, float]:
        """(nearest slice, mm off it) of a file with geometry; GeometryError when it lies on
        no slice of the label map's grid (or lacks geometry)."""
        self._check_size(scan_)
        v, name = self.volume, scan_.name
        nz = v.size[2]
        ipp, iop, spacing = values = scan_.numbers(_IPP), scan_.numbers(_IOP), scan_.numbers(_PIXEL_SPACING)
        missing = [what for (what, _, n), value in zip(_GEOMETRY, values) if len(value or ()) != n]
        if missing:
            raise GeometryError(
                f"has no usable {', '.join(missing)}: a label map is matched by geometry (or, when the files "
                f"without it are one per label slice, {nz} here, by Instance Number order)", name
            )
        want = (v.spacing[1], v.spacing[0])  # PixelSpacing is row spacing \ column spacing
        if any(abs(a - b) > SPACING_TOLERANCE * max(1.0, abs(b)) for a, b in zip(spacing, want)):
            raise GeometryError(
                f"Pixel Spacing {spacing[0]:.6g}\\{spacing[1]:.6g} differs from the label map's "
                f"{want[0]:.6g}\\{want[1]:.6g} (row \\ column, mm)", name
            )
        directions = (*v.direction[0], *v.direction[1])
        worst = max(abs(a - b) for a, b in zip(iop, directions))
        if worst > ORIENTATION_TOLERANCE:
            raise GeometryError(
                f"Image Orientation (Patient) {fmt_vector(iop)} differs from the label map's row and column "
                f"directions {fmt_vector(directions)} by up to {worst:.3g} (tolerance {ORIENTATION_TOLERANCE:g})", name
            )
        depth = dot(ipp, self.normal)
        k = round((depth - self.base) / self.step)
        if not 0 <= k < nz:
            first, last = self.base, self.base + (nz - 1) * self.step
            raise GeometryError(
                f"Image Position (Patient) {fmt_vector(ipp)} is at {depth:.6g} mm along the normal, outside "
                f"the label map's {nz} slices ({min(first, last):.6g} to {max(first, last):.6g} mm)", name
            )
        expected = v.position(k)
        shift = [a - b for a, b in zip(ipp, expected)]
        across = [dot(shift, v.direction[0]), dot(shift, v.direction[1])]  # along a row, along a column
        if any(abs(d) > SLICE_TOLERANCE * s for d, s in zip(across, v.spacing[:2])):
            raise GeometryError(
                f"Image Position (Patient) {fmt_vector(ipp)} is shifted by {fmt_vector(shift)} mm from label slice "
                f"{k}'s first voxel {fmt_vector(expected)}: more than half a voxel "
                f"({v.spacing[0]:.4g} x {v.spacing[1]:.4g} mm) in the image plane", name
            )
        return k, abs(dot(shift, self.normal))

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
            MaskPlane(masks[value], self.names[value], f"label {label_text(value)} of {source}"[:64])
            for value in self.labels
        ]


def add_label_overlays(item: NamedInput | DicomScan, matcher: LabelMatcher,
                       options: OverlayOptions | None = None) -> tuple[bytes, bool]:
    """``(Part 10 bytes, any pixel set)``: *item* with one plane per label of *matcher*."""
    scan_ = item if isinstance(item, DicomScan) else scan(item)
    planes = matcher.planes(scan_)
    return add_overlays(scan_, planes, options), any(any_set(p.mask) for p in planes)


def any_set(mask) -> bool:
    return not kernels.all_zero(mask)
