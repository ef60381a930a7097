"""A decoded frame with what the display table needs: value range, Modality and VOI LUTs, presets.

:func:`prepare_frame` decodes one frame (:mod:`dicomforge.dicom.pixels`) and reads the
display parameters of PS3.3 C.11 from the data set; :meth:`Frame.info` is the JSON-ready
part the page keeps to ask for a new table when the window changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dicomforge import kernels
from dicomforge.dicom.pixels import Pixels, decode_frame, read_dataset
from dicomforge.errors import InputError, malformed_input

from .lut import minmax_window
from .presets import CT_DEFAULT, CT_PRESETS, FUNCTIONS

__all__ = ["Frame", "prepare_frame"]


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
    warnings: list = field(default_factory=list)  # what the file gets wrong that the display worked around

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
    fr.window = _default_window(fr)
    return fr


def _default_window(fr: Frame) -> dict:
    """The file's first window (or VOI LUT); for CT without one the soft-tissue window; else
    the frame's min/max."""
    if fr.presets and fr.presets[0]["source"] != "ct":
        return fr.presets[0]
    for preset in fr.presets:
        if preset["name"] == CT_DEFAULT:
            return preset
    return minmax_window(fr)


def _usable_width(width: float, function: str) -> bool:
    """PS3.3 C.11.2.1.2.1: LINEAR needs a width of at least 1; C.11.2.1.3: the others more than 0."""
    return math.isfinite(width) and (width >= 1 if function == "LINEAR" else width > 0)


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
        try:
            center, width = float(center), float(width)
        except (TypeError, ValueError):
            fr.warnings.append(f"(0028,1050/1051) window {name!r} is not a number ({center!r} / {width!r}): ignored")
            continue
        if not math.isfinite(center) or not _usable_width(width, function):
            fr.warnings.append(f"(0028,1051) Window Width of {name!r} is {width:g} ({function} needs "
                               f"{'at least 1' if function == 'LINEAR' else 'more than 0'}): ignored")
            continue
        presets.append({"name": name, "center": center, "width": width, "function": function, "source": "file"})
    for i, (_, _, _, label) in enumerate(fr.voi_tables):
        presets.append({"name": label, "center": None, "width": None, "voi": i, "source": "voi"})
    if fr.modality.upper() == "CT":
        for name, center, width in CT_PRESETS:
            presets.append({"name": name, "center": float(center), "width": float(width),
                            "function": "LINEAR", "source": "ct"})
    return presets

