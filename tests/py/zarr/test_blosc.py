"""Blosc1 chunks: numcodecs (c-blosc 1.21) reads ours and we read its, every filter and type size;
a damaged chunk is a ValueError that says what is wrong, never an IndexError or a hang."""

from __future__ import annotations

import random
import struct

import pytest

from dicomforge.zarr import blosc


def _smooth(count: int, typesize: int, seed: int) -> bytes:
    rng = random.Random(seed)
    code = {1: "B", 2: "h", 4: "i", 8: "q"}[typesize]
    values, v = [], 0
    for _ in range(count):
        v = max(-100, min(100, v + rng.randint(-3, 3)))
        values.append(v % 256 if typesize == 1 else v)
    return struct.pack(f"<{count}{code}", *values)


SIZES = [(1, 0), (1, 100), (2, 7), (2, 4096), (2, 70001), (4, 16385), (8, 1003)]
SHUFFLES = ["noshuffle", "shuffle", "bitshuffle"]


@pytest.mark.parametrize("typesize, count", SIZES)
@pytest.mark.parametrize("shuffle", SHUFFLES)
@pytest.mark.parametrize("clevel", [0, 1, 5])
def test_round_trip(typesize, count, shuffle, clevel):
    data = _smooth(count, typesize, count) + (b"\x07" if count % 2 else b"")
    chunk = blosc.encode(data, typesize, clevel, shuffle)
    assert blosc.decode(chunk, len(data)) == data
    if clevel and len(data) > 4096:
        assert len(chunk) < len(data)  # smooth data compresses


@pytest.mark.parametrize("typesize, count", SIZES)
@pytest.mark.parametrize("shuffle", SHUFFLES)
@pytest.mark.parametrize("clevel", [1, 5])
def test_numcodecs_reads_ours_and_we_read_its(typesize, count, shuffle, clevel):
    numcodecs = pytest.importorskip("numcodecs")
    data = _smooth(count, typesize, count + 1)
    codec = numcodecs.Blosc(cname="zstd", clevel=clevel, shuffle={"noshuffle": 0, "shuffle": 1, "bitshuffle": 2}[shuffle])
    ours = blosc.encode(data, typesize, clevel, shuffle)
    if data:  # (numcodecs cannot decode an empty chunk, its own included)
        assert bytes(codec.decode(ours)) == data
        theirs = codec.encode(__import__("numpy").frombuffer(data, f"u{typesize}"))
        assert blosc.decode(bytes(theirs), len(data)) == data
        assert ours[:4] == bytes(theirs)[:4] and ours[4:12] == bytes(theirs)[4:12]  # same flags, sizes, blocks


def test_zlib_chunks_with_split_streams_are_read():
    """c-blosc splits zlib blocks into one stream per byte: the other layout of a block."""
    numcodecs = pytest.importorskip("numcodecs")
    np = pytest.importorskip("numpy")
    data = _smooth(50000, 2, 3)
    theirs = numcodecs.Blosc(cname="zlib", clevel=5, shuffle=1).encode(np.frombuffer(data, "<i2"))
    assert theirs[2] & 0x10 == 0  # split
    assert blosc.decode(bytes(theirs), len(data)) == data


def test_other_compressors_are_named():
    numcodecs = pytest.importorskip("numcodecs")
    np = pytest.importorskip("numpy")
    theirs = numcodecs.Blosc(cname="lz4", clevel=5).encode(np.arange(4096, dtype="<i2"))
    with pytest.raises(ValueError, match="Blosc compressor lz4 is not supported"):
        blosc.decode(bytes(theirs), 8192)


def test_every_truncation_and_random_damage_is_a_value_error():
    data = _smooth(20000, 2, 9)
    chunk = blosc.encode(data, 2, 1, "bitshuffle")
    for cut in range(0, len(chunk), 97):
        with pytest.raises(ValueError):
            blosc.decode(chunk[:cut], len(data))
    rng = random.Random(5)
    for _ in range(300):
        damaged = bytearray(chunk)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.getrandbits(8)
        try:
            out = blosc.decode(bytes(damaged), len(data))
        except ValueError:
            continue
        assert len(out) <= len(data)


def test_a_chunk_larger_than_expected_is_refused_before_inflating():
    chunk = blosc.encode(bytes(100000), 1, 1, "noshuffle")
    with pytest.raises(ValueError, match="says 100000 bytes, at most 4096 expected"):
        blosc.decode(chunk, 4096)
