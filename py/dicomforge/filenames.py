"""Output file names that every platform and every zip extractor takes as they are.

A job's output names come from the user (a file pattern, dropped files' names); in a zip
they become paths on the machine that extracts it. ``a\\..\\..\\evil.dcm`` is one harmless
name to Linux and a path two folders up to Windows' extractor; ``CON.dcm``, ``a?.dcm`` and
``name. `` cannot be created on Windows at all. :func:`safe_name` turns any of them into a
plain relative path of plain names (written here: Python's zipfile keeps names as given,
and ``pathvalidate``, which knows these rules, is one more wheel for the browser).
"""

from __future__ import annotations

import re

__all__ = ["safe_name", "NAME_BYTES"]

#: The longest name (one path component) in UTF-8 bytes: 255 on every common file system.
NAME_BYTES = 255
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\]')  # Windows' reserved characters, controls, backslash
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9]|CONIN\$|CONOUT\$)(\..*)?$", re.IGNORECASE)


def _component(part: str) -> str:
    part = _FORBIDDEN.sub("_", part).rstrip(". ")  # Windows drops trailing dots and spaces
    if part in ("", ".", ".."):
        return "_"
    if _RESERVED.match(part):
        part = "_" + part
    if len(part.encode("utf-8")) > NAME_BYTES:
        stem, dot, ext = part.rpartition(".")
        keep = ("." + ext) if dot and stem and len(ext) <= 16 else ""
        head = (stem if keep else part).encode("utf-8")[: NAME_BYTES - len(keep.encode("utf-8"))]
        part = head.decode("utf-8", "ignore") + keep
    return part


def safe_name(name: str) -> str:
    """*name* as a relative path ("/"-separated) of names every platform accepts: backslashes,
    Windows' reserved characters and controls become ``_``, ``..`` and empty components ``_``,
    reserved device names (``CON``, ``LPT1``...) get a leading ``_``, trailing dots and spaces
    go, and each component keeps at most :data:`NAME_BYTES` bytes (its extension kept).
    A safe name is returned unchanged."""
    return "/".join(_component(part) for part in str(name).split("/") if part) or "_"
