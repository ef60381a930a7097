"""How a volume's voxels become Pixel Data: stored type, rescale, window, and what it costs.

Decisions, each written where it is implemented: 8/16-bit integers are stored as they
are (8-bit widened to 16 for CT and MR, whose IODs require Bits Allocated 16), signed as
their dtype is; their window comes from a sample of slices (:func:`value_range`), and
Smallest/Largest Image Pixel Value are not written. Other types become int16 with a
Rescale Slope/Intercept fitted to the range of the whole volume (lossless for integers
whose range spans at most 65536 values), rounded as
:func:`dicomforge.kernels.rescale_to_int16` rounds (half to even). NaN or infinite
voxels are an InputError before any file is produced.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from dicomforge import __version__, kernels
from dicomforge.dicom.encode import format_ds
from dicomforge.errors import InputError, OptionsError, UnsupportedError
from dicomforge.volume import Volume

__all__ = ["SOP_CLASSES", "SECONDARY_CAPTURE", "PixelPlan", "plan_pixels", "value_range", "WINDOW_SAMPLE_SLICES"]

#: Modality -> (SOP Class UID, name). Anything not listed is Secondary Capture.
SOP_CLASSES = {
    "CT": ("1.2.840.10008.5.1.4.1.1.2", "CT Image Storage"),
    "MR": ("1.2.840.10008.5.1.4.1.1.4", "MR Image Storage"),
}
SECONDARY_CAPTURE = ("1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage")


@dataclass
class PixelPlan:
    """How voxels become Pixel Data."""

    stored: str  # "int16", "uint16", "int8", "uint8" or "rgb"
    convert: tuple | None  # (slope, intercept) for kernels.rescale_to_int16, else None
    rescale: tuple[float, float] | None  # written Rescale Slope / Intercept
    window: tuple[float, float] | None  # (center, width)
    note: str  # Derivation Description
    max_error: float = 0.0



# -- pixels ----------------------------------------------------------------------------------


#: 8/16-bit integers are stored as they are, so their range only sets the window:
#: it is taken from at most this many slices spread over the volume.
WINDOW_SAMPLE_SLICES = 12


def value_range(volume: Volume) -> tuple:
    """``(min, max, nonfinite)`` as far as the conversion needs it.

    Float and 32/64-bit data: exact, over every voxel (the rescale is fitted to it).
    8/16-bit integers are stored without change (signedness follows the dtype) and
    widening 8 to 16 bits needs no offset, so the range only decides the window: the
    range of :data:`WINDOW_SAMPLE_SLICES` slices evenly spread (first and last
    included) is close enough and scanning the whole volume costs seconds in wasm.
    Each sampled slice's exact range comes from :func:`kernels.int_range` (a few
    C-level passes whatever the values).
    """
    dtype = volume.dtype
    nz = volume.size[2]
    if dtype not in ("int8", "uint8", "int16", "uint16"):
        return kernels.value_range(volume.data, dtype)
    count = min(nz, WINDOW_SAMPLE_SLICES)
    picks = sorted({round(i * (nz - 1) / max(count - 1, 1)) for i in range(count)})
    ranges = [kernels.int_range(volume.slice_data(k), dtype) for k in picks]
    return (min(r[0] for r in ranges), max(r[1] for r in ranges), 0)


def plan_pixels(volume: Volume, modality: str) -> PixelPlan:
    dtype, name = volume.dtype, volume.name or None
    if volume.components == 3 and dtype == "uint8":
        if modality in SOP_CLASSES:
            raise OptionsError(
                f"RGB volumes cannot be written as {modality} images (PS3.3 requires "
                "MONOCHROME); choose another modality such as OT",
                name,
            )
        return PixelPlan("rgb", None, None, None, f"converted by dicomforge {__version__}")
    if volume.components != 1:
        nx, ny, nz = volume.size
        raise UnsupportedError(
            f"voxels of shape {nx}x{ny}x{nz}x{volume.components} ({dtype}) cannot be written: "
            "only scalar volumes and RGB uint8 are supported",
            name,
        )
    lo, hi, bad = value_range(volume)
    if bad:
        raise InputError(
            f"{bad} voxels are NaN or infinite; DICOM pixel data cannot hold them "
            "(replace them in the source image)",
            name,
        )
    slope0, intercept0 = (float(v) for v in volume.rescale)
    if not (math.isfinite(slope0) and math.isfinite(intercept0)) or slope0 == 0:
        raise InputError(f"rescale slope/intercept {volume.rescale} is not usable", name)
    real = sorted((lo * slope0 + intercept0, hi * slope0 + intercept0))
    if not all(math.isfinite(v) for v in (*real, real[1] - real[0], float(hi) - float(lo))):
        raise InputError(
            f"values from {lo:.6g} to {hi:.6g} with rescale slope {slope0:.6g} and intercept "
            f"{intercept0:.6g} overflow what DICOM can describe (the real value range is "
            "not finite); check scl_slope/scl_inter or the voxel values in the source image",
            name,
        )
    source = f"{dtype} voxels converted by dicomforge {__version__}"
    is_int = not dtype.startswith("float")
    wide = dtype not in ("int16", "uint16", "int8", "uint8") or (
        dtype in ("int8", "uint8") and modality in SOP_CLASSES  # CT/MR need 16 bits
    )
    convert = None
    stored = dtype
    max_error = 0.0
    scale, offset = 1.0, 0.0  # stored = (raw - offset) / scale
    if wide:
        stored = "int16"
        exact_ok = is_int and hi - lo <= 65535 and max(abs(lo), abs(hi)) <= 2**53
        if exact_ok:
            offset = 0.0 if lo >= -32768 and hi <= 32767 else float(lo + 32768)
            convert = (1.0, offset)
            note = source + " to int16 without loss"
        else:
            scale = float(format_ds((hi - lo) / 65534)) if hi > lo else 1.0
            offset = float(format_ds((hi + lo) / 2))
            convert = (scale, offset)
            # worst case: half a step inside the range, or what clamping costs at its ends
            err = scale / 2
            for v in (lo, hi):
                k = kernels.rescale_to_int16(struct.pack("<d", v), "float64", scale, offset)
                err = max(err, abs(struct.unpack("<h", k)[0] * scale + offset - v))
            max_error = err * abs(slope0) * (1 + 1e-9)
            note = (
                f"{source} to int16: value = stored * {format_ds(scale * slope0)} + "
                f"{format_ds(offset * slope0 + intercept0)}, rounded half to even; "
                f"maximum reconstruction error {max_error:.6g}"
            )
    else:
        note = source + " without change"
    slope_w, intercept_w = scale * slope0, offset * slope0 + intercept0
    integral = is_int and float(slope_w).is_integer() and float(intercept_w).is_integer() and not (
        wide and convert[0] != 1.0
    )
    if integral:  # PS3.3 C.11.2.1.2.1: lo maps to the darkest, hi to the brightest value
        window = ((real[0] + real[1] + 1) / 2, real[1] - real[0] + 1)
    else:
        window = ((real[0] + real[1]) / 2, max(real[1] - real[0], 1.0))
    return PixelPlan(stored, convert, (slope_w, intercept_w), window, note[:1024], max_error)

