"""RLE Lossless (PS3.5 Annex G) decoding, one frame at a time.

Why hand-written: the transfer syntax is simple (PackBits segments per byte plane) and
must decode in the browser, where pylibjpeg's RLE plugin (compiled code) does not run.
One Python step per run of bytes, never per pixel.
"""

from __future__ import annotations

from dicomforge.errors import InputError, UnsupportedError

from .fragments import frame_fragment
from .tags import RLE_LOSSLESS

__all__ = ["RLE_LOSSLESS", "decode_rle_frame"]


def decode_rle_frame(ds, frame: int, frames: int, rows: int, columns: int, samples: int, allocated: int) -> bytes:
    """Frame *frame* of RLE Lossless Pixel Data as little-endian, pixel-interleaved bytes.

    PS3.5 G.2: each frame is a 64-byte header (segment count, then 15 offsets, little
    endian uint32) and one PackBits segment per byte plane, the most significant byte
    of sample 0 first.
    """
    if allocated == 1:
        raise UnsupportedError("no preview for RLE Lossless with Bits Allocated 1")
    fragment = frame_fragment(ds, frame, frames)
    size = allocated // 8
    pixels = rows * columns
    if len(fragment) < 64:
        raise InputError(f"RLE frame {frame} is truncated: {len(fragment)} bytes, the header alone is 64")
    header = [int.from_bytes(fragment[i : i + 4], "little") for i in range(0, 64, 4)]
    count, offsets = header[0], header[1:]
    if count != samples * size:
        raise InputError(f"RLE frame {frame} has {count} segments; {samples} samples of {allocated} bits need {samples * size}")
    bounds = offsets[:count] + [len(fragment)]
    out = bytearray(pixels * samples * size)
    stride = samples * size
    for k in range(count):
        start, stop = bounds[k], bounds[k + 1]
        if not 64 <= start <= stop <= len(fragment):
            raise InputError(f"RLE frame {frame}: segment {k + 1} offset {start} lies outside the frame")
        plane = _unpack_segment(fragment[start:stop])
        if len(plane) < pixels:
            raise InputError(f"RLE frame {frame}: segment {k + 1} decodes to {len(plane)} bytes, the image has {pixels} pixels")
        sample, byte = divmod(k, size)  # byte 0 = most significant
        out[sample * size + size - 1 - byte :: stride] = plane[:pixels]
    return bytes(out)


def _unpack_segment(segment: bytes) -> bytearray:
    """PackBits (PS3.5 G.3.1): header n in 0..127 copies n+1 literal bytes, n in
    -127..-1 repeats the next byte 1-n times, -128 does nothing. One Python step per
    run, never per pixel."""
    out = bytearray()
    i, end = 0, len(segment)
    while i < end:
        n = segment[i]
        i += 1
        if n < 128:
            out += segment[i : i + n + 1]
            i += n + 1
        elif n > 128:
            out += segment[i : i + 1] * (257 - n)
            i += 1
    return out
