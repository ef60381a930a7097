"""Blosc1 chunks (what numcodecs / c-blosc 1.x and zarr-python's ``blosc`` codec write), zstd inside.

Written here because c-blosc is native code with no Pyodide wheel reachable. Checked
against numcodecs 0.16.6 (c-blosc 1.21) in ``tests/py/zarr/test_blosc.py``. The shuffles
run in the kernel layer (:func:`dicomforge.kernels.bitshuffle`...).

Layout (little endian): a 16-byte header -- version 2, codec format version 1, flags
(0x01 byte shuffle, 0x02 stored raw, 0x04 bitshuffle, 0x08 reserved, 0x10 no split
streams, bits 5-7 the codec: 0 blosclz, 1 lz4, 2 snappy, 3 zlib, 4 zstd), typesize,
nbytes, blocksize, cbytes (the whole chunk) -- then, unless stored raw, one int32 start
offset per block and, per block, per stream: an int32 size and the compressed bytes (raw
when the size equals the stream's). A block is cut into typesize streams when the split
flag allows it, typesize <= 16, the block holds >= 128 elements and it is not the last,
shorter block. Filters apply per block: byte shuffle when flagged and typesize > 1,
else bitshuffle when flagged and the block holds at least one element.
"""

from __future__ import annotations

import struct
import zlib

from dicomforge import kernels

from ._zstd import zstd

__all__ = ["decode", "encode"]

_HEADER = struct.Struct("<BBBBiii")
_I32 = struct.Struct("<i")
HEADER_SIZE = 16
SHUFFLE, MEMCPYED, BITSHUFFLE, RESERVED, DONT_SPLIT = 0x01, 0x02, 0x04, 0x08, 0x10
ZLIB, ZSTD = 3, 4
_NAMES = {0: "blosclz", 1: "lz4", 2: "snappy", 3: "zlib", 4: "zstd"}
_MODES = {"noshuffle": 0, "shuffle": 1, "bitshuffle": 2}
_MIN_BUFFER, _MAX_SPLITS, _L1 = 128, 16, 32 * 1024
_MAX_BLOCK = (2**31 - 1 - 255 * 4) // 3


def _inflate(codec: int, data: bytes, size: int) -> bytes:
    """*data* decompressed to at most *size* bytes (zstd: one or more frames)."""
    try:
        return _inflate_stream(codec, data, size)
    except (zstd.ZstdError, zlib.error) as exc:
        raise ValueError(f"a {_NAMES[codec]} stream is damaged ({exc})") from None


def _inflate_stream(codec: int, data: bytes, size: int) -> bytes:
    if codec == ZLIB:
        engine = zlib.decompressobj()
        out = engine.decompress(data, size + 1)
        if len(out) > size or not engine.eof:
            raise ValueError("a zlib stream is longer or shorter than its block")
        return out
    pieces, got, rest = [], 0, data
    while rest:
        engine = zstd.ZstdDecompressor()
        piece = engine.decompress(rest, max_length=size - got + 1)
        got += len(piece)
        pieces.append(piece)
        if got > size or not engine.eof:
            raise ValueError("a zstd stream is longer or shorter than its block")
        rest = engine.unused_data
    return b"".join(pieces)


