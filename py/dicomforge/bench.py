"""Deterministic synthetic workloads, run unchanged natively and in the browser.

Each workload returns JSON-ready figures (median, p95, min, max in ms over repeated
runs after a warm-up). Native: ``python -m dicomforge bench``; browser: the ``bench``
job of :mod:`dicomforge.jobs`, driven by ``tests/bench/render.mjs``.
"""

from __future__ import annotations

import math
import random
import statistics
import struct
import time
from typing import Callable

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from dicomforge import kernels

__all__ = ["WORKLOADS", "run", "ct_frame", "timings"]

SIZE = 512


def ct_frame(seed: int = 1) -> Dataset:
    """A deterministic 512x512 int16 CT slice (values about -2048..1648, smooth with noise)."""
    rng = random.Random(seed)
    values = [
        int(1000 * math.sin(i / 3000) + 800 * math.cos((i % SIZE) / 40)) + rng.randint(-50, 50) - 200
        for i in range(SIZE * SIZE)
    ]
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.Modality = "CT"
    ds.Rows = ds.Columns = SIZE
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation, ds.SamplesPerPixel = 1, 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    ds.PixelData = struct.pack(f"<{len(values)}h", *values)
    return ds


def timings(work: Callable[[], object], runs: int = 21, warmup: int = 2) -> dict:
    """Median, p95, min and max milliseconds of *runs* calls of *work* after *warmup* calls."""
    for _ in range(warmup):
        work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    return {"median": statistics.median(times), "p95": p95, "min": times[0], "max": times[-1], "runs": runs}


def render_workload(runs: int = 21) -> dict:
    """Window/level of a 512x512 int16 CT frame: full render, and a 4096-entry display table."""
    from dicomforge import display

    ds = ct_frame()
    frame = display.prepare_frame(ds)
    info = frame.info()
    return {
        "render lung": timings(lambda: display.render(ds, preset="lung"), runs),
        "render min/max window": timings(lambda: display.render(ds), runs),
        "display_lut 40/400": timings(lambda: display.display_lut(info, 40, 400), runs),
    }


WORKLOADS: dict[str, Callable[..., dict]] = {"render": render_workload}


def run(names: list[str] | None = None, runs: int = 21) -> dict:
    """Run the named workloads (all by default); figures plus the backend that ran them."""
    chosen = names or list(WORKLOADS)
    return {"backend": kernels.BACKEND, "workloads": {name: WORKLOADS[name](runs) for name in chosen}}
