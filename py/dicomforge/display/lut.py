"""The 8-bit display table of a grey frame for one window: Modality LUT, VOI LUT and presentation composed.

Linear windows on 16-bit data are computed in fixed point (1/64 grey level, the grey
level of ``y`` is ``floor(y + 1/2)``) as ``high[H] + low[L]`` of the raw high and low
byte (:func:`split_tables`): the table and the rendered pixels agree exactly, the result
is within one grey level of the real-valued formula, and the standard-library backend
can apply it to all pixels at once (:func:`kernels.apply_split_lut`).
"""

from __future__ import annotations

import math
import sys
from array import array
from dataclasses import dataclass

from dicomforge import kernels
from dicomforge.errors import InputError, OptionsError

from .presets import FUNCTIONS

__all__ = ["display_lut", "mapping", "inverted", "minmax_window", "check_window", "split_tables"]

_SHIFT = 6  # fixed-point bits of the split tables; kernels.apply_split_lut uses the same
_TOP = 256 << _SHIFT
_SPLIT_DTYPES = ("int16", "uint16")


@dataclass
class _Info:
    dtype: str
    lut_offset: int
    lut_base: int
    lut_step: int
    lut_size: int
    rescale: tuple
    modality_table: tuple | None
    voi_tables: list
    invert: bool

    @classmethod
    def of(cls, frame_info) -> "_Info":
        """From a :class:`~dicomforge.display.frame.Frame`, or its :meth:`~dicomforge.display.frame.Frame.info` dict."""
        if not isinstance(frame_info, dict):
            f = frame_info
            return cls(f.dtype, f.lut_offset, f.lut_base, f.lut_step, f.lut_size, tuple(f.rescale),
                       f.modality_table, f.voi_tables, f.invert)
        d = frame_info
        table = d.get("modalityLut")
        return cls(
            d["dtype"], int(d["lutOffset"]), int(d["lutBase"]), int(d.get("lutStep", 1)), int(d["lutSize"]),
            tuple(float(v) for v in d.get("rescale", (1.0, 0.0))),
            None if not table else (int(table["first"]), int(table["bits"]), tuple(table["data"])),
            [(int(t["first"]), int(t["bits"]), tuple(t["data"]), t.get("name", "")) for t in d.get("voiLuts", [])],
            bool(d.get("invert", False)),
        )

    def stored(self, i: int) -> int:
        """The stored value LUT entry *i* stands for (the middle of its step)."""
        return self.lut_base + i * self.lut_step + (self.lut_step >> 1)


def check_window(center, width, function: str) -> tuple:
    if function not in FUNCTIONS:
        raise OptionsError(f"unknown VOI LUT Function {function!r} (known: {', '.join(FUNCTIONS)})")
    try:
        center, width = float(center), float(width)
    except (TypeError, ValueError):
        raise OptionsError(f"window center and width must be numbers, got {center!r} and {width!r}") from None
    if not (math.isfinite(center) and math.isfinite(width)):
        raise OptionsError(f"window center and width must be finite, got {center} and {width}")
    if function == "LINEAR" and width < 1:  # PS3.3 C.11.2.1.2.1
        raise InputError(f"(0028,1051) Window Width is {width:g}; the LINEAR function needs a width of at least 1")
    if width <= 0:  # PS3.3 C.11.2.1.3.1 / C.11.2.1.3.2
        raise InputError(f"(0028,1051) Window Width is {width:g}; {function} needs a width greater than 0")
    return center, width


def _grey(y: float) -> int:
    """8-bit grey level of a VOI output *y* in [0, 255]: round half up, clamped."""
    g = math.floor(y + 0.5)
    return 0 if g < 0 else 255 if g > 255 else g


