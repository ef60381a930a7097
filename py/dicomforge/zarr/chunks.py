"""Chunks in and out of a C-order array buffer: the regions of a regular chunk grid.

A chunk holds its full chunk shape (edge chunks padded with the fill value, as the Zarr
spec has it). Copies go by runs: the trailing axes a chunk spans whole make one
contiguous run, so the usual one-slice chunks are one slice of bytes each.
"""

from __future__ import annotations

from itertools import product

__all__ = ["chunk_indices", "read_chunk", "write_chunk"]


def chunk_indices(shape: tuple, chunks: tuple):
    """Every chunk index of the grid, in C order."""
    return product(*(range(-(-n // c)) for n, c in zip(shape, chunks)))


def _strides(shape: tuple, itemsize: int) -> list:
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return strides[::-1]


def _runs(shape: tuple, chunks: tuple, index: tuple, itemsize: int):
    """``(array offset, chunk offset, bytes)`` of each contiguous run of chunk *index*."""
    ndim = len(shape)
    start = [i * c for i, c in zip(index, chunks)]
    extent = [min(c, n - s) for c, n, s in zip(chunks, shape, start)]
    a_strides, c_strides = _strides(shape, itemsize), _strides(chunks, itemsize)
    # the trailing axes the chunk spans whole, in both buffers, fold into one run
    k = ndim
    while k > 1 and chunks[k - 1] == shape[k - 1]:
        k -= 1
    run = extent[k - 1] * a_strides[k - 1]
    base = sum(s * a for s, a in zip(start, a_strides))
    for lead in product(*(range(e) for e in extent[: k - 1])):
        yield (base + sum(j * a for j, a in zip(lead, a_strides)),
               sum(j * c for j, c in zip(lead, c_strides)), run)


def read_chunk(array, shape: tuple, chunks: tuple, index: tuple, itemsize: int, fill: bytes):
    """The bytes of chunk *index* of *array* (full chunk shape; *fill*: one element of the fill value)."""
    size = itemsize
    for c in chunks:
        size *= c
    runs = list(_runs(shape, chunks, index, itemsize))
    view = memoryview(array)
    if len(runs) == 1 and runs[0][1] == 0 and runs[0][2] == size:
        a, _, n = runs[0]
        return view[a : a + n]
    out = bytearray(fill * (size // itemsize)) if fill.strip(b"\x00") else bytearray(size)
    for a, c, n in runs:
        out[c : c + n] = view[a : a + n]
    return out


def write_chunk(array: bytearray, shape: tuple, chunks: tuple, index: tuple, itemsize: int, data) -> None:
    """Copy chunk *index* (*data*, full chunk shape) into *array*."""
    view = memoryview(data)
    for a, c, n in _runs(shape, chunks, index, itemsize):
        array[a : a + n] = view[c : c + n]
