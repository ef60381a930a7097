"""A job's output files: names that stay apart on every platform, and one zip archive.

Output names (:func:`unique_names`) differ without regard to case, as Windows and macOS
compare them. Hosts that want one archive instead of many files (the page's download, the embedding
API's ``{ zip }``) wrap the job's events with :func:`zip_events`: each ``file`` event goes
into the archive the moment it is made, and ``zip`` events hand on the archive's bytes as
they are written, so the outputs are never held twice.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from dicomforge.errors import DicomForgeError
from dicomforge.filenames import safe_name
from dicomforge.kinds import basename
from dicomforge.zipstream import CHUNK_BYTES, ZipStream

from . import events as job_events

__all__ = ["unique_names", "output_names", "zip_events"]


def unique_names(names: list[str]) -> list[str]:
    """*names* made safe on every platform (:func:`~dicomforge.filenames.safe_name`) and unique
    without regard to case: a repeat gets ``_2``, ``_3``... before its extension (``a.dcm``,
    ``A.dcm`` -> ``a.dcm``, ``A_2.dcm``)."""
    out, used = [], set()
    for name in map(safe_name, names):
        candidate, n = name, 1
        while candidate.lower() in used:
            n += 1
            head, dot, ext = name.rpartition(".")
            candidate = f"{head}_{n}.{ext}" if dot and head else f"{name}_{n}"
        used.add(candidate.lower())
        out.append(candidate)
    return out


def output_names(names: list[str]) -> list[str]:
    """Output file names of jobs that write one file per input: each input's base name (a
    path's last part), made unique with ``_2``, ``_3``..."""
    return unique_names([basename(name) or "file.dcm" for name in names])


def zip_events(events: Iterable[dict], compression: str = "STORE", chunk_bytes: int = CHUNK_BYTES) -> Iterator[dict]:
    """*events* with every ``file`` event written into one zip archive.

    ``file`` events are replaced by ``zip`` events, each ``{"type": "zip", "chunks":
    [bytes, ...], "entries": [...], "final": bool}``: the next *chunk_bytes* (or more)
    of the archive, as the pieces written (the files' own bytes objects, not joined:
    a host copies them once, to where it keeps the archive), and the entries (see
    :attr:`ZipStream.entries`, in the contract's casing) whose bytes they complete. The last ``zip``
    event ends the archive (the central directory). Other events pass unchanged. An
    unknown *compression* or two files of one name end the stream with a ``failed``
    event (no archive).
    """
    try:
        stream = ZipStream(None, compression)
    except DicomForgeError as error:
        yield job_events.failed(error)
        return
    sink = stream.sink
    ready: list = []

    def take(final: bool) -> dict:
        rows, ready[:] = list(ready), []
        return job_events.zip_part(sink.drain(), rows, final)

    for event in events:
        if event.get("type") != "file":
            yield event
            continue
        try:
            ready.append(stream.add(event["name"], event["data"]))
        except DicomForgeError as error:
            yield job_events.failed(error)
            return
        if sink.pending >= chunk_bytes:
            yield take(False)
    stream.close()
    yield take(True)