def mapping(frame_info, center=None, width=None, function: str = "LINEAR", voi: int | None = None,
             table: bool = True):
    """``(lut, split)`` for one window: the display table (see :func:`display_lut`) and,
    for linear windows on 16-bit data, ``(high, low, invert)``: the fixed-point tables
    the table was built from (:func:`kernels.apply_split_lut`), else None."""
    info = _Info.of(frame_info)
    function = (function or "LINEAR").upper()
    if voi is None:
        center, width = check_window(center, width, function)
    elif not 0 <= voi < len(info.voi_tables):
        raise OptionsError(f"VOI LUT {voi} does not exist: the file has {len(info.voi_tables)}")
    size, offset = info.lut_size, info.lut_offset
    if voi is None and info.modality_table is None and function != "SIGMOID" and not (function == "LINEAR" and width == 1):
        a, b = _linear(info, center, width, function)
        if info.dtype in _SPLIT_DTYPES and abs(a) <= 1.0:
            high, low = split_tables(info.dtype == "int16", a, b)
            if not table:  # render applies the split tables directly
                return None, (high, low, info.invert)
            greys = _split_greys(high, low, info.dtype, offset, size)
            return inverted(greys, info.invert), (high, low, info.invert)
        return inverted(_ramp(a, b, offset, size), info.invert), None
    greys = _table_greys(info, _modality_values(info), center, width, function, voi)
    return inverted(greys, info.invert), None


def _split_greys(high: list, low: list, dtype: str, offset: int, size: int) -> bytes:
    """The grey level of each data value offset .. offset + size - 1 through split tables:
    the values as 16-bit elements through :func:`kernels.apply_split_lut`, as a frame's pixels
    go (one pass, no Python step per entry); a range the type cannot hold (frame information
    from a host, not from a frame) entry by entry."""
    lo, hi = (-32768, 32767) if dtype == "int16" else (0, 65535)
    if lo <= offset and offset + size - 1 <= hi:
        values = array("h" if dtype == "int16" else "H", range(offset, offset + size))
        if sys.byteorder == "big":
            values.byteswap()
        return kernels.apply_split_lut(values.tobytes(), high, low)
    return bytes(
        0 if z < 0 else 255 if z >= _TOP else z >> _SHIFT
        for z in [high[(d >> 8) & 0xFF] + low[d & 0xFF] for d in range(offset, offset + size)]
    )


_INVERSE = bytes(range(255, -1, -1))


def inverted(greys: bytes, invert: bool) -> bytes:
    return greys.translate(_INVERSE) if invert else greys


def _linear(info: _Info, center: float, width: float, function: str) -> tuple:
    """``(a, b)``: the VOI output is ``a * d + b`` (0..255 scale, before clamping) for
    the table's data value *d* (the stored value when ``lut_step`` is 1)."""
    slope, intercept = info.rescale
    if function == "LINEAR":  # PS3.3 C.11.2.1.2.1: ((x - (c - 0.5)) / (w - 1) + 0.5) * 255
        k, c0 = 255.0 / (width - 1), center - 0.5
    else:  # LINEAR_EXACT, PS3.3 C.11.2.1.3.2: ((x - c) / w + 0.5) * 255
        k, c0 = 255.0 / width, center
    step = info.lut_step
    # x = slope * stored + intercept (C.11.1.1.2), stored = base + (d - offset) * step + step // 2
    a = k * slope * step
    b = k * (slope * (info.lut_base - info.lut_offset * step + (step >> 1)) + intercept - c0) + 127.5
    return a, b


def _ramp(a: float, b: float, offset: int, size: int) -> bytes:
    """``clamp(floor(a * d + b + 0.5))`` for d in offset .. offset + size - 1, computing
    only the entries between the two saturated ends."""
    if a == 0:
        return bytes((_grey(b),)) * size
    ends = sorted(((-0.5 - b) / a - offset, (255.5 - b) / a - offset))
    start = min(max(math.floor(ends[0]) - 1, 0), size)
    stop = min(max(math.ceil(ends[1]) + 2, start), size)
    first, last = _grey(a * offset + b), _grey(a * (offset + size - 1) + b)
    middle = bytes(
        0 if y < -0.5 else 255 if y >= 255.5 else int(y + 0.5)
        for y in [a * d + b for d in range(offset + start, offset + stop)]
    )
    return bytes((first,)) * start + middle + bytes((last,)) * (size - stop)


def split_tables(signed: bool, a: float, b: float) -> tuple:
    """High- and low-byte tables in 1/64 grey level for ``y = a * d + b`` on 16-bit data
    (``|a| <= 1``): ``grey = clamp((high[H] + low[L]) >> 6)`` for raw bytes H, L of d."""
    one = 1 << _SHIFT
    tail = a * 255 if a < 0 else 0.0  # a * L = a * 255 + |a| * (255 - L) keeps the low table >= 0
    high = [
        min(max(round((a * 256 * (h - 256 if signed and h >= 128 else h) + b + 0.5 + tail) * one), -_TOP), _TOP)
        for h in range(256)
    ]
    low = [round(abs(a) * (L if a >= 0 else 255 - L) * one) for L in range(256)]
    return high, low


