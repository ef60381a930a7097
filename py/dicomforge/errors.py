"""Typed errors whose messages a user can act on.

Every error raised for bad input is a :class:`DicomForgeError` (or a subclass)
carrying a user-facing ``message`` and, where known, the offending ``file``.
The CLI prints them as ``error: <file>: <message>``; the worker sends
:meth:`DicomForgeError.to_dict` to the page, which shows the same words.
"""

from __future__ import annotations

import struct
import zlib
from contextlib import contextmanager
from typing import Iterator

__all__ = [
    "MALFORMED",
    "malformed_input",
    "plain_reason",
    "DicomForgeError",
    "InputError",
    "UnsupportedError",
    "GeometryError",
    "OptionsError",
    "MissingPartnerError",
    "Cancelled",
]


class DicomForgeError(Exception):
    """A problem with the user's input or options, told in words they can act on.

    Parameters
    ----------
    message : str
        What is wrong and, where possible, what to do about it. Includes the
        numbers involved ("header says 512x512x300 int16 = 157286400 bytes,
        file has 1024").
    file : str, optional
        The name of the input the problem concerns.
    """

    def __init__(self, message: str, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message

    def with_file(self, file: str) -> "DicomForgeError":
        """Return this error, naming *file* unless it already names one."""
        if self.file is None:
            self.file = file
        return self

    def to_dict(self) -> dict:
        """The error as the worker protocol sends it to the page."""
        return {
            "name": "DicomForgeError",
            "kind": type(self).__name__,
            "message": self.message,
            "file": self.file,
        }


class InputError(DicomForgeError):
    """The input is damaged, truncated or inconsistent."""


class UnsupportedError(DicomForgeError):
    """The input is valid but uses something dicomforge does not handle."""


class GeometryError(InputError):
    """The input's geometry cannot be written as a DICOM series (shear, NaN, ...)."""


class OptionsError(DicomForgeError):
    """An option the user set is invalid.

    *fields* maps an option's name (as the caller spells it) to the problem with it, so that
    a form can say it beside the field; the message names every problem."""

    def __init__(self, message: str, file: str | None = None, fields: dict | None = None) -> None:
        super().__init__(message, file)
        self.fields = dict(fields or {})

    def to_dict(self) -> dict:
        out = super().to_dict()
        if self.fields:
            out["fields"] = dict(self.fields)
        return out


class MissingPartnerError(InputError):
    """A two-file input (.mhd + .raw, .nhdr + data, .hdr + .img) lacks its partner."""


class Cancelled(DicomForgeError):
    """The user cancelled the job."""

    def __init__(self, message: str = "cancelled by the user", file: str | None = None) -> None:
        super().__init__(message, file)


#: What pydicom and :mod:`struct` raise on bytes that do not follow the standard: a value
#: that does not parse (ValueError, UnicodeError among them), an unknown VR
#: (NotImplementedError), a buffer too short (struct.error), a number out of range, and
#: several values where the standard allows one (TypeError: ``int()`` of a list). Valid
#: files never raise these in the blocks that use :func:`malformed_input` (the test
#: suite's real files prove it), so a bug there would not hide behind the message.
MALFORMED = (ValueError, TypeError, NotImplementedError, struct.error, OverflowError, EOFError)


def plain_reason(exc: BaseException) -> str:
    """What a library's exception says of a damaged file, in words a user can act on: Python's
    own messages (``cannot fit 'int' into an index-sized integer``, ``'H' format requires ...``)
    never reach a user; a library's own explanation (pydicom's, say) does."""
    text = str(exc).strip().splitlines()[0].strip() if str(exc).strip() else ""
    if isinstance(exc, (OverflowError, MemoryError)):
        return "a length or count in it is far larger than the file (damaged?)"
    if isinstance(exc, (struct.error, EOFError)):
        return "it ends in the middle of a value (truncated or damaged?)"
    if isinstance(exc, zlib.error):
        return "its compressed data is damaged"
    if isinstance(exc, UnicodeError):
        return "a text value is not in the character set the file declares"
    if isinstance(exc, ValueError) and text.startswith(("could not convert", "invalid literal")):
        return f"a number is malformed: {text.rsplit(': ', 1)[-1]}"
    if type(exc).__module__ == "builtins" and not isinstance(exc, ValueError) or not text:
        return "its structure is damaged"
    return text


@contextmanager
def malformed_input(name: str, what: str = "DICOM data") -> Iterator[None]:
    """Report malformed bytes met inside the block as an :class:`InputError` naming *name*.

    For code that reads a damaged file through a library (pydicom parses values lazily,
    so a broken DS or VR surfaces wherever the value is first used). DicomForgeErrors
    raised inside get *name* too; anything else (a bug) goes on unchanged.
    """
    try:
        yield
    except DicomForgeError as error:
        raise error.with_file(name)
    except MALFORMED as exc:
        raise InputError(f"{what} cannot be read: {plain_reason(exc)}", name) from None
