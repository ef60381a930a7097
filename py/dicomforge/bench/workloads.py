"""The benchmark workloads: each prepares its input once and then does the timed work, one unit per step.

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
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Callable, Iterator

import pydicom

from dicomforge import jobs
from dicomforge.display.frame import prepare_frame
from dicomforge.display.lut import display_lut
from dicomforge.display.render import render
from dicomforge.formats import read_volume
from dicomforge.inputs import NamedInput
from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import plan_series
from dicomforge.zipstream import ZipStream

from .synthetic import OVERLAY_SIZE, SIZE, BenchConfig, ct_frame, series_files, series_nifti

__all__ = ["Case", "WORKLOADS"]


@dataclass
class Case:
    """One prepared workload: ``steps()`` does the timed work, yielding once per unit."""

    title: str
    unit: str  # "slice", "file", "frame", "table"
    count: int  # units per run
    payload_bytes: int  # bytes one run processes (for MB/s): the input voxels or files
    params: dict  # what must match for two figures to be comparable
    steps: Callable[[], Iterator[None]]


def _series_case(dtype: str) -> Callable[[BenchConfig, int], Case]:
    def make(config: BenchConfig, slices: int) -> Case:
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
    sources = series_files(config, OVERLAY_SIZE, files)
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
    ds = ct_frame(config.seed)

    def steps() -> Iterator[None]:
        for _ in range(count):
            render(ds, preset="lung")
            yield

    return Case(f"window/level render, {SIZE}×{SIZE} int16 CT, lung preset, RGBA", "frame", count,
                count * len(ds.PixelData), {"size": SIZE, "seed": config.seed}, steps)


def _display_table_case(config: BenchConfig, count: int) -> Case:
    info = prepare_frame(ct_frame(config.seed)).info()
    table_bytes = len(display_lut(info, 40, 400))

    def steps() -> Iterator[None]:
        for _ in range(count):
            display_lut(info, 40, 400)
            yield

    return Case("display table for one window (40/400) of that frame", "table", count,
                count * table_bytes, {"size": SIZE, "seed": config.seed}, steps)


def _zip_case(compression: str) -> Callable[[BenchConfig, int], Case]:
    def make(config: BenchConfig, slices: int) -> Case:
        files = series_files(config, SIZE, slices)

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