def _modality_values(info: _Info) -> list:
    """The modality value (PS3.3 C.11.1) of every table entry."""
    base, step, half = info.lut_base, info.lut_step, info.lut_step >> 1
    stored = range(base + half, base + half + info.lut_size * step, step)
    if info.modality_table is None:
        slope, intercept = info.rescale  # C.11.1.1.2
        return [v * slope + intercept for v in stored]
    first, _, entries = info.modality_table  # C.11.1.1.1: clamped to the first / last entry
    last = len(entries) - 1
    return [entries[min(max(v - first, 0), last)] for v in stored]


def _table_greys(info: _Info, xs: list, center, width, function: str, voi) -> bytes:
    """Grey levels of modality values *xs* through a VOI LUT table or window function."""
    if voi is not None:  # PS3.3 C.11.2.1.1: table lookup, clamped, scaled to 8 bits
        first, bits, entries, _ = info.voi_tables[voi]
        scale = 255.0 / ((1 << bits) - 1)
        last = len(entries) - 1
        floor = math.floor
        return bytes(_grey(entries[min(max(floor(x) - first, 0), last)] * scale) for x in xs)
    if function == "SIGMOID":  # PS3.3 C.11.2.1.3.1: 255 / (1 + exp(-4 (x - c) / w))
        exp, k = math.exp, -4.0 / width
        return bytes(
            0 if t > 7.0 else 255 if t < -7.0 else int(255.0 / (1.0 + exp(t)) + 0.5)
            for t in [k * (x - center) for x in xs]
        )
    if function == "LINEAR" and width == 1:  # C.11.2.1.2.1 with w - 1 = 0: threshold at c - 0.5
        edge = center - 0.5
        return bytes(0 if x <= edge else 255 for x in xs)
    if function == "LINEAR":  # C.11.2.1.2.1
        k, c0 = 255.0 / (width - 1), center - 0.5
    else:  # LINEAR_EXACT, C.11.2.1.3.2
        k, c0 = 255.0 / width, center
    return bytes(
        0 if y < -0.5 else 255 if y >= 255.5 else int(y + 0.5)
        for y in [k * (x - c0) + 127.5 for x in xs]
    )


def display_lut(frame_info, center=None, width=None, function: str = "LINEAR", voi: int | None = None) -> bytes:
    """The 8-bit display table of a grey frame for one window.

    Parameters
    ----------
    frame_info : Frame or dict
        A :class:`Frame` or its :meth:`Frame.info` dict.
    center, width : float
        (0028,1050) *Window Center* and (0028,1051) *Window Width* in modality units
        (after rescale). Ignored when *voi* is given.
    function : str
        (0028,1056) *VOI LUT Function*: ``LINEAR`` (PS3.3 C.11.2.1.2.1, the formula with
        the -0.5 and width-1 terms), ``LINEAR_EXACT`` (C.11.2.1.3.2) or ``SIGMOID``
        (C.11.2.1.3.1).
    voi : int, optional
        Index of a (0028,3010) *VOI LUT Sequence* table to use instead of a window.

    Returns
    -------
    bytes
        ``lut_size`` grey levels: entry ``v - lut_offset`` for data value *v*. Modality
        LUT, VOI LUT and presentation (MONOCHROME1 / INVERSE) composed.
    """
    return mapping(frame_info, center, width, function, voi)[0]



def minmax_window(fr) -> dict:
    """The LINEAR window that maps the frame's smallest modality value to black and its
    largest to white: width = max - min + 1, center = min + width / 2 (C.11.2.1.2.1)."""
    info = _Info.of(fr)
    if fr.modality_table is None:  # linear: the ends are the extremes
        info.lut_size = 1
        values = _modality_values(info)
        info.lut_base += (fr.lut_size - 1) * fr.lut_step
        values += _modality_values(info)
    else:
        values = _modality_values(info)
    low, high = min(values), max(values)
    width = high - low + 1
    return {"name": "min/max", "center": low + width / 2, "width": width, "function": "LINEAR", "source": "minmax"}
