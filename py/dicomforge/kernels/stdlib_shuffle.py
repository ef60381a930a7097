"""Blosc's byte shuffle and bitshuffle of one block, packed equality masks, and the stored -> real
value rescale, on the standard library.

Shuffle (c-blosc ``shuffle_generic``): with n = len(block) // typesize, output byte
j*n + i is input byte i*typesize + j; the trailing len % typesize bytes are copied.
Bitshuffle (c-blosc 1.x, the ``bitshuffle`` library's ``trans_bit_elem``): applied only
when n is a multiple of 8 (else the block is copied as is); the first n*typesize bytes
become 8*typesize bit planes of n/8 bytes each, plane j*8 + b holding bit b of byte j of
every element, element i at bit i % 8 of plane byte i // 8.

No per-element Python loop: columns are cut with extended slices, and the 8x8 bit
transposes of every 64-bit word are three mask/shift/xor steps on one big integer
holding the whole block (the masks keep every move inside its word).
"""

from __future__ import annotations

from array import array
from functools import lru_cache

from .common import check_whole, dtype_bytes, lookup

__all__ = ["StdlibShuffle"]

_T8X8 = ((7, 0x00AA00AA00AA00AA), (14, 0x0000CCCC0000CCCC), (28, 0x00000000F0F0F0F0))


@lru_cache(maxsize=16)
def _masks(words: int) -> tuple:
    return tuple((shift, int.from_bytes(mask.to_bytes(8, "little") * words, "little")) for shift, mask in _T8X8)


def _transpose_bits(buf) -> bytes:
    """The 8x8 bit matrix of each little-endian 64-bit word of *buf* transposed (its own inverse)."""
    x = int.from_bytes(buf, "little")
    for shift, mask in _masks(len(buf) // 8):
        t = (x ^ (x >> shift)) & mask
        x ^= t ^ (t << shift)
    return x.to_bytes(len(buf), "little")


def _shuffle(body: bytes, typesize: int) -> bytes:
    return b"".join([body[j::typesize] for j in range(typesize)])


def _unshuffle(body, typesize: int) -> bytearray:
    n = len(body) // typesize
    out = bytearray(len(body))
    view = memoryview(body)
    for j in range(typesize):
        out[j::typesize] = view[j * n : (j + 1) * n]
    return out


@lru_cache(maxsize=64)
def _bit_table(value: int, bit: int) -> bytes:
    """translate table: byte *value* -> ``1 << bit``, every other byte -> 0."""
    return bytes((1 << bit) if b == value else 0 for b in range(256))


class StdlibShuffle:
    """Blosc's shuffles of one block, packed equality masks, and the rescale to real values."""

    def equal_bits(self, data, dtype: str, value) -> bytes:
        """Where *data* equals *value*, one bit per element, element 0 in bit 0 (what
        ``pack_bits(equal_mask(...))`` gives, without its even-length padding): for one-byte
        types eight strided translates ORed as big integers, no mask of a byte per element."""
        code, size = lookup(dtype)
        check_whole(data, size, dtype)
        n = len(data) // size
        if size != 1:
            return self.pack_bits(self.equal_mask(data, dtype, value))[: (n + 7) // 8]
        target = dtype_bytes(value, dtype)
        if target is None:
            return bytes((n + 7) // 8)
        raw = bytes(data)
        acc = 0
        for bit in range(8):
            acc |= int.from_bytes(raw[bit::8].translate(_bit_table(target[0], bit)), "little")
        return acc.to_bytes((n + 7) // 8, "little")

    def shuffle_bytes(self, block, typesize: int) -> bytes:
        """Byte shuffle of *block* by *typesize* (trailing bytes copied)."""
        block = bytes(block)
        if typesize <= 1:
            return block
        body = len(block) // typesize * typesize
        return _shuffle(block[:body], typesize) + block[body:]

    def unshuffle_bytes(self, block, typesize: int) -> bytes:
        """The inverse of :meth:`shuffle_bytes`."""
        block = bytes(block)
        if typesize <= 1:
            return block
        body = len(block) // typesize * typesize
        return bytes(_unshuffle(block[:body], typesize)) + block[body:]

    def bitshuffle(self, block, typesize: int) -> bytes:
        """Bitshuffle of *block* by *typesize* as c-blosc 1.x applies it."""
        block = bytes(block)
        n = len(block) // typesize
        if n % 8 or not n:
            return block
        body, n8 = n * typesize, n // 8
        planes = _transpose_bits(_shuffle(block[:body], typesize) if typesize > 1 else block[:body])
        rows = [planes[k::8] for k in range(8)]
        out = b"".join([rows[k][j * n8 : (j + 1) * n8] for j in range(typesize) for k in range(8)])
        return out + block[body:]

    def bitunshuffle(self, block, typesize: int) -> bytes:
        """The inverse of :meth:`bitshuffle`."""
        block = bytes(block)
        n = len(block) // typesize
        if n % 8 or not n:
            return block
        body, n8 = n * typesize, n // 8
        words = bytearray(body)
        for k in range(8):
            words[k::8] = b"".join([block[(j * 8 + k) * n8 : (j * 8 + k + 1) * n8] for j in range(typesize)])
        out = _transpose_bits(words)
        return (bytes(_unshuffle(out, typesize)) if typesize > 1 else out) + block[body:]

    def rescale_values(self, data, dtype: str, slope: float, intercept: float, target: str) -> bytes:
        """slope * value + intercept of each element, computed in float64 and stored as
        *target* (``float32``, rounded to nearest; or an integer type, for whole results)."""
        code, size = lookup(dtype)
        check_whole(data, size, dtype)
        values = array(code, bytes(data))
        slope, intercept = float(slope), float(intercept)
        out_code, _ = lookup(target)
        if target.startswith("float"):
            return array(out_code, [v * slope + intercept for v in values]).tobytes()
        return array(out_code, [int(v * slope + intercept) for v in values]).tobytes()
