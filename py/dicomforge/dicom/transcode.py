"""One DICOM file in another transfer syntax: decompressed to Explicit or Implicit VR Little
Endian, Deflated, or RLE Lossless; nothing else changed.

pydicom parses and writes the file (it re-encodes every element for the new syntax and
deflates the data set for Deflated Explicit VR Little Endian); its RLE encoder (pure Python)
encodes the frames. Here is what the standard asks of the image elements when the pixels
change form:

- a compressed source is decoded frame by frame (:func:`~.pixels.stored_frame`): colour a
  codec converted is now RGB, pixel by pixel (Photometric Interpretation ``RGB``, Planar
  Configuration 0), JPEG 2000's YBR_ICT / YBR_RCT included (PS3.5 8.2.4);
- a lossy source keeps its history (PS3.3 C.7.6.1.1.5, :mod:`.lossy`): Lossy Image
  Compression "01", the method (ISO_10918_1, ISO_14495_1, ISO_15444_1, ISO_15444_15) and
  ratio added when absent;
- a native little-endian source going to another native syntax keeps its Pixel Data bytes
  as they are; from big endian, Pixel Data and every other OW/OF/OL/OD/OV value (palette
  tables, overlay planes, in sequences too) are swapped once.
"""

from __future__ import annotations

from io import BytesIO

from pydicom import dcmwrite

from dataclasses import replace

from dicomforge import kernels
from dicomforge.errors import DicomForgeError, InputError, UnsupportedError, plain_reason
from dicomforge.inputs import NamedInput
from dicomforge.limits import PLATFORM_MAX_BYTES

from . import tags
from .codecs import syntax_name
from .fragments import frame_fragment
from .lossy import lossy_history
from .pixels import frame_count, read_dataset, stored_frame, transfer_syntax

__all__ = ["TARGETS", "transcode"]

#: ``--to`` name -> Transfer Syntax UID.
TARGETS = {
    "explicit": tags.EXPLICIT_VR_LITTLE_ENDIAN,
    "implicit": tags.IMPLICIT_VR_LITTLE_ENDIAN,
    "deflated": tags.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
    "rle": tags.RLE_LOSSLESS,
}
_NATIVE_LITTLE = (tags.EXPLICIT_VR_LITTLE_ENDIAN, tags.IMPLICIT_VR_LITTLE_ENDIAN, tags.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN)
#: big-endian values of these VRs are words: swapped, by word size, when written little endian
_WORDS = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}


def transcode(item: NamedInput, target: str) -> tuple[bytes, list[str]]:
    """*item* written in transfer syntax *target* (a :data:`TARGETS` UID): ``(bytes, notes)``.

    Raises
    ------
    InputError, UnsupportedError
        Naming the file (and, for a frame that cannot be decoded, the frame and syntax).
    """
    ds, name = read_dataset(item)
    source = transfer_syntax(ds)
    notes: list[str] = []
    try:
        if source == target:
            notes.append(f"already {syntax_name(target)}: copied as it is")
            return bytes(item.data), notes
        if source == tags.EXPLICIT_VR_BIG_ENDIAN:
            _swap_words(ds)
        if "PixelData" in ds:
            _convert_pixels(ds, name, source, target, notes)
        ds.file_meta.TransferSyntaxUID = target
        out = BytesIO()
        # (dcmwrite, not save_as: a big-endian source is written little endian, its pixels swapped above)
        dcmwrite(out, ds, implicit_vr=target == tags.IMPLICIT_VR_LITTLE_ENDIAN, little_endian=True,
                 enforce_file_format=True)
        return out.getvalue(), notes
    except DicomForgeError as error:
        raise error.with_file(name)
    except Exception as exc:  # pydicom refusing to write a value of the damaged source
        raise InputError(f"cannot be written as {syntax_name(target)}: {plain_reason(exc)}", name) from None


