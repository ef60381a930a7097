"""Blosc's byte shuffle and bitshuffle, and the stored -> real rescale: every backend against a
per-element reference written from the definitions (c-blosc 1.x), byte for byte."""

from __future__ import annotations

import math
import random
import struct

import pytest

from dicomforge.errors import DicomForgeError


def _data(n: int, seed: int) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.getrandbits(8) for _ in range(n))


def _shuffle_reference(block: bytes, typesize: int) -> bytes:
    n = len(block) // typesize
    out = bytearray(block)
    for i in range(n):
        for j in range(typesize):
            out[j * n + i] = block[i * typesize + j]
    return bytes(out)


def _bitshuffle_reference(block: bytes, typesize: int) -> bytes:
    """Plane j*8 + b holds bit b of byte j of every element, element i at bit i % 8 of byte i // 8."""
    n = len(block) // typesize
    if n % 8 or not n:
        return block
    out = bytearray(block)
    out[: n * typesize] = bytes(n * typesize)
    for i in range(n):
        for j in range(typesize):
            byte = block[i * typesize + j]
            for b in range(8):
                if byte >> b & 1:
                    plane = j * 8 + b
                    out[plane * (n // 8) + i // 8] |= 1 << (i % 8)
    return bytes(out)


CASES = [(ts, n) for ts in (1, 2, 3, 4, 8) for n in (0, 1, 7, 8, 64, 129, 1000)]


@pytest.mark.parametrize("typesize, elements", CASES)
def test_shuffle_matches_the_definition(backend, typesize, elements):
    block = _data(elements * typesize + (1 if elements % 2 else 0), elements)  # odd lengths keep a tail
    shuffled = backend.shuffle_bytes(block, typesize)
    assert shuffled == _shuffle_reference(block, typesize)
    assert backend.unshuffle_bytes(shuffled, typesize) == block


@pytest.mark.parametrize("typesize, elements", CASES)
def test_bitshuffle_matches_the_definition(backend, typesize, elements):
    block = _data(elements * typesize + (3 if elements % 2 else 0), elements + 1)
    shuffled = backend.bitshuffle(block, typesize)
    assert shuffled == _bitshuffle_reference(block, typesize)
    assert backend.bitunshuffle(shuffled, typesize) == block


def test_bitshuffle_of_a_slice_keeps_its_bit_planes(backend):
    """int16 values 0..255 step: the high byte's planes are all zero, the low bit plane alternates."""
    block = struct.pack("<64h", *range(64))
    out = backend.bitshuffle(block, 2)
    assert out[:8] == b"\xaa" * 8  # bit 0 of the low byte: 0,1,0,1... -> 0b10101010 per 8 elements
    assert out[8 * 8:] == bytes(64)  # the high byte's 8 planes


@pytest.mark.parametrize("dtype, code", [("int16", "h"), ("uint16", "H"), ("uint8", "B"), ("float32", "f"),
                                         ("int32", "i")])
def test_rescale_values(backend, dtype, code):
    values = {"int16": [-32768, -1, 0, 1, 4095, 32767], "uint16": [0, 1, 4095, 65535], "uint8": [0, 1, 255],
              "float32": [-0.0, 1.5, -2.25, math.inf, -math.inf, 3.4e38], "int32": [-(2**31), 0, 2**31 - 1]}[dtype]
    data = struct.pack(f"<{len(values)}{code}", *values)
    real = backend.rescale_values(data, dtype, 0.5, -1024.0, "float32")
    assert list(struct.unpack(f"<{len(values)}f", real)) == [struct.unpack("<f", struct.pack("<f", v * 0.5 - 1024.0))[0]
                                                             for v in values]
    if dtype in ("int16", "uint8"):
        ints = backend.rescale_values(data, dtype, 1.0, -1024.0, "int32")
        assert list(struct.unpack(f"<{len(values)}i", ints)) == [v - 1024 for v in values]


def test_rescale_values_rounds_half_way_to_even(backend):
    """float64 -> float32 rounds to nearest, ties to even, on every backend."""
    data = struct.pack("<2i", 16777217, 16777219)  # odd integers above 2**24: half-way between float32s
    assert struct.unpack("<2f", backend.rescale_values(data, "int32", 1.0, 0.0, "float32")) == (16777216.0, 16777220.0)


def test_rescale_values_checks_the_length(backend):
    with pytest.raises(DicomForgeError, match="not a whole number of int16"):
        backend.rescale_values(b"\x00\x01\x02", "int16", 1.0, 0.0, "float32")


@pytest.mark.parametrize("dtype, code", [("uint8", "B"), ("int8", "b"), ("int16", "h"), ("uint16", "H")])
@pytest.mark.parametrize("count", [0, 1, 7, 8, 9, 64, 1001])
def test_equal_bits_is_the_packed_equal_mask(backend, dtype, code, count):
    rng = random.Random(count)
    values = [rng.choice((0, 1, 2, -1 if code.islower() else 255)) for _ in range(count)]
    data = struct.pack(f"<{count}{code}", *values)
    for value in (0, 1, 2, -1, 255, 70000):
        expected = backend.pack_bits(backend.equal_mask(data, dtype, value))[: (count + 7) // 8]
        assert backend.equal_bits(data, dtype, value) == expected
