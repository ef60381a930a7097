"""Pixel decoding without numpy: one frame of stored values from a DICOM data set.

Handles the native (uncompressed) transfer syntaxes (implicit VR little endian,
explicit VR little and big endian, deflated explicit VR little endian), RLE Lossless
(PS3.5 Annex G, :mod:`dicomforge.dicom.rle`) and, through :mod:`dicomforge.dicom.codecs`,
JPEG, JPEG Lossless, JPEG-LS, JPEG 2000 and HTJ2K. Any other transfer syntax is an
:class:`~dicomforge.errors.UnsupportedError` naming it.

The result, :class:`Pixels`, holds the frame as little-endian bytes of a numpy-named
element type: ``uint8``/``int8``/``uint16``/``int16``/``uint32``/``int32`` for one
sample per pixel (bits above (0028,0101) *Bits Stored* masked off, or filled with
the sign for (0028,0103) *Pixel Representation* 1), and pixel-interleaved 8-bit RGB
for three samples (YBR_FULL and YBR_FULL_422 converted to RGB, by the codec for JPEG).
No windowing here: see :mod:`dicomforge.display`. The data set is never modified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

import pydicom
from pydicom.errors import InvalidDicomError

from dicomforge import kernels
from dicomforge.errors import DicomForgeError, InputError, OptionsError, UnsupportedError, plain_reason
from dicomforge.inputs import NamedInput

from .codecs import ENCAPSULATED, decode_fragment, syntax_name
from .fragments import frame_fragment
from .palette import palette_to_rgb
from .rle import RLE_LOSSLESS, decode_rle_frame
from .scan import NOT_DICOM, check_header, unreadable

__all__ = ["Pixels", "StoredFrame", "read_dataset", "dataset_name", "frame_count", "decode_frame", "stored_frame",
           "transfer_syntax"]

_NATIVE = {
    "1.2.840.10008.1.2": ("Implicit VR Little Endian", True),
    "1.2.840.10008.1.2.1": ("Explicit VR Little Endian", True),
    "1.2.840.10008.1.2.1.99": ("Deflated Explicit VR Little Endian", True),
    "1.2.840.10008.1.2.2": ("Explicit VR Big Endian", False),
}
_MONOCHROME = ("MONOCHROME1", "MONOCHROME2")
_PALETTE = "PALETTE COLOR"
_COLOUR = ("RGB", "YBR_FULL", "YBR_FULL_422")
_J2K_COLOUR = ("YBR_ICT", "YBR_RCT")  # JPEG 2000's own colour transforms, undone by its codec
_REQUIRED = ("Rows", "Columns", "BitsAllocated", "PixelRepresentation", "PhotometricInterpretation")


@dataclass
class Pixels:
    """One decoded frame.

    Attributes
    ----------
    data : bytes
        Stored values, little-endian *dtype*, row by row; for colour images 8-bit RGB,
        pixel-interleaved.
    dtype : str
        ``uint8``, ``int8``, ``uint16``, ``int16``, ``uint32`` or ``int32``.
    rows, columns : int
        (0028,0010) *Rows* and (0028,0011) *Columns*.
    samples : int
        1 (grey) or 3 (RGB).
    photometric : str
        (0028,0004) *Photometric Interpretation* as the file gives it.
    bits_stored : int
        (0028,0101) *Bits Stored*.
    index, frames : int
        This frame's index (0-based) and the number of frames in the file.
    """

    data: bytes = field(repr=False)
    dtype: str
    rows: int
    columns: int
    samples: int
    photometric: str
    bits_stored: int
    index: int = 0
    frames: int = 1


def dataset_name(ds, default: str = "dataset") -> str:
    """The file name pydicom recorded for *ds*, else *default*."""
    name = getattr(ds, "filename", None)
    return str(name) if isinstance(name, str) and name else default


def read_dataset(item_or_ds):
    """``(dataset, name)`` from a :class:`NamedInput`, a path or a pydicom ``Dataset``.

    Parsing errors become an :class:`InputError` naming the file.
    """
    if isinstance(item_or_ds, pydicom.Dataset):
        return item_or_ds, dataset_name(item_or_ds)
    if isinstance(item_or_ds, NamedInput):
        check_header(item_or_ds)
        name, source = item_or_ds.name, BytesIO(item_or_ds.data)
    else:
        name = str(item_or_ds)
        source = name
    try:
        return pydicom.dcmread(source), name
    except InvalidDicomError:
        raise InputError(NOT_DICOM, name) from None
    except FileNotFoundError:
        raise InputError("no such file", name) from None
    except Exception as exc:  # pydicom raises many types for damaged files
        if isinstance(item_or_ds, NamedInput):
            raise unreadable(item_or_ds, exc) from None
        raise InputError(f"DICOM file cannot be read: {plain_reason(exc)}", name) from None


def frame_count(ds) -> int:
    """(0028,0008) *Number of Frames*, 1 when absent or empty."""
    try:
        return max(int(ds.get("NumberOfFrames", 1) or 1), 1)
    except (TypeError, ValueError):
        raise InputError(f"(0028,0008) Number of Frames is not a number: {ds.NumberOfFrames!r}") from None


def transfer_syntax(ds) -> str:
    meta = getattr(ds, "file_meta", None)
    uid = meta.get("TransferSyntaxUID") if meta is not None else None
    if uid:
        return str(uid)
    # a data set built in memory: its own encoding, if it says
    little = getattr(ds, "is_little_endian", None)
    implicit = getattr(ds, "is_implicit_VR", None)
    if little is False:
        return "1.2.840.10008.1.2.2"
    return "1.2.840.10008.1.2" if implicit in (None, True) else "1.2.840.10008.1.2.1"


def decode_frame(ds, frame: int = 0, name: str | None = None) -> Pixels:
    """Frame *frame* (0-based) of *ds* as :class:`Pixels`.

    Raises
    ------
    InputError
        No Pixel Data, missing image pixel elements (all named in one message),
        truncated Pixel Data, or Pixel Data that holds more frames than the header says.
    UnsupportedError
        A transfer syntax without a codec here, or a photometric interpretation other
        than MONOCHROME1/2, PALETTE COLOR (returned as RGB), RGB, YBR_FULL(_422) (and
        YBR_ICT/YBR_RCT in JPEG 2000).
    OptionsError
        *frame* is not one of the file's frames.
    """
    try:
        return _decode(ds, frame)
    except DicomForgeError as error:
        raise error.with_file(name or dataset_name(ds))


@dataclass
class StoredFrame:
    """One frame's samples before any display conversion (see :func:`stored_frame`)."""

    data: bytes = field(repr=False)
    photometric: str
    interleaved: bool
    compressed: bool
    rows: int
    columns: int
    samples: int
    allocated: int
    stored: int
    signed: bool
    syntax: str
    frames: int


