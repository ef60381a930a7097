"""The few bulk pixel operations, behind one interface with one backend per engine.

Backends (one module each): :mod:`~dicomforge.kernels.numpy_backend` where numpy is
importable, and the standard library (:mod:`~dicomforge.kernels.stdlib`) everywhere else.
They are classes with the same methods and must return identical bytes for identical
input (``tests/py/kernels`` runs every test on each). Nothing outside this package knows
which backend is active: callers use the module-level functions below.

Buffers are ``bytes``-like, little-endian, C order; element types are named as numpy
names them (``"int16"``, ``"float32"``...).

The backend is chosen once, at import: numpy when importable, else the standard
library. ``DICOMFORGE_BACKEND=stdlib`` (or ``numpy``) in the environment forces one,
which is how the test suite runs every test on both.
"""

from __future__ import annotations

import os

from dicomforge.errors import DicomForgeError

from .common import DTYPES, INT16_MAX, INT16_MIN, YBR_TO_RGB, all_zero, interleave_planes, itemsize
from .stdlib import StdlibKernels

__all__ = [
    "BACKEND", "DTYPES", "INT16_MIN", "INT16_MAX", "YBR_TO_RGB", "StdlibKernels", "available_backends",
    "get_backend", "itemsize", "all_zero", "interleave_planes", "byteswap", "min_max", "pack_bits", "unpack_bits", "equal_mask",
    "distinct_values", "value_range", "rescale_to_int16", "mask_stored_bits", "int_range", "apply_lut",
    "apply_split_lut", "grey_to_rgba", "rgb_to_rgba", "ybr_full_to_rgb", "to_index16", "shuffle_bytes",
    "unshuffle_bytes", "bitshuffle", "bitunshuffle", "rescale_values", "equal_bits",
]


def available_backends() -> list:
    """Every backend that can run here: always stdlib, numpy when importable."""
    backends = [StdlibKernels()]
    try:
        from .numpy_backend import NumpyKernels

        backends.append(NumpyKernels())
    except ImportError:
        pass
    return backends


def get_backend(name: str | None = None):
    """The backend called *name* (``"numpy"``, ``"stdlib"``), or the best one here."""
    by_name = {b.name: b for b in available_backends()}
    if name in (None, "", "auto"):
        return by_name.get("numpy", by_name["stdlib"])
    if name not in by_name:
        raise DicomForgeError(
            f"pixel backend {name!r} is not available here (available: {', '.join(by_name)})"
        )
    return by_name[name]


_active = get_backend(os.environ.get("DICOMFORGE_BACKEND"))

#: Name of the active backend: ``"numpy"`` or ``"stdlib"``.
BACKEND: str = _active.name

byteswap = _active.byteswap
min_max = _active.min_max
pack_bits = _active.pack_bits
unpack_bits = _active.unpack_bits
equal_mask = _active.equal_mask
distinct_values = _active.distinct_values
value_range = _active.value_range
rescale_to_int16 = _active.rescale_to_int16
mask_stored_bits = _active.mask_stored_bits
int_range = _active.int_range
apply_lut = _active.apply_lut
apply_split_lut = _active.apply_split_lut
grey_to_rgba = _active.grey_to_rgba
rgb_to_rgba = _active.rgb_to_rgba
ybr_full_to_rgb = _active.ybr_full_to_rgb
to_index16 = _active.to_index16
shuffle_bytes = _active.shuffle_bytes
unshuffle_bytes = _active.unshuffle_bytes
bitshuffle = _active.bitshuffle
bitunshuffle = _active.bitunshuffle
rescale_values = _active.rescale_values
equal_bits = _active.equal_bits
