"""Named input buffers and the batch convention shared by the CLI and the worker.

An input is a file name plus its bytes (``NamedInput``); the CLI reads them from
disk, the worker from dropped ``File``s. :func:`run_batch` applies one function
to each input and turns a :class:`~dicomforge.errors.DicomForgeError` into a
per-input failure so that the rest of the batch still finishes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator

from dicomforge.errors import DicomForgeError, InputError

__all__ = [
    "NamedInput", "BatchResult", "InputFeed", "WAIT", "batch_events", "oversized", "read_input", "run_batch",
    "sibling_partners", "split_buffer", "stem",
]

# endings stripped by :func:`stem`, innermost last (``a.nii.gz`` -> ``a``)
_FORMAT_ENDINGS = (".gz", ".nii", ".hdr", ".img", ".nrrd", ".nhdr", ".mhd", ".mha", ".raw", ".vtk", ".dcm")


@dataclass(frozen=True)
class NamedInput:
    """One input: the name the user knows it by and its bytes (never modified).

    A host may hand over only the start of a big file (``load`` set): enough for
    :func:`dicomforge.formats.read_volume` with ``header_only=True``, the way describing
    inputs works without copying whole volumes. :meth:`complete` then gives the whole file.

    Attributes
    ----------
    name : str
    data : bytes-like
        The file's bytes, or its first bytes when ``load`` is set.
    load : callable or None
        Returns all of the file's bytes; None when ``data`` is the whole file.
    memo : dict
        What readers derived from the whole file and keep for the next job that reads it
        (see :data:`dicomforge.formats.REMEMBER_BYTES`); a host that keeps inputs between
        jobs keeps this too.
    """

    name: str
    data: bytes | memoryview
    load: Callable[[], object] | None = None
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def partial(self) -> bool:
        """Whether ``data`` holds only the start of the file."""
        return self.load is not None

    def complete(self) -> "NamedInput":
        """This input with all of its bytes (itself when it has them already)."""
        return self if self.load is None else replace(self, data=self.load(), load=None, memo={})


#: The event a job yields when it needs an input of its :class:`InputFeed` that has not
#: arrived yet: the host adds more (or gives up on some) before asking for the next event.
WAIT = {"type": "wait"}


class InputFeed:
    """A job's inputs while they arrive: a host that reads files one batch after another
    (the browser worker) starts the job at once and adds each input once it is read, so
    that reading the next files overlaps the job's work on the first ones.

    A job that can start on the first inputs takes them as they come (:meth:`arrivals`);
    :func:`dicomforge.jobs.start` gives any other job the whole list once it is complete.
    Either way the job yields :data:`WAIT` while an input it needs is missing.

    Attributes
    ----------
    expected : int
        How many inputs the job gets in all: the feed is complete when it has them.
    """

    def __init__(self, expected: int, items: Iterable[NamedInput] = ()) -> None:
        self._arrived = list(enumerate(items))  # (index among the inputs, input), as they came
        self.expected = expected

    @classmethod
    def of(cls, inputs: "list[NamedInput] | InputFeed") -> "InputFeed":
        """*inputs* as a feed: a list becomes a complete one."""
        return inputs if isinstance(inputs, InputFeed) else cls(len(inputs), inputs)

    def add(self, item: NamedInput, index: int | None = None) -> None:
        """One more input, read by the host: the *index*-th of the job's inputs (by default
        the next). Inputs may arrive in any order (a host reads some before others)."""
        self._arrived.append((len(self._arrived) if index is None else int(index), item))

    def missing(self, count: int = 1) -> None:
        """*count* inputs will not come (the host could not read them and reported why)."""
        self.expected -= count

    @property
    def complete(self) -> bool:
        return len(self._arrived) >= self.expected

    @property
    def items(self) -> list[NamedInput]:
        """The inputs added so far, in the order of the job's inputs."""
        return [item for _, item in sorted(self._arrived, key=lambda pair: pair[0])]

    def arrivals(self) -> Iterator[NamedInput | None]:
        """Every input in the order it arrived; None when the next one is not there yet (the
        job then yields :data:`WAIT`, and the host adds more before it asks again)."""
        seen = 0
        while True:
            while seen < len(self._arrived):
                seen += 1
                yield self._arrived[seen - 1][1]
            if self.complete:
                return
            yield None


