"""Deterministic synthetic workloads, run unchanged natively and in the browser.

One module for both sides, so that a figure from ``python -m dicomforge bench`` and one
from the benchmark page (the ``bench`` job of :mod:`dicomforge.jobs`, in Pyodide) measure
the same code on the same bytes. The inputs are made here, from a seed, with the
standard library only (no numpy: the browser has none), in memory: no file I/O is timed.

Workloads (:data:`WORKLOADS`):

``series_int16``, ``series_float32``
    512×512×N volume as NIfTI-1 bytes → :func:`dicomforge.formats.read_volume` →
    :func:`dicomforge.series.plan_series` → every slice's Part 10 bytes (the series job).
``overlay``
    N DICOM files of 256×256 int16 (500 by default, the shape of the published pydicom
    spike), one random mask each → the overlay job with per-file masks.
``render``, ``display_table``
    Window/level of a 512×512 int16 CT frame: a full RGBA render (lung preset), and the
    8-bit display table the viewer rebuilds per mouse move.
``zip_store``, ``zip_deflate``
    The int16 series' files zipped as the page zips them (:class:`dicomforge.zipstream.ZipStream`,
    STORE and DEFLATE level 6).

Each workload runs once on a small copy of its input (warm-up), then ``runs`` times on
the full input. Only Python time is counted: the work is a generator that yields after
each unit (slice, file, frame), and the time a host spends between two steps (the worker
posting progress) is left out. Figures per workload: milliseconds per run and per unit
(median, p95, min, max over the runs), units/s and MB/s at the median, and ``params``,
which must be equal for two figures to be compared.
"""

from __future__ import annotations

import io
import math
import os
import platform
import random
import statistics
import sys
import time
from array import array
from dataclasses import asdict, dataclass
from typing import Callable, Iterator

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from dicomforge import __version__, kernels
from dicomforge.errors import OptionsError
from dicomforge.inputs import NamedInput

__all__ = [
    "BenchConfig",
    "Case",
    "SPIKE_REFERENCE",
    "WORKLOADS",
    "ct_frame",
    "environment",
    "measure",
    "report",
    "run",
    "run_steps",
    "series_nifti",
    "dcmjs_fixture",
    "synthetic_volume",
]

SIZE = 512  # rows and columns of the volume and render workloads
OVERLAY_SIZE = 256  # rows and columns of the overlay workload's files
SPACING = (0.7, 0.7, 1.25)
WARMUP_UNITS = 3  # units in the warm-up copy of a workload's input
REPEATS = 10  # units per run of the one-frame workloads (render, display_table)

#: The published pydicom-under-Pyodide spike (500 files, 75 MB): seconds for the whole batch.
SPIKE_REFERENCE = {
    "workload": "overlay",
    "files": 500,
    "source": "pydicom overlay spike for an image editor (published figures, not measured here)",
    "seconds": {"Pyodide, Firefox": 138.88, "Pyodide, Edge": 181.62, "CPython, native": 33.61},
}


@dataclass(frozen=True)
class BenchConfig:
    """The workload sizes; equal configs give byte-identical inputs on every platform."""

    slices: int = 300  # N of the 512x512xN volumes (series and zip workloads)
    files: int = 500  # files of the overlay workload
    runs: int = 5  # timed runs after the warm-up
    seed: int = 1

    def __post_init__(self) -> None:
        bad = [f"{name} must be a positive integer, got {value!r}"
               for name, value in asdict(self).items()
               if name != "seed" and (not isinstance(value, int) or isinstance(value, bool) or value < 1)]
        if bad:
            raise OptionsError("; ".join(bad))


@dataclass
class Case:
    """One prepared workload: ``steps()`` does the timed work, yielding once per unit."""

    title: str
    unit: str  # "slice", "file", "frame", "table"
    count: int  # units per run
    payload_bytes: int  # bytes one run processes (for MB/s): the input voxels or files
    params: dict  # what must match for two figures to be comparable
    steps: Callable[[], Iterator[None]]


# --- deterministic inputs -------------------------------------------------------------


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
    from dicomforge.phantom import nifti_header

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


def _series_files(config: BenchConfig, size: int, slices: int) -> list[bytes]:
    """The Part 10 files of an int16 size×size×slices CT series (inputs of overlay and zip)."""
    from dicomforge.series import SeriesOptions, plan_series
    from dicomforge.volume import Volume

    volume = Volume(synthetic_volume(size, slices, "int16", config.seed), "int16", (size, size, slices),
                    SPACING, (0.0, 0.0, 0.0), name="bench")
    plan = plan_series(volume, SeriesOptions(modality="CT", uid_prefix="1.2.826.0.1.3680043.10.1234."))
    return [data for _, data in plan.files()]


