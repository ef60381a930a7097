"""Deterministic synthetic workloads, run unchanged natively and in the browser.

One package for both sides, so that a figure from ``python -m dicomforge bench`` and one
from the benchmark page (the ``bench`` job of :data:`~dicomforge.bench.jobs.BENCH`, in
Pyodide) measure the same code on the same bytes. Not part of the product's job registry.

- :mod:`.synthetic`: the inputs, from a seed, standard library only;
- :mod:`.workloads`: what each workload times, one unit per step;
- :mod:`.timing`: the timing and the report;
- :mod:`.jobs`: the page's ``bench`` and ``bench_fixture`` jobs.
"""

from .timing import REPEATS, SPIKE_REFERENCE, check_names, environment, measure, report, run, run_steps
from .synthetic import (
    OVERLAY_SIZE, SIZE, SPACING, BenchConfig, ct_frame, dcmjs_fixture, series_nifti, synthetic_slice, synthetic_volume,
)
from .workloads import WORKLOADS, Case

__all__ = [
    "BenchConfig", "Case", "REPEATS", "SPIKE_REFERENCE", "WORKLOADS", "SIZE", "OVERLAY_SIZE", "SPACING", "ct_frame",
    "environment", "measure", "report", "run", "run_steps", "check_names", "series_nifti", "dcmjs_fixture",
    "synthetic_slice", "synthetic_volume",
]
