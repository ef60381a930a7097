"""The DICOM grey-scale display pipeline: Modality LUT -> VOI LUT -> Presentation LUT.

Stored values go through (PS3.3 C.11, figure C.11-1):

1. the Modality LUT (C.11.1): (0028,1053) *Rescale Slope* / (0028,1052) *Rescale
   Intercept*, or the (0028,3000) *Modality LUT Sequence* table;
2. the VOI LUT (C.11.2): a window (0028,1050) *Window Center* / (0028,1051) *Window
   Width* with the (0028,1056) *VOI LUT Function* LINEAR, LINEAR_EXACT or SIGMOID, or a
   (0028,3010) *VOI LUT Sequence* table; a min/max window when the file has neither;
3. the presentation: MONOCHROME1 and (2050,0020) *Presentation LUT Shape* INVERSE
   invert the grey scale.

Everything is folded into one 8-bit table over the frame's range of stored values
(:func:`display_lut`): ``lut[v - min]`` is the grey level of stored value *v*. The page
applies that table itself, so dragging the window only rebuilds the table (a few
thousand entries), never touches the pixels. :func:`render` applies it here, through
:mod:`dicomforge.kernels`, for PNG export and tests; overlays (60xx, via
:func:`dicomforge.overlays.read_overlays`) are drawn on top in colour.

Linear windows on 16-bit data are computed in fixed point (1/64 grey level, the
grey level of ``y`` is ``floor(y + 1/2)``) as ``high[H] + low[L]`` of the raw high
and low byte: the table and the rendered pixels agree exactly, the result is within
one grey level of the real-valued formula, and the standard-library backend can
apply it to all pixels at once (:func:`kernels.apply_split_lut`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator

from dicomforge import kernels
from dicomforge.errors import DicomForgeError, InputError, OptionsError, malformed_input
from dicomforge.inputs import NamedInput, batch_events
from dicomforge.pixels import Pixels, decode_frame, read_dataset

__all__ = [
    "CT_PRESETS",
    "FUNCTIONS",
    "OVERLAY_COLOURS",
    "Frame",
    "Rendered",
    "prepare_frame",
    "display_lut",
    "render",
    "overlay_masks",
    "preview_job",
]

#: (0028,1056) VOI LUT Function values this module implements (PS3.3 C.11.2.1.3).
FUNCTIONS = ("LINEAR", "LINEAR_EXACT", "SIGMOID")

#: Standard CT windows (name, center, width) in Hounsfield units, offered for CT only.
#: Values as in Radiopaedia, "Windowing (CT)" (radiopaedia.org/articles/windowing-ct):
#: brain W:80 L:40, subdural W:215 L:75, stroke W:40 L:40, lungs W:1500 L:-600,
#: mediastinum W:350 L:50, soft tissue (abdomen) W:400 L:40, liver W:160 L:60
#: (Radiopaedia gives W:150 L:30; 160/60 is the common liver setting), bone W:1800 L:400.
CT_PRESETS = (
    ("brain", 40, 80),
    ("subdural", 75, 215),
    ("stroke", 40, 40),
    ("lung", -600, 1500),
    ("mediastinum", 50, 350),
    ("abdomen", 40, 400),
    ("liver", 60, 160),
    ("bone", 400, 1800),
)

#: Overlay colours (r, g, b) for groups 6000, 6002, ... 601E, in that order.
OVERLAY_COLOURS = (
    (255, 255, 0), (0, 255, 255), (255, 0, 255), (0, 255, 0),
    (255, 128, 0), (255, 0, 0), (0, 128, 255), (255, 255, 255),
    (128, 255, 0), (255, 0, 128), (0, 255, 128), (128, 0, 255),
    (255, 192, 128), (128, 192, 255), (192, 255, 128), (255, 128, 192),
)

_SHIFT = 6  # fixed-point bits of the split tables; kernels.apply_split_lut uses the same
_TOP = 256 << _SHIFT
_SPLIT_DTYPES = ("int16", "uint16")


# --- the frame and what the display needs to know about it ---------------------------------


@dataclass
class Frame:
    """A decoded frame with what :func:`display_lut` needs.

    ``data`` holds one value per pixel as little-endian *dtype*; the display table is
    indexed by ``value - lut_offset`` and entry *i* stands for stored value
    ``lut_base + i * lut_step``. Normally ``lut_offset == lut_base == minimum`` and
    ``lut_step == 1`` (the values are the stored values); frames whose range needs
    more than 65536 entries (32-bit data) hold uint16 indices instead (``lut_offset``
    0, ``lut_step`` a power of two).
    """

    name: str
    data: bytes = field(repr=False)
    dtype: str
    rows: int
    columns: int
    samples: int
    photometric: str
    minimum: int
    maximum: int
    index: int
    frames: int
    modality: str = ""
    lut_offset: int = 0
    lut_base: int = 0
    lut_step: int = 1
    lut_size: int = 256
    rescale: tuple = (1.0, 0.0)  # (slope, intercept), used when modality_table is None
    modality_table: tuple | None = field(default=None, repr=False)  # (first, bits, entries)
    voi_tables: list = field(default_factory=list, repr=False)  # [(first, bits, entries, name)]
    invert: bool = False
    presets: list = field(default_factory=list)
    window: dict | None = None
    dataset: object = field(default=None, repr=False, compare=False)

    @property
    def colour(self) -> bool:
        return self.samples == 3

    def info(self) -> dict:
        """What :func:`display_lut` needs, JSON-ready (the worker keeps it per file)."""
        return {
            "dtype": self.dtype,
            "lutOffset": self.lut_offset,
            "lutBase": self.lut_base,
            "lutStep": self.lut_step,
            "lutSize": self.lut_size,
            "rescale": list(self.rescale),
            "modalityLut": None if self.modality_table is None else {
                "first": self.modality_table[0], "bits": self.modality_table[1], "data": list(self.modality_table[2])},
            "voiLuts": [{"first": f, "bits": b, "data": list(d), "name": n} for f, b, d, n in self.voi_tables],
            "invert": self.invert,
        }


@dataclass
class Rendered:
    """A rendered frame: ``rgba`` is ``width * height * 4`` bytes, row by row."""

    width: int
    height: int
    rgba: bytes = field(repr=False)
    window: dict | None
    presets: list


def _number(ds, keyword: str, default=None):
    value = ds.get(keyword, default)
    if value is None or value == "":
        return default
    return value


def _values(ds, keyword: str) -> list:
    value = ds.get(keyword)
    if value is None or value == "":
        return []
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        return [value]
    return list(value)


def _lut_table(item, little: bool, signed: bool, what: str) -> tuple:
    """(first mapped value, bits per entry, entries) of a Modality or VOI LUT item
    (PS3.3 C.11.1.1.1 / C.11.2.1.1: LUT Descriptor = entries (0 means 65536), first
    stored value mapped, bits per entry)."""
    descriptor = _values(item, "LUTDescriptor")
    missing = [k for k in ("LUTDescriptor", "LUTData") if k not in item]
    if missing:
        raise InputError(f"{what} item lacks {', '.join(missing)}")
    if len(descriptor) != 3:
        raise InputError(f"{what} LUT Descriptor needs 3 values, has {len(descriptor)}")
    count, first, bits = (int(v) for v in descriptor)
    count = count or 65536
    if signed and first >= 32768:  # US or SS by Pixel Representation (PS3.3 C.11.1.1.1)
        first -= 65536
    data = item["LUTData"].value
    if isinstance(data, (bytes, bytearray)):
        order = "little" if little else "big"
        entries = [int.from_bytes(data[i : i + 2], order) for i in range(0, len(data) - 1, 2)]
    else:
        entries = [int(v) for v in (data if hasattr(data, "__iter__") else [data])]
    if len(entries) < count:
        raise InputError(f"{what} LUT Data holds {len(entries)} entries, the LUT Descriptor says {count}")
    if not 1 <= bits <= 16:
        raise InputError(f"{what} LUT Descriptor gives {bits} bits per entry (8 to 16 expected)")
    return first, bits, tuple(entries[:count])


def _little(ds) -> bool:
    meta = getattr(ds, "file_meta", None)
    syntax = str(meta.get("TransferSyntaxUID", "")) if meta is not None else ""
    return syntax != "1.2.840.10008.1.2.2"


def prepare_frame(item_or_ds, frame: int = 0) -> Frame:
    """Decode frame *frame* of a DICOM file and collect its display parameters.

    Parameters
    ----------
    item_or_ds : NamedInput, str or pydicom.Dataset
        The file (never modified).
    frame : int
        0-based frame index.

    Returns
    -------
    Frame
        Stored values, their range, the modality and VOI LUT parameters, the presets
        (file windows named from (0028,1055) *Window Center & Width Explanation*, VOI
        LUT tables, CT presets for CT) and the default window.
    """
    ds, name = read_dataset(item_or_ds)
    with malformed_input(name):
        return _frame(ds, name, decode_frame(ds, frame, name))


def _frame(ds, name: str, px: Pixels) -> Frame:
    modality = str(ds.get("Modality", "") or "")
    fr = Frame(name, px.data, px.dtype, px.rows, px.columns, px.samples, px.photometric,
               0, 255, px.index, px.frames, modality=modality, dataset=ds)
    if px.samples == 3:  # colour: shown as is, no windowing (PS3.3 C.11 applies to grey only)
        return fr
    low, high = kernels.int_range(px.data, px.dtype)
    fr.minimum, fr.maximum = int(low), int(high)
    span = fr.maximum - fr.minimum
    if span >= 65536:  # 32-bit: index = (v - min) >> shift keeps the table at <= 65536 entries
        shift = span.bit_length() - 16
        fr.data, fr.dtype = kernels.to_index16(px.data, px.dtype, fr.minimum, shift), "uint16"
        fr.lut_offset, fr.lut_base, fr.lut_step = 0, fr.minimum, 1 << shift
        fr.lut_size = (span >> shift) + 1
    else:
        fr.lut_offset = fr.lut_base = fr.minimum
        fr.lut_size = span + 1
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
    little = _little(ds)
    # PS3.3 C.11.1: a Modality LUT Sequence, else Rescale Slope / Intercept, else identity
    sequence = ds.get("ModalityLUTSequence")
    if sequence:
        fr.modality_table = _lut_table(sequence[0], little, signed, "Modality LUT Sequence")
    else:
        slope = float(_number(ds, "RescaleSlope", 1.0))
        intercept = float(_number(ds, "RescaleIntercept", 0.0))
        if not slope or slope != slope:
            raise InputError(f"(0028,1053) Rescale Slope must be a nonzero number, got {slope!r}")
        fr.rescale = (slope, intercept)
    for i, item in enumerate(ds.get("VOILUTSequence") or []):
        first, bits, entries = _lut_table(item, little, signed, "VOI LUT Sequence")
        label = str(item.get("LUTExplanation", "") or "") or f"VOI LUT {i + 1}"
        fr.voi_tables.append((first, bits, entries, label))
    # PS3.3 C.11.6.1 / C.8.11.6.1.2: INVERSE means the same single inversion as MONOCHROME1
    shape = str(ds.get("PresentationLUTShape", "") or "").strip().upper()
    fr.invert = px.photometric == "MONOCHROME1" or shape == "INVERSE"
    fr.presets = _presets(ds, fr)
    fr.window = fr.presets[0] if fr.presets and fr.presets[0]["source"] != "ct" else _minmax_window(fr)
    return fr


def _presets(ds, fr: Frame) -> list:
    """File windows, then VOI LUT tables, then (for CT) the standard CT windows."""
    function = str(ds.get("VOILUTFunction", "") or "LINEAR").strip().upper()
    if function not in FUNCTIONS:
        function = "LINEAR"  # PS3.3 C.11.2.1.3: absent or unknown -> LINEAR
    centers = _values(ds, "WindowCenter")
    widths = _values(ds, "WindowWidth")
    names = _values(ds, "WindowCenterWidthExplanation")
    presets = []
    for i, (center, width) in enumerate(zip(centers, widths)):
        name = str(names[i]).strip() if i < len(names) and str(names[i]).strip() else f"file window {i + 1}"
        presets.append({"name": name, "center": float(center), "width": float(width),
                        "function": function, "source": "file"})
    for i, (_, _, _, label) in enumerate(fr.voi_tables):
        presets.append({"name": label, "center": None, "width": None, "voi": i, "source": "voi"})
    if fr.modality.upper() == "CT":
        for name, center, width in CT_PRESETS:
            presets.append({"name": name, "center": float(center), "width": float(width),
                            "function": "LINEAR", "source": "ct"})
    return presets


def _minmax_window(fr: Frame) -> dict:
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


# --- the table --------------------------------------------------------------------------


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
        if isinstance(frame_info, Frame):
            f = frame_info
            return cls(f.dtype, f.lut_offset, f.lut_base, f.lut_step, f.lut_size, tuple(f.rescale),
                       f.modality_table, f.voi_tables, f.invert)
        d = dict(frame_info)
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


def _check_window(center, width, function: str) -> tuple:
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


def _mapping(frame_info, center=None, width=None, function: str = "LINEAR", voi: int | None = None,
             table: bool = True):
    """``(lut, split)`` for one window: the display table (see :func:`display_lut`) and,
    for linear windows on 16-bit data, ``(high, low, invert)``: the fixed-point tables
    the table was built from (:func:`kernels.apply_split_lut`), else None."""
    info = _Info.of(frame_info)
    function = (function or "LINEAR").upper()
    if voi is None:
        center, width = _check_window(center, width, function)
    elif not 0 <= voi < len(info.voi_tables):
        raise OptionsError(f"VOI LUT {voi} does not exist: the file has {len(info.voi_tables)}")
    size, offset = info.lut_size, info.lut_offset
    if voi is None and info.modality_table is None and function != "SIGMOID" and not (function == "LINEAR" and width == 1):
        a, b = _linear(info, center, width, function)
        if info.dtype in _SPLIT_DTYPES and abs(a) <= 1.0:
            high, low = _split_tables(info.dtype == "int16", a, b)
            if not table:  # render applies the split tables directly
                return None, (high, low, info.invert)
            top = _TOP
            greys = bytes(
                0 if z < 0 else 255 if z >= top else z >> _SHIFT
                for z in [high[(d >> 8) & 0xFF] + low[d & 0xFF] for d in range(offset, offset + size)]
            )
            return _inverted(greys, info.invert), (high, low, info.invert)
        return _inverted(_ramp(a, b, offset, size), info.invert), None
    greys = _table_greys(info, _modality_values(info), center, width, function, voi)
    return _inverted(greys, info.invert), None


_INVERSE = bytes(range(255, -1, -1))


def _inverted(greys: bytes, invert: bool) -> bytes:
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


def _split_tables(signed: bool, a: float, b: float) -> tuple:
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
    return _mapping(frame_info, center, width, function, voi)[0]


# --- render ---------------------------------------------------------------------------


def _choose_window(fr: Frame, center=None, width=None, preset=None, function=None) -> dict:
    if (center is None) != (width is None):
        raise OptionsError("give both the window center and the window width")
    if center is not None:
        return {"name": "custom", "center": float(center), "width": float(width),
                "function": (function or "LINEAR").upper(), "source": "custom"}
    if preset is not None:
        wanted = str(preset).strip().lower()
        for candidate in fr.presets:
            if candidate["name"].lower() == wanted:
                return dict(candidate)
        known = ", ".join(p["name"] for p in fr.presets) or "none"
        raise OptionsError(f"no preset named {preset!r} for this file (presets: {known})")
    window = dict(fr.window)
    if function:
        window["function"] = function.upper()
    return window


def overlay_masks(fr: Frame, overlays=True) -> list:
    """``(plane, mask)`` for each overlay plane shown on this frame, *mask* one byte (0/1)
    per image pixel. *overlays*: True (all), False/None (none) or a set of groups."""
    if not overlays or fr.dataset is None:
        return []
    from dicomforge.overlays import read_overlays

    try:
        planes = read_overlays(fr.dataset)
    except DicomForgeError as error:
        raise error.with_file(fr.name)
    wanted = None if overlays is True else {int(g) for g in overlays}
    shown = []
    for plane in planes:
        if wanted is not None and plane.group not in wanted:
            continue
        mask = _place(plane, fr.index, fr.rows, fr.columns)
        if mask is not None:
            shown.append((plane, mask))
    return shown


def _place(plane, frame: int, rows: int, columns: int) -> bytes | None:
    """The plane's bits for image frame *frame* on the image grid, or None when the plane
    has no frame for it. PS3.3 C.9.2.1.3: (60xx,0050) *Overlay Origin* is the 1-based
    (row, column) of the overlay's first pixel; C.9.2.1.4 (60xx,0051) *Image Frame Origin*
    the 1-based image frame of the overlay's first frame."""
    k = frame - (int(plane.frame_origin or 1) - 1)
    if not 0 <= k < int(plane.frames or 1):
        return None
    bits = plane.bits(k)
    r0, c0 = plane.origin[0] - 1, plane.origin[1] - 1
    if (r0, c0) == (0, 0) and (plane.rows, plane.columns) == (rows, columns):
        return bytes(bits)
    mask = bytearray(rows * columns)
    start, stop = max(0, -c0), min(plane.columns, columns - c0)
    if start >= stop:
        return bytes(mask)
    for r in range(max(0, -r0), min(plane.rows, rows - r0)):
        at = (r0 + r) * columns + c0
        mask[at + start : at + stop] = bits[r * plane.columns + start : r * plane.columns + stop]
    return bytes(mask)


