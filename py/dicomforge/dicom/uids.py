"""UID rules (PS3.5 9.1): what a valid UID and a UID root look like, and new UIDs from a root.

The series writer and the overlay writer both take user-given UIDs and roots; one set of
checks (each returns the problem in words, or None) keeps their messages the same.
"""

from __future__ import annotations

import os
import random
import re
import uuid

__all__ = ["is_uid", "uid_problem", "root_problem", "new_uid"]

#: Segmentation Storage and Label Map Segmentation Storage (PS3.4 B.5).
SEGMENTATION_CLASSES = ("1.2.840.10008.5.1.4.1.1.66.4", "1.2.840.10008.5.1.4.1.1.66.7")

_UID = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")


def is_uid(text: str) -> bool:
    """Digits in dot-separated components without leading zeros, at most 64 characters."""
    return len(text) <= 64 and bool(_UID.match(text))


def uid_problem(name: str, uid: str) -> str | None:
    """Why option *name*'s *uid* is not a valid UID, or None when it is (or is empty)."""
    if uid and not is_uid(uid):
        return f"{name} {uid!r} is not a valid UID (digits and dots, <= 64)"
    return None


def root_problem(name: str, prefix: str) -> str | None:
    """Why *prefix* cannot be a root for generated UIDs, or None (empty: the default root)."""
    if prefix and (len(prefix) > 54 or not prefix.endswith(".") or not _UID.match(prefix[:-1])):
        return f"{name} {prefix!r} must be a UID root ending in '.', <= 54 characters"
    return None


class _UidRandom:
    """Random numbers for new UIDs: a generator seeded from ``os.urandom`` once per process
    (again after a fork). ``os.urandom`` per UID, as ``uuid.uuid4`` and pydicom's
    ``generate_uid`` do, costs ~16 us in Pyodide (it goes through JavaScript's crypto): a
    third of a slice's time in the series job."""

    def __init__(self) -> None:
        self.pid, self.random = None, None

    def bits(self, n: int) -> int:
        if self.pid != os.getpid():
            self.pid, self.random = os.getpid(), random.Random(os.urandom(32))
        return self.random.getrandbits(n)


_RANDOM = _UidRandom()


def new_uid(prefix: str = "") -> str:
    """A new UID under *prefix*: ``"2.25."`` and the integer of a random (version 4) UUID when
    empty (PS3.5 B.2, ISO/IEC 9834-8), else *prefix* and random digits, 64 characters at most
    (as pydicom's ``generate_uid``)."""
    if not prefix:
        return f"2.25.{uuid.UUID(int=_RANDOM.bits(128), version=4).int}"
    digits = 64 - len(prefix)
    return f"{prefix}{_RANDOM.bits(4 * digits) % 10 ** digits}"[:64]
