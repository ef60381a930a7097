"""What a store says about its volume beside the voxels: geometry, rescale and DICOM attributes.

Under the array's ``attributes["dicomforge"]``:

- ``space`` ("LPS"), ``origin`` (mm, the centre of voxel 0), ``spacing`` (x, y, z in mm),
  ``direction`` (three unit LPS vectors: the directions in which x, y and z grow), ``rescale``
  (slope, intercept);
- ``dicom`` when the volume came from a DICOM series: ``shared`` (the attributes every slice has
  alike) and ``perSlice`` (a list, one object per z, with the rest), both in the DICOM JSON
  model of PS3.18 F.2 (pydicom's ``to_json_dict``), Pixel Data and the file meta left out.

The group above the array carries the OME-Zarr (NGFF 0.5) ``multiscales`` for OME readers
(:func:`ngff_attributes`); the geometry there is axis-aligned scale and translation only,
so the direction lives here.
"""

from __future__ import annotations

import json
import math

from dicomforge.errors import GeometryError, InputError, plain_reason
from dicomforge.volume import Volume

__all__ = ["geometry_attributes", "volume_geometry", "dicom_attributes", "ngff_attributes", "SliceAttributes"]

KEY = "dicomforge"
_SKIPPED_GROUPS = (0x0002, 0x7FE0, 0xFFFC)  # file meta, Pixel Data, trailing padding


def geometry_attributes(volume: Volume) -> dict:
    """The ``dicomforge`` attributes of *volume* (without DICOM attributes)."""
    return {"space": "LPS", "origin": list(volume.origin), "spacing": list(volume.spacing),
            "direction": [list(axis) for axis in volume.direction], "rescale": list(volume.rescale)}


def _vector(value, what: str, where: str) -> tuple:
    if not (isinstance(value, list) and len(value) == 3
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        raise InputError(f"{where}: {KEY}.{what} must be three numbers, got {json.dumps(value)[:80]}")
    if not all(math.isfinite(v) for v in value):
        raise GeometryError(f"{where}: {KEY}.{what} holds NaN or infinite values: {value}")
    return tuple(float(v) for v in value)


def volume_geometry(attributes: dict, where: str) -> dict:
    """Keyword arguments of :class:`Volume` (origin, spacing, direction, rescale) from the
    ``dicomforge`` attributes; identity geometry with 1 mm voxels when there are none."""
    own = attributes.get(KEY)
    if own is None:
        return {}
    if not isinstance(own, dict):
        raise InputError(f"{where}: attributes.{KEY} is not a JSON object")
    if own.get("space", "LPS") != "LPS":
        raise InputError(f"{where}: {KEY}.space {own.get('space')!r} is not 'LPS'")
    found = {}
    if "origin" in own:
        found["origin"] = _vector(own["origin"], "origin", where)
    if "spacing" in own:
        found["spacing"] = _vector(own["spacing"], "spacing", where)
    if "direction" in own:
        axes = own["direction"]
        if not isinstance(axes, list) or len(axes) != 3:
            raise InputError(f"{where}: {KEY}.direction must be three vectors")
        found["direction"] = tuple(_vector(axis, "direction", where) for axis in axes)
    if "rescale" in own:
        slope, intercept = (own["rescale"] + [None, None])[:2] if isinstance(own["rescale"], list) else (None, None)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (slope, intercept)):
            raise InputError(f"{where}: {KEY}.rescale must be [slope, intercept], got {own['rescale']!r}")
        found["rescale"] = (float(slope), float(intercept))
    return found


class SliceAttributes:
    """A DICOM series' attributes as the store keeps them: shared, and per slice.

    Attributes
    ----------
    shared : dict
        DICOM JSON of the attributes every slice has alike.
    per_slice : list of dict
        DICOM JSON of the rest, one per slice (z order).
    """

    def __init__(self, shared: dict, per_slice: list) -> None:
        self.shared, self.per_slice = shared, per_slice

    def header(self, k: int):
        """Slice *k*'s attributes as a pydicom Dataset (no Pixel Data)."""
        from pydicom.dataset import Dataset

        try:
            return Dataset.from_json({**self.shared, **self.per_slice[k]})
        except Exception as exc:  # pydicom raises many types for malformed JSON
            raise InputError(f"{KEY}.dicom of slice {k} is not valid DICOM JSON ({plain_reason(exc)})") from None

    def to_json(self) -> dict:
        return {"shared": self.shared, "perSlice": self.per_slice}

    @classmethod
    def from_attributes(cls, attributes: dict, slices: int, where: str) -> "SliceAttributes | None":
        """The DICOM attributes of a store (None when it has none), checked for form."""
        found = (attributes.get(KEY) or {}).get("dicom") if isinstance(attributes.get(KEY), dict) else None
        if found is None:
            return None
        shared, per_slice = (found.get("shared"), found.get("perSlice")) if isinstance(found, dict) else (None, None)
        if not isinstance(shared, dict) or not isinstance(per_slice, list) or not all(isinstance(s, dict) for s in per_slice):
            raise InputError(f"{where}: {KEY}.dicom must hold 'shared' (an object) and 'perSlice' (a list of objects)")
        if len(per_slice) != slices:
            raise InputError(f"{where}: {KEY}.dicom.perSlice has {len(per_slice)} entries, the array {slices} slices")
        return cls(shared, per_slice)


def _json_of(header, dropped: set) -> dict:
    """*header*'s elements in the DICOM JSON model, without the file meta and Pixel Data; the
    tags of elements whose values cannot be expressed (not valid for their VR) go to *dropped*."""
    from pydicom.dataset import Dataset

    kept = Dataset()
    for tag in header.keys():
        if (tag >> 16) not in _SKIPPED_GROUPS:
            kept[tag] = header.get_item(tag)
    kept.set_original_encoding(*header.original_encoding, header.original_character_set)
    found = kept.to_json_dict(bulk_data_threshold=1 << 30, bulk_data_element_handler=None, suppress_invalid_tags=True)
    dropped.update(f"({t >> 16:04X},{t & 0xFFFF:04X})" for t in kept.keys() if f"{int(t):08X}" not in found)
    return found


def dicom_attributes(headers: list, warnings: list | None = None) -> SliceAttributes:
    """The attributes of a series' slice *headers* (z order), split into shared and per slice;
    *warnings* gets a line naming the attributes that could not be kept."""
    dropped: set = set()
    slices = [_json_of(h, dropped) for h in headers]
    if dropped and warnings is not None:
        warnings.append(f"{len(dropped)} attribute(s) hold values not valid for their VR and are not kept in the "
                        f"store: {', '.join(sorted(dropped)[:10])}")
    keys = sorted({k for s in slices for k in s})
    first = slices[0]
    shared = {k: first[k] for k in keys if all(k in s and s[k] == first[k] for s in slices)}
    per_slice = [{k: v for k, v in s.items() if k not in shared} for s in slices]
    return SliceAttributes(shared, per_slice)


def ngff_attributes(volume: Volume, name: str, path: str = "0") -> dict:
    """OME-Zarr 0.5 ``ome`` attributes of the group above array *path* (axes z, y, x in mm)."""
    dx, dy, dz = volume.spacing
    ox, oy, oz = volume.origin
    return {"version": "0.5", "multiscales": [{
        "name": name,
        "axes": [{"name": axis, "type": "space", "unit": "millimeter"} for axis in ("z", "y", "x")],
        "datasets": [{"path": path, "coordinateTransformations": [
            {"type": "scale", "scale": [dz, dy, dx]}, {"type": "translation", "translation": [oz, oy, ox]}]}],
    }]}
