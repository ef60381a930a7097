"""Benchmark: the preview path on a 512x512 int16 CT frame; prints median milliseconds.

Usage: PYTHONPATH=py [DICOMFORGE_BACKEND=stdlib] python tests/bench/display_speed.py
(a figure, not a test: speed targets live in benchmarks, never in timed assertions).
"""

import math
import random
import statistics
import struct
import time

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from dicomforge import display, kernels

SIZE = 512


def ct_frame(seed: int = 1) -> Dataset:
    """A deterministic 512x512 int16 CT slice (values -2048..1648, smooth with noise)."""
    rng = random.Random(seed)
    values = [int(1000 * math.sin(i / 3000) + 800 * math.cos((i % SIZE) / 40)) + rng.randint(-50, 50) - 200
              for i in range(SIZE * SIZE)]
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


def median_ms(work, repeat: int = 21) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure() -> dict:
    ds = ct_frame()
    frame = display.prepare_frame(ds)
    info = {**frame.info(), "lutSize": 4096, "lutOffset": -1024, "lutBase": -1024}
    results = {"prepare_frame": median_ms(lambda: display.prepare_frame(ds))}
    for name, window in [("min/max", {}), ("brain", {"preset": "brain"}), ("lung", {"preset": "lung"}),
                         ("bone", {"preset": "bone"}), ("sigmoid 3000", {"center": 0, "width": 3000, "function": "SIGMOID"})]:
        results[f"render {name}"] = median_ms(lambda: display.render(ds, **window))
    results["display_lut 4096 LINEAR 40/400"] = median_ms(lambda: display.display_lut(info, 40, 400), 101)
    results["display_lut 4096 LINEAR 500/4000"] = median_ms(lambda: display.display_lut(info, 500, 4000), 101)
    results["display_lut 4096 SIGMOID"] = median_ms(lambda: display.display_lut(info, 40, 400, "SIGMOID"), 101)
    return results


if __name__ == "__main__":
    print(f"backend {kernels.BACKEND}")
    for key, value in measure().items():
        print(f"{key:34s} {value:7.2f} ms")
