"""One function applied to each input of a job, each failure kept to its input.

A :class:`~dicomforge.errors.DicomForgeError` fails only the input it concerns: the job
reports it (an ``error`` event) and goes on with the next, so the rest of the batch
still finishes.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from dicomforge.errors import DicomForgeError, InputError
from dicomforge.inputs import EMPTY, NamedInput

from . import events

__all__ = ["batch_events", "each_input"]


def each_input(inputs: list[NamedInput], work: Callable[[int, NamedInput], Iterable[dict]], done: int = 0,
               total: int | None = None) -> Iterator[dict]:
    """The events ``work(index, input)`` yields for each input (its output files, warnings and
    result), then a ``progress``; an empty input, or a DicomForgeError from *work*, is an
    ``error`` for that input alone.

    *done* inputs of *total* (default: these inputs alone) were reported before these.
    """
    total = done + len(inputs) if total is None else total
    for index, item in enumerate(inputs):
        try:
            if item.empty:
                raise InputError(EMPTY)
            yield from work(index, item)
        except DicomForgeError as problem:
            yield events.error(problem.with_file(item.name))
        yield events.progress(done + index + 1, total, item.name)


def batch_events(inputs: list[NamedInput], work: Callable[[NamedInput], object], done: int = 0,
                 total: int | None = None) -> Iterator[dict]:
    """``work(input)`` for each input as events: a ``result`` (or ``error``) and a ``progress`` each.

    *done* inputs of *total* (default: these inputs alone) were reported before these.
    """
    return each_input(inputs, lambda _, item: [events.result(item.name, work(item))], done, total)