def stored_frame(ds, frame: int = 0, name: str | None = None) -> StoredFrame:
    """Frame *frame*'s samples as stored, decoded where compressed: little endian,
    ``BitsAllocated`` a sample (1-bit data one byte a pixel), not masked; the photometric
    interpretation is what the data now is (``RGB`` when a codec converted colour).
    Native colour keeps its planar configuration (*interleaved* says which); decoded colour
    is pixel by pixel. Raises as :func:`decode_frame`."""
    try:
        return _stored(ds, frame)
    except DicomForgeError as error:
        raise error.with_file(name or dataset_name(ds))


def _stored(ds, frame: int) -> StoredFrame:
    if "PixelData" not in ds:
        other = [k for k in ("FloatPixelData", "DoubleFloatPixelData") if k in ds]
        if other:
            raise UnsupportedError(f"no preview for {other[0]} (only integer Pixel Data)")
        raise InputError("has no Pixel Data (7FE0,0010): nothing to show")
    missing = [k for k in _REQUIRED if ds.get(k) in (None, "")]
    if missing:
        raise InputError(f"missing required element(s) for Pixel Data: {', '.join(missing)}")
    rows, columns = int(ds.Rows), int(ds.Columns)
    allocated = int(ds.BitsAllocated)
    stored = int(ds.get("BitsStored") or allocated)
    signed = int(ds.PixelRepresentation) == 1
    samples = int(ds.get("SamplesPerPixel") or 1)
    photometric = str(ds.PhotometricInterpretation).strip().upper()
    frames = frame_count(ds)
    if rows < 1 or columns < 1:
        raise InputError(f"image size {columns}x{rows} has no pixels")
    if not 0 <= frame < frames:
        raise OptionsError(f"frame {frame} does not exist: the file has {frames} frame(s), numbered from 0")
    syntax = transfer_syntax(ds)
    if syntax not in _NATIVE and syntax not in ENCAPSULATED:
        raise UnsupportedError(f"cannot decode {syntax_name(syntax)} ({syntax}): no codec for this transfer syntax")
    compressed = syntax not in _NATIVE and syntax != RLE_LOSSLESS
    if allocated not in (1, 8, 16, 32) or not 1 <= stored <= allocated:
        raise UnsupportedError(f"no preview for Bits Allocated {allocated} / Bits Stored {stored}")
    if samples == 1 and photometric not in (*_MONOCHROME, _PALETTE):
        raise UnsupportedError(f"no preview for Photometric Interpretation {photometric}")
    if samples == 3 and photometric not in _COLOUR and not (compressed and photometric in _J2K_COLOUR):
        raise UnsupportedError(f"no preview for Photometric Interpretation {photometric}")
    if samples not in (1, 3):
        raise UnsupportedError(f"no preview for {samples} samples per pixel")

    per_pixel = 2 if photometric == "YBR_FULL_422" else samples  # PS3.3 C.7.6.3.1.2: 2 samples per pixel
    # RRR..GGG..BBB.. only for native data that says so (the RLE decoder interleaves itself)
    interleaved = syntax == RLE_LOSSLESS or int(ds.get("PlanarConfiguration") or 0) == 0
    if syntax in _NATIVE:
        raw = _native_frame(ds, syntax, frame, frames, rows * columns * per_pixel, allocated)
    elif not compressed:
        raw = decode_rle_frame(ds, frame, frames, rows, columns, samples, allocated)
    else:
        if allocated == 1:
            raise UnsupportedError(f"cannot decode {syntax_name(syntax)} with Bits Allocated 1")
        fragment = frame_fragment(ds, frame, frames)
        raw, decoded_as = decode_fragment(syntax, fragment, frame, rows, columns, samples, allocated, signed, photometric)
        raw, interleaved = bytes(raw), True  # codecs give whole samples, pixel by pixel
        if samples == 3 and (decoded_as == "RGB" or photometric in _J2K_COLOUR):
            photometric = "RGB"

    return StoredFrame(raw, photometric, interleaved, compressed, rows, columns, samples, allocated, stored,
                       signed, syntax, frames)


