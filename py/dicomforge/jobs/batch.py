"""One function applied to each input of a job, each failure kept to its input.

A :class:`~dicomforge.errors.DicomForgeError` fails only the input it concerns: the job
reports it (an ``error`` event) and goes on with the next, so the rest of the batch
still finishes.
"""

from __future__ import annotations

from typing import Callable, Iterator

from dicomforge.errors import DicomForgeError, InputError
from dicomforge.inputs import EMPTY, NamedInput

from . import events

__all__ = ["batch_events"]


def batch_events(inputs: list[NamedInput], work: Callable[[NamedInput], object], done: int = 0,
                 total: int | None = None) -> Iterator[dict]:
    """``work(input)`` for each input as events: a ``result`` (or ``error``) and a ``progress`` each.

    *done* inputs of *total* (default: these inputs alone) were reported before these.
    """
    total = done + len(inputs) if total is None else total
    for done, item in enumerate(inputs, start=done + 1):
        try:
            if item.empty:
                raise InputError(EMPTY)
            yield events.result(item.name, work(item))
        except DicomForgeError as problem:
            yield events.error(problem.with_file(item.name))
        yield events.progress(done, total, item.name)
