"""Jobs the worker (or any host) can run: generators of plain-dict events.

A job takes a list of :class:`~dicomforge.inputs.NamedInput` and an options dict
and yields events, one step at a time, so that the host can report progress and
stop between steps (cancellation):

- ``{"type": "progress", "done": int, "total": int, "file": str}``
- ``{"type": "result", "file": str, "value": <JSON-ready>}``
- ``{"type": "file", "name": str, "data": bytes}``  (an output file)
- ``{"type": "error", "name": "DicomForgeError", "message": str, "file": str, "kind": str}``
- ``{"type": "warning", "message": str, "file": str}``
- ``{"type": "failed", "name": "DicomForgeError", "message": str, ...}``  (the job
  as a whole could not go on, e.g. an invalid option; always the last event)

A bad input yields an ``error`` event and the job goes on with the next input.
This module knows nothing of browsers; the worker only drives the generator.
"""

from __future__ import annotations

from typing import Callable, Iterator

from dicomforge.errors import DicomForgeError, OptionsError
from dicomforge.inputs import NamedInput, run_batch

__all__ = ["JOBS", "start", "describe_job"]

Event = dict
Job = Callable[[list, dict], Iterator[Event]]


def describe_job(inputs: list[NamedInput], options: dict) -> Iterator[Event]:
    """Summarise each DICOM input's header (see :func:`dicomforge.describe.describe_dicom`)."""
    from dicomforge.describe import describe_dicom

    total = len(inputs)
    for done, result in enumerate(run_batch(inputs, describe_dicom), start=1):
        if result.ok:
            yield {"type": "result", "file": result.name, "value": result.value}
        else:
            yield {"type": "error", **result.error.to_dict()}
        yield {"type": "progress", "done": done, "total": total, "file": result.name}


#: Job name -> generator function. Feature modules add theirs here.
JOBS: dict[str, Job] = {"describe": describe_job}


def start(name: str, inputs: list, options: dict | None = None) -> Iterator[Event]:
    """The event generator of job *name*.

    A DicomForgeError that stops the whole job (an unknown job name, an invalid
    option) becomes a final ``failed`` event, so hosts see no exception for it.
    """
    try:
        job = JOBS[name]
        yield from job(list(inputs), dict(options or {}))
    except KeyError:
        error = OptionsError(f"unknown job {name!r} (known: {', '.join(sorted(JOBS))})")
        yield {"type": "failed", **error.to_dict()}
    except DicomForgeError as error:
        yield {"type": "failed", **error.to_dict()}