def _decode(ds, frame: int) -> Pixels:
    f = _stored(ds, frame)
    raw, photometric, samples, allocated, stored, signed = f.data, f.photometric, f.samples, f.allocated, f.stored, f.signed
    rows, columns, syntax, interleaved, compressed = f.rows, f.columns, f.syntax, f.interleaved, f.compressed
    size = max(allocated // 8, 1)
    if allocated == 1:
        dtype = "uint8"
    else:
        raw = kernels.mask_stored_bits(raw, size, stored, signed and samples == 1)
        dtype = f"{'int' if signed and samples == 1 else 'uint'}{8 * size}"
    if samples == 3:
        raw, dtype = _to_rgb(raw, photometric, size, stored, rows * columns, interleaved, compressed), "uint8"
    elif photometric == _PALETTE:  # indices through the file's colour tables: shown as RGB
        little = _NATIVE[syntax][1] if syntax in _NATIVE else True
        raw, dtype, samples = palette_to_rgb(raw, dtype, ds, little), "uint8", 3
    return Pixels(raw, dtype, rows, columns, samples, photometric, stored, frame, f.frames)


def _native_frame(ds, syntax: str, frame: int, frames: int, values: int, allocated: int) -> bytes:
    """The frame's bytes, little-endian, from native Pixel Data (PS3.5 8.1.1, 8.2)."""
    element = ds["PixelData"]
    data = element.value
    if data is None:
        data = b""
    little = _NATIVE[syntax][1]
    frame_bits = values * allocated
    needed = (frames * frame_bits + 7) // 8
    if len(data) < needed:
        raise InputError(
            f"Pixel Data is truncated: Rows x Columns x Samples x Frames x Bits Allocated "
            f"= {frame_bits * frames} bits = {needed} bytes, the element holds {len(data)}"
        )
    if len(data) - needed >= max(frame_bits // 8, 2):
        held = len(data) * 8 // frame_bits
        raise InputError(
            f"Pixel Data holds {held} frames of {ds.Rows}x{ds.Columns} but (0028,0008) Number of "
            f"Frames says {frames} ({len(data)} bytes for {needed})"
        )
    if not little and (allocated in (1, 8)) and element.VR == "OW":
        # 8- and 1-bit data as OW in big endian: 16-bit words, bytes swapped pairwise
        data = kernels.byteswap(bytes(data) + b"\x00" * (len(data) % 2), 2)
    if allocated == 1:
        start, skip = divmod(frame * frame_bits, 8)
        bits = kernels.unpack_bits(data[start : start + (skip + frame_bits + 7) // 8], skip + frame_bits)
        return bits[skip:]
    size = allocated // 8
    start = frame * values * size
    raw = bytes(data[start : start + values * size])
    if not little and size > 1:
        raw = kernels.byteswap(raw, size)
    return raw


def _to_rgb(raw: bytes, photometric: str, size: int, stored: int, pixels: int, interleaved: bool, decoded: bool) -> bytes:
    """8-bit pixel-interleaved RGB from a colour frame (PS3.3 C.7.6.3.1.2, C.7.6.3.1.3).
    *interleaved*: the samples come pixel by pixel whatever Planar Configuration says;
    *decoded*: a codec's output, whole samples for every pixel even for YBR_FULL_422."""
    if size > 1:  # keep the 8 most significant stored bits of each sample
        if stored == 8 * size:
            raw = raw[size - 1 :: size]
        else:
            values = [v >> (stored - 8) if stored > 8 else v for v in _uints(raw, size)]
            raw = bytes(min(v, 255) for v in values)
    if photometric == "YBR_FULL_422" and not decoded:  # Y1 Y2 Cb Cr per pair of pixels -> Y Cb Cr each
        ybr = bytearray(3 * pixels)
        ybr[0::6], ybr[3::6] = raw[0::4], raw[1::4]
        ybr[1::6] = ybr[4::6] = raw[2::4]
        ybr[2::6] = ybr[5::6] = raw[3::4]
        return kernels.ybr_full_to_rgb(bytes(ybr))
    if not interleaved:  # RRR..GGG..BBB.. -> RGBRGB..
        raw = kernels.interleave_planes(raw, 3, 1)
    if photometric in ("YBR_FULL", "YBR_FULL_422"):
        return kernels.ybr_full_to_rgb(raw)
    return raw


def _uints(raw: bytes, size: int) -> list:
    return [int.from_bytes(raw[i : i + size], "little") for i in range(0, len(raw), size)]
