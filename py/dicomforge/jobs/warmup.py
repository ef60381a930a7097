"""Every job run once on a tiny phantom, so that a host's first real job does not pay for imports.

The first run of each job imports modules and fills pydicom's caches: a few hundred
milliseconds in wasm. The worker calls :func:`warm_up` after start-up, in the time the
user takes to choose files. Nothing is kept. A job that fails on the phantom is a bug:
its messages come back in ``problems`` for the host to report (the worker logs them as
errors), and the tests require there are none.
"""

from __future__ import annotations

import time

from dicomforge.inputs import NamedInput

from .output import zip_events
from .registry import Registry

__all__ = ["warm_up", "written_bytes"]


def warm_up(jobs: Registry) -> dict:
    """Run describe, series, overlay (zipped), describe of the slices and preview of one.

    Returns ``{"seconds": float, "counts": {event type: number}, "problems": [message]}``.
    """
    from dicomforge.phantom import phantom_nifti  # (imported with the jobs it warms up)

    started = time.perf_counter()
    counts: dict = {}
    problems: list = []

    def drain(stream) -> list:
        out = []
        for event in stream:
            counts[event["type"]] = counts.get(event["type"], 0) + 1
            if event["type"] in ("error", "failed"):
                problems.append(f"{event['file'] or ''}: {event['message']}")
            out.append(event)
        return out

    volume = NamedInput("warm_up.nii", phantom_nifti((16, 16, 2)))
    drain(jobs.start("describe", [volume]))
    slices = [NamedInput(e["name"], e["data"]) for e in drain(jobs.start("series", [volume], {"modality": "CT"}))
              if e["type"] == "file"]
    drain(zip_events(jobs.start("overlay", [*slices, volume], {}), "STORE"))
    drain(jobs.start("describe", slices))
    drain(jobs.start("preview", slices[:1], {"frame": 0}))
    return {"seconds": time.perf_counter() - started, "counts": counts, "problems": problems}


def written_bytes(nbytes: int) -> bytes:
    """*nbytes* bytes, every one written (not left as fresh zero pages): a host that grows its
    heap ahead of the first job holds a few of these, then frees them, so that the job's
    allocations land on pages written once already."""
    return b"\x01" * nbytes
