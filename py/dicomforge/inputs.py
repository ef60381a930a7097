"""Named inputs and the feed that brings them to a job.

An input is a file name plus its bytes (:class:`NamedInput`); the CLI reads them from
disk, the worker from dropped ``File``s (whole, or only their start with a ``load`` for
the rest). A host that reads files one batch after another hands a job an
:class:`InputFeed` and adds each input once it is read. Which inputs belong together
(a series, a header and its data) is :mod:`dicomforge.inputset`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator

from dicomforge.errors import InputError

__all__ = ["EMPTY", "NamedInput", "InputFeed", "oversized", "split_buffer"]

#: What an empty input is told (a file deleted after the user chose it reads as empty).
EMPTY = "the file is empty (0 bytes): was it deleted or emptied after it was chosen?"


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

    @property
    def empty(self) -> bool:
        """Whether the file has no bytes at all (:data:`EMPTY` says so to the user)."""
        return self.load is None and not len(self.data)

    def complete(self) -> "NamedInput":
        """This input with all of its bytes (itself when it has them already)."""
        return self if self.load is None else replace(self, data=self.load(), load=None, memo={})


class InputFeed:
    """A job's inputs while they arrive: a host that reads files one batch after another
    (the browser worker) starts the job at once and adds each input once it is read, so
    that reading the next files overlaps the job's work on the first ones.

    A job that can start on the first inputs takes them as they come (:meth:`arrivals`);
    :func:`dicomforge.jobs.start` gives any other job the whole list once it is complete.
    Either way the job yields a ``wait`` event while an input it needs is missing.

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

    def arrived_since(self, count: int) -> list[NamedInput]:
        """The inputs added after the first *count* to arrive, in the order they came."""
        return [item for _, item in self._arrived[count:]]

    def arrivals(self) -> Iterator[NamedInput | None]:
        """Every input in the order it arrived; None when the next one is not there yet (the
        job then yields a ``wait`` event, and the host adds more before it asks again)."""
        seen = 0
        while True:
            while seen < len(self._arrived):
                seen += 1
                yield self._arrived[seen - 1][1]
            if self.complete:
                return
            yield None


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
