"""``python -m dicomforge bench``: the synthetic workloads of :mod:`dicomforge.bench`, natively.

Runs every chosen workload once per pixel backend (numpy and stdlib by default, one after
the other in this process: :func:`dicomforge.kernels.use_backend`) and prints one line per
workload and backend. ``--json OUT`` writes
``{"native": [report, ...]}``, one report per backend, the file the benchmark page and
``make bench`` compare the browser's figures with.
"""

from __future__ import annotations

import argparse
import json
import sys

from dicomforge import bench, kernels
from dicomforge.bench import WORKLOADS, BenchConfig
from dicomforge.errors import OptionsError

from .run import EXIT_OK

__all__ = ["add_command", "format_line"]

BACKENDS = ("numpy", "stdlib")


def format_line(backend: str, name: str, figures: dict) -> str:
    """One printed line: workload, backend, ms per unit (median, p95), units/s, MB/s."""
    t = figures["per_unit_ms"]
    return (f"{name:15s} {backend:7s} {t['median']:9.3f} ms/{figures['unit']:6s} p95 {t['p95']:9.3f}  "
            f"{figures['per_s']:9.1f} {figures['unit']}s/s  {figures['mb_per_s']:8.1f} MB/s")


def _progress_printer(backend: str):
    """Progress on one terminal line, or nothing when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None

    def progress(name: str, done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r{backend} {name} {done}/{total}   ", end=end, file=sys.stderr, flush=True)

    return progress


def _run(args: argparse.Namespace) -> int:
    config = bench.BenchConfig(slices=args.slices, files=args.files, runs=args.runs, seed=args.seed)
    names = bench.check_names(args.workload)
    wanted = BACKENDS if args.backend == "both" else (args.backend,)
    available = {b.name for b in kernels.available_backends()}
    missing = [b for b in wanted if b not in available]
    if missing and args.backend != "both":
        raise OptionsError(f"backend {missing[0]} is not available here (available: {', '.join(sorted(available))})")
    reports = []
    for backend in (b for b in wanted if b in available):
        previous = kernels.use_backend(backend)
        try:
            report = bench.run(names, config, _progress_printer(backend))
        finally:
            kernels.use_backend(previous)
        reports.append(report)
        for name, figures in report["workloads"].items():
            print(format_line(backend, name, figures))
    for backend in missing:
        print(f"note: backend {backend} is not available here (numpy not importable); skipped", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"native": reports}, fh, indent=2)
    return EXIT_OK


def add_command(subparsers) -> None:
    """Add the ``bench`` subcommand to *subparsers*."""
    defaults = BenchConfig()
    p = subparsers.add_parser("bench", help="run the synthetic workloads and print figures")
    p.add_argument("--workload", action="append", metavar="NAME",
                   help=f"a workload to run, repeatable (default: all of {', '.join(WORKLOADS)})")
    p.add_argument("--slices", type=int, default=defaults.slices, metavar="N", help="N of the 512x512xN volumes")
    p.add_argument("--files", type=int, default=defaults.files, metavar="N", help="files of the overlay workload")
    p.add_argument("--runs", type=int, default=defaults.runs, metavar="N", help="timed runs after the warm-up")
    p.add_argument("--seed", type=int, default=defaults.seed, metavar="N", help="seed of the synthetic inputs")
    p.add_argument("--backend", choices=("numpy", "js", "stdlib", "both"), default="both",
                   help="pixel backend(s) to measure (both: numpy and stdlib)")
    p.add_argument("--json", metavar="OUT", help='also write {"native": [report per backend]} to OUT')
    p.set_defaults(run=_run)
