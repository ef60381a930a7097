"""The benchmark page's jobs, in a registry of their own: ``bench`` and ``bench_fixture``.

They run on the same job layer as the product's jobs (options, events, ``failed`` for
bad options) but are not among them: a host starts them from :data:`BENCH`.
"""

from __future__ import annotations

import time
from typing import Iterator

from dicomforge import kernels
from dicomforge.jobs import events
from dicomforge.jobs.registry import Job, JobContext, Registry
from dicomforge.jobs.schema import Option, Schema

from .timing import check_names, report, run_steps
from .synthetic import SIZE, BenchConfig, dcmjs_fixture

__all__ = ["BENCH"]

_WORKLOADS = Option("workloads", ("list",), None, "names of the workloads to run (default: all)",
                    lambda names: _unknown(names))


_BACKEND = Option("backend", ("text",), "auto", "pixel backend to measure: auto (the active one), numpy, js or stdlib",
                  lambda name: _unavailable(name))


def _unavailable(name: str) -> str | None:
    available = [b.name for b in kernels.available_backends()]
    if name == "auto" or name in available:
        return None
    return f"backend {name!r} is not available here (available: {', '.join(available)})"


def _unknown(names) -> str | None:
    try:
        check_names(list(names))
    except Exception as error:  # (an OptionsError naming the unknown ones)
        return str(error)
    return None


def _config(options: dict) -> BenchConfig:
    return BenchConfig(**{k: options[k] for k in ("slices", "files", "runs", "seed")})


def _check(options: dict, label) -> list[str]:
    return BenchConfig.problems(options, label)


def run_bench(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """Progress as the workloads run (a few events per second), then one ``result`` (file
    ``"bench"``) holding the whole report. Option ``backend`` measures another pixel backend
    than the active one (the page's second chromium column: stdlib beside js)."""
    config = _config(options)
    workloads, last = {}, 0.0
    previous = kernels.use_backend(options["backend"])  # for this run only: restored below
    try:
        for name, done, total, figures in run_steps(options["workloads"], config):
            if figures is not None:
                workloads[name] = figures
            if figures is not None or time.perf_counter() - last > 0.1:
                last = time.perf_counter()
                yield events.progress(done, total, name)
        yield events.result("bench", report(config, workloads))
    finally:
        kernels.use_backend(previous)


def run_fixture(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """The inputs of the page's dcmjs reference for the ``series_int16`` workload: the
    volume's voxels (``volume.raw``) and our first slice (``template.dcm``)."""
    config = _config(options)
    voxels, template = dcmjs_fixture(config)
    yield events.output("volume.raw", voxels)
    yield events.output("template.dcm", template)
    yield events.result("bench_fixture", {"size": SIZE, "slices": config.slices, "dtype": "int16", "seed": config.seed})


#: The benchmark jobs (options: ``workloads`` and the :class:`BenchConfig` fields).
BENCH = Registry(
    Job("bench", "run the synthetic workloads and report their figures",
        Schema.of_dataclass("bench", BenchConfig, _WORKLOADS, _BACKEND), run_bench, check=_check),
    Job("bench_fixture", "the dcmjs reference's input for the series_int16 workload",
        Schema.of_dataclass("bench_fixture", BenchConfig), run_fixture, check=_check),
)
