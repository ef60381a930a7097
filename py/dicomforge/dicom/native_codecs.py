"""The native decoders behind :mod:`.codecs`: the libraries pydicom's own pixel handlers use.

- JPEG Baseline / Extended (8-bit): Pillow, whose wheels carry libjpeg-turbo, the
  decoder the browser runs too (Cornerstone's ``codec-libjpeg-turbo-8bit``), so a lossy
  frame has the same pixels in the CLI and in the page; colour is converted to RGB by
  the codec, as there.
- JPEG Lossless, JPEG-LS: ``pylibjpeg-libjpeg``; JPEG 2000 and HTJ2K: ``pylibjpeg-openjpeg``.
  Both return bytes without numpy (their ``version=2`` entry points).

Each is imported on first use; a missing library leaves the family without a decoder
(:func:`native_decoder` returns None) and the caller says what to install.
"""

from __future__ import annotations

from io import BytesIO

__all__ = ["native_decoder", "fit_samples"]


def native_decoder(family: str):
    """A decoder (see :mod:`.codecs`) for *family*, or None when its library is missing."""
    try:
        if family == "jpeg":
            twelve = native_decoder("jpeg-lossless")  # libjpeg reads 12-bit JPEG Extended; Pillow cannot
            try:
                from PIL import Image  # noqa: F401
            except ImportError:  # libjpeg for 8-bit too (its IDCT rounds a grey level apart from libjpeg-turbo's)
                return twelve
            return lambda fragment, out, *shape: (_pillow_jpeg if shape[3] == 8 or twelve is None else twelve)(fragment, out, *shape)
        if family in ("jpeg-lossless", "jpeg-ls"):
            from libjpeg.utils import decode_pixel_data as libjpeg_decode

            return _library_decoder(libjpeg_decode)
        if family in ("jpeg2000", "htj2k"):
            from openjpeg.utils import decode_pixel_data as openjpeg_decode

            return _library_decoder(openjpeg_decode)
    except ImportError:
        return None
    return None


def _library_decoder(decode_pixel_data):
    """A pylibjpeg plugin's ``version=2`` decoder. Neither changes colour as the file names it:
    JPEG 2000's own transforms, undone by OpenJPEG, are the file's YBR_ICT / YBR_RCT, which
    :mod:`.pixels` relabels RGB (as pydicom does); YBR_FULL stays YBR_FULL."""

    def decode(fragment, out, rows, columns, samples, bits_allocated, signed, photometric):
        data = decode_pixel_data(fragment, version=2)
        fit_samples(data, out, rows * columns * samples)
        return ""

    return decode


def _pillow_jpeg(fragment, out, rows, columns, samples, bits_allocated, signed, photometric):
    from PIL import Image

    with Image.open(BytesIO(fragment)) as image:
        if samples == 3 and photometric == "RGB" and "adobe_transform" not in image.info:
            image.draft("YCbCr", image.size)  # stored without a colour transform: the samples as they are
        if image.mode not in ("L", "RGB", "YCbCr"):
            raise ValueError(f"JPEG image in mode {image.mode} (only grey or colour)")
        if image.size != (columns, rows):
            raise ValueError(f"the codestream is {image.size[0]}x{image.size[1]}, the header says {columns}x{rows}")
        fit_samples(image.tobytes(), out, rows * columns * samples)
        return "RGB" if image.mode == "RGB" else ""


def fit_samples(data, out: bytearray, count: int) -> None:
    """*count* samples of a codec's output (*data*: 1, 2 or 4 bytes a sample, little
    endian) into *out*, widened to its sample size; any other size is an error."""
    size = len(out) // max(count, 1)
    have = len(data) // max(count, 1)
    if have * count != len(data) or have not in (1, 2, 4) or have > size:
        raise ValueError(f"the codec gave {len(data)} bytes for {count} samples of {size} byte(s)")
    if have == size:
        out[:] = data
        return
    out[:] = bytes(len(out))
    for byte in range(have):  # low bytes in place; the high ones stay 0 (Bits Stored masks the rest)
        out[byte::size] = data[byte::have]
