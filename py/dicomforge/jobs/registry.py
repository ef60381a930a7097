"""Jobs as data (:class:`Job`) and the registry every host starts them from (:class:`Registry`).

A job is defined once: its option schema, what it needs of its inputs, and ``run``, a
generator of events (:mod:`dicomforge.jobs.events`). The worker, the CLI and the
embedding API all call :meth:`Registry.start` and differ only at their edges (how files
arrive, where outputs go). The memory budget reaches the job as a number in its
:class:`JobContext`, so two jobs run interleaved in one worker keep their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from dicomforge.errors import DicomForgeError, OptionsError
from dicomforge.inputs import InputFeed, NamedInput
from dicomforge.limits import parse_size

from . import events
from .schema import Schema

__all__ = ["Job", "JobContext", "Registry"]


@dataclass(frozen=True)
class JobContext:
    """What a job gets beside its inputs and options.

    Attributes
    ----------
    budget : int
        The most bytes one volume (or one inflated data set) may take (:mod:`dicomforge.limits`).
    """

    budget: int


@dataclass(frozen=True)
class Job:
    """One job: its name, its options, what it needs of its inputs, and how it runs.

    Attributes
    ----------
    name : str
    summary : str
        One line for the user.
    schema : Schema
        Its options (every job also takes ``memory_budget``).
    run : callable
        ``run(inputs, options, context)`` -> iterator of events; *inputs* is a list, or
        an :class:`~dicomforge.inputs.InputFeed` when *feed* is set; *options* maps every
        option's Python name to its value.
    check : callable, optional
        ``check(options, label) -> list of problems``: what the schema cannot see (a UID's
        form, an option that needs another); *label* spells an option name as the caller does.
    feed : bool
        It starts on the first inputs of a feed while the others arrive (``describe``);
        other jobs get the whole list once the feed is complete.
    partial : bool
        It reads only the start of big inputs: a host may hand it partial inputs
        (:class:`~dicomforge.inputs.NamedInput` with ``load``).
    pixels : bool
        It decodes Pixel Data: a host whose codecs load on demand loads the ones its
        inputs need (:func:`dicomforge.dicom.codecs.wanted_by`) before handing them over.
    """

    name: str
    summary: str
    schema: Schema
    run: Callable[[list | InputFeed, dict, JobContext], Iterator[dict]]
    check: Callable[[dict, Callable[[str], str]], list] | None = None
    feed: bool = False
    partial: bool = False
    pixels: bool = False

    def options(self, given: dict | None, casing: str = "python") -> tuple[dict, JobContext]:
        """``(options, context)`` from what the caller gave; one OptionsError naming every problem."""
        values, problems = self.schema.parse(given, casing)
        budget = values.pop("memory_budget")
        if not problems and self.check is not None:
            problems = list(self.check(values, self.schema.label(casing)))
        if problems:
            raise OptionsError("; ".join(problems), fields=self._fields(problems, casing))
        return values, JobContext(budget=parse_size(budget))

    def _fields(self, problems: list[str], casing: str) -> dict:
        """Option (as *casing* spells it) -> the first problem that names it first."""
        labels = sorted((self.schema.label(casing)(n) for n in self.schema.options), key=len, reverse=True)
        fields = {}
        for problem in problems:
            owner = next((label for label in labels if problem.startswith((label + " ", label + ":"))), None)
            if owner is not None:
                fields.setdefault(owner, problem)
        return fields


class Registry:
    """Jobs by name; :meth:`start` runs one.

    Parameters
    ----------
    jobs : Job
        The jobs, in the order hosts list them.
    """

    def __init__(self, *jobs: Job) -> None:
        self.jobs = {job.name: job for job in jobs}

    def __contains__(self, name: str) -> bool:
        return name in self.jobs

    def get(self, name: str) -> Job:
        """The job called *name*; an OptionsError listing the known ones otherwise."""
        job = self.jobs.get(name)
        if job is None:
            raise OptionsError(f"unknown job {name!r} (known: {', '.join(sorted(self.jobs))})")
        return job

    def start(self, name: str, inputs: list[NamedInput] | InputFeed, options: dict | None = None,
              casing: str = "python") -> Iterator[dict]:
        """The events of job *name* over *inputs* (a list, or a feed the host fills while the
        job runs: it then yields ``wait`` until the inputs it needs are there).

        *options* are spelt in *casing* (``"python"`` or ``"js"``). A DicomForgeError that
        stops the whole job (an unknown job, an invalid option) becomes a final ``failed``
        event: hosts see no exception for bad input or options.
        """
        try:
            job = self.get(name)
            values, context = job.options(options, casing)
            if not isinstance(inputs, InputFeed):
                inputs = list(inputs)
            elif not job.feed:
                while not inputs.complete:
                    yield events.wait()
                inputs = inputs.items
            yield from job.run(inputs, values, context)
        except DicomForgeError as error:
            yield events.failed(error)

    def describe(self) -> dict:
        """Every job's summary and options, as data (for hosts: the page, ``--help``)."""
        return {name: {"summary": job.summary, "options": job.schema.describe(), "partial": job.partial,
                       "feed": job.feed, "pixels": job.pixels} for name, job in self.jobs.items()}