def decode(chunk: bytes, limit: int) -> bytes:
    """The bytes of Blosc chunk *chunk*; a ValueError saying what is wrong (*limit*: the most
    bytes it may hold)."""
    view = memoryview(chunk).cast("B")
    if len(view) < HEADER_SIZE:
        raise ValueError(f"a Blosc chunk of {len(view)} bytes is shorter than its 16-byte header")
    version, versionlz, flags, typesize, nbytes, blocksize, cbytes = _HEADER.unpack_from(view, 0)
    if version != 2:
        raise ValueError(f"Blosc format version {version} is not supported (2)")
    if not 0 <= nbytes <= limit:
        raise ValueError(f"the Blosc header says {nbytes} bytes, at most {limit} expected")
    if cbytes < HEADER_SIZE or cbytes > len(view):
        raise ValueError(f"the Blosc header says the chunk has {cbytes} bytes, it has {len(view)}")
    if nbytes == 0:
        return b""
    if flags & MEMCPYED:
        if cbytes != nbytes + HEADER_SIZE:
            raise ValueError(f"a raw Blosc chunk of {nbytes} bytes cannot be {cbytes} bytes long")
        return bytes(view[HEADER_SIZE:cbytes])
    codec = flags >> 5
    if codec not in (ZLIB, ZSTD):
        raise ValueError(f"Blosc compressor {_NAMES.get(codec, codec)} is not supported (zstd or zlib)")
    if flags & RESERVED or not typesize or versionlz != 1 or not 0 < blocksize <= min(nbytes, _MAX_BLOCK):
        raise ValueError(f"the Blosc header is inconsistent (flags {flags:#x}, typesize {typesize}, "
                         f"blocksize {blocksize}, nbytes {nbytes})")
    blocks, leftover = divmod(nbytes, blocksize)
    blocks += bool(leftover)
    data_start = HEADER_SIZE + 4 * blocks
    if data_start > cbytes:
        raise ValueError(f"a Blosc chunk of {cbytes} bytes cannot hold the offsets of {blocks} blocks")
    out = bytearray(nbytes)
    for b in range(blocks):
        last = bool(leftover) and b == blocks - 1
        size = leftover if last else blocksize
        splits = typesize if (not flags & DONT_SPLIT and typesize <= _MAX_SPLITS and size // typesize >= _MIN_BUFFER
                              and not last) else 1
        part, rem = divmod(size, splits)
        (offset,) = _I32.unpack_from(view, HEADER_SIZE + 4 * b)
        if rem or not data_start <= offset <= cbytes:
            raise ValueError(f"Blosc block {b} starts at {offset}, outside the chunk")
        streams = []
        for _ in range(splits):
            if offset + 4 > cbytes:
                raise ValueError(f"Blosc block {b} runs past the end of the chunk")
            (csize,) = _I32.unpack_from(view, offset)
            offset += 4
            if not 0 <= csize <= cbytes - offset:
                raise ValueError(f"Blosc block {b} runs past the end of the chunk")
            stream = bytes(view[offset : offset + csize])
            offset += csize
            stream = stream if csize == part else _inflate(codec, stream, part)
            if len(stream) != part:
                raise ValueError(f"Blosc block {b} holds {len(stream)} bytes, {part} expected")
            streams.append(stream)
        block = b"".join(streams)
        if flags & SHUFFLE and typesize > 1:
            block = kernels.unshuffle_bytes(block, typesize)
        elif flags & BITSHUFFLE and size >= typesize:
            block = kernels.bitunshuffle(block, typesize)
        out[b * blocksize : b * blocksize + size] = block
    return bytes(out)


def _blocksize(nbytes: int, typesize: int, clevel: int) -> int:
    """c-blosc 1.x's automatic block size for zstd: one block under 32 KiB, else 64 KiB scaled by clevel."""
    if nbytes < typesize:
        return 1
    size = nbytes
    if nbytes >= _L1:
        size = (2 * _L1) * (1, 2, 4, 8, 16, 16, 32, 32, 32, 64)[clevel] // 4
    size = min(size, nbytes)
    return size // typesize * typesize if size > typesize else size


def encode(data: bytes, typesize: int, clevel: int, shuffle: str = "bitshuffle") -> bytes:
    """*data* as one Blosc chunk: zstd inside (level ``2 * clevel - 1`` as c-blosc maps it), no
    split streams, blocks c-blosc's automatic size; stored raw when compression does not pay."""
    mode = _MODES[shuffle]
    clevel = max(0, min(int(clevel), 9))
    typesize = typesize if 1 <= typesize <= 255 else 1
    nbytes = len(data)
    block = _blocksize(nbytes, typesize, clevel)
    flags = (ZSTD << 5) | DONT_SPLIT | (SHUFFLE if mode == 1 else BITSHUFFLE if mode == 2 else 0)

    def raw() -> bytes:
        return _HEADER.pack(2, 1, flags | MEMCPYED, typesize, nbytes, block, nbytes + HEADER_SIZE) + bytes(data)

    if clevel == 0 or nbytes < _MIN_BUFFER:
        return raw()
    level = clevel * 2 - 1 if clevel < 9 else 22
    blocks, leftover = divmod(nbytes, block)
    blocks += bool(leftover)
    position, starts, pieces = HEADER_SIZE + 4 * blocks, [], []
    for b in range(blocks):
        piece = data[b * block : (b + 1) * block]
        if mode == 1 and typesize > 1:
            piece = kernels.shuffle_bytes(piece, typesize)
        elif mode == 2 and len(piece) >= typesize:
            piece = kernels.bitshuffle(piece, typesize)
        packed = zstd.compress(piece, level=level)
        if len(packed) >= len(piece):
            packed = piece
        starts.append(position)
        pieces += [_I32.pack(len(packed)), packed]
        position += 4 + len(packed)
        if position > nbytes + HEADER_SIZE:
            return raw()
    return b"".join([_HEADER.pack(2, 1, flags, typesize, nbytes, block, position),
                     struct.pack(f"<{blocks}i", *starts), *pieces])
