"""Volume writers: NIfTI-1 (``.nii``, ``.nii.gz``), NRRD (``.nrrd``) and MetaImage (``.mha``).

Hand-written for the reason the readers are (nibabel, pynrrd and SimpleITK need numpy or
native code the browser does not have); those three are the oracles of the tests.

- NIfTI-1: RAS as the standard has it (x and y of LPS negated), sform and qform both set to
  the scanner frame (code 1), the rescale in ``scl_slope``/``scl_inter``, units mm.
- NRRD: ``space: left-posterior-superior``, ``space directions`` and ``space origin``;
  ``kinds`` ``RGB-color`` first for colour.
- MetaImage: ``TransformMatrix`` (one axis's direction after the other, ITK's order),
  ``Offset``, ``ElementSpacing``, LPS as ITK has it.

NRRD and MetaImage have no rescale: a volume whose rescale is not the identity is written
as its real values (:func:`real_values`), float32 unless they are whole numbers int16 holds.
The export job's ``float32`` option writes real values as float32 in every format.
"""

from __future__ import annotations

import math
import struct
import zlib

from dicomforge import kernels
from dicomforge.volume import Volume

from . import metaimage, nifti, nrrd

__all__ = ["write_nifti", "write_nrrd", "write_metaimage", "real_values", "as_real_float", "WRITERS"]

def _first_name(table: dict) -> dict:
    """dtype -> the first name a reader's table gives it (the readers' tables are the one source)."""
    out: dict = {}
    for name, dtype in table.items():
        out.setdefault(dtype, name)
    return out


_NIFTI_TYPES = {dtype: code for code, (_, dtype, components) in nifti.DATATYPES.items() if dtype and components == 1}
_NRRD_TYPES = _first_name(nrrd.TYPES)
_MET_TYPES = _first_name(metaimage.ELEMENT_TYPES)


def real_values(volume: Volume, as_float: bool = False) -> tuple[object, str]:
    """``(data, dtype)``: the stored values when the rescale is the identity, else the real
    values (slope * stored + intercept), int16 when they are whole numbers it holds, else float32
    (float32 always with *as_float*)."""
    slope, intercept = volume.rescale
    if as_float:
        if volume.dtype == "float32" and (slope, intercept) == (1.0, 0.0):
            return volume.data, "float32"
        return kernels.rescale_values(volume.data, volume.dtype, slope, intercept, "float32"), "float32"
    if (slope, intercept) == (1.0, 0.0):
        return volume.data, volume.dtype
    low, high = kernels.min_max(volume.data, volume.dtype)
    ends = [slope * low + intercept, slope * high + intercept]
    whole = float(slope).is_integer() and float(intercept).is_integer() and not volume.dtype.startswith("float")
    target = "int16" if whole and all(kernels.INT16_MIN <= v <= kernels.INT16_MAX for v in ends) else "float32"
    return kernels.rescale_values(volume.data, volume.dtype, slope, intercept, target), target


def _gzip(parts: list, level: int = 1) -> list:
    engine = zlib.compressobj(level, zlib.DEFLATED, 31)
    out = [engine.compress(part) for part in parts]
    out.append(engine.flush())
    return out


def _ras_columns(volume: Volume) -> list:
    """The three voxel axes (direction * spacing) in RAS."""
    return [[-d[0] * s, -d[1] * s, d[2] * s] for d, s in zip(volume.direction, volume.spacing)]


def _quaternion(units: list) -> tuple[float, float, float, float]:
    """``(qfac, b, c, d)`` of a rotation whose columns are *units* (nifti1_io's mat44_to_quatern)."""
    r = [[units[j][i] for j in range(3)] for i in range(3)]  # r[i][j]: row i of the matrix of columns
    det = (r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0])
           + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]))
    qfac = 1.0
    if det < 0:
        qfac = -1.0
        for i in range(3):
            r[i][2] = -r[i][2]
    a = r[0][0] + r[1][1] + r[2][2] + 1.0
    if a > 0.5:
        a = 0.5 * math.sqrt(a)
        b, c, d = (0.25 * (r[2][1] - r[1][2]) / a, 0.25 * (r[0][2] - r[2][0]) / a, 0.25 * (r[1][0] - r[0][1]) / a)
    else:
        xd, yd, zd = 1.0 + r[0][0] - (r[1][1] + r[2][2]), 1.0 + r[1][1] - (r[0][0] + r[2][2]), 1.0 + r[2][2] - (r[0][0] + r[1][1])
        if xd > 1.0:
            b = 0.5 * math.sqrt(xd)
            c, d, a = 0.25 * (r[0][1] + r[1][0]) / b, 0.25 * (r[0][2] + r[2][0]) / b, 0.25 * (r[2][1] - r[1][2]) / b
        elif yd > 1.0:
            c = 0.5 * math.sqrt(yd)
            b, d, a = 0.25 * (r[0][1] + r[1][0]) / c, 0.25 * (r[1][2] + r[2][1]) / c, 0.25 * (r[0][2] - r[2][0]) / c
        else:
            d = 0.5 * math.sqrt(zd)
            b, c, a = 0.25 * (r[0][2] + r[2][0]) / d, 0.25 * (r[1][2] + r[2][1]) / d, 0.25 * (r[1][0] - r[0][1]) / d
        if a < 0.0:
            b, c, d = -b, -c, -d
    return qfac, b, c, d