def _convert_pixels(ds, name: str, source: str, target: str, notes: list[str]) -> None:
    if source in _NATIVE_LITTLE and target != tags.RLE_LOSSLESS:
        return  # the same bytes in another encoding of the data set
    frames = frame_count(ds)
    first = stored_frame(ds, 0, name)
    if len(first.data) * frames > PLATFORM_MAX_BYTES:
        raise InputError(f"{frames} frames of {len(first.data)} bytes decoded would take {len(first.data) * frames} bytes, "
                         f"more than one buffer holds here ({PLATFORM_MAX_BYTES})")
    decoded = [first, *(stored_frame(ds, i, name) for i in range(1, frames))]
    if first.allocated == 1:
        if target == tags.RLE_LOSSLESS:
            raise UnsupportedError("RLE Lossless cannot hold 1-bit (Bits Allocated 1) pixels")
        raise UnsupportedError(f"1-bit pixels in {syntax_name(source)} cannot be rewritten")
    if first.photometric == "YBR_FULL_422" and not first.compressed:
        if target == tags.RLE_LOSSLESS:
            raise UnsupportedError("YBR_FULL_422 cannot be RLE encoded (PS3.5 8.2.2); convert to explicit instead")
    if first.samples == 3 and not first.interleaved and target == tags.RLE_LOSSLESS:
        decoded = [_interleaved(f) for f in decoded]
    if source not in _NATIVE_LITTLE and source != tags.EXPLICIT_VR_BIG_ENDIAN:
        _keep_lossy_history(ds, source, frame_fragment(ds, 0, frames), sum(len(f.data) for f in decoded), notes)
        if first.samples == 3:
            ds.PhotometricInterpretation = first.photometric
    if first.samples == 3:  # (decoded frames come pixel by pixel; native ones as they were)
        ds.PlanarConfiguration = 0 if decoded[0].interleaved else 1
    if target == tags.RLE_LOSSLESS:
        _set_rle(ds, decoded)
    else:
        data = b"".join(f.data for f in decoded)
        ds.PixelData = data + b"\x00" * (len(data) % 2)
        ds["PixelData"].VR = "OB" if first.allocated == 8 else "OW"
        ds["PixelData"].is_undefined_length = False
    for keyword in ("ExtendedOffsetTable", "ExtendedOffsetTableLengths"):
        if keyword in ds:
            del ds[keyword]


def _interleaved(frame):
    """The frame with RRR..GGG..BBB.. as RGBRGB.."""
    return replace(frame, data=kernels.interleave_planes(frame.data, frame.samples, frame.allocated // 8), interleaved=True)


def _swap_words(ds) -> None:
    """Every word-valued element of big-endian *ds* but Pixel Data, in little-endian order."""
    for elem in ds.iterall():
        size = _WORDS.get(elem.VR)
        if size and elem.tag != tags.PIXEL_DATA and isinstance(elem.value, (bytes, bytearray)) and len(elem.value) % size == 0:
            elem.value = kernels.byteswap(bytes(elem.value), size)


def _set_rle(ds, frames) -> None:
    from pydicom.encaps import encapsulate
    from pydicom.pixels.encoders import RLELosslessEncoder

    first = frames[0]
    shape = dict(rows=first.rows, columns=first.columns, samples_per_pixel=first.samples,
                 bits_allocated=first.allocated, bits_stored=first.stored,
                 pixel_representation=int(first.signed), photometric_interpretation=first.photometric,
                 number_of_frames=1, planar_configuration=0)
    try:
        encoded = [RLELosslessEncoder.encode(f.data, encoding_plugin="pydicom", validate=False, **shape) for f in frames]
    except Exception as exc:  # pydicom's encoder refusing an image form
        raise UnsupportedError(f"cannot be RLE encoded: {plain_reason(exc)}") from None
    ds.PixelData = encapsulate(encoded)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True


def _keep_lossy_history(ds, source: str, fragment: bytes, decoded_bytes: int, notes: list[str]) -> None:
    history = lossy_history(ds, source, fragment)
    if not history:
        return
    compressed = len(ds.PixelData)
    if "LossyImageCompressionRatio" not in history and compressed and "LossyImageCompressionMethod" in history:
        history["LossyImageCompressionRatio"] = f"{decoded_bytes / compressed:.4g}"[:16]
    for keyword, value in history.items():
        setattr(ds, keyword, value)
    notes.append("decompressed from lossy data: Lossy Image Compression stays 01")
