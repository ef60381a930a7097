"""The standard-library backend: :class:`StdlibKernels`, the value and display kernels together.

It runs everywhere (in the browser, where no numpy wheel is reachable, it is the fallback)
and is the reference the other backends must match byte for byte.
"""

from __future__ import annotations

from .stdlib_display import StdlibDisplay
from .stdlib_shuffle import StdlibShuffle
from .stdlib_values import StdlibValues

__all__ = ["StdlibKernels"]


class StdlibKernels(StdlibValues, StdlibDisplay, StdlibShuffle):
    """Kernels on ``array``, ``bytes.translate`` and big-integer bit tricks."""

    name = "stdlib"