def dcmjs_fixture(config: BenchConfig) -> tuple[bytes, bytes]:
    """What the page's dcmjs reference needs to write the ``series_int16`` workload's series:
    the int16 voxels of the volume (x fastest, LPS, as the NIfTI reader returns them) and
    the first file our writer makes of it, whose per-series elements dcmjs reuses."""
    from dicomforge.formats import read_volume
    from dicomforge.series import SeriesOptions, plan_series

    volume = read_volume(NamedInput("bench_int16.nii", series_nifti(config, "int16")))
    plan = plan_series(volume, SeriesOptions(modality="CT"))
    _, first = next(iter(plan.files()))
    return bytes(volume.data), first


# --- workloads --------------------------------------------------------------------------


def _series_case(dtype: str) -> Callable[[BenchConfig, int], Case]:
    def make(config: BenchConfig, slices: int) -> Case:
        from dicomforge.formats import read_volume
        from dicomforge.series import SeriesOptions, plan_series

        nifti = series_nifti(config, dtype, slices)
        def steps() -> Iterator[None]:
            # a fresh input each run: a kept one would remember its volume (inputs.NamedInput.memo)
            plan = plan_series(read_volume(NamedInput(f"bench_{dtype}.nii", nifti)), SeriesOptions(modality="CT"))
            for _ in plan.files():
                yield

        return Case(f"volume → series, {SIZE}×{SIZE}×{slices} {dtype} NIfTI", "slice", slices,
                    len(nifti), {"size": SIZE, "slices": slices, "dtype": dtype, "seed": config.seed}, steps)

    return make


def _overlay_case(config: BenchConfig, files: int) -> Case:
    from dicomforge import jobs

    sources = _series_files(config, OVERLAY_SIZE, files)
    inputs = [NamedInput(f"img_{i:04d}.dcm", data) for i, data in enumerate(sources)]
    rng = random.Random(config.seed + 1)
    # about 10% of pixels set: byte values below 26 become 1, the rest 0 (bytes.translate, no loop)
    to_mask = bytes(1 if b < 26 else 0 for b in range(256))
    masks = {}
    for item in inputs:
        uid = pydicom.dcmread(io.BytesIO(item.data), stop_before_pixels=True).SOPInstanceUID
        masks[str(uid)] = rng.randbytes(OVERLAY_SIZE * OVERLAY_SIZE).translate(to_mask)

    def steps() -> Iterator[None]:
        for event in jobs.start("overlay", inputs, {"masks": masks}):
            if event["type"] == "file":
                yield
            elif event["type"] in ("error", "failed"):
                raise RuntimeError(f"overlay workload failed: {event['message']}")

    return Case(f"overlays, {files} files of {OVERLAY_SIZE}×{OVERLAY_SIZE} int16, one random mask each",
                "file", files, sum(len(s) for s in sources),
                {"size": OVERLAY_SIZE, "files": files, "seed": config.seed}, steps)


def _render_case(config: BenchConfig, count: int) -> Case:
    from dicomforge import display

    ds = ct_frame(config.seed)

    def steps() -> Iterator[None]:
        for _ in range(count):
            display.render(ds, preset="lung")
            yield

    return Case(f"window/level render, {SIZE}×{SIZE} int16 CT, lung preset, RGBA", "frame", count,
                count * len(ds.PixelData), {"size": SIZE, "seed": config.seed}, steps)


def _display_table_case(config: BenchConfig, count: int) -> Case:
    from dicomforge import display

    info = display.prepare_frame(ct_frame(config.seed)).info()
    table_bytes = len(display.display_lut(info, 40, 400))

    def steps() -> Iterator[None]:
        for _ in range(count):
            display.display_lut(info, 40, 400)
            yield

    return Case("display table for one window (40/400) of that frame", "table", count,
                count * table_bytes, {"size": SIZE, "seed": config.seed}, steps)


def _zip_case(compression: str) -> Callable[[BenchConfig, int], Case]:
    def make(config: BenchConfig, slices: int) -> Case:
        from dicomforge.zipstream import ZipStream

        files = _series_files(config, SIZE, slices)

        def steps() -> Iterator[None]:
            archive = ZipStream(compression=compression)  # the page's zip: chunks drained as it goes
            for k, data in enumerate(files):
                archive.add(f"slice_{k + 1:04d}.dcm", data)
                archive.sink.drain()
                yield
            archive.close()

        return Case(f"zip of the {SIZE}×{SIZE}×{slices} int16 series, {compression}", "slice", slices,
                    sum(len(f) for f in files), {"size": SIZE, "slices": slices, "seed": config.seed,
                                                 "compression": compression}, steps)

    return make


