"""Helpers for the format reader tests: reading written files, geometry cases, comparisons.

Standard library only at import, so the stdlib-only tests also run inside Pyodide.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import pytest

from dicomforge.formats import read_volume
from dicomforge.inputs import NamedInput

DTYPES = ["uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64"]
ORIGIN = (-12.5, 33.125, 7.25)


def _rotation(ax: float, ay: float, az: float):
    """3x3 rotation (list of rows) about x, then y, then z, angles in degrees."""
    cx, sx = math.cos(math.radians(ax)), math.sin(math.radians(ax))
    cy, sy = math.cos(math.radians(ay)), math.sin(math.radians(ay))
    cz, sz = math.cos(math.radians(az)), math.sin(math.radians(az))
    rx = [[1, 0, 0], [0, cx, -sx], [0, sx, cx]]
    ry = [[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]]
    rz = [[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]]
    return matmul(rz, matmul(ry, rx))


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def _scaled(rot, spacing, signs=(1, 1, 1)):
    return [[rot[i][j] * spacing[j] * signs[j] for j in range(3)] for i in range(3)]


#: name -> 3x3 matrix whose column k is the step vector of voxel axis k
GEOMETRIES = {
    "axial": _scaled(_rotation(0, 0, 0), (1.0, 1.0, 1.0)),
    "anisotropic": _scaled(_rotation(0, 0, 0), (0.7, 1.3, 2.5)),
    "flipped": _scaled(_rotation(0, 0, 0), (0.7, 1.3, 2.5), (-1, 1, -1)),
    "oblique": _scaled(_rotation(30, 20, 10), (0.7, 1.3, 2.5)),
    "oblique-flipped": _scaled(_rotation(-25, 40, 15), (0.9, 0.6, 3.0), (1, -1, 1)),
}


def affine4(matrix, origin=ORIGIN):
    """4x4 affine (list of rows) from a 3x3 step matrix and an origin."""
    return [list(matrix[i]) + [origin[i]] for i in range(3)] + [[0.0, 0.0, 0.0, 1.0]]


def ras_to_lps(affine):
    """diag(-1, -1, 1, 1) @ affine."""
    return [[-v for v in affine[0]], [-v for v in affine[1]], list(affine[2]), list(affine[3])]


def volume_affine(volume):
    """The 4x4 LPS affine of a Volume: columns direction[k] * spacing[k], then origin."""
    rows = [[volume.direction[k][i] * volume.spacing[k] for k in range(3)] + [volume.origin[i]] for i in range(3)]
    return rows + [[0.0, 0.0, 0.0, 1.0]]


def assert_affine_close(actual, expected, tol=1e-6):
    """Every element of two 4x4 affines within *tol*."""
    for i in range(4):
        for j in range(4):
            assert abs(float(actual[i][j]) - float(expected[i][j])) <= tol, (i, j, actual, expected)


def read_path(path: Path, *partners: Path, name: str | None = None):
    """read_volume on a file written to disk, with its partners."""
    item = NamedInput(name or path.name, path.read_bytes())
    return read_volume(item, {p.name: NamedInput(p.name, p.read_bytes()) for p in partners})


def voxels_zyx(volume):
    """The Volume's voxels as a numpy array (z, y, x[, c]) -- SimpleITK's order."""
    np = pytest.importorskip("numpy")

    arr = np.frombuffer(volume.data, dtype=np.dtype(volume.dtype).newbyteorder("<"))
    nx, ny, nz = volume.size
    shape = (nz, ny, nx) + ((volume.components,) if volume.components > 1 else ())
    return arr.reshape(shape)


def voxels_xyz(volume):
    """The Volume's voxels as a numpy array (x, y, z[, c]) -- nibabel's and pynrrd's order."""
    arr = voxels_zyx(volume)
    return arr.transpose((2, 1, 0, 3) if arr.ndim == 4 else (2, 1, 0))


def random_array(dtype: str, shape, seed: int = 0):
    """Random values covering *dtype*'s range (finite floats); skips the test without numpy."""
    np = pytest.importorskip("numpy")

    rng = np.random.default_rng(seed)
    if dtype.startswith("float"):
        return (rng.standard_normal(shape) * 1000).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


# --- hand-built NIfTI-1 headers (stdlib) -------------------------------------------------


def nifti1_bytes(
    dims=(2, 3, 4),
    datatype=4,
    bitpix=16,
    pixdim=(1.0, 1.0, 1.0),
    data: bytes | None = None,
    order="<",
    magic=b"n+1\0",
    sform=None,
    sform_code=0,
    qform_code=0,
    quatern=(0.0, 0.0, 0.0),
    qoffset=(0.0, 0.0, 0.0),
    qfac=1.0,
    slope=0.0,
    inter=0.0,
):
    """A NIfTI-1 file (header + 4 extension bytes + data), built with struct."""
    hdr = bytearray(348)
    dim = [len(dims), *dims] + [1] * (7 - len(dims))
    struct.pack_into(order + "i", hdr, 0, 348)
    struct.pack_into(order + "8h", hdr, 40, *dim)
    struct.pack_into(order + "hh", hdr, 70, datatype, bitpix)
    struct.pack_into(order + "8f", hdr, 76, qfac, *pixdim, 0, 0, 0, 0)
    struct.pack_into(order + "f", hdr, 108, 352.0 if magic == b"n+1\0" else 0.0)
    struct.pack_into(order + "ff", hdr, 112, slope, inter)
    struct.pack_into(order + "hh", hdr, 252, qform_code, sform_code)
    struct.pack_into(order + "3f", hdr, 256, *quatern)
    struct.pack_into(order + "3f", hdr, 268, *qoffset)
    rows = sform or [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
    for r, offset in enumerate((280, 296, 312)):
        struct.pack_into(order + "4f", hdr, offset, *rows[r])
    hdr[344:348] = magic
    count = 1
    for n in dims:
        count *= n
    if data is None:
        data = bytes(count * bitpix // 8)
    if magic == b"ni1\0":
        return bytes(hdr)
    return bytes(hdr) + b"\0\0\0\0" + data
