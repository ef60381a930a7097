"""multipart/related bodies (PS3.18 8.6: STOW-RS requests, WADO-RS responses), built and read.

Written here because the standard library's email package copies every part into strings and
guesses encodings; DICOMweb parts are binary DICOM files that must stay byte for byte.
"""

from __future__ import annotations

import re
import uuid

from dicomforge.errors import InputError

__all__ = ["related_body", "related_parts", "boundary_of"]

_BOUNDARY = re.compile(r'boundary="?([^";,\s]+)"?', re.IGNORECASE)


def related_body(parts: list[bytes], content_type: str = "application/dicom") -> tuple[str, list[bytes]]:
    """``(Content-Type header, body pieces)`` of a multipart/related body of *parts* (the pieces
    join to the body; the parts themselves are not copied)."""
    boundary = f"dicomforge-{uuid.uuid4().hex}"
    head = f"--{boundary}\r\nContent-Type: {content_type}\r\n\r\n".encode("ascii")
    pieces = []
    for part in parts:
        pieces += [head, part, b"\r\n"]
    pieces.append(f"--{boundary}--\r\n".encode("ascii"))
    return f'multipart/related; type="{content_type}"; boundary={boundary}', pieces


def boundary_of(content_type: str) -> str:
    found = _BOUNDARY.search(content_type or "")
    if not found or not content_type.lower().startswith("multipart/"):
        raise InputError(f"the server's answer is not multipart (Content-Type {content_type[:80]!r})")
    return found.group(1)


def related_parts(body: bytes, content_type: str) -> list[tuple[dict, bytes]]:
    """The ``(headers, content)`` of each part of a multipart body (RFC 2046: a delimiter is a
    line of its own; an answer without its closing delimiter is cut short, an error)."""
    try:
        boundary = boundary_of(content_type).encode("ascii")
    except UnicodeEncodeError:
        raise InputError("the server's multipart boundary is not ASCII") from None
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise InputError("the server's multipart answer holds no part or is cut short (no closing delimiter)")
    parts = []
    for chunk in chunks[1:-1]:
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise InputError("a part of the server's multipart answer has no header end")
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip():
                headers[name.strip().lower()] = value.strip()
        parts.append((headers, content))
    return parts