def _colour(group: int) -> tuple:
    return OVERLAY_COLOURS[((group - 0x6000) // 2) % len(OVERLAY_COLOURS)]


def _public(window: dict | None) -> dict | None:
    if window is None:
        return None
    return {k: window[k] for k in ("name", "center", "width", "function", "voi") if k in window}


def _grey_bytes(fr: Frame, window: dict) -> bytes:
    lut, split = _mapping(fr, window.get("center"), window.get("width"), window.get("function", "LINEAR"),
                          window.get("voi"), table=False)
    if split is None:
        return kernels.apply_lut(fr.data, fr.dtype, lut, fr.lut_offset)
    high, low, invert = split
    return _inverted(kernels.apply_split_lut(fr.data, high, low), invert)


def render(item_or_ds, frame: int = 0, center=None, width=None, preset=None, overlays=True,
           function: str | None = None) -> Rendered:
    """The frame as RGBA, windowed and with overlays drawn on top.

    Window: *center*/*width* (with *function*, default LINEAR) if given, else the
    preset called *preset*, else the file's first window (or VOI LUT), else min/max.
    Colour images are shown as they are. *overlays*: True (all planes), False, or a set
    of groups (``{0x6000}``).
    """
    fr = item_or_ds if isinstance(item_or_ds, Frame) else prepare_frame(item_or_ds, frame)
    with malformed_input(fr.name):
        masks = [(mask, _colour(plane.group)) for plane, mask in overlay_masks(fr, overlays)]
        if fr.colour:
            return Rendered(fr.columns, fr.rows, kernels.rgb_to_rgba(fr.data, masks), None, [])
        window = _choose_window(fr, center, width, preset, function)
        rgba = kernels.grey_to_rgba(_grey_bytes(fr, window), masks)
    return Rendered(fr.columns, fr.rows, rgba, _public(window), [_public(p) for p in fr.presets])


def grey(item_or_ds, frame: int = 0, center=None, width=None, preset=None, function: str | None = None) -> tuple:
    """``(width, height, grey bytes)`` of a grey frame, windowed as :func:`render` does."""
    fr = item_or_ds if isinstance(item_or_ds, Frame) else prepare_frame(item_or_ds, frame)
    if fr.colour:
        raise OptionsError("a colour image has no single grey channel", fr.name)
    try:
        return fr.columns, fr.rows, _grey_bytes(fr, _choose_window(fr, center, width, preset, function))
    except DicomForgeError as error:
        raise error.with_file(fr.name)


# --- the job the page runs ---------------------------------------------------------------

_JOB_OPTIONS = ("frame", "center", "width", "function", "preset", "overlays")


def preview_job(inputs: list[NamedInput], options: dict) -> Iterator[dict]:
    """Everything the page's canvas needs to show each input, one ``result`` per file.

    Options: ``frame`` (0-based), ``center`` + ``width`` (+ ``function``), ``preset``,
    ``overlays`` (true, false or a list of groups). The result value holds the stored
    values (``pixels``, little-endian ``dtype``: a typed array in JS), the display table
    (``lut``, indexed by ``value - lutOffset``), ``window``, ``presets``, ``overlays``
    (``bits``: one byte 0/1 per image pixel, with ``color`` RGBA) and ``display``, the
    :meth:`Frame.info` dict to pass to :func:`display_lut` when the window changes.
    Colour images carry RGB ``pixels`` (dtype uint8, 3 per pixel) and no table.
    """
    unknown = sorted(set(options) - set(_JOB_OPTIONS))
    if unknown:
        raise OptionsError(f"unknown preview option(s): {', '.join(unknown)}")
    frame = options.get("frame", 0) or 0
    if not isinstance(frame, int) or isinstance(frame, bool) or frame < 0:
        raise OptionsError(f"frame must be a whole number >= 0, got {frame!r}")
    overlays = options.get("overlays", True)
    if isinstance(overlays, (list, tuple, set)):
        overlays = {int(g) for g in overlays}
    yield from batch_events(inputs, lambda item: _preview_value(item, frame, options, overlays))


def _preview_value(item: NamedInput, frame: int, options: dict, overlays) -> dict:
    fr = prepare_frame(item, frame)
    try:
        planes = overlay_masks(fr, overlays)
        value = {
            "rows": fr.rows,
            "columns": fr.columns,
            "frames": fr.frames,
            "frame": fr.index,
            "photometric": fr.photometric,
            "samples": fr.samples,
            "dtype": fr.dtype,
            "pixels": fr.data,
            "range": [fr.minimum, fr.maximum],
            "overlays": [
                {"group": p.group, "label": p.label, "description": p.description, "type": p.type,
                 "color": [*_colour(p.group), 255], "bits": mask}
                for p, mask in planes
            ],
        }
        if fr.colour:
            value.update(lut=None, lutOffset=0, window=None, presets=[], display=None)
            return value
        window = _choose_window(fr, options.get("center"), options.get("width"), options.get("preset"), options.get("function"))
        lut = display_lut(fr, window.get("center"), window.get("width"), window.get("function", "LINEAR"), window.get("voi"))
    except DicomForgeError as error:
        raise error.with_file(fr.name)
    value.update(lut=lut, lutOffset=fr.lut_offset, window=_public(window),
                 presets=[_public(p) for p in fr.presets], display=fr.info())
    return value
