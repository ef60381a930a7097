"""Measuring the workloads: Python time only, per run and per unit, with the environment it ran in.

Each workload runs once on a small copy of its input (warm-up), then ``runs`` times on
the full input. Only Python time is counted: the work is a generator that yields after
each unit (slice, file, frame), and the time a host spends between two steps (the worker
posting progress) is left out. Figures per workload: milliseconds per run and per unit
(median, p95, min, max over the runs), units/s and MB/s at the median, and ``params``,
which must be equal for two figures to be compared.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict
from typing import Callable, Iterator

import pydicom

from dicomforge import __version__, kernels
from dicomforge.errors import OptionsError

from .synthetic import BenchConfig
from .workloads import WORKLOADS, Case

__all__ = ["REPEATS", "SPIKE_REFERENCE", "measure", "environment", "check_names", "run_steps", "run", "report"]

WARMUP_UNITS = 3  # units in the warm-up copy of a workload's input
REPEATS = 10  # units per run of the one-frame workloads (render, display_table)

#: The published pydicom-under-Pyodide spike (500 files, 75 MB): seconds for the whole batch.
SPIKE_REFERENCE = {
    "workload": "overlay",
    "files": 500,
    "source": "pydicom overlay spike for an image editor (published figures, not measured here)",
    "seconds": {"Pyodide, Firefox": 138.88, "Pyodide, Edge": 181.62, "CPython, native": 33.61},
}



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
