"""The benchmarks' inputs: deterministic, made from a seed with the standard library only.

No numpy (the browser has none) and no file I/O: equal :class:`BenchConfig` objects give
byte-identical inputs natively and in the browser, so the two sides measure the same work.
"""

from __future__ import annotations

import math
import random
import sys
from array import array
from dataclasses import asdict, dataclass

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from dicomforge.errors import OptionsError
from dicomforge.formats import read_volume
from dicomforge.inputs import NamedInput
from dicomforge.phantom import nifti_header
from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import plan_series
from dicomforge.volume import Volume

__all__ = ["SIZE", "OVERLAY_SIZE", "SPACING", "BenchConfig", "synthetic_slice", "synthetic_volume", "series_nifti",
           "ct_frame", "series_files", "dcmjs_fixture"]

SIZE = 512  # rows and columns of the volume and render workloads
OVERLAY_SIZE = 256  # rows and columns of the overlay workload's files
SPACING = (0.7, 0.7, 1.25)


@dataclass(frozen=True)
class BenchConfig:
    """The workload sizes; equal configs give byte-identical inputs on every platform."""

    slices: int = 300  # N of the 512x512xN volumes (series and zip workloads)
    files: int = 500  # files of the overlay workload
    runs: int = 5  # timed runs after the warm-up
    seed: int = 1

    def __post_init__(self) -> None:
        problems = self.problems(asdict(self))
        if problems:
            raise OptionsError("; ".join(problems))

    @staticmethod
    def problems(values: dict, label=str) -> list[str]:
        """Every size that is not a positive integer, in words (*label* spells the names)."""
        return [f"{label(name)} must be a positive integer, got {value!r}"
                for name, value in values.items()
                if name in ("slices", "files", "runs")
                and (not isinstance(value, int) or isinstance(value, bool) or value < 1)]


def synthetic_slice(size: int, dtype: str, seed: int) -> bytes:
    """One size×size slice, little-endian: smooth CT-like structure plus seeded noise."""
    rng = random.Random(seed)
    noise = [rng.uniform(-50.0, 50.0) for _ in range(997)]  # a prime-length cycle
    across = [1000.0 * math.sin(x / 40.0) for x in range(size)]
    down = [800.0 * math.cos(y / 55.0) - 200.0 for y in range(size)]
    values = [d + a + noise[(y * size + x) % 997] for y, d in enumerate(down) for x, a in enumerate(across)]
    packed = array("h", map(int, values)) if dtype == "int16" else array("f", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def synthetic_volume(size: int, slices: int, dtype: str, seed: int) -> bytes:
    """size×size×slices voxels: one slice rolled by a different offset per slice (cheap, distinct)."""
    base = synthetic_slice(size, dtype, seed)
    item = 2 if dtype == "int16" else 4
    voxels = size * size
    parts = []
    for k in range(slices):
        shift = (k * 4099) % voxels * item
        parts.append(base[shift:] + base[:shift])
    return b"".join(parts)


def series_nifti(config: BenchConfig, dtype: str = "int16", slices: int | None = None) -> bytes:
    """The NIfTI-1 file (bytes) of the series workloads."""
    n = slices or config.slices
    return nifti_header((SIZE, SIZE, n), SPACING, dtype) + synthetic_volume(SIZE, n, dtype, config.seed)


def ct_frame(seed: int = 1) -> Dataset:
    """A deterministic 512x512 int16 CT slice (smooth structure with noise, HU via intercept -1024)."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.Modality = "CT"
    ds.Rows = ds.Columns = SIZE
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation, ds.SamplesPerPixel = 1, 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    ds.PixelData = synthetic_slice(SIZE, "int16", seed)
    return ds


def series_files(config: BenchConfig, size: int, slices: int) -> list[bytes]:
    """The Part 10 files of an int16 size×size×slices CT series (inputs of overlay and zip)."""
    volume = Volume(synthetic_volume(size, slices, "int16", config.seed), "int16", (size, size, slices),
                    SPACING, (0.0, 0.0, 0.0), name="bench")
    plan = plan_series(volume, SeriesOptions(modality="CT", uid_prefix="1.2.826.0.1.3680043.10.1234."))
    return [data for _, data in plan.files()]


def dcmjs_fixture(config: BenchConfig) -> tuple[bytes, bytes]:
    """What the page's dcmjs reference needs to write the ``series_int16`` workload's series:
    the int16 voxels of the volume (x fastest, LPS, as the NIfTI reader returns them) and
    the first file our writer makes of it, whose per-series elements dcmjs reuses."""
    volume = read_volume(NamedInput("bench_int16.nii", series_nifti(config, "int16")))
    plan = plan_series(volume, SeriesOptions(modality="CT"))
    _, first = next(iter(plan.files()))
    return bytes(volume.data), first