@dataclass
class BatchResult:
    """What happened to one input of a batch: a value, or the error that stopped it."""

    name: str
    value: object = None
    error: DicomForgeError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def oversized(name: str, head, size: int, limit: int) -> NamedInput:
    """The start (*head*) of a file of *size* bytes that the host cannot hold (*limit*).

    Its header can still be read (and described); asking for the rest (:meth:`NamedInput.complete`)
    raises an :class:`InputError` naming the size and the limit, so nothing is allocated for it.
    """

    def refuse():
        raise InputError(
            f"file is {size} bytes, more than the {limit} bytes this browser can hold for one job's "
            "inputs (run the command line for volumes this large)",
            name,
        )

    return NamedInput(name, head, load=refuse)


def split_buffer(buffer, names: list, sizes: list) -> list[NamedInput]:
    """Inputs for files read back to back into one *buffer* (a host reads many small files
    at once that way): the i-th of *names* is the next ``sizes[i]`` bytes, as a view (no copy).

    Raises
    ------
    ValueError
        When the sizes do not add up to the buffer's length (a host bug, not bad input).
    """
    view = memoryview(buffer)
    if sum(sizes) != view.nbytes or len(names) != len(sizes):
        raise ValueError(f"{len(names)} names and sizes summing to {sum(sizes)} for a buffer of {view.nbytes} bytes")
    out, at = [], 0
    for name, size in zip(names, sizes):
        out.append(NamedInput(str(name), view[at:at + size]))
        at += size
    return out


def read_input(path: str) -> NamedInput:
    """Read *path* from disk, turning OS errors into an :class:`InputError` naming it."""
    try:
        with open(path, "rb") as fh:
            return NamedInput(path, fh.read())
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path) from None
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", path) from None


def run_batch(
    inputs: Iterable[NamedInput], work: Callable[[NamedInput], object]
) -> Iterator[BatchResult]:
    """Yield ``work(input)`` for each input; a DicomForgeError fails only that input.

    An empty input fails as such (a file deleted after the user chose it reads as empty)."""
    for item in inputs:
        try:
            if not len(item.data) and not item.partial:
                raise InputError("the file is empty (0 bytes): was it deleted or emptied after it was chosen?")
            yield BatchResult(item.name, value=work(item))
        except DicomForgeError as exc:
            yield BatchResult(item.name, error=exc.with_file(os.fspath(item.name)))


def stem(name: str) -> str:
    """File name without folders and format endings (``a/b.nii.gz`` -> ``b``)."""
    base = os.path.basename(name.replace("\\", "/"))
    for ending in _FORMAT_ENDINGS:
        if base.lower().endswith(ending) and len(base) > len(ending):
            base = base[: -len(ending)]
    return base or "series"


def batch_events(
    inputs: list[NamedInput], work: Callable[[NamedInput], object], done: int = 0, total: int | None = None
) -> Iterator[dict]:
    """:func:`run_batch` as job events: a ``result`` (or ``error``) and a ``progress`` per input.

    *done* inputs of *total* (default: these inputs alone) were reported before these.
    """
    total = done + len(inputs) if total is None else total
    for done, result in enumerate(run_batch(inputs, work), start=done + 1):
        if result.ok:
            yield {"type": "result", "file": result.name, "value": result.value}
        else:
            yield {"type": "error", **result.error.to_dict()}
        yield {"type": "progress", "done": done, "total": total, "file": result.name}


def sibling_partners(path: str) -> dict[str, NamedInput]:
    """Readable files next to *path* with the same stem: the data half of a two-file format."""
    import glob

    found = {}
    prefix = os.path.join(os.path.dirname(path), os.path.basename(path).split(".")[0])
    for other in glob.glob(glob.escape(prefix) + ".*"):
        if other != path and os.path.isfile(other):
            try:
                found[other] = read_input(other)
            except DicomForgeError:
                pass
    return found