def write_nifti(volume: Volume, compressed: bool = True) -> list:
    """The parts of a NIfTI-1 single file (gzipped when *compressed*); join them to get the file."""
    nx, ny, nz = volume.size
    rgb = volume.components == 3
    code, bitpix = (128, 24) if rgb else (_NIFTI_TYPES[volume.dtype], kernels.itemsize(volume.dtype) * 8)
    columns = _ras_columns(volume)
    origin = (-volume.origin[0], -volume.origin[1], volume.origin[2])
    units = [[c / s for c in col] for col, s in zip(columns, volume.spacing)]
    qfac, b, c, d = _quaternion(units)
    srow = [[columns[0][i], columns[1][i], columns[2][i], origin[i]] for i in range(3)]
    slope, intercept = volume.rescale
    header = b"".join([
        struct.pack("<i10s18sihsB", 348, b"", b"", 0, 0, b"r", 0),
        struct.pack("<8h", 3, nx, ny, nz, 1, 1, 1, 1),
        struct.pack("<3f", 0.0, 0.0, 0.0),
        struct.pack("<hhhh", 0, code, bitpix, 0),
        struct.pack("<8f", qfac, *volume.spacing, 0.0, 0.0, 0.0, 0.0),
        struct.pack("<3f", 352.0, slope, intercept),
        struct.pack("<hBB", 0, 0, 10),
        struct.pack("<4f2i", 0.0, 0.0, 0.0, 0.0, 0, 0),
        struct.pack("<80s24s", b"dicomforge", b""),
        struct.pack("<hh", 1, 1),
        struct.pack("<6f", b, c, d, *origin),
        struct.pack("<12f", *srow[0], *srow[1], *srow[2]),
        struct.pack("<16s4s", b"", b"n+1\x00"),
        b"\x00\x00\x00\x00",
    ])
    assert len(header) == 352
    parts = [header, volume.data]
    return _gzip(parts) if compressed else parts


def _vector(values) -> str:
    return "(" + ",".join(repr(float(v)) for v in values) + ")"


def write_nrrd(volume: Volume, compressed: bool = False) -> list:
    """The parts of a NRRD file (data gzip-encoded when *compressed*)."""
    data, dtype = real_values(volume)
    axes = [_vector([c * s for c in d]) for d, s in zip(volume.direction, volume.spacing)]
    rgb = volume.components == 3
    lines = ["NRRD0004", "# written by dicomforge", f"type: {_NRRD_TYPES[dtype]}", f"dimension: {4 if rgb else 3}",
             "space: left-posterior-superior", "sizes: " + " ".join(map(str, ((3,) if rgb else ()) + volume.size)),
             "space directions: " + " ".join((["none"] if rgb else []) + axes),
             "kinds: " + " ".join((["RGB-color"] if rgb else []) + ["domain"] * 3), "endian: little",
             f"encoding: {'gzip' if compressed else 'raw'}", f"space origin: {_vector(volume.origin)}"]
    head = ("\n".join(lines) + "\n\n").encode("ascii")
    return [head, *_gzip([data])] if compressed else [head, data]


def write_metaimage(volume: Volume, compressed: bool = False) -> list:
    """The parts of a MetaImage ``.mha`` (data zlib-compressed when *compressed*)."""
    data, dtype = real_values(volume)
    matrix = " ".join(repr(float(c)) for d in volume.direction for c in d)
    body = [zlib.compress(bytes(data), 1)] if compressed else [data]
    lines = ["ObjectType = Image", "NDims = 3", "BinaryData = True", "BinaryDataByteOrderMSB = False",
             f"CompressedData = {'True' if compressed else 'False'}"]
    if compressed:
        lines.append(f"CompressedDataSize = {len(body[0])}")
    lines += [f"TransformMatrix = {matrix}", "Offset = " + " ".join(repr(float(v)) for v in volume.origin),
              "CenterOfRotation = 0 0 0", "AnatomicalOrientation = RAI",
              "ElementSpacing = " + " ".join(repr(float(v)) for v in volume.spacing),
              "DimSize = " + " ".join(map(str, volume.size))]
    if volume.components > 1:
        lines.append(f"ElementNumberOfChannels = {volume.components}")
    lines += [f"ElementType = {_MET_TYPES[dtype]}", "ElementDataFile = LOCAL"]
    return [("\n".join(lines) + "\n").encode("ascii"), *body]


def as_real_float(volume: Volume) -> Volume:
    """*volume* with its real values as float32 (rescale the identity): the export job's ``float32``."""
    from dataclasses import replace

    data, _ = real_values(volume, as_float=True)
    return replace(volume, data=data, dtype="float32", rescale=(1.0, 0.0))


#: Export format -> (file ending, writer of parts).
WRITERS = {
    "nifti": (".nii.gz", lambda v, compressed: write_nifti(v, True)),
    "nii": (".nii", lambda v, compressed: write_nifti(v, False)),
    "nrrd": (".nrrd", write_nrrd),
    "mha": (".mha", write_metaimage),
}
