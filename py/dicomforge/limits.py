"""The memory budget: the most bytes one volume (or one inflated data set) may take.

Every reader compares what a header declares with the budget *before* allocating, and
inflates compressed data no further than the budget, so a lying header or a
decompression bomb gets an error that names the size and the limit instead of
exhausting memory (in the browser, the 4 GB wasm heap and the tab with it).

The budget is a number passed down to the readers (``budget=`` of
:func:`dicomforge.formats.read_volume`, :func:`dicomforge.dicom.scan.scan`, ...),
never a global: two jobs that run interleaved in one worker keep their own. Its
default is the platform's own ceiling: 4 GiB natively; just under 2 GiB under Pyodide,
where wasm32's ``ssize_t`` stops a single buffer there. The jobs take a
``memory_budget`` option, the CLI a ``--memory-budget`` flag.
"""

from __future__ import annotations

import re
import sys

from dicomforge.errors import OptionsError

__all__ = ["PLATFORM_MAX_BYTES", "parse_size"]

#: The largest single buffer this platform can hold: every budget's default and ceiling.
PLATFORM_MAX_BYTES = min(4 * 1024**3, sys.maxsize - (2 << 20))

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_size(value: int | float | str | None) -> int:
    """Bytes from an int or a text like ``"800M"`` / ``"2G"`` (binary units); None gives
    :data:`PLATFORM_MAX_BYTES`. An OptionsError when it is not a positive size or exceeds
    :data:`PLATFORM_MAX_BYTES`."""
    if value is None:
        return PLATFORM_MAX_BYTES
    if isinstance(value, bool):
        raise OptionsError(f"memory budget {value!r} is not a size")
    try:
        if isinstance(value, (int, float)):
            nbytes = int(value)
        else:
            match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)i?B?\s*", str(value), re.IGNORECASE)
            if not match:
                raise OptionsError(f"memory budget {value!r} is not a size like 800M or 2G")
            nbytes = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    except (ValueError, OverflowError):  # NaN, infinity
        raise OptionsError(f"memory budget {value!r} is not a size like 800M or 2G") from None
    if nbytes <= 0:
        raise OptionsError(f"memory budget must be positive, got {value!r}")
    if nbytes > PLATFORM_MAX_BYTES:
        raise OptionsError(f"memory budget {value!r} exceeds what this platform can hold ({PLATFORM_MAX_BYTES} bytes)")
    return nbytes