#: name -> (function making the Case for a config and a unit count, the config field that sets
#: the count, or None for :data:`REPEATS` repeats of one frame)
WORKLOADS: dict[str, tuple[Callable[[BenchConfig, int], Case], str | None]] = {
    "series_int16": (_series_case("int16"), "slices"),
    "series_float32": (_series_case("float32"), "slices"),
    "overlay": (_overlay_case, "files"),
    "render": (_render_case, None),
    "display_table": (_display_table_case, None),
    "zip_store": (_zip_case("STORE"), "slices"),
    "zip_deflate": (_zip_case("DEFLATE"), "slices"),
}


# --- measuring ------------------------------------------------------------------------


def _stats(values: list[float]) -> dict:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median": statistics.median(ordered), "p95": p95, "min": ordered[0], "max": ordered[-1]}


def _timed_steps(case: Case, elapsed: list) -> Iterator[None]:
    """Run ``case.steps()``, adding only the time spent inside it to ``elapsed[0]``."""
    steps = case.steps()
    while True:
        start = time.perf_counter()
        try:
            next(steps)
        except StopIteration:
            elapsed[0] += time.perf_counter() - start
            return
        elapsed[0] += time.perf_counter() - start
        yield


def measure(name: str, config: BenchConfig) -> Iterator[tuple[int, int]]:
    """Run workload *name*: yields ``(units done, units in all runs)`` as it goes and
    returns (as the generator's value) the workload's figures."""
    make, count_field = WORKLOADS[name]
    count = getattr(config, count_field) if count_field else REPEATS
    warmup = make(config, min(count, WARMUP_UNITS))
    for _ in _timed_steps(warmup, [0.0]):
        pass
    case = make(config, count)
    run_ms = []
    done, total = 0, count * config.runs
    for _ in range(config.runs):
        elapsed = [0.0]
        for _ in _timed_steps(case, elapsed):
            done += 1
            yield done, total
        run_ms.append(elapsed[0] * 1000)
    per_unit = [ms / case.count for ms in run_ms]
    median_s = statistics.median(run_ms) / 1000
    return {
        "title": case.title,
        "unit": case.unit,
        "count": case.count,
        "params": case.params,
        "runs": config.runs,
        "run_ms": _stats(run_ms),
        "per_unit_ms": _stats(per_unit),
        "per_s": case.count / median_s if median_s else math.inf,
        "mb_per_s": case.payload_bytes / median_s / 1e6 if median_s else math.inf,
        "payload_bytes": case.payload_bytes,
    }


def environment() -> dict:
    """Where the figures were taken: interpreter, platform, library versions, backend, CPUs."""
    env = {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": sys.platform,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "pydicom": pydicom.__version__,
        "dicomforge": __version__,
        "backend": kernels.BACKEND,
    }
    if kernels.BACKEND == "numpy":
        import numpy

        env["numpy"] = numpy.__version__
    return env


def check_names(names: list[str] | None) -> list[str]:
    """The workloads to run (all when *names* is empty); unknown names are an OptionsError."""
    chosen = list(names or WORKLOADS)
    unknown = sorted(set(chosen) - set(WORKLOADS))
    if unknown:
        raise OptionsError(f"unknown workload(s): {', '.join(unknown)} (known: {', '.join(WORKLOADS)})")
    return chosen


def run_steps(names: list[str] | None, config: BenchConfig) -> Iterator[tuple[str, int, int, dict | None]]:
    """Run the named workloads: yields ``(name, done, total, None)`` while one runs and
    ``(name, total, total, figures)`` when it is finished."""
    for name in check_names(names):
        steps = measure(name, config)
        while True:
            try:
                done, total = next(steps)
            except StopIteration as finished:
                yield name, total, total, finished.value
                break
            yield name, done, total, None


def run(names: list[str] | None = None, config: BenchConfig | None = None,
        progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Run the named workloads (all by default) and return the report: environment,
    config and one figures dict per workload."""
    config = config or BenchConfig()
    workloads = {}
    for name, done, total, figures in run_steps(names, config):
        if figures is not None:
            workloads[name] = figures
        elif progress:
            progress(name, done, total)
    return report(config, workloads)


def report(config: BenchConfig, workloads: dict) -> dict:
    """The report of a run: where it ran, its config, and the figures of each workload."""
    return {"environment": environment(), "config": asdict(config), "workloads": workloads,
            "reference": SPIKE_REFERENCE}
