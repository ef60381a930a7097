"""Volume: a voxel buffer with its geometry, always in DICOM patient coordinates (LPS).

Readers in :mod:`dicomforge.formats` return one; :mod:`dicomforge.series` writes it.
RAS sources (NIfTI, NRRD in RAS space, ...) are flipped to LPS in their reader, once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dicomforge.errors import GeometryError, InputError
from dicomforge.geometry import UNIT_TOLERANCE, dot, norm
from dicomforge.kernels import itemsize

__all__ = ["Volume"]

Vector = tuple[float, float, float]


@dataclass
class Volume:
    """A 3D (optionally multi-component) image in LPS.

    Attributes
    ----------
    data : bytes-like or None
        Voxels, little-endian, x fastest then y then z (then components innermost:
        a voxel's components are adjacent). ``len(data) == nx*ny*nz*components*itemsize``.
        None when only the header was read (``read_volume(..., header_only=True)``).
    dtype : str
        Element type as numpy names it: ``"int16"``, ``"float32"``...
    size : tuple of int
        ``(nx, ny, nz)``: columns, rows, slices.
    spacing : tuple of float
        Voxel spacing along x, y, z in mm (positive).
    origin : tuple of float
        LPS position in mm of the centre of voxel (0, 0, 0).
    direction : tuple of three vectors
        ``direction[k]`` is the unit LPS vector along which voxel index *k* grows
        (the k-th column of the direction matrix).
    components : int
        Values per voxel (1 for scalar images, 3 for RGB).
    rescale : tuple of float
        ``(slope, intercept)`` mapping stored values to real values (NIfTI scl_*).
    name : str
        The input's file name, for messages.
    warnings : list of str
        Things the reader noticed that the user should know.
    dicom_header : pydicom Dataset or None
        For a volume read from a DICOM series: its first slice's header (no Pixel Data),
        whose patient, study and acquisition a series written from it keeps.
    slice_headers : list or None
        For a volume read from a DICOM series: every slice's header, in z order.
    stored_dicom : SliceAttributes or None
        For a volume read from a Zarr store that carries DICOM attributes
        (:class:`dicomforge.zarr.attributes.SliceAttributes`): the series is rebuilt from them.
    segments : list or None
        For a label map read from a DICOM Segmentation: its segments (``number``, ``label``,
        ``category``, ``type``, ``color``); voxel values are segment numbers.
    """

    data: bytes
    dtype: str
    size: tuple[int, int, int]
    spacing: Vector
    origin: Vector
    direction: tuple[Vector, Vector, Vector] = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    components: int = 1
    rescale: tuple[float, float] = (1.0, 0.0)
    name: str = ""
    warnings: list[str] = field(default_factory=list)
    dicom_header: object = field(default=None, repr=False, compare=False)
    slice_headers: list | None = field(default=None, repr=False, compare=False)
    stored_dicom: object = field(default=None, repr=False, compare=False)
    segments: list | None = field(default=None, repr=False, compare=False)

    @property
    def slice_bytes(self) -> int:
        """Bytes in one z slice."""
        nx, ny, _ = self.size
        return nx * ny * self.components * itemsize(self.dtype)

    def slice_data(self, k: int):
        """A memoryview of slice *k* (no copy)."""
        start = k * self.slice_bytes
        return memoryview(self.data)[start : start + self.slice_bytes]

    def distinct_values(self) -> list:
        """The distinct voxel values, ascending (:func:`kernels.distinct_values`), computed
        once per volume: volumes are not modified after reading, and a kept label map is
        looked at by describe and then by the overlay job."""
        found = self.__dict__.get("_distinct_values")
        if found is None:
            from dicomforge import kernels

            found = self.__dict__["_distinct_values"] = kernels.distinct_values(self.data, self.dtype)
        return list(found)

    def position(self, k: int) -> Vector:
        """LPS position of the first voxel of slice *k*: origin + k * dz * direction[2]."""
        dz = self.spacing[2]
        return tuple(o + k * dz * d for o, d in zip(self.origin, self.direction[2]))

    def validate(self) -> "Volume":
        """Check sizes and geometry; raise an error naming the problem. Returns self."""
        if any(n <= 0 for n in self.size):
            raise InputError(f"dimensions must be positive, got {self.size}", self.name)
        if self.data is None:  # header only: the geometry is all there is to check
            return self._validate_geometry()
        expected = self.size[0] * self.size[1] * self.size[2] * self.components * itemsize(self.dtype)
        if len(self.data) != expected:
            raise InputError(
                f"voxel data has {len(self.data)} bytes, size {self.size} x {self.components} "
                f"{self.dtype} needs {expected}",
                self.name,
            )
        return self._validate_geometry()

    def _validate_geometry(self) -> "Volume":
        values = (*self.spacing, *self.origin, *(c for v in self.direction for c in v))
        if not all(math.isfinite(v) for v in values):
            raise GeometryError("geometry contains NaN or infinite values", self.name)
        if any(s <= 0 for s in self.spacing):
            raise GeometryError(f"spacing must be positive, got {self.spacing}", self.name)
        for k, axis in enumerate(self.direction):
            if abs(norm(axis) - 1.0) > UNIT_TOLERANCE:
                raise GeometryError(f"direction of axis {k} is not a unit vector: {axis}", self.name)
        for a in range(3):
            for b in range(a + 1, 3):
                cosine = dot(self.direction[a], self.direction[b])
                if abs(cosine) > UNIT_TOLERANCE:
                    raise GeometryError(
                        f"axes {a} and {b} are not perpendicular (cosine {cosine:.6f}): "
                        "sheared volumes cannot be written as a DICOM series",
                        self.name,
                    )
        return self
