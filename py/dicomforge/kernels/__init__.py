"""The few bulk pixel operations, behind one interface with one backend per engine.

Backends (one module each): :mod:`~dicomforge.kernels.numpy_backend` where numpy is
importable, :mod:`~dicomforge.kernels.js_backend` in Pyodide when the host registered its
JavaScript kernels (the worker does), and the standard library
(:mod:`~dicomforge.kernels.stdlib`) everywhere.
They are classes with the same methods and must return identical bytes for identical
input (``tests/py/kernels`` runs every test on each). Nothing outside this package knows
which backend is active: callers use the module-level functions below.

Buffers are ``bytes``-like, little-endian, C order; element types are named as numpy
names them (``"int16"``, ``"float32"``...).

The backend is chosen once, at import: numpy when importable, else js when registered, else
the standard library. ``DICOMFORGE_BACKEND=stdlib`` (or ``numpy``, ``js``) in the environment
forces one, which is how the test suite runs every test on each; :func:`use_backend` switches
later (the benchmark measures one backend against another in the same worker).
"""

from __future__ import annotations

import os

from dicomforge.errors import DicomForgeError

from .common import DTYPES, INT16_MAX, INT16_MIN, YBR_TO_RGB, all_zero, interleave_planes, itemsize
from .stdlib import StdlibKernels

__all__ = [
    "BACKEND", "DTYPES", "INT16_MIN", "INT16_MAX", "YBR_TO_RGB", "StdlibKernels", "available_backends",
    "get_backend", "use_backend", "itemsize", "all_zero", "interleave_planes", "byteswap", "min_max", "pack_bits", "unpack_bits", "equal_mask",
    "distinct_values", "value_range", "rescale_to_int16", "mask_stored_bits", "int_range", "apply_lut",
    "apply_split_lut", "grey_to_rgba", "rgb_to_rgba", "ybr_full_to_rgb", "to_index16", "shuffle_bytes",
    "unshuffle_bytes", "bitshuffle", "bitunshuffle", "rescale_values", "equal_bits",
]


#: Preference order where nothing is forced.
_PREFERRED = ("numpy", "js", "stdlib")

#: The kernels every backend has, bound below as this module's functions.
KERNELS = (
    "byteswap", "min_max", "pack_bits", "unpack_bits", "equal_mask", "distinct_values", "value_range",
    "rescale_to_int16", "mask_stored_bits", "int_range", "apply_lut", "apply_split_lut", "grey_to_rgba",
    "rgb_to_rgba", "ybr_full_to_rgb", "to_index16", "shuffle_bytes", "unshuffle_bytes", "bitshuffle",
    "bitunshuffle", "rescale_values", "equal_bits",
)


_AVAILABLE: list = []


def available_backends() -> list:
    """Every backend that can run here: always stdlib; numpy when importable; js when the
    host registered its JavaScript kernels. Found once (the host registers its kernels before
    dicomforge is imported); each backend is one object, so switching back and forth
    (:func:`use_backend`) keeps what a backend caches."""
    if not _AVAILABLE:
        _AVAILABLE.extend(_find_backends())
    return list(_AVAILABLE)


def _find_backends() -> list:
    backends = [StdlibKernels()]
    try:
        from .numpy_backend import NumpyKernels

        backends.append(NumpyKernels())
    except ImportError:
        pass
    try:
        from .js_backend import JsKernels

        backends.append(JsKernels())
    except ImportError:
        pass
    return backends


def get_backend(name: str | None = None):
    """The backend called *name* (``"numpy"``, ``"js"``, ``"stdlib"``), or the best one here."""
    by_name = {b.name: b for b in available_backends()}
    if name in (None, "", "auto"):
        return next(by_name[n] for n in _PREFERRED if n in by_name)
    if name not in by_name:
        raise DicomForgeError(
            f"pixel backend {name!r} is not available here (available: {', '.join(by_name)})"
        )
    return by_name[name]


def use_backend(name: str | None = None) -> str:
    """Make the backend called *name* (None: the best here) the active one; returns the name
    of the one it replaces."""
    global BACKEND
    backend = get_backend(name)
    previous, BACKEND = BACKEND, backend.name
    for kernel in KERNELS:
        globals()[kernel] = getattr(backend, kernel)
    return previous


#: Name of the active backend: ``"numpy"``, ``"js"`` or ``"stdlib"``.
BACKEND: str = ""
use_backend(os.environ.get("DICOMFORGE_BACKEND"))
