"""The memory budget: the most bytes one volume (or one inflated data set) may take.

Every reader compares what a header declares with the budget *before* allocating, and
inflates compressed data no further than the budget, so a lying header or a
decompression bomb gets an error that names the size and the limit instead of
exhausting memory (in the browser, the 4 GB wasm heap and the tab with it).

The default is the platform's own ceiling: 4 GiB natively; just under 2 GiB under
Pyodide, where wasm32's ``ssize_t`` stops a single buffer there. A host lowers (or,
natively, raises) it for one job with :func:`budget`: the jobs take a
``memory_budget`` option, the CLI a ``--memory-budget`` flag. The budget lives in a
:class:`contextvars.ContextVar` set only inside :func:`budget`'s block, so nothing
has to be reset afterwards.
"""

from __future__ import annotations

import contextvars
import re
import sys
from contextlib import contextmanager
from typing import Iterator

from dicomforge.errors import OptionsError

__all__ = ["PLATFORM_MAX_BYTES", "budget", "memory_budget", "parse_size"]

#: The largest single buffer this platform can hold.
PLATFORM_MAX_BYTES = min(4 * 1024**3, sys.maxsize - (2 << 20))

_BUDGET: contextvars.ContextVar[int] = contextvars.ContextVar("dicomforge_memory_budget", default=PLATFORM_MAX_BYTES)


def memory_budget() -> int:
    """The budget in bytes in effect here."""
    return _BUDGET.get()


@contextmanager
def budget(nbytes: int | str | None) -> Iterator[int]:
    """Use *nbytes* (an int, or a size like ``"1.5G"``; None: the default) inside the block."""
    if nbytes is None:
        yield memory_budget()
        return
    value = parse_size(nbytes)
    token = _BUDGET.set(value)
    try:
        yield value
    finally:
        _BUDGET.reset(token)


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_size(value: int | float | str) -> int:
    """Bytes from an int or a text like ``"800M"`` / ``"2G"`` (binary units); an
    OptionsError when it is not a positive size or exceeds :data:`PLATFORM_MAX_BYTES`."""
    if isinstance(value, bool):
        raise OptionsError(f"memory budget {value!r} is not a size")
    if isinstance(value, (int, float)):
        nbytes = int(value)
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)i?B?\s*", str(value), re.IGNORECASE)
        if not match:
            raise OptionsError(f"memory budget {value!r} is not a size like 800M or 2G")
        nbytes = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    if nbytes <= 0:
        raise OptionsError(f"memory budget must be positive, got {value!r}")
    if nbytes > PLATFORM_MAX_BYTES:
        raise OptionsError(f"memory budget {value!r} exceeds what this platform can hold ({PLATFORM_MAX_BYTES} bytes)")
    return nbytes
