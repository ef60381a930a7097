"""A small synthetic head phantom (ellipsoids, Shepp-Logan style) as NIfTI-1 bytes.

For the page's "try a sample" button: a new user sees the whole flow without data of
their own. Written with the standard library only: each (z, y) row is filled with a few
slice assignments per ellipsoid, so no per-voxel Python work.
"""

from __future__ import annotations

import math
import struct

from dicomforge.formats.nifti import DATATYPES
from dicomforge.kernels import itemsize

__all__ = ["ELLIPSOIDS", "nifti_header", "phantom_nifti"]

# (centre x, y, z, semi-axes a, b, c) in units of the half-size, and the value painted (HU-like)
ELLIPSOIDS = (
    (0.0, 0.0, 0.0, 0.69, 0.92, 0.90, 1000),  # skull
    (0.0, -0.0184, 0.0, 0.6624, 0.874, 0.88, 40),  # brain
    (0.22, 0.0, -0.25, 0.11, 0.31, 0.22, 10),  # ventricles
    (-0.22, 0.0, -0.25, 0.16, 0.41, 0.28, 10),
    (0.0, 0.35, -0.25, 0.21, 0.25, 0.41, 70),  # lesion-like blobs
    (0.0, 0.1, -0.25, 0.046, 0.046, 0.05, 120),
    (-0.08, -0.605, -0.25, 0.046, 0.023, 0.05, 120),
)


def phantom_nifti(size: tuple[int, int, int] = (128, 128, 48), spacing=(1.5, 1.5, 3.0)) -> bytes:
    """An int16 NIfTI-1 file (RAS, sform) of *size* voxels, air at -1000."""
    nx, ny, nz = size
    air = struct.pack("<h", -1000)
    volume = bytearray(air * (nx * ny * nz))
    for z in range(nz):
        zc = (2 * z + 1) / nz - 1
        for y in range(ny):
            yc = (2 * y + 1) / ny - 1
            row = (z * ny + y) * nx * 2
            for cx, cy, cz, a, b, c, value in ELLIPSOIDS:
                r = 1 - ((yc - cy) / b) ** 2 - ((zc - cz) / c) ** 2
                if r <= 0:
                    continue
                half = a * math.sqrt(r)
                x0 = max(0, math.ceil(((cx - half) + 1) * nx / 2 - 0.5))
                x1 = min(nx, math.floor(((cx + half) + 1) * nx / 2 - 0.5) + 1)
                if x1 > x0:
                    volume[row + 2 * x0 : row + 2 * x1] = struct.pack("<h", value) * (x1 - x0)
    return nifti_header(size, spacing) + bytes(volume)


def nifti_header(size, spacing, dtype: str = "int16") -> bytes:
    """A single-file NIfTI-1 header (352 bytes) for *size* voxels of *dtype*, centred, RAS sform."""
    nx, ny, nz = size
    dx, dy, dz = spacing
    header = bytearray(352)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, 3, nx, ny, nz, 1, 1, 1, 1)  # dim
    code = next(c for c, (_, name, components) in DATATYPES.items() if name == dtype and components == 1)
    struct.pack_into("<hh", header, 70, code, 8 * itemsize(dtype))  # datatype, bitpix
    struct.pack_into("<8f", header, 76, 1, dx, dy, dz, 1, 1, 1, 1)  # pixdim (qfac 1)
    struct.pack_into("<f", header, 108, 352)  # vox_offset
    struct.pack_into("<hh", header, 252, 0, 2)  # qform_code 0, sform_code 2 (aligned)
    origin = (-(nx - 1) * dx / 2, -(ny - 1) * dy / 2, -(nz - 1) * dz / 2)
    for row, (scale, offset) in enumerate(zip((dx, dy, dz), origin)):
        values = [0.0, 0.0, 0.0, offset]
        values[row] = scale
        struct.pack_into("<4f", header, 280 + 16 * row, *values)  # srow_x, srow_y, srow_z
    header[148:148 + 17] = b"dicomforge sample"  # descrip
    header[344:348] = b"n+1\0"
    return bytes(header)
